"""Fixtures for the Zalo tests: the stand-in, a real SQLite writer, a client over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.storage.writer import Writer
from handlers.zalo.client import ZaloClient
from handlers.zalo.tokens import TokenKeeper
from handlers.zalo.window import WindowBook
from tests.zalo.oaapi import APP_ID, APP_SECRET, FakeClock, FakeZaloOA


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def zalo(clock: FakeClock) -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA(clock=clock) as api:
        yield api


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "careerbot.db"


@pytest.fixture
def writer(db_path: Path) -> Iterator[Writer]:
    w = Writer(db_path)
    yield w
    w.close()


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as s:
        yield s


def make_keeper(writer: Writer, session: aiohttp.ClientSession, zalo: FakeZaloOA,
                clock: FakeClock, *, seed_refresh: str | None = None,
                seed_access: str | None = None) -> TokenKeeper:
    return TokenKeeper(writer, session, app_id=APP_ID, app_secret=APP_SECRET,
                       oauth_base_url=zalo.oauth_base_url, seed_refresh=seed_refresh,
                       seed_access=seed_access, clock=clock)


@pytest.fixture
def keeper(writer: Writer, session: aiohttp.ClientSession, zalo: FakeZaloOA,
           clock: FakeClock) -> TokenKeeper:
    return make_keeper(writer, session, zalo, clock, seed_refresh=zalo.refresh_token,
                       seed_access=zalo.access_token)


@pytest.fixture
def book(writer: Writer, clock: FakeClock) -> WindowBook:
    return WindowBook(writer, clock)


@pytest.fixture
def client(session: aiohttp.ClientSession, keeper: TokenKeeper, zalo: FakeZaloOA,
           book: WindowBook) -> ZaloClient:
    return ZaloClient(session, keeper, api_base_url=zalo.base_url, window=book,
                      backoff=0.01, timeout=0.5)
