"""The bot's overall send budget (Telegram: about 30 messages a second), shared fairly by chats.

python-telegram-bot's AIORateLimiter hands the overall budget out in arrival order: when thirty
students tap stale buttons as fast as they can, their edits fill the queue and someone asking
one question waits behind all of them (p95 x74-x203 in issue 17). Here each chat waits in its
own queue and a unit of budget goes to the least busy chat, the earliest among equals. Busy is
what the update processor knows (ordering.PerUserUpdateProcessor.busy): the chat's updates in
flight or waiting, plus its recent ones. Its sends alone would not tell: a chat held back by the
budget sends no faster than a person reads. So chats with a backlog of taps take turns behind
someone asking one question, and a busy chat (HOT) may not take the last RESERVE of the burst
allowance, so a quiet chat rarely waits for budget at all. Without that measure, the chats' own
recent sends are counted. The total stays within the same leaky bucket as before; group limits
and RetryAfter handling are AIORateLimiter's own.

An update's handler waiting here gives its update slot back meanwhile (ordering.Lease): a
handler waiting for budget does no work, and when it held its slot, updates of quiet chats
queued for slots behind a burst's waiting sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.ext import AIORateLimiter

from bot.pacing import Budget
from bot.slots import HOT, Heat
from handlers.telegram.ordering import slot_given_back

RESERVE = 0.2  # share of the burst allowance busy chats leave to quiet ones

Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]
Busy = Callable[[int], float]  # how busy a chat is (its key -> a decayed count)


class SendQueue:
    """Per-chat queues over one leaky bucket; the quietest waiting chat goes first."""

    def __init__(self, per_second: float, busy: Busy | None = None) -> None:
        self._budget = Budget(per_second, 1.0)
        self._reserve = max(1.0, per_second * RESERVE)
        self._sent = Heat()  # the chats' recent sends, when nobody says how busy they are
        self._busy = busy or self._sent.of
        self._queues: dict[int, deque[tuple[int, asyncio.Future[None]]]] = {}
        self._order = itertools.count()
        self._arrived = asyncio.Event()
        self._server: asyncio.Task[None] | None = None

    def _room(self, key: int) -> float:
        """Seconds until a send of this chat fits (busy chats keep off the reserve)."""
        hot = self._busy(key) >= HOT
        return self._budget.time_for(1, self._reserve if hot else 0.0)

    def _go(self, key: int) -> None:
        self._budget.spend()
        self._sent.add(key)

    async def turn(self, key: int) -> None:
        """Wait until this chat may send one message."""
        if key not in self._queues and not self._quieter_waiting(key) and self._room(key) == 0:
            self._go(key)
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queues.setdefault(key, deque()).append((next(self._order), turn))
        self._arrived.set()
        if self._server is None or self._server.done():
            self._server = asyncio.create_task(self._serve())
        async with slot_given_back():  # waiting for budget is no work: others may run
            await turn

    def _quieter_waiting(self, key: int) -> bool:
        mine = self._busy(key)
        return any(self._busy(k) <= mine for k in self._queues)

    def _next(self) -> int | None:
        """The waiting chat to serve: least heat, then the earliest waiting."""
        best: tuple[float, int] | None = None
        chosen = None
        for key, waiting in self._queues.items():
            rank = (self._busy(key), waiting[0][0])
            if best is None or rank < best:
                best, chosen = rank, key
        return chosen

    async def _serve(self) -> None:
        while self._queues:
            key = self._next()
            assert key is not None  # noqa: S101 - the queues are not empty
            wait = self._room(key)
            if wait > 0:  # a quieter chat arriving meanwhile may go first
                self._arrived.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), wait)
                continue
            waiting = self._queues[key]
            _, turn = waiting.popleft()
            if not waiting:
                del self._queues[key]
            if turn.done():  # its caller gave up: the budget stays for the next
                continue
            self._go(key)
            turn.set_result(None)


class FairRateLimiter(AIORateLimiter):
    """AIORateLimiter whose overall budget is served per chat (SendQueue); everything else
    (group limits, paid broadcasts, retries after RetryAfter) is AIORateLimiter's."""

    def __init__(self, overall_max_rate: float, overall_time_period: float = 1,
                 group_max_rate: float = 20, group_time_period: float = 60,
                 max_retries: int = 0, busy: Busy | None = None) -> None:
        # The parent applies only the group limits and retries; the overall budget is ours.
        super().__init__(0, 0, group_max_rate, group_time_period, max_retries)
        self._fair = SendQueue(overall_max_rate / overall_time_period, busy) \
            if overall_max_rate and overall_time_period else None

    async def process_request(self, callback: Callback, args: Any, kwargs: dict[str, Any],
                              endpoint: str, data: dict[str, Any], rate_limit_args: int | None
                              ) -> bool | JSONDict | list[JSONDict]:
        chat = data.get("chat_id")
        fair = self._fair
        if fair is None or chat is None or data.get("allow_paid_broadcast"):
            return await super().process_request(callback, args, kwargs, endpoint, data,
                                                 rate_limit_args)

        async def in_turn(*a: Any, **k: Any) -> bool | JSONDict | list[JSONDict]:
            await fair.turn(_key(chat))  # each try, a retry after RetryAfter too
            return await callback(*a, **k)

        return await super().process_request(in_turn, args, kwargs, endpoint, data,
                                             rate_limit_args)


def _key(chat: object) -> int:
    """A chat's key as the update processor has it (its id; a @channel name hashed)."""
    try:
        return int(str(chat))
    except ValueError:
        return hash(str(chat))
