"""A send budget: at most `rate` sends per `period` seconds, in bursts of up to `rate` (a leaky
bucket, the one python-telegram-bot's AIORateLimiter uses), asked how long until more fit."""

from __future__ import annotations

import time
from collections.abc import Callable


class Budget:
    def __init__(self, rate: float, period: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(rate) if rate and period else 0.0  # 0: no limit
        self.leak = rate / period if rate and period else 0.0  # sends per second
        self._clock = clock
        self._level = 0.0
        self._at = clock()

    def _drain(self) -> float:
        now = self._clock()
        self._level = max(0.0, self._level - (now - self._at) * self.leak)
        self._at = now
        return self._level

    def delay(self) -> float:
        """Seconds until one more send fits."""
        return self.time_for(1)

    def time_for(self, sends: int, reserve: float = 0.0) -> float:
        """Seconds until `sends` more fit, leaving `reserve` of the burst allowance unused."""
        if not self.capacity or sends <= 0:
            return 0.0
        over = self._drain() + sends + reserve - self.capacity
        return max(0.0, over / self.leak)

    def spend(self) -> None:
        if self.capacity:
            self._drain()
            self._level += 1.0
