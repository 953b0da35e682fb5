"""Messages the bot sends on its own initiative: to a person (a counsellor's reply, an
announcement), delivered on the channel of each of their accounts, and to a paced destination
(the counsellors' group), queued durably and delivered by that destination's courier.

Each channel delivers through its own `deliver` (bot/channels.py, found in the registry); the
core only says whom and what. A channel that cannot deliver now (the web visitor has no page
open) keeps it for later or says it failed, so the sender can tell. A channel that reaches a
paced destination attaches its Desk (bot/outreach/relays.py); every channel posts there
through `post`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot import logs, messages
from bot.channels import Blocked, Uncertain
from bot.outreach.relays import COUNSELLORS, NOTICE, Courier, Desk, Item, RelayQueue
from bot.pacing import Budget
from bot.people.accounts import Account, Accounts
from bot.storage.database import now_utc
from bot.views import Block, Part, View

if TYPE_CHECKING:
    from bot.outreach.announcements import Announcement

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]


class Outbox:
    def __init__(self, accounts: Accounts, queue: RelayQueue,
                 header_of: Callable[[int], int | None], clock: Clock = now_utc) -> None:
        self.accounts = accounts
        self.channels = accounts.channels
        self.queue = queue
        self.header_of = header_of  # a ticket's header in the counsellors' chat
        self.clock = clock
        self._couriers: dict[str, Courier] = {}
        # Set by the channel that paces an announcement's delivery to everyone and resumes it
        # after a restart (today Telegram, which has the bulk limits); None: none can be sent.
        self.announcer: Callable[[Announcement], None] | None = None

    # --- paced destinations (bot/outreach/relays.py) -------------------------------------------
    def attach(self, destination: str, desk: Desk, per_minute: int) -> None:
        """A channel reaches `destination` through `desk`, at most `per_minute` sends a minute
        (0: no limit). Its courier runs between `start` and `stop`."""
        budget = Budget(per_minute, 60.0)
        self._couriers[destination] = Courier(self.queue, destination, desk, budget,
                                              self.header_of, self._refused)

    def desk(self, destination: str) -> Desk | None:
        courier = self._couriers.get(destination)
        return courier.desk if courier is not None else None

    @property
    def counsellors(self) -> Desk | None:
        """The counsellors' desk (today their Telegram group); None: nobody can take a ticket,
        so none is offered."""
        return self.desk(COUNSELLORS)

    def start(self) -> None:
        """Start the couriers; rows left by an earlier run go first."""
        for courier in self._couriers.values():
            if courier.task is None:
                courier.start()

    async def stop(self) -> None:
        """Stop every courier once its send in progress is done and recorded."""
        await asyncio.gather(*(c.stop() for c in self._couriers.values()))

    async def post(self, destination: str, kind: str, text: str, **row: Any) -> float:
        """Queue a message for a destination (committed when this returns); the seconds it is
        expected to wait, to tell the person when that is long."""
        await self.queue.post(destination, kind, text, **row)
        courier = self._couriers.get(destination)
        if courier is None:
            return 0.0
        courier.wake()
        return courier.expected_wait(self.clock)

    async def _refused(self, item: Item) -> None:
        """A row the destination will never take: its author is told."""
        if item.user_id is not None and item.kind != NOTICE:
            await self.send(item.user_id, View((Part(Block.TEXT, messages.TICKET_CANT_RELAY),)))

    def can_reach(self, account: Account) -> bool:
        return self.channels.get(account.channel) is not None

    async def send(self, user_id: int, view: View) -> bool:
        """Deliver to every account of the user on a registered channel; True if any took it."""
        return await self.reach(user_id, view) == "sent"

    async def reach(self, user_id: int, view: View) -> str:
        """Deliver to every account of the user on a registered channel: "sent" if any took
        it, else "unknown" (it may have arrived), "blocked" (the person blocked the bot) or
        "failed"."""
        outcomes: set[str] = set()
        for account in self.accounts.of_user(user_id):
            channel = self.channels.get(account.channel)
            if channel is None:
                continue
            try:
                outcomes.add("sent" if await channel.deliver(account, view) else "failed")
            except Blocked:
                outcomes.add("blocked")
            except Uncertain:
                outcomes.add("unknown")
            except Exception:  # one channel failing must not stop the others
                log.exception("delivery failed", extra={"event": "outbox",
                                                        "user": logs.uid(user_id),
                                                        "channel": account.channel})
                outcomes.add("failed")
        return next((o for o in ("sent", "unknown", "blocked") if o in outcomes), "failed")
