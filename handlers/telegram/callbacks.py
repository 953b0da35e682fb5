"""callback_data for inline buttons: short, versioned, at most 64 bytes, parsed defensively.

Format: "<version>|<action>|<arg>|<arg>...". A button from an older format, or one pointing at
something that no longer exists, parses to None and the user is told the message is stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

VERSION = "2"
MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9._+\-]{0,40}$")
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER: a bigger "id" can only come from a forged button


def row_id(text: str) -> int | None:
    """`text` as a database row id (1 .. MAX_ID), or None: a stale or forged argument that no
    row can have (40 digits used to reach SQLite and fail there with OverflowError)."""
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


class Action(StrEnum):
    AUDIENCE = "a"     # arg: audience code
    MENU = "m"         # no arg: the group list
    GROUP = "g"        # arg: menu group id
    TOPIC = "t"        # args: entry id, menu group id or "" (where "Quay lại" leads)
    DETAILS = "d"      # arg: entry id
    VOTE = "v"         # args: ask id, "+" or "-"
    COUNSEL = "c"      # no arg: open a counsellor ticket
    SURVEY = "s"       # args: survey action, then its arguments (bot/survey_flow.py)
    PRIVACY = "p"      # arg: "del" (confirm deletion) or "keep"
    EXPORT = "x"       # args: format, survey id or "all", school code (admins) or ""
    ANNOUNCE = "b"     # args: "send" or "drop", announcement id
    NOOP = "n"         # buttons that only show information


@dataclass(frozen=True)
class Callback:
    action: Action
    args: tuple[str, ...] = ()

    def arg(self, i: int, default: str = "") -> str:
        return self.args[i] if i < len(self.args) else default

    def id_arg(self, i: int) -> int | None:
        """Argument `i` as a row id, or None (see row_id)."""
        return row_id(self.arg(i))


def encode(action: Action, *args: str | int) -> str:
    """The callback_data string; raises ValueError if it cannot be a valid button."""
    parts = [str(a) for a in args]
    for part in parts:
        if not _ARG.fullmatch(part):
            raise ValueError(f"callback argument not encodable: {part!r}")
    data = "|".join([VERSION, action.value, *parts])
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback_data over {MAX_BYTES} bytes: {data!r}")
    return data


def decode(data: str | None) -> Callback | None:
    """The callback, or None for anything stale, foreign or malformed."""
    if not data or len(data.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        return None
    version, _, rest = data.partition("|")
    if version != VERSION:
        return None
    code, _, tail = rest.partition("|")
    try:
        action = Action(code)
    except ValueError:
        return None
    args = tuple(tail.split("|")) if tail else ()
    if any(not _ARG.fullmatch(a) for a in args):
        return None
    return Callback(action, args)
