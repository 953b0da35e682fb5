"""Who is chatting: audience, school, announcement opt-in. One row per person (bot/accounts.py
maps each channel's account to it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

AUDIENCES = ("student9", "student12", "parent", "staff")
Clock = Callable[[], dt.datetime]
TOUCH_EVERY = dt.timedelta(minutes=10)  # last_seen is coarse: one write per user per 10 minutes


@dataclass(frozen=True)
class User:
    id: int
    audience: str | None
    school_code: str | None
    announcements: bool
    blocked: bool

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> User:
        return cls(row["id"], row["audience"], row["school_code"], bool(row["announcements"]),
                   bool(row["blocked"]))


class Users:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock
        self._touched: dict[int, dt.datetime] = {}

    async def touch(self, user_id: int, account: tuple[str, str] | None = None) -> None:
        """Create the user on first contact and note, coarsely, when they were last seen;
        `account` (channel, external id): the account to record with a new user (a channel
        whose people reach the core before bot/people/accounts.py resolved them: Telegram)."""
        now = self.clock()
        last = self._touched.get(user_id)
        if last is not None and now - last < TOUCH_EVERY:
            return
        stamp = iso(now)

        def store(db: sqlite_utils.Database) -> None:
            db.execute(
                "INSERT INTO users (id, created_at, last_seen) VALUES (?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, blocked = 0",
                [user_id, stamp, stamp])
            if account is not None:
                db.execute("INSERT INTO accounts (channel, external_id, user_id, created_at) "
                           "VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                           [*account, user_id, stamp])

        await self.writer.write(store)
        if len(self._touched) > 100_000:  # bounded memory on a busy day
            self._touched.clear()
        self._touched[user_id] = now

    def forget(self, user_id: int) -> None:
        self._touched.pop(user_id, None)

    def get(self, user_id: int) -> User | None:
        rows = list(self.db.query("SELECT * FROM users WHERE id = ?", [user_id]))
        return User.from_row(rows[0]) if rows else None

    async def _set(self, user_id: int, column: str, value: object) -> None:
        assert column in ("audience", "school_code", "announcements", "blocked")  # noqa: S101
        sql = f"UPDATE users SET {column} = ? WHERE id = ?"  # noqa: S608 - fixed column names
        await self.writer.write(lambda db: db.execute(sql, [value, user_id]))

    async def set_audience(self, user_id: int, audience: str) -> None:
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        await self._set(user_id, "audience", audience)

    async def set_school(self, user_id: int, school_code: str | None) -> None:
        await self._set(user_id, "school_code", school_code)

    async def set_announcements(self, user_id: int, on: bool) -> None:
        await self._set(user_id, "announcements", int(on))

    async def mark_blocked(self, user_id: int) -> None:
        """The user blocked the bot (Telegram answered 403): stop sending to them."""
        await self._set(user_id, "blocked", 1)
        self._touched.pop(user_id, None)  # their next message unblocks them
