"""handlers/zalo/tokens.py: the single-use refresh token, kept in SQLite, over real HTTP."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.storage.writer import Writer
from handlers.zalo.client import ZaloClient
from handlers.zalo.tokens import TokenError, TokenKeeper
from handlers.zalo.window import WindowBook
from tests.zalo.conftest import Wrote, make_keeper
from tests.zalo.oaapi import FakeClock, FakeZaloOA, Request


def stored(db_path: Path) -> tuple[str | None, str]:
    """The pair on disk, read by another connection: only what was committed."""
    with sqlite3.connect(db_path) as db:
        row = db.execute("SELECT access_token, refresh_token FROM zalo_tokens").fetchone()
    return row[0], row[1]


async def test_first_start_stores_the_seeded_pair(keeper: TokenKeeper, zalo: FakeZaloOA,
                                                  db_path: Path) -> None:
    assert await keeper.access_token() == zalo.access_token
    assert stored(db_path) == (zalo.access_token, zalo.refresh_token)
    assert zalo.refreshes == 0


async def test_only_a_refresh_token_refreshes_at_once(
        writer: Writer, session: aiohttp.ClientSession, zalo: FakeZaloOA,
        clock: FakeClock, db_path: Path) -> None:
    keeper = make_keeper(writer, session, zalo, clock, seed_refresh=zalo.refresh_token)
    token = await keeper.access_token()
    assert zalo.refreshes == 1 and token != zalo.access_token
    assert stored(db_path)[0] == token


async def test_the_new_pair_is_on_disk_before_it_is_used(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, db_path: Path,
        wrote: Wrote) -> None:
    seen: list[tuple[str | None, str | None]] = []

    def check(request: Request) -> None:  # runs as each message call reaches "Zalo"
        if request.host == "api":
            seen.append((request.headers.get("access_token"), stored(db_path)[0]))

    zalo.on_request = check
    u1 = await wrote("u1")
    zalo.expire_access_tokens()
    assert (await client.send_text(u1, "x")).delivered
    used_after_refresh, on_disk = seen[-1]
    assert used_after_refresh != zalo.access_token
    assert used_after_refresh == on_disk  # committed before it was used


async def test_the_rotated_refresh_token_survives_a_restart(
        session: aiohttp.ClientSession, zalo: FakeZaloOA, clock: FakeClock,
        db_path: Path) -> None:
    seed = zalo.refresh_token
    first = Writer(db_path)
    try:
        keeper = make_keeper(first, session, zalo, clock, seed_refresh=seed,
                             seed_access=zalo.access_token)
        old = await keeper.access_token()
        rotated = await keeper.refresh(stale=old)
    finally:
        first.close()
    assert zalo.refreshes == 1
    # Restart: same environment (the original ZALO_REFRESH_TOKEN), a new process.
    second = Writer(db_path)
    try:
        again = make_keeper(second, session, zalo, clock, seed_refresh=seed,
                            seed_access=zalo.access_token)
        assert await again.access_token() == rotated  # the stored pair, not the seed
        newest = await again.refresh(stale=rotated)  # spends the rotated refresh token
        assert newest not in (old, rotated) and zalo.refreshes == 2
    finally:
        second.close()
    # The seed was spent by the first refresh: had the restart used it, Zalo would refuse.
    assert seed in zalo._refresh_used and seed not in zalo._refresh_valid
    refused = [r.answer for r in zalo.requests if r.host == "oauth" and "error" in r.answer]
    assert refused == []


async def test_spending_the_old_refresh_token_again_is_refused(
        session: aiohttp.ClientSession, writer: Writer, zalo: FakeZaloOA, clock: FakeClock,
        tmp_path: Path) -> None:
    seed = zalo.refresh_token
    keeper = make_keeper(writer, session, zalo, clock, seed_refresh=seed)
    await keeper.access_token()  # refreshes once: the seed is spent
    other = Writer(tmp_path / "other.db")  # a second install with a copy of the old .env
    try:
        stale = make_keeper(other, session, zalo, clock, seed_refresh=seed)
        with pytest.raises(TokenError) as error:
            await stale.access_token()
    finally:
        other.close()
    assert [r.answer.get("error") for r in zalo.requests if r.host == "oauth"] == [None, -14014]
    assert seed not in str(error.value)


async def test_a_new_seed_from_the_operator_replaces_the_stored_pair(
        session: aiohttp.ClientSession, zalo: FakeZaloOA, clock: FakeClock,
        db_path: Path) -> None:
    first = Writer(db_path)
    try:
        await make_keeper(first, session, zalo, clock, seed_refresh=zalo.refresh_token,
                          seed_access=zalo.access_token).access_token()
    finally:
        first.close()
    access, refresh = zalo.issue_pair()  # the OA was authorised again
    second = Writer(db_path)
    try:
        keeper = make_keeper(second, session, zalo, clock, seed_refresh=refresh,
                             seed_access=access)
        assert await keeper.access_token() == access
    finally:
        second.close()
    assert stored(db_path) == (access, refresh)


async def test_no_refresh_token_anywhere_is_a_clear_error(
        writer: Writer, session: aiohttp.ClientSession, zalo: FakeZaloOA,
        clock: FakeClock) -> None:
    keeper = make_keeper(writer, session, zalo, clock)
    with pytest.raises(TokenError, match="ZALO_REFRESH_TOKEN"):
        await keeper.access_token()


async def test_an_expiring_token_is_refreshed_before_sending(
        client: ZaloClient, keeper: TokenKeeper, zalo: FakeZaloOA, book: WindowBook,
        clock: FakeClock, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    await keeper.refresh(stale=zalo.access_token)  # now the keeper knows when it expires
    clock.advance(25 * 3600 - 60)  # a minute before Zalo's 25 hours run out
    u1 = await wrote("u1")
    assert (await client.send_text(u1, "x")).delivered
    assert zalo.refreshes == 2
    assert [c.answer["error"] for c in zalo.message_calls()] == [0]  # no refused call first
