"""t.me/<bot>?start=<payload>: a topic to open, or a school to join.

Telegram allows only A-Z, a-z, 0-9, _ and - in a payload (at most 64 characters), so a topic id
"vet.levels" travels as "vet_levels" (ids never contain "_").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def topic_payload(entry_id: str) -> str:
    return entry_id.replace(".", "_", 1)


def topic_id(payload: str) -> str | None:
    """The entry id a payload names, if it has the shape of one."""
    group, sep, name = payload.partition("_")
    return f"{group}.{name}" if sep and group and name and "_" not in name else None


@dataclass(frozen=True)
class Link:
    kind: str  # "topic", "school" or "invalid"
    value: str


def parse(payload: str, known_topic: set[str] | frozenset[str], is_school: object) -> Link:
    """Classify a /start payload; `is_school(code)` says whether a school has that code."""
    if not PAYLOAD.match(payload):
        return Link("invalid", "")
    entry = topic_id(payload)
    if entry is not None and entry in known_topic:
        return Link("topic", entry)
    if callable(is_school) and is_school(payload):
        return Link("school", payload)
    return Link("invalid", "")
