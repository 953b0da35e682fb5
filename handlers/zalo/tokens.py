"""The OA's access token and its single-use refresh token, kept in SQLite.

Zalo's OAuth v4 (developers.zalo.me, "Xác thực và ủy quyền cho ứng dụng"): an OA access token
lives about 25 hours (`expires_in`, seconds, sent as a string); a new one is had from
``POST {oauth}/v4/oa/access_token`` with the app's secret key in the ``secret_key`` header and
the form ``app_id``, ``grant_type=refresh_token``, ``refresh_token``. The answer carries a NEW
refresh token: the old one is dead from then on. So the new pair is committed to SQLite
before anything uses it. (If the process dies between Zalo's answer and that commit, the new
pair is lost and the old refresh token already spent: only re-authorising the OA helps, and the
error logged says so; the window is one local commit.) One refresh at a time (an
asyncio lock): two senders that both meet an expired token must not both spend the same
refresh token, which would leave the second one refused and the OA locked out.

Seeding: the first start takes ZALO_REFRESH_TOKEN (and ZALO_ACCESS_TOKEN if given); later
starts use the stored pair. A different ZALO_REFRESH_TOKEN than the one the stored pair grew
from (the OA was re-authorised) replaces it. Tokens never reach a log line or a repr.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp
import sqlite_utils

from bot import logs
from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

log = logging.getLogger(__name__)
REFRESH_PATH = "/v4/oa/access_token"
EARLY_SECONDS = 300  # refresh this long before Zalo's expiry, not after a failed send


class TokenError(Exception):
    """No usable access token: the message names the cause, never a token."""


@dataclass(frozen=True)
class TokenPair:
    access_token: str | None
    refresh_token: str
    expires_at: float | None  # epoch seconds; None: unknown (a seeded access token)

    def __repr__(self) -> str:
        return f"TokenPair(access={'set' if self.access_token else 'unset'}, " \
               f"expires_at={self.expires_at})"

    def fresh(self, now: float) -> bool:
        if self.access_token is None:
            return False
        return self.expires_at is None or now < self.expires_at - EARLY_SECONDS


def _hash(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def _load_or_seed(db: sqlite_utils.Database, seed_refresh: str | None,
                  seed_access: str | None) -> TokenPair:
    row = db.execute("SELECT access_token, refresh_token, expires_at, seed_hash "
                     "FROM zalo_tokens WHERE id = 1").fetchone()
    seed = _hash(seed_refresh)
    if row is not None and (seed is None or seed == row[3]):
        return TokenPair(row[0], row[1], row[2])
    if seed_refresh is None:
        raise TokenError("Chưa có mã làm mới của Zalo OA: đặt ZALO_REFRESH_TOKEN (lấy khi cấp "
                         "quyền cho ứng dụng trên developers.zalo.me)")
    pair = TokenPair(seed_access, seed_refresh, None)
    _save(db, pair, seed)
    return pair


def _save(db: sqlite_utils.Database, pair: TokenPair, seed_hash: str | None) -> None:
    db.execute("INSERT INTO zalo_tokens (id, access_token, refresh_token, expires_at, seed_hash, "
               "updated_at) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET "
               "access_token = excluded.access_token, refresh_token = excluded.refresh_token, "
               "expires_at = excluded.expires_at, updated_at = excluded.updated_at, "
               "seed_hash = COALESCE(excluded.seed_hash, zalo_tokens.seed_hash)",
               [pair.access_token, pair.refresh_token, pair.expires_at, seed_hash,
                iso(now_utc())])


def _parse(data: Any, now: float) -> TokenPair:
    """A refresh answer: the new pair, or TokenError with Zalo's error code."""
    if not isinstance(data, dict):
        raise TokenError("Zalo trả lời việc làm mới mã không đúng dạng")
    access, refresh = data.get("access_token"), data.get("refresh_token")
    if not (isinstance(access, str) and access and isinstance(refresh, str) and refresh):
        code = data.get("error")
        raise TokenError(f"Zalo từ chối làm mới mã (lỗi {code}): nếu lặp lại, cấp quyền lại "
                         "cho ứng dụng và đặt ZALO_REFRESH_TOKEN mới")
    try:
        lifetime = float(data.get("expires_in", 0))
    except (TypeError, ValueError):
        lifetime = 0.0
    return TokenPair(access, refresh, now + lifetime if lifetime > 0 else None)


class TokenKeeper:
    """Hands out the current access token; refreshes it when Zalo says it is no longer valid
    or when it is about to expire."""

    def __init__(self, writer: Writer, session: aiohttp.ClientSession, *, app_id: str,
                 app_secret: str, oauth_base_url: str, seed_refresh: str | None = None,
                 seed_access: str | None = None, clock: Callable[[], float] = time.time,
                 timeout: float = 10.0) -> None:
        self._writer = writer
        self._session = session
        self._app_id = app_id
        self._app_secret = app_secret
        self._url = oauth_base_url.rstrip("/") + REFRESH_PATH
        self._seed_refresh = seed_refresh
        self._seed_access = seed_access
        self._clock = clock
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._pair: TokenPair | None = None
        self._lock = asyncio.Lock()
        self.refreshes = 0  # successful refreshes by this instance (diagnostics, tests)

    def __repr__(self) -> str:
        return f"TokenKeeper(app_id={self._app_id}, pair={self._pair!r})"

    async def _current(self) -> TokenPair:
        if self._pair is None:
            seed_refresh, seed_access = self._seed_refresh, self._seed_access
            self._pair = await self._writer.write(
                lambda db: _load_or_seed(db, seed_refresh, seed_access))
            logs.remember_secret(self._pair.access_token, self._pair.refresh_token)
        return self._pair

    async def access_token(self) -> str:
        pair = await self._current()
        if pair.fresh(self._clock()) and pair.access_token is not None:
            return pair.access_token
        return await self.refresh(stale=pair.access_token)

    async def refresh(self, stale: str | None) -> str:
        """A new access token instead of `stale` (the one Zalo refused). If another sender
        refreshed it meanwhile, that token is returned without a second refresh."""
        async with self._lock:
            pair = await self._current()
            if pair.access_token is not None and pair.access_token != stale \
                    and pair.fresh(self._clock()):
                return pair.access_token
            new = await self._request(pair.refresh_token)
            # On disk before use: the old refresh token is already dead at Zalo.
            await self._writer.write(lambda db: _save(db, new, None))
            logs.remember_secret(new.access_token, new.refresh_token)
            self._pair = new
            self.refreshes += 1
            log.info("zalo access token refreshed")
            if new.access_token is None:  # _parse guarantees it; for the type checker
                raise TokenError("Zalo không trả mã truy cập")
            return new.access_token

    async def _request(self, refresh_token: str) -> TokenPair:
        form = {"app_id": self._app_id, "grant_type": "refresh_token",
                "refresh_token": refresh_token}
        try:
            async with self._session.post(self._url, data=form, timeout=self._timeout,
                                          headers={"secret_key": self._app_secret}) as response:
                text = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.warning("zalo token refresh failed: %s", type(exc).__name__)
            raise TokenError("Không kết nối được máy chủ xác thực của Zalo") from None
        try:
            data = json.loads(text)
        except ValueError:
            log.warning("zalo token refresh answered HTTP %s without JSON", status)
            raise TokenError(f"Máy chủ xác thực của Zalo trả lỗi HTTP {status}") from None
        try:
            return _parse(data, self._clock())
        except TokenError:
            log.error("zalo refused the token refresh (error %s): re-authorise the OA and set "
                      "ZALO_REFRESH_TOKEN", data.get("error") if isinstance(data, dict) else "?")
            raise
