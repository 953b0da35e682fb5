"""Messages the bot sends a person on its own initiative (a counsellor's reply, an
announcement), delivered on the channel of each of their accounts.

Each channel registers how it delivers a View to one of its accounts; the core only says whom
and what. A channel that cannot deliver now (the web visitor has no page open) keeps it for
later or says it failed, so the sender can tell.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Protocol

from bot import logs
from bot.people.accounts import Account, Accounts
from bot.views import View

if TYPE_CHECKING:
    from bot.outreach.announcements import Announcement

log = logging.getLogger(__name__)
Deliver = Callable[[Account, View], Awaitable[bool]]


class Counsellors(Protocol):
    """Where tickets go (today: the Telegram counsellor group). Each call returns the id of
    the message in the counsellors' chat, which their replies refer to, or None."""

    async def opened(self, header: str) -> int | None: ...

    async def relay(self, header_message: int | None, text: str) -> int | None: ...

    async def notify(self, text: str) -> None: ...


class Outbox:
    def __init__(self, accounts: Accounts) -> None:
        self.accounts = accounts
        self._channels: dict[str, Deliver] = {}
        # Set by the channel that carries tickets to the counsellors (today the Telegram
        # counsellor group); None: nobody can take a ticket, so none is offered.
        self.counsellors: Counsellors | None = None
        # Set by the channel that paces an announcement's delivery to everyone and resumes it
        # after a restart (today Telegram, which has the bulk limits); None: none can be sent.
        self.announcer: Callable[[Announcement], None] | None = None

    def register(self, channel: str, deliver: Deliver) -> None:
        self._channels[channel] = deliver

    def can_reach(self, account: Account) -> bool:
        return account.channel in self._channels

    async def send(self, user_id: int, view: View) -> bool:
        """Deliver to every account of the user on a registered channel; True if any took it."""
        delivered = False
        for account in self.accounts.of_user(user_id):
            deliver = self._channels.get(account.channel)
            if deliver is None:
                continue
            try:
                delivered = await deliver(account, view) or delivered
            except Exception:  # one channel failing must not stop the others
                log.exception("delivery failed", extra={"event": "outbox",
                                                        "user": logs.uid(user_id),
                                                        "channel": account.channel})
        return delivered
