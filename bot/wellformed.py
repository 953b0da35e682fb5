"""Input as every channel must hand it to the core: well-formed Unicode, and JSON of a sane
shape. A lone UTF-16 surrogate ("\\ud800" as a JSON escape, or bad bytes read with
surrogateescape) cannot be encoded as UTF-8, so SQLite, the log and every JSON reply would
fail on it later, far from where it came in; a JSON document nested a thousand deep or with an
integer of 5,000 digits makes Python's parser raise RecursionError / ValueError."""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 64  # objects and arrays inside each other: an update or a request needs < 12
REPLACEMENT = "\ufffd"


class BadJson(ValueError):
    """Not JSON this program reads: malformed, too deep, or a number too long."""


def scrub(text: str) -> str:
    """The text with every lone surrogate replaced by U+FFFD (a well-formed pair is joined)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def scrub_data(data: Any, depth: int = 0) -> Any:
    """Parsed JSON with every string (keys too) scrubbed; BadJson when nested too deep."""
    if depth > MAX_DEPTH:
        raise BadJson("nested too deep")
    if isinstance(data, str):
        return scrub(data)
    if isinstance(data, dict):
        return {scrub(k): scrub_data(v, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [scrub_data(v, depth + 1) for v in data]
    return data


def loads(raw: bytes | str) -> Any:
    """json.loads for bytes from a client: BadJson (a ValueError) for anything it cannot read,
    including what makes the parser itself give up, and strings always well-formed."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return scrub_data(json.loads(text))
    except (UnicodeDecodeError, RecursionError, ValueError) as exc:
        # ValueError: malformed JSON, or an integer over sys.get_int_max_str_digits().
        raise BadJson(type(exc).__name__) from None
