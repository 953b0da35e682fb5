"""Replies as Telegram screens: HTML text (escaped, split under the limit) and keyboards as data.

Pure: handlers turn `Screen` into a sendMessage / editMessageText call. Every line of HTML built
here is balanced on its own, so splitting between lines can never cut a tag in two.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot import messages
from bot.answering.answers import Reply, Suggestion
from bot.answering.knowledge import KnowledgeBase, MenuGroup
from handlers.telegram.callbacks import Action, encode

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


def button(text: str, action: Action, *args: str | int) -> Button:
    return Button(button_label(text), encode(action, *args))


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


# --- answers ---------------------------------------------------------------------------------
def _topic_rows(suggestions: Iterable[Suggestion], back: str = "") -> list[tuple[Button, ...]]:
    return [(button("👉 " + s.title, Action.TOPIC, s.id, back),) for s in suggestions]


def answer_text(reply: Reply) -> str:
    lines = []
    if reply.title:
        lines.append(f"<b>{esc(reply.title)}</b>")
    lines.append(esc(reply.text))
    if reply.sources:
        lines.append("")
        lines.append(messages.SOURCES_LINE.format(sources=esc("; ".join(reply.sources))))
    return "\n".join(lines)


def answer_screens(reply: Reply, ask_id: int | None, back_group: str = "") -> list[Screen]:
    """The short answer with its buttons: details, related topics, feedback, back."""
    assert reply.entry_id is not None  # noqa: S101 - only answers have an entry
    rows: list[tuple[Button, ...]] = [
        (button(messages.ALSO_BUTTON.format(title=s.title), Action.TOPIC, s.id, back_group),)
        for s in reply.also]
    if reply.details:
        rows.append((button(messages.DETAILS_BUTTON, Action.DETAILS, reply.entry_id),))
    rows.extend(_topic_rows(reply.suggestions[:3], back_group))
    if ask_id is not None:
        rows.append((button(messages.VOTE_UP, Action.VOTE, ask_id, "+"),
                     button(messages.VOTE_DOWN, Action.VOTE, ask_id, "-")))
    if back_group:
        rows.append((button(messages.BACK, Action.GROUP, back_group),))
    return screens(answer_text(reply), tuple(rows))


def details_screens(reply: Reply) -> list[Screen]:
    head = messages.DETAILS_HEAD.format(title=esc(reply.title or ""))
    return screens(f"{head}\n{esc(reply.details or '')}")


def suggest_screen(reply: Reply) -> Screen:
    rows = _topic_rows(reply.suggestions)
    rows.append((button(messages.MENU_BUTTON, Action.MENU),
                 button(messages.COUNSEL_BUTTON, Action.COUNSEL)))
    return Screen(messages.SUGGEST_HEAD, tuple(rows))


def fallback_screen(reply: Reply) -> Screen:
    return Screen(esc(reply.text), ((button(messages.MENU_BUTTON, Action.MENU),
                                     button(messages.COUNSEL_BUTTON, Action.COUNSEL)),))


def plain_screen(text: str, keyboard: Keyboard = ()) -> Screen:
    return Screen(esc(text), keyboard)


def reply_screens(reply: Reply, ask_id: int | None, back_group: str = "") -> list[Screen]:
    """Any engine reply as screens."""
    if reply.entry_id is not None:
        return answer_screens(reply, ask_id, back_group)
    if reply.suggestions:
        return [suggest_screen(reply)]
    if reply.kind.value == "fallback":
        return [fallback_screen(reply)]
    return [plain_screen(reply.text, ((button(messages.MENU_BUTTON, Action.MENU),),))]


# --- menu and welcome --------------------------------------------------------------------------
def _pairs(buttons: Sequence[Button]) -> Keyboard:
    return tuple(tuple(buttons[i:i + 2]) for i in range(0, len(buttons), 2))


def menu_screen(kb: KnowledgeBase) -> Screen:
    return Screen(messages.MENU_TITLE,
                  _pairs([button(g.title, Action.GROUP, g.id) for g in kb.menu]))


def group_screen(kb: KnowledgeBase, group: MenuGroup) -> Screen:
    rows = [(button(entry.title, Action.TOPIC, entry.id, group.id),)
            for entry in (kb.get(t) for t in group.topics) if entry is not None]
    rows.append((button(messages.BACK, Action.MENU),))
    return Screen(messages.GROUP_TITLE.format(title=esc(group.title)), tuple(rows))


def welcome_screen() -> Screen:
    buttons = [button(label, Action.AUDIENCE, code)
               for code, label in messages.AUDIENCE_LABELS.items()]
    return Screen(messages.WELCOME, _pairs(buttons))
