"""Who is asking and whether to let them: the client's address and scheme behind the reverse
proxy, the Origin check, the security headers, and the rate limits."""

from __future__ import annotations

import functools
import ipaddress
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from aiohttp import web


class Network:
    """What the server trusts about a request's origin: the reverse proxies whose forwarded
    headers count (CAREERBOT_TRUSTED_PROXIES, only this host by default: a private address is
    not enough, or any machine on a school's LAN could rotate X-Forwarded-For), and the public
    origin (CAREERBOT_PUBLIC_ORIGIN), the only Host it answers to, so that a page on another
    name resolving to this server (DNS rebinding) is never same-origin."""

    def __init__(self, proxies: Iterable[str] = ("127.0.0.0/8", "::1/128"),
                 public_origin: str | None = None) -> None:
        self.proxies = tuple(ipaddress.ip_network(p, strict=False) for p in proxies)
        self.public_origin = public_origin.lower() if public_origin else None
        self.public_host = urlsplit(self.public_origin).netloc if self.public_origin else None
        self._trusted = functools.lru_cache(maxsize=4096)(self._check_proxy)

    def _check_proxy(self, peer: str | None) -> bool:
        if not peer:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.proxies)

    def trusted_proxy(self, peer: str | None) -> bool:
        return bool(self._trusted(peer))

    def client_ip(self, request: web.Request) -> str:
        peer = request.remote or ""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded and self.trusted_proxy(peer):
            # The right-most entry is the one our proxy appended; the rest the client could
            # forge.
            return forwarded.rsplit(",", 1)[-1].strip() or peer
        return peer

    def is_https(self, request: web.Request) -> bool:
        if self.public_origin is not None:
            return self.public_origin.startswith("https:")
        if request.secure:
            return True
        proto = request.headers.get("X-Forwarded-Proto", "")
        return self.trusted_proxy(request.remote) and \
            proto.split(",")[0].strip().lower() == "https"

    def host_allowed(self, request: web.Request) -> bool:
        """The configured public host, or (none configured) a loopback name only."""
        host = request.headers.get("Host", "").strip().lower()
        if self.public_host is not None:
            return host == self.public_host or host == _default_port(self.public_origin or "")
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES

    def own_origin(self, request: web.Request) -> str:
        if self.public_origin is not None:
            return self.public_origin
        host = request.headers.get("Host", request.host)
        return f"{'https' if self.is_https(request) else 'http'}://{host}".lower()


LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def _default_port(origin: str) -> str:
    """https://x.vn also arrives as Host: x.vn:443 from some clients."""
    parts = urlsplit(origin)
    if parts.port is not None:
        return parts.netloc
    return f"{parts.netloc}:{443 if parts.scheme == 'https' else 80}"


class Origins:
    """The server's own origin, plus CAREERBOT_WEB_ORIGINS (the school sites)."""

    def __init__(self, allowed: Iterable[str], network: Network | None = None) -> None:
        self.allowed = tuple(allowed)
        self.network = network or Network()

    def foreign(self, origin: str) -> bool:
        """An allowed origin other than ours: it gets CORS headers."""
        return origin.lower() in self.allowed

    def allows(self, request: web.Request, origin: str) -> bool:
        return origin.lower() == self.network.own_origin(request) or self.foreign(origin)

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


class HourlyCount:
    """Events per key in the last hour (survey submissions per address and school), bounded
    in memory like the rate limits."""

    def __init__(self, window: float = 3600.0, *, keys: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self.keys = keys
        self.clock = clock
        self._events: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    def add(self, key: tuple[str, str]) -> int:
        """Count one event now; how many the key had in the window, this one included."""
        now = self.clock()
        times = self._events.pop(key, None) or deque()
        while times and now - times[0] >= self.window:
            times.popleft()
        times.append(now)
        self._events[key] = times
        if len(self._events) > self.keys:
            self._events.popitem(last=False)
        return len(times)
