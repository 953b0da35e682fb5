"""The shared update slots: in arrival order, except that busy chats queue a little later.

At most `size` updates run at once. A freed slot goes to the waiting update with the earliest
due time: when it arrived, plus HEAT_DELAY for each update its chat sent lately (its "heat",
halving every HALF_LIFE seconds). Someone asking one question thus goes before students tapping
ten times a second (by a fraction of a second) and far before a script pressing a button
hundreds of times; with plain FIFO they waited behind every tap that came before theirs. The
delay is bounded by the heat, so when everybody is equally busy (a class taking a survey at
once) it is FIFO again and nobody is starved.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

HALF_LIFE = 1.0  # seconds: how quickly a chat's recent activity is forgotten
HEAT_DELAY = 0.05  # seconds later in the queue per unit of heat
FORGET_BELOW = 0.01  # heat low enough to drop from the table (a few seconds of silence)
PRUNE_AT = 10_000  # chats remembered before the cold ones are dropped


class Heat:
    """Per chat, how many updates it sent lately (exponentially decayed)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._table: dict[int, tuple[float, float]] = {}  # chat -> (heat, as of)

    def _now(self, key: int, now: float) -> float:
        heat, at = self._table.get(key, (0.0, now))
        return float(heat * 0.5 ** ((now - at) / HALF_LIFE))

    def add(self, key: int) -> None:
        now = self._clock()
        self._table[key] = (self._now(key, now) + 1.0, now)
        if len(self._table) > PRUNE_AT:
            self._table = {k: v for k, v in self._table.items()
                           if self._now(k, now) >= FORGET_BELOW}

    def of(self, key: int) -> float:
        return self._now(key, self._clock())

    def __len__(self) -> int:
        return len(self._table)


class Slots:
    def __init__(self, size: int) -> None:
        self._free = size
        self._waiting: list[tuple[float, int, asyncio.Future[None]]] = []  # a heap
        self._order = itertools.count()

    async def acquire(self, heat: float) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        due = loop.time() + HEAT_DELAY * heat
        heapq.heappush(self._waiting, (due, next(self._order), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed a slot, then cancelled: pass it on
                self.release()
            raise

    def release(self) -> None:
        while self._waiting:
            _, _, turn = heapq.heappop(self._waiting)
            if not turn.done():  # skip those cancelled while waiting
                turn.set_result(None)
                return
        self._free += 1
