"""Who is asking and whether to let them: the client's address and scheme behind the reverse
proxy, the Origin check, the security headers, and the rate limits."""

from __future__ import annotations

import functools
import ipaddress
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable

from aiohttp import web


@functools.lru_cache(maxsize=4096)  # asked twice a request, for a handful of peers
def _trusted_proxy(peer: str | None) -> bool:
    """Forwarded headers count only from the reverse proxy: this host or a private network
    (Docker's bridge). From anywhere else a client could write them itself."""
    if not peer:
        return False
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


def client_ip(request: web.Request) -> str:
    peer = request.remote or ""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if forwarded and _trusted_proxy(peer):
        # The right-most entry is the one our proxy appended; the rest the client could forge.
        return forwarded.rsplit(",", 1)[-1].strip() or peer
    return peer


def is_https(request: web.Request) -> bool:
    if request.secure:
        return True
    proto = request.headers.get("X-Forwarded-Proto", "")
    return _trusted_proxy(request.remote) and proto.split(",")[0].strip().lower() == "https"


def own_origin(request: web.Request) -> str:
    host = request.headers.get("Host", request.host)
    return f"{'https' if is_https(request) else 'http'}://{host}".lower()


class Origins:
    """The server's own origin, plus CAREERBOT_WEB_ORIGINS (the school sites)."""

    def __init__(self, allowed: Iterable[str]) -> None:
        self.allowed = tuple(allowed)

    def foreign(self, origin: str) -> bool:
        """An allowed origin other than ours: it gets CORS headers."""
        return origin.lower() in self.allowed

    def allows(self, request: web.Request, origin: str) -> bool:
        return origin.lower() == own_origin(request) or self.foreign(origin)

    def csp(self) -> str:
        """Self only; the schools may frame the page (the widget's iframe)."""
        ancestors = " ".join(("'self'", *self.allowed))
        return ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                "connect-src 'self'; base-uri 'none'; form-action 'self'; "
                f"frame-ancestors {ancestors}")


def add_security_headers(response: web.StreamResponse, csp: str) -> None:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")


class RateLimit:
    """A token bucket per key: `per_minute` requests a minute on average, bursts of `burst`.
    In memory on purpose, like the flood guard: it protects this process's CPU."""

    def __init__(self, per_minute: int, burst: int | None = None, *, keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 2))
        self.clock = clock
        self.keys = keys
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    def allow(self, key: str) -> bool:
        now = self.clock()
        tokens, last = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[key] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.keys:  # bounded memory: the longest-idle key goes first
            self._buckets.popitem(last=False)
        return allowed
