"""What to show, with no channel in it.

A View is a screen: blocks of text (a title, the answer, its sources, a warning that a fact
may be out of date, a list of pairs), choices (a label and the Intent a tap triggers) laid out
in rows, an optional notice (a short popup or toast), and whether it replaces the screen the
user acted on. Telegram renders it as HTML with inline buttons, the web page as elements, the
terminal as numbered lines; none of them adds or drops content.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.intents import Intent, intent_to_json


class Block(StrEnum):
    TITLE = "title"        # a heading: the topic's title, the survey's name
    TEXT = "text"          # plain paragraphs
    STRONG = "strong"      # a line to stand out: the question being asked
    HINT = "hint"          # a quieter line: how to answer, what a tap does
    WARNING = "warning"    # may be out of date / check with an office
    SOURCES = "sources"    # items: one citation each
    PAIRS = "pairs"        # items: (label, value) pairs, e.g. a survey's answers
    CODE = "code"          # a code to copy exactly (an invite, the command that redeems it)


@dataclass(frozen=True)
class Part:
    kind: Block
    text: str = ""
    items: tuple[str | tuple[str, str], ...] = ()

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "text": self.text}
        if self.items:
            out["items"] = [list(i) if isinstance(i, tuple) else i for i in self.items]
        return out


@dataclass(frozen=True)
class Choice:
    label: str
    intent: Intent
    selected: bool | None = None  # a toggle's state (multiple choice), None for plain buttons

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"label": self.label, "intent": intent_to_json(self.intent)}
        if self.selected is not None:
            out["selected"] = self.selected
        return out


Row = tuple[Choice, ...]


@dataclass(frozen=True)
class Notice:
    text: str
    alert: bool = False  # a mistake to read, not just a confirmation


@dataclass(frozen=True)
class Attachment:
    """A file the user asked for (an export, a chart)."""

    filename: str
    data: bytes
    caption: str = ""
    image: bool = False  # a picture to show (a chart), not a document to download


@dataclass(frozen=True)
class View:
    parts: tuple[Part, ...] = ()
    rows: tuple[Row, ...] = ()
    notice: Notice | None = None
    replace: bool = False  # replaces the screen the tapped choice was on
    files: tuple[Attachment, ...] = ()
    strip: tuple[str, ...] = ()  # intent kinds whose choices leave the screen tapped (votes)
    signals: frozenset[str] = frozenset()  # what else happened, for channels that care
    more: tuple[View, ...] = field(default=(), compare=False)  # further messages, in order
    whole: bool = False  # one message, never split: the core checked it fits (a preview)
    # Work that finishes later (a file built in the worker process): the channel shows this
    # view first, then runs `later` in the background and shows the view it returns.
    later: Callable[[], Awaitable[View]] | None = field(default=None, compare=False)

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(c for row in self.rows for c in row)

    def as_json(self) -> dict[str, Any]:
        """For the web page: what to render, the intents as JSON objects."""
        return {
            "parts": [p.as_json() for p in self.parts],
            "rows": [[c.as_json() for c in row] for row in self.rows],
            "notice": {"text": self.notice.text, "alert": self.notice.alert}
            if self.notice else None,
            "replace": self.replace,
            "files": [{"filename": f.filename, "caption": f.caption} for f in self.files],
            "strip": list(self.strip),
        }


# Signals a View may carry: a channel acts on those it knows and ignores the rest.
ROLE_ENDED = "role-ended"  # the person is no longer staff (Telegram resets its command menu)
BECAME_STAFF = "became-staff"  # the person is staff now (Telegram shows the staff commands)
FLOODED = "flooded"  # the flood guard stopped the message (the web answers 429)


def text(*lines: str, kind: Block = Block.TEXT) -> Part:
    return Part(kind, "\n".join(lines))


def notice_only(message: str, alert: bool = False) -> View:
    """A tap that changes nothing on screen: only a popup."""
    return View(notice=Notice(message, alert))


def flatten(view: View) -> list[View]:
    """The view and the messages that follow it."""
    return [view, *(v for more in view.more for v in flatten(more))]


def deferred(view: View) -> list[Callable[[], Awaitable[View]]]:
    """The follow-up work of a view and of the messages that follow it, in order."""
    return [v.later for v in flatten(view) if v.later is not None]
