"""One user's work one piece at a time, different users' side by side."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


class Lanes:
    """One lock per user that stays in the table while anyone holds or waits for it, so a
    later intent never runs beside an earlier one; released on every path."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, user_id: int, work: Callable[[], Awaitable[T]]) -> T:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock_now, left = self._locks[user_id]
            if left <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock_now, left - 1)

    def depth(self, user_id: int) -> int:
        """How much of the user's work holds or waits for their lane."""
        return self._locks.get(user_id, (None, 0))[1]

    def __len__(self) -> int:
        return len(self._locks)
