"""A per-user flood guard: a sliding one-minute window, a warning once, then silence."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from collections.abc import Callable
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"    # first message over the limit: tell the user to slow down
    DROP = "drop"    # further messages while over the limit: ignore quietly


class FloodGuard:
    """At most `limit` messages per `window` seconds per user (kept in memory on purpose:
    it protects the bot's own CPU and Telegram quota, nothing here needs to survive a restart).
    """

    def __init__(self, limit: int, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict[int, deque[float]] = defaultdict(deque)
        self._warned: set[int] = set()

    def check(self, user_id: int) -> Verdict:
        now = self.clock()
        seen = self._seen[user_id]
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) < self.limit:
            seen.append(now)
            self._warned.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._warned:
            return Verdict.DROP
        self._warned.add(user_id)
        return Verdict.WARN

    def forget_idle(self) -> None:
        """Drop users with no recent message, so memory stays bounded."""
        now = self.clock()
        for user_id in [u for u, s in self._seen.items() if not s or now - s[-1] >= self.window]:
            del self._seen[user_id]
            self._warned.discard(user_id)
