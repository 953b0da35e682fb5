"""The shared update slots: in arrival order, except that busy chats queue a little later and,
while people at a human pace are around, may hold only part of the slots.

At most `size` updates run at once. A freed slot goes to the waiting update with the earliest
due time: when it arrived, plus HEAT_DELAY for each update its chat sent lately (its "heat",
halving every HALF_LIFE seconds). Someone asking one question thus goes before students tapping
ten times a second (by a fraction of a second) and far before a script pressing a button
hundreds of times; with plain FIFO they waited behind every tap that came before theirs. The
delay is bounded by the heat, so when everybody is equally busy (a class taking a survey at
once) it is FIFO again and nobody is starved.

Queue order alone is not enough: on a saturated loop an update that got its slot still shares
the CPU with every other update running, and 32 bursting chats made a bystander's answer three
times slower. So a hot chat (heat of HOT or more: several updates a second, faster than anyone
reads) may hold at most a quarter of the slots for QUIET_WINDOW seconds after a chat came back
at a human pace (a pause of QUIET_GAP or more since its last update). When only busy chats are
about (a load test, a class all tapping together) nothing is held back.
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
HOT = 4.0  # heat from which a chat counts as busy (about three updates a second, sustained)
QUIET_GAP = 0.3  # seconds since a chat's last update that mark a human pace
QUIET_WINDOW = 2.0  # seconds busy chats stay limited after a chat at human pace came back
HOT_SHARE = 4  # busy chats may then hold 1/HOT_SHARE of the slots (at least one)


class Heat:
    """Per chat, how many updates it sent lately (exponentially decayed)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._table: dict[int, tuple[float, float]] = {}  # chat -> (heat, as of)

    def _now(self, key: int, now: float) -> float:
        heat, at = self._table.get(key, (0.0, now))
        return float(heat * 0.5 ** ((now - at) / HALF_LIFE))

    def add(self, key: int) -> bool:
        """Count an update; True when a chat seen before comes back at a human pace."""
        now = self._clock()
        last = self._table.get(key)
        self._table[key] = (self._now(key, now) + 1.0, now)
        if len(self._table) > PRUNE_AT:
            self._table = {k: v for k, v in self._table.items()
                           if self._now(k, now) >= FORGET_BELOW}
        return last is not None and now - last[1] >= QUIET_GAP

    def of(self, key: int) -> float:
        return self._now(key, self._clock())

    def __len__(self) -> int:
        return len(self._table)


class Slots:
    def __init__(self, size: int) -> None:
        self._free = size
        self._hot_limit = max(1, size // HOT_SHARE)
        self._hot_running = 0
        self._limit_until = 0.0  # loop time until which busy chats are limited
        self._waiting: list[tuple[float, int, bool, asyncio.Future[None]]] = []  # a heap
        self._held: list[tuple[float, int, bool, asyncio.Future[None]]] = []  # busy, waiting aside
        self._order = itertools.count()

    def limit_hot(self, seconds: float = QUIET_WINDOW) -> None:
        """Someone at a human pace is about: busy chats hold only part of the slots a while."""
        loop = asyncio.get_running_loop()
        self._limit_until = max(self._limit_until, loop.time() + seconds)

    def _hot_allowed(self) -> bool:
        return self._hot_running < self._hot_limit or \
            asyncio.get_running_loop().time() >= self._limit_until

    async def acquire(self, heat: float) -> bool:
        """Wait for a slot; returns whether it was taken as a busy chat (pass it to release)."""
        hot = heat >= HOT
        if self._free > 0 and not self._waiting and (not hot or self._hot_allowed()):
            self._take(hot)
            return hot
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._waiting, (loop.time() + HEAT_DELAY * heat, next(self._order), hot,
                                       turn))
        self._hand_out()  # free slots held back from busy chats may be this one's
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():  # handed a slot, then cancelled: pass it on
                self.release(hot)
            raise
        return hot

    def _take(self, hot: bool) -> None:
        self._free -= 1
        self._hot_running += hot

    def release(self, hot: bool = False) -> None:
        self._free += 1
        self._hot_running -= hot
        self._hand_out()

    def _hand_out(self) -> None:
        """Free slots to waiters in due order; busy ones wait aside while they are limited."""
        if self._held and self._hot_allowed():  # the limit ended or room came back
            for entry in self._held:
                heapq.heappush(self._waiting, entry)
            self._held.clear()
        while self._free > 0 and self._waiting:
            entry = heapq.heappop(self._waiting)
            _, _, hot, turn = entry
            if turn.done():  # cancelled while waiting
                continue
            if hot and not self._hot_allowed():
                self._held.append(entry)  # back in the heap once they may run
                continue
            self._take(hot)
            turn.set_result(None)
