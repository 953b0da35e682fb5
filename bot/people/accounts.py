"""Accounts: a person on one channel (channel, external id) mapped to one internal user id.

A channel that keeps its ids (Telegram: its users' ids were the internal ids before accounts
existed, so existing data stays theirs) maps an external id to the same number; people on other
channels get new negative ids. Which channel an account is on is read from the account, never
from the id. The data model, exports and privacy commands are the same for every channel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import sqlite_utils

from bot.channels import Account, Channels
from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

__all__ = ["TELEGRAM", "Account", "Accounts"]  # Account lives in bot/channels.py
TELEGRAM = "telegram"
Clock = Callable[[], dt.datetime]


class Accounts:
    """Finds or creates the account of a person on a channel."""

    def __init__(self, db: sqlite_utils.Database, writer: Writer, channels: Channels,
                 clock: Clock = now_utc) -> None:
        self.db = db
        self.channels = channels  # the registry: an account is on one of these
        self.writer = writer
        self.clock = clock
        self._known: dict[tuple[str, str], int] = {}

    def find(self, channel: str, external_id: str) -> Account | None:
        key = (channel, external_id)
        user_id = self._known.get(key)
        if user_id is None:
            rows = list(self.db.query("SELECT user_id FROM accounts WHERE channel = ? AND "
                                      "external_id = ?", [channel, external_id]))
            if not rows:
                return None
            user_id = int(rows[0]["user_id"])
            self._known[key] = user_id
        return Account(channel, external_id, user_id)

    async def resolve(self, channel: str, external_id: str) -> Account:
        """The account, created (with its user row) on first contact."""
        if channel not in self.channels:
            raise ValueError(f"unknown channel {channel!r}")
        found = self.find(channel, external_id)
        if found is not None:
            return found
        stamp = iso(self.clock())
        keeps_ids = self.channels.keeps_ids(channel)

        def create(db: sqlite_utils.Database) -> int:
            row = db.execute("SELECT user_id FROM accounts WHERE channel = ? AND external_id = ?",
                             [channel, external_id]).fetchone()
            if row is not None:
                return int(row[0])
            user_id = int(external_id) if keeps_ids else _next_user_id(db)
            db.execute("INSERT INTO users (id, created_at, last_seen) VALUES (?, ?, ?) "
                       "ON CONFLICT(id) DO NOTHING", [user_id, stamp, stamp])
            db.execute("INSERT INTO accounts (channel, external_id, user_id, created_at) "
                       "VALUES (?, ?, ?, ?)", [channel, external_id, user_id, stamp])
            return user_id

        user_id = await self.writer.write(create)
        if len(self._known) > 100_000:  # bounded memory on a busy day
            self._known.clear()
        self._known[(channel, external_id)] = user_id
        return Account(channel, external_id, user_id)

    def of_user(self, user_id: int) -> list[Account]:
        """Every account of a user (to reach them on their own channel)."""
        return [Account(r["channel"], r["external_id"], user_id) for r in self.db.query(
            "SELECT channel, external_id FROM accounts WHERE user_id = ?", [user_id])]

    def clear_cache(self) -> None:
        """After the retention purge deleted accounts."""
        self._known.clear()

    def forget(self, user_id: int) -> None:
        for key in [k for k, v in self._known.items() if v == user_id]:
            del self._known[key]


def _next_user_id(db: sqlite_utils.Database) -> int:
    """Below every id given so far, the erased ones too: a new web visitor never takes the id
    of someone who used /xoadulieu (a counsellor's old message or a log line names it)."""
    kept = db.execute("SELECT value FROM instance WHERE name = 'lowest_user_id'").fetchone()
    lowest = db.execute("SELECT min(coalesce(min(id), 0), 0) FROM users").fetchone()[0]
    user_id = min(int(kept[0]) if kept else 0, int(lowest)) - 1
    db.execute("INSERT INTO instance (name, value) VALUES ('lowest_user_id', ?) "
               "ON CONFLICT(name) DO UPDATE SET value = excluded.value", [str(user_id)])
    return user_id
