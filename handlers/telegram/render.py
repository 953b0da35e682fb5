"""Replies as Telegram screens: HTML text (escaped, split under the limit) and keyboards as data.

Pure: handlers turn `Screen` into a sendMessage / editMessageText call. Every line of HTML built
here is balanced on its own, so splitting between lines can never cut a tag in two.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

TELEGRAM_LIMIT = 4096
BUTTON_TEXT = 60


@dataclass(frozen=True)
class Button:
    text: str
    data: str


Keyboard = tuple[tuple[Button, ...], ...]


@dataclass(frozen=True)
class Screen:
    """One message: HTML text within Telegram's limit, and its inline keyboard."""

    text: str
    keyboard: Keyboard = ()


def esc(text: str) -> str:
    return html.escape(text, quote=False)


def button_label(text: str) -> str:
    """Button text as shown: long titles are shortened (phones cut them anyway)."""
    return text if len(text) <= BUTTON_TEXT else text[: BUTTON_TEXT - 1].rstrip() + "…"


def _cut(line: str, room: int) -> tuple[str, str]:
    """The longest head of `line` within `room` that ends at a space and not inside an entity
    such as "&amp;" (only escaped text is ever this long: tags sit on short lines of their own).
    """
    if len(line) <= room:
        return line, ""
    cut = line.rfind(" ", 1, room + 1)
    if cut <= 0:
        cut = room
    amp = line.rfind("&", 0, cut)
    if amp > 0 and cut - amp < 10 and line.find(";", amp, cut) == -1:
        cut = amp
    return line[:cut].rstrip(), line[cut:].lstrip()


MIN_FILL = 200  # a long line first fills what is left of the current message, if that is worth it


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split between lines (a long line between words) so that each part fits in `limit`."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while True:
            room = limit - len(current) - (1 if current else 0)
            if len(line) <= room:
                current = f"{current}\n{line}" if current else line
                break
            if not current or room >= MIN_FILL:
                head, line = _cut(line, room if current else limit)
                current = f"{current}\n{head}" if current else head
            if current.strip():
                parts.append(current)
            current = ""
    if current.strip():
        parts.append(current)
    return parts or [""]


def screens(text: str, keyboard: Keyboard = ()) -> list[Screen]:
    """Long text becomes several messages; the keyboard goes on the last one."""
    chunks = split_html(text)
    return [Screen(c, keyboard if i == len(chunks) - 1 else ()) for i, c in enumerate(chunks)]


