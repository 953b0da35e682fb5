"""The channel contract: what the core needs of a channel, and the registry of them.

A channel (Telegram, the web chat, the terminal, Zalo...) is an adapter in handlers/<name>/. The
core knows it only through this protocol: its name, its limits, and how it delivers a View to
one of its accounts on the core's initiative (a counsellor's reply, an announcement). The
registry is the one list of channels: accounts are valid on a registered channel only, and the
outbox delivers through the registered channel of each account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.views import View


TEXT_LIMIT = 4096  # characters per message where no running channel says less


@dataclass(frozen=True)
class Account:
    """A person on one channel: (channel, external id) -> the internal user id (made by
    bot/people/accounts.py)."""

    channel: str
    external_id: str
    user_id: int


@dataclass(frozen=True)
class Limits:
    text: int  # characters per message (Telegram 4096, Zalo 2000, web 4096)
    buttons: int  # buttons per message (0 = unlimited)
    button_title: int  # characters per button title (0 = unlimited)



class Channel(Protocol):
    name: str  # "telegram", "web", "terminal", "zalo", ...
    limits: Limits

    async def deliver(self, account: Account, view: View) -> bool: ...


class Blocked(Exception):
    """Raised by `deliver`: the person blocked the bot on this channel (never try again)."""


class Uncertain(Exception):
    """Raised by `deliver`: the message may have arrived (a timeout); not to be sent again."""


@dataclass(frozen=True)
class Known:
    """A channel people have accounts on, before (or without) anything that delivers on it.
    keeps_ids: the channel's own ids are the internal user ids (Telegram's, which predate
    accounts: existing data stays theirs); every other channel's people get new ids."""

    name: str
    keeps_ids: bool = False


class Channels:
    """The registry: every channel of this installation, by name."""

    def __init__(self, known: tuple[Known, ...] = ()) -> None:
        self._known: dict[str, Known] = {}
        self._live: dict[str, Channel] = {}
        for item in known:
            self.declare(item)

    def declare(self, known: Known) -> None:
        """A channel accounts may be on (bot/bootstrap.py declares each, one line each)."""
        self._known[known.name] = known

    def add(self, channel: Channel) -> None:
        """A running adapter: from now on the core delivers through it."""
        self._known.setdefault(channel.name, Known(channel.name))
        self._live[channel.name] = channel

    def __contains__(self, name: object) -> bool:
        return name in self._known

    def keeps_ids(self, name: str) -> bool:
        known = self._known.get(name)
        return known is not None and known.keeps_ids

    def get(self, name: str) -> Channel | None:
        """The adapter delivering on `name` in this process, if one runs."""
        return self._live.get(name)

    def text_limit(self) -> int:
        """The longest message every running channel takes whole (an announcement goes to
        all of them); TEXT_LIMIT when none says."""
        return min((c.limits.text for c in self._live.values() if c.limits.text),
                   default=TEXT_LIMIT)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._known)
