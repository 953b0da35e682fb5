"""Sentences that hold for one channel only.

Help texts and the privacy answer must describe the channel a person is on: a web visitor has
no Telegram id and no /tatthongbao. Such a line starts with the channels it is for, in square
brackets ("[telegram] ...", "[web,terminal] ..."); unmarked lines are for every channel. The
core stays channel-blind: the Conversation shows each person the lines of their account's
channel, in messages (HELP) and knowledge answers alike.
"""

from __future__ import annotations

import dataclasses
import re

from bot.views import Part, View

_CHANNEL = "[a-z]+"  # a channel's name (bot/bootstrap.CHANNELS): a new channel needs no line here
_MARK = re.compile(rf"^\[({_CHANNEL}(?:,{_CHANNEL})*)\] ?")


def for_channel(text: str, channel: str) -> str:
    """The text as a person on `channel` reads it: other channels' lines dropped, marks gone."""
    if "[" not in text:  # nearly every text: nothing to do
        return text
    kept: list[str] = []
    for line in text.split("\n"):
        mark = _MARK.match(line)
        if mark is None:
            kept.append(line)
        elif channel in mark[1].split(","):
            kept.append(line[mark.end():])
    return "\n".join(kept)


def named(text: str) -> set[str]:
    """The channels the text's marks name."""
    return {name for line in text.split("\n") if (mark := _MARK.match(line))
            for name in mark[1].split(",")}


def marked(text: str) -> bool:
    return any(_MARK.match(line) for line in text.split("\n"))


def _part(part: Part, channel: str) -> Part:
    items = tuple(for_channel(x, channel) if isinstance(x, str) else x for x in part.items)
    return dataclasses.replace(part, text=for_channel(part.text, channel), items=items)


def view_for_channel(view: View, channel: str) -> View:
    """The view with every text part read for `channel` (the views after it too)."""
    if not any(marked(p.text) for p in view.parts) and not view.more:
        return view
    return dataclasses.replace(view, parts=tuple(_part(p, channel) for p in view.parts),
                               more=tuple(view_for_channel(v, channel) for v in view.more))
