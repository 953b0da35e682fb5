"""callback_data for inline buttons: an Intent's wire form (bot/intents.py), versioned, at
most 64 bytes, parsed defensively.

Format: "<version>|<action>|<arg>|<arg>...": the letters of the Intent's class (WIRE, the ones
buttons already sent carry; the core knows nothing of them), then its arguments in order. A
button from an older format, or one pointing at something that no longer exists, decodes to
None and the user is told the message is stale.
"""

from __future__ import annotations

import dataclasses
import re

from bot import intents as i

VERSION = "2"
MAX_BYTES = 64
_ARG = re.compile(r"^[A-Za-z0-9._+\-]{0,40}$")
MAX_ID = 2**63 - 1  # SQLite's largest INTEGER: a bigger "id" can only come from a forged button
# The letters each button Intent carries: never change one (buttons in old messages carry it).
WIRE: dict[type[i.Intent], tuple[str, ...]] = {
    i.ChooseAudience: ("a",), i.Menu: ("m",), i.Group: ("g",), i.Topic: ("t",),
    i.Details: ("d",), i.Vote: ("v",), i.Noop: ("n",), i.CounselOpen: ("c",),
    i.PrivacyConfirm: ("p",), i.Export: ("x",), i.AnnounceDecision: ("b",),
    i.PrivacyView: ("u",), i.PrivacyErase: ("w",),  # the menu's "your data" buttons
    i.SurveyOpen: ("s", "o"), i.SurveyConsent: ("s", "c"), i.SurveyRetake: ("s", "R"),
    i.SurveyResume: ("s", "g"), i.SurveyAnswer: ("s", "a"), i.SurveyToggle: ("s", "t"),
    i.SurveyDone: ("s", "x"), i.SurveyBack: ("s", "b"), i.SurveySkip: ("s", "k"),
    i.SurveyPause: ("s", "p"), i.SurveyLater: ("s", "l"), i.SurveyEditMenu: ("s", "e"),
    i.SurveyEdit: ("s", "E"), i.SurveySummary: ("s", "v"), i.SurveySubmit: ("s", "S"),
}
_BY_WIRE = {letters: cls for cls, letters in WIRE.items()}
# How a yes/no argument is written (false, true); any other is "0", "1".
_BOOLS: dict[tuple[type[i.Intent], str], tuple[str, str]] = {
    (i.Vote, "up"): ("-", "+"),
    (i.PrivacyConfirm, "erase"): ("keep", "del"),
    (i.AnnounceDecision, "send"): ("drop", "send"),
}
ACTIONS = frozenset(letters[0] for letters in WIRE.values())  # every button's first letter
# Yes/no arguments, written as letters (_BOOLS) on the wire.
_YES_NO = frozenset((cls, f.name) for cls in WIRE for f in dataclasses.fields(cls)
                    if f.type in ("bool", bool))


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
    kind = type(intent)
    args: list[str] = []
    for name in i.names(kind):
        value = getattr(intent, name)
        args.append(_BOOLS.get((kind, name), ("0", "1"))[value] if isinstance(value, bool)
                    else str(value))
    return pack(*WIRE.get(kind, ("",)), *args)  # no letters: a button no one handles


def decode(data: object) -> i.Intent | None:
    """The Intent a button carries, or None for a stale, foreign or forged one."""
    parts = unpack(data) if isinstance(data, str) else None
    if not parts:
        return None
    action, rest = parts[0], parts[1:]
    head = (action, rest[0]) if action == "s" and rest else (action,)
    kind = _BY_WIRE.get(head)
    if kind is None:
        return None
    rest = rest[len(head) - 1:]
    names = i.names(kind)
    if len(rest) > len(names):
        return None
    values: dict[str, object] = {}
    for name, raw in zip(names, rest, strict=False):
        if (kind, name) in _YES_NO:
            letters = _BOOLS.get((kind, name), ("0", "1"))
            if raw not in letters:
                return None
            values[name] = raw == letters[1]
        else:
            values[name] = raw
    return i.build(kind, values)
