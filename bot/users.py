"""Who is chatting: audience, school, announcement opt-in. One row per Telegram user."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage import iso, now_utc

AUDIENCES = ("student9", "student12", "parent", "staff")
Clock = Callable[[], dt.datetime]


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
    def __init__(self, db: sqlite_utils.Database, clock: Clock = now_utc) -> None:
        self.db = db
        self.clock = clock

    def touch(self, user_id: int) -> User:
        """Create the user on first contact and note when they were last seen."""
        now = iso(self.clock())
        self.db.execute(
            "INSERT INTO users (id, created_at, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET last_seen = excluded.last_seen, blocked = 0",
            [user_id, now, now])
        user = self.get(user_id)
        assert user is not None  # noqa: S101 - inserted just above
        return user

    def get(self, user_id: int) -> User | None:
        rows = list(self.db.query("SELECT * FROM users WHERE id = ?", [user_id]))
        return User.from_row(rows[0]) if rows else None

    def set_audience(self, user_id: int, audience: str) -> None:
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}")
        self.db.execute("UPDATE users SET audience = ? WHERE id = ?", [audience, user_id])

    def set_school(self, user_id: int, school_code: str | None) -> None:
        self.db.execute("UPDATE users SET school_code = ? WHERE id = ?", [school_code, user_id])

    def set_announcements(self, user_id: int, on: bool) -> None:
        self.db.execute("UPDATE users SET announcements = ? WHERE id = ?", [int(on), user_id])

    def mark_blocked(self, user_id: int) -> None:
        """The user blocked the bot (Telegram answered 403): stop sending to them."""
        self.db.execute("UPDATE users SET blocked = 1 WHERE id = ?", [user_id])
