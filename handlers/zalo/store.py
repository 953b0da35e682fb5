"""What the Zalo channel keeps in SQLite beside tokens and windows, through the one writer.

- Events already handled, by Zalo's `msg_id` (table zalo_events): a webhook delivered twice,
  before or after a restart, is handled once. Kept KEEP_EVENTS seconds, pruned as they age.
- Messages Zalo's rules kept from a person (a counsellor's reply, an announcement outside the
  48-hour window): rows of the `outbox` table for destination "zalo" in state 'undelivered'
  (no courier takes them), so the person's data export and erasure cover them like any
  outbox row. They go out, oldest first, when the person writes again.
"""

from __future__ import annotations

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
