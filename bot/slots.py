"""The shared update slots, handed to the quietest chat first.

At most `size` updates run at once. When a slot frees up, it goes to the waiting update whose
chat has been the least busy lately (its "heat": updates received, halving every HALF_LIFE
seconds), ties in arrival order. Someone asking one question is thus served before students
tapping ten times a second or a script pressing a button hundreds of times; with plain FIFO
they waited behind every tap that came before theirs.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable

HALF_LIFE = 1.0  # seconds: how quickly a chat's recent activity is forgotten
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
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (heat, next(self._order), turn))
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
