"""What the outbox delivered to a person whose channel shows it later: a web visitor with no
page open sees a counsellor's reply when they next open the chat, even after a restart.

Channel-neutral: a channel keeps its own rendering of each delivered message (the web chat a
transcript entry, as JSON) with the id it has on screen, and reads the last ones back to redraw
the chat. The plain text is kept beside it for the person's own data export. Bounded per person;
old rows go with the retention rules (bot/people/privacy.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]
KEEP_PER_USER = 40  # messages kept per person and channel, as many as the web transcript


@dataclass(frozen=True)
class Delivered:
    entry_id: int  # the message's id on the channel's screen
    text: str  # what it says, plain
    payload: dict[str, Any]  # the channel's own rendering


class Inbox:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock

    async def keep(self, user_id: int, channel: str, messages: Sequence[Delivered]) -> None:
        """Store delivered messages; returns once they are committed. Only the person's last
        KEEP_PER_USER on the channel stay."""
        if not messages:
            return
        at = iso(self.clock())
        rows = [[user_id, channel, m.entry_id, m.text,
                 json.dumps(m.payload, ensure_ascii=False, separators=(",", ":")), at]
                for m in messages]

        def store(db: sqlite_utils.Database) -> None:
            db.conn.executemany("INSERT INTO inbox (user_id, channel, entry_id, text, payload, "
                                "at) VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.execute("DELETE FROM inbox WHERE user_id = ? AND channel = ? AND id NOT IN "
                       "(SELECT id FROM inbox WHERE user_id = ? AND channel = ? "
                       "ORDER BY id DESC LIMIT ?)",
                       [user_id, channel, user_id, channel, KEEP_PER_USER])

        await self.writer.write(store)

    def kept(self, user_id: int, channel: str) -> list[Delivered]:
        """The person's kept messages on the channel, oldest first."""
        rows = self.db.query("SELECT entry_id, text, payload FROM inbox WHERE user_id = ? AND "
                             "channel = ? ORDER BY id", [user_id, channel])
        return [Delivered(r["entry_id"], r["text"], json.loads(r["payload"])) for r in rows]
