"""Views as plain text for a terminal: wrapped between words, choices numbered from 1."""

from __future__ import annotations

import re
import textwrap

from bot import messages
from bot.intents import Intent
from bot.views import Block, Part, View

WIDTH = 78
_MARKS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)


def plain(text: str) -> str:
    """Inline emphasis marks dropped: a terminal shows the words only."""
    return _MARKS.sub(lambda m: m.group(1) or m.group(2), text)


def wrap(text: str, indent: str = "", width: int = WIDTH) -> list[str]:
    """Lines within `width`, broken between words (a long word stays whole)."""
    out: list[str] = []
    for line in plain(text).split("\n"):
        if not line.strip():
            out.append("")
            continue
        lead = indent + line[: len(line) - len(line.lstrip())]
        out.extend(textwrap.wrap(line.strip(), width=width, initial_indent=lead,
                                 subsequent_indent=lead + "  ", break_long_words=False,
                                 break_on_hyphens=False) or [lead])
    return out


def part_lines(part: Part) -> list[str]:
    if part.kind is Block.TITLE:
        return [*wrap(part.text.upper() if part.text.isascii() else part.text), ""]
    if part.kind is Block.HINT:
        return wrap(f"({part.text})")
    if part.kind is Block.WARNING:
        return wrap(f"⚠️ {part.text}")
    if part.kind is Block.SOURCES:
        return ["", *wrap(f"📚 {messages.SOURCES}: " + "; ".join(str(s) for s in part.items))]
    if part.kind is Block.PAIRS:
        lines: list[str] = []
        for item in part.items:
            label, value = item if isinstance(item, tuple) else (item, "")
            lines.extend(wrap(label))
            lines.extend(wrap(f"→ {value}", indent="   "))
        return lines
    return wrap(part.text)


def render(view: View, first: int = 1) -> tuple[list[str], list[Intent]]:
    """The view's lines and its choices' intents, numbered from `first`."""
    lines: list[str] = []
    for part in view.parts:
        lines.extend(part_lines(part))
    intents: list[Intent] = []
    for choice in view.choices:
        mark = "" if choice.selected is None else ("[x] " if choice.selected else "[ ] ")
        number = first + len(intents)
        lines.extend(wrap(f"{number}. {mark}{choice.label}", indent="  "))
        intents.append(choice.intent)
    if view.notice is not None:
        lines.extend(wrap(("❗ " if view.notice.alert else "✔️ ") + view.notice.text))
    for file in view.files:  # a terminal shows a text file in place
        lines.append(f"📎 {file.filename}")
        try:
            lines.extend(file.data.decode("utf-8").splitlines())
        except UnicodeDecodeError:
            lines.append(f"   ({len(file.data)} bytes)")
    return lines, intents
