"""Views as Telegram screens: HTML (escaped; **bold** and __italic__ marks become tags) split
under 4,096 characters, and choices as inline keyboards whose callback_data is the Intent's
wire form (within 64 bytes, the same format older buttons carry)."""

from __future__ import annotations

import re

from bot import messages
from bot.intents import Intent
from bot.views import Block, Part, View
from handlers.telegram.callbacks import encode
from handlers.telegram.render import Button, Keyboard, Screen, button_label, esc, screens

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_ITALIC = re.compile(r"__(.+?)__", re.S)


def marks(html_text: str) -> str:
    """**bold** and __italic__ marks as tags, in text that is HTML already."""
    return _ITALIC.sub(r"<i>\1</i>", _BOLD.sub(r"<b>\1</b>", html_text))


def inline(text: str) -> str:
    """Escaped HTML with the views' inline marks as tags."""
    return marks(esc(text))


def part_html(part: Part) -> str:
    if part.kind is Block.TITLE:
        return f"<b>{inline(part.text)}</b>"
    if part.kind is Block.STRONG:
        return "\n".join(f"<b>{inline(line)}</b>" for line in part.text.split("\n"))
    if part.kind is Block.HINT:
        return "\n".join(f"<i>{inline(line)}</i>" for line in part.text.split("\n"))
    if part.kind is Block.CODE:  # monospace: a tap copies it
        return "\n".join(f"<code>{esc(line)}</code>" for line in part.text.split("\n"))
    if part.kind is Block.SOURCES:
        return "\n" + inline(messages.SOURCES_LINE.format(
            sources="; ".join(str(s) for s in part.items)))
    if part.kind is Block.PAIRS:
        lines = []
        for item in part.items:
            label, value = item if isinstance(item, tuple) else (item, "")
            lines.append(inline(label))
            lines.append(f"   → <b>{inline(value)}</b>")
        return "\n".join(lines)
    return inline(part.text)


def callback_data(intent: Intent) -> str:
    return encode(intent)


def keyboard(view: View) -> Keyboard:
    return tuple(tuple(Button(button_label(c.label), callback_data(c.intent)) for c in row)
                 for row in view.rows)


def html(view: View) -> str:
    return "\n".join(part_html(p) for p in view.parts)


def view_screens(view: View) -> list[Screen]:
    """One view as one or more messages (long text split; the keyboard on the last)."""
    if not view.parts and not view.rows:
        return []
    if view.whole:  # the core measured it against Telegram's limit: one message
        return [Screen(html(view), keyboard(view))]
    return screens(html(view), keyboard(view))
