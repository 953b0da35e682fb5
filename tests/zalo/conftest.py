"""Fixtures for the Zalo tests: the stand-in, a real SQLite writer, a client over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
import pytest
import sqlite_utils

from bot.people.accounts import Account
from bot.storage.database import iso, now_utc
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
                      backoff=0.01, timeout=5.0)  # a loaded CI machine is slow, not down


def _new_user(db: sqlite_utils.Database) -> int:
    """A user row as the accounts module makes one for a person off Telegram."""
    user_id = int(db.execute("SELECT min(min(id), 0) FROM users").fetchone()[0] or 0) - 1
    stamp = iso(now_utc())
    db.execute("INSERT INTO users (id, created_at, last_seen) VALUES (?, ?, ?)",
               [user_id, stamp, stamp])
    return user_id


async def person(writer: Writer, zalo_id: str) -> Account:
    """A person on Zalo: their Zalo user id and their internal user id."""
    return Account("zalo", zalo_id, await writer.write(_new_user))


Wrote = Callable[[str], Awaitable[Account]]


@pytest.fixture
def wrote(zalo: FakeZaloOA, book: WindowBook, writer: Writer) -> Wrote:
    """`await wrote("u1")`: the person sent the OA a message, so both Zalo and careerbot's
    window book know it; returns their account."""
    known: dict[str, Account] = {}

    async def write(zalo_id: str) -> Account:
        if zalo_id not in known:
            known[zalo_id] = await person(writer, zalo_id)
        zalo.person_wrote(zalo_id)
        await book.note_incoming(known[zalo_id].user_id)
        return known[zalo_id]

    return write
