"""callback_data for inline buttons: an Intent's wire form (bot/intents.py), versioned, at
most 64 bytes, parsed defensively.

Format: "<version>|<action>|<arg>|<arg>...", the action letters and arguments being the
Intent's `wire()`. A button from an older format, or one pointing at something that no longer
exists, decodes to None and the user is told the message is stale.
"""

from __future__ import annotations

import re

from bot import intents as i

VERSION = "2"
MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9._+\-]{0,40}$")
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER: a bigger "id" can only come from a forged button
ACTIONS = frozenset(cls.action for cls in i.INTENTS if cls.action)  # the letters buttons carry


def row_id(text: str) -> int | None:
    """`text` as a database row id (1 .. MAX_ID), or None: a stale or forged argument that no
    row can have (40 digits used to reach SQLite and fail there with OverflowError)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def pack(action: str, *args: str | int) -> str:
    """The callback_data string of an action and its arguments; raises ValueError if it
    cannot be a valid button."""
    parts = [str(a) for a in args]
    for part in parts:
        if not _ARG.fullmatch(part):
            raise ValueError(f"callback argument not encodable: {part!r}")
    data = "|".join([VERSION, action, *parts])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback_data over {MAX_BYTES} bytes: {data!r}")
    return data


def unpack(data: str | None) -> tuple[str, ...] | None:
    """(action, args...) of current callback_data, or None for anything stale, foreign or
    malformed."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    if version != VERSION:
        return None
    action, _, tail = rest.partition("|")
    if action not in ACTIONS:
        return None
    args = tuple(tail.split("|")) if tail else ()
    if any(not _ARG.fullmatch(a) for a in args):
        return None
    return (action, *args)


def encode(intent: i.Intent) -> str:
    """The callback_data of a button triggering `intent` (the format older buttons carry)."""
    return pack(*intent.wire())


def decode(data: object) -> i.Intent | None:
    """The Intent a button carries, or None for a stale, foreign or forged one."""
    parts = unpack(data) if isinstance(data, str) else None
    return i.from_wire(parts) if parts else None
