"""What the Zalo channel keeps in SQLite beside tokens and windows, through the one writer.

- Events already handled, by Zalo's `msg_id` (table zalo_events): a webhook delivered twice,
  before or after a restart, is handled once. Kept KEEP_EVENTS seconds, pruned as they age.
- Messages Zalo's rules kept from a person (a counsellor's reply, an announcement outside the
  48-hour window): rows of the `outbox` table for destination "zalo" in state 'undelivered'
  (no courier takes them), so the person's data export and erasure cover them like any
  outbox row. They go out, oldest first, when the person writes again.
- What a typed number means (the numbered menu a person was shown last) and a welcome owed
  since a follow (table zalo_menus, one row a person): a restart in between changes neither.
  Read before written, so a message without a menu costs no write; the retention purge
  (bot/people/privacy.py) forgets rows unused for a month.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlite_utils

from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

DESTINATION = "zalo"
UNDELIVERED = "undelivered"
KEEP_EVENTS = 7 * 24 * 3600.0  # Zalo retries an event for minutes, not days
PRUNE_EVERY = 500  # events between two prunes


@dataclass(frozen=True)
class Held:
    id: int
    text: str


class ZaloStore:
    def __init__(self, db: sqlite_utils.Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer
        self._since_prune = 0

    async def first_time(self, msg_id: str, at: float) -> bool:
        """Record the event; False if it was handled already."""
        self._since_prune += 1
        prune = self._since_prune >= PRUNE_EVERY
        if prune:
            self._since_prune = 0

        def note(db: sqlite_utils.Database) -> bool:
            if prune:
                db.execute("DELETE FROM zalo_events WHERE at < ?", [at - KEEP_EVENTS])
            return db.execute("INSERT INTO zalo_events (msg_id, at) VALUES (?, ?) "
                              "ON CONFLICT(msg_id) DO NOTHING", [msg_id, at]).rowcount == 1

        return await self.writer.write(note)

    async def hold(self, user_id: int, texts: list[str]) -> None:
        """Keep what could not be sent, committed when this returns."""
        at = iso(now_utc())
        rows = [[DESTINATION, "message", user_id, text, UNDELIVERED, at] for text in texts]
        await self.writer.write(lambda db: db.conn.executemany(
            "INSERT INTO outbox (destination, kind, user_id, text, state, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?)", rows))

    def held(self, user_id: int) -> list[Held]:
        return [Held(r["id"], r["text"]) for r in self.db.query(
            "SELECT id, text FROM outbox WHERE destination = ? AND user_id = ? AND state = ? "
            "ORDER BY id", [DESTINATION, user_id, UNDELIVERED])]

    async def sent(self, held: Held) -> None:
        await self.writer.write(lambda db: db.execute("DELETE FROM outbox WHERE id = ?",
                                                      [held.id]))

    # --- numbered menus and welcomes owed (zalo_menus) ---------------------------------------
    def menu(self, user_id: int) -> tuple[str, ...]:
        """The intents of the numbered menu the person was shown last (typed 1..n)."""
        row = self.db.execute("SELECT menu FROM zalo_menus WHERE user_id = ?",
                              [user_id]).fetchone()
        try:
            found = json.loads(row[0]) if row is not None and row[0] else []
        except ValueError:
            found = []
        return tuple(str(x) for x in found) if isinstance(found, list) else ()

    async def remember_menu(self, user_id: int, numbered: tuple[str, ...], at: float) -> None:
        """The person was shown buttons: a numbered menu now answers typed numbers, and
        buttons shown as buttons end the last numbered one."""
        if not numbered and not self.menu(user_id):
            return
        menu = json.dumps(list(numbered), ensure_ascii=False) if numbered else None
        await self.writer.write(lambda db: db.execute(
            "INSERT INTO zalo_menus (user_id, menu, at) VALUES (?, ?, ?) ON CONFLICT(user_id) "
            "DO UPDATE SET menu = excluded.menu, at = excluded.at", [user_id, menu, at]))

    async def owe_welcome(self, user_id: int, at: float) -> None:
        await self.writer.write(lambda db: db.execute(
            "INSERT INTO zalo_menus (user_id, welcome_owed, at) VALUES (?, 1, ?) "
            "ON CONFLICT(user_id) DO UPDATE SET welcome_owed = 1, at = excluded.at",
            [user_id, at]))

    async def welcome_due(self, user_id: int) -> bool:
        """Whether a welcome was owed; it is not any more once this returns True."""
        if not self.db.execute("SELECT 1 FROM zalo_menus WHERE user_id = ? AND welcome_owed = 1",
                               [user_id]).fetchone():
            return False
        return bool(await self.writer.write(lambda db: db.execute(
            "UPDATE zalo_menus SET welcome_owed = 0 WHERE user_id = ? AND welcome_owed = 1",
            [user_id]).rowcount == 1))
