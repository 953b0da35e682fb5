"""Announcements to users who opted in, filtered by school and audience, delivered at most once.

Each recipient's delivery is a row: pending -> sending -> sent | blocked | failed. "sending" is
written before the message goes out, so after a crash such a row is counted as "unknown" and
never sent again: an announcement may miss one person in a crash, but nobody gets it twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot import messages
from bot.storage.database import iso, now_utc, only_schools
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]
AUDIENCE_WORDS = {"lop9": "student9", "lop12": "student12", "phuhuynh": "parent",
                  "thayco": "staff", "tatca": None}


@dataclass(frozen=True)
class Announcement:
    id: int
    created_by: int | None  # None once the sender erased their data
    chat_id: int | None
    text: str
    audience: str | None
    school_codes: frozenset[str] | None
    scope_name: str
    status: str  # draft, sending, done, dropped, cancelled (the sender lost the right)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Announcement:
        codes = json.loads(row["school_codes"]) if row["school_codes"] else None
        return cls(row["id"], row["created_by"], row["chat_id"], row["text"], row["audience"],
                   frozenset(codes) if codes is not None else None, row["scope_name"],
                   row["status"])


def length(text: str) -> int:
    """A text's length in UTF-16 code units, as Telegram counts it after entity parsing (an
    emoji may count twice): never more than any channel counts."""
    return len(text.encode("utf-16-le")) // 2


def text_limit(scope_name: str, count: int, who: str, room: int) -> int:
    """The longest announcement text that fits both the confirm screen (HTML) and the message
    each recipient gets, in `room` characters (the running channels' smallest message); the
    bot adds its own lines to both (marks are not counted)."""
    header = messages.ANNOUNCE_HEADER.format(scope=scope_name, text="")
    confirm = messages.ANNOUNCE_CONFIRM.replace("**", "").format(
        count=count, who=who, scope=scope_name, text="")
    return room - max(length(header), length(confirm))


def parse_command(text: str) -> tuple[str | None, str | None, str]:
    """`/thongbao [truong:MÃ] [lop9|lop12|phuhuynh|thayco|tatca] nội dung` -> (school, audience,
    text); the text keeps its line breaks."""
    parts = text.split(maxsplit=1)
    return parse_options(parts[1] if len(parts) > 1 else "")


def parse_options(body: str) -> tuple[str | None, str | None, str]:
    """What follows /thongbao: its options, then the text, line breaks kept."""
    school = audience = None
    for _ in range(2):
        head, _, rest = body.partition(" ")
        word = head.strip().lower()
        if word.startswith("truong:") and school is None:
            school, body = head.split(":", 1)[1], rest
        elif word in AUDIENCE_WORDS and audience is None:
            audience, body = word, rest
    return school, audience, body.strip()


def _recipients(db: sqlite_utils.Database, audience: str | None,
                school_codes: Collection[str] | None) -> list[int]:
    sql = "SELECT id FROM users WHERE announcements = 1 AND blocked = 0"
    params: list[Any] = []
    if audience:
        sql += " AND audience = ?"
        params.append(audience)
    query = only_schools(sql, params, school_codes)
    if query is None:
        return []
    return [r["id"] for r in db.query(query[0] + " ORDER BY id", query[1])]


class Announcements:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock

    def count_recipients(self, audience: str | None, school_codes: Collection[str] | None
                         ) -> int:
        return len(_recipients(self.db, audience, school_codes))

    def get(self, announcement_id: int) -> Announcement | None:
        rows = list(self.db.query("SELECT * FROM announcements WHERE id = ?", [announcement_id]))
        return Announcement.from_row(rows[0]) if rows else None

    async def draft(self, created_by: int, chat_id: int, text: str, audience: str | None,
                    school_codes: Collection[str] | None, scope_name: str) -> Announcement:
        codes = json.dumps(sorted(school_codes)) if school_codes is not None else None
        row = [created_by, chat_id, text, audience, codes, scope_name, iso(self.clock())]

        def insert(db: sqlite_utils.Database) -> int:
            return int(db.execute(
                "INSERT INTO announcements (created_by, chat_id, text, audience, school_codes, "
                "scope_name, status, created_at) VALUES (?, ?, ?, ?, ?, ?, 'draft', ?)",
                row).lastrowid or 0)

        found = self.get(await self.writer.write(insert))
        assert found is not None  # noqa: S101 - inserted just above
        return found

    async def start(self, announcement: Announcement) -> int:
        """Fix the recipient list (as of now) and mark the announcement as being sent."""
        at = iso(self.clock())

        def start(db: sqlite_utils.Database) -> int:
            changed = db.execute("UPDATE announcements SET status = 'sending', started_at = ? "
                                 "WHERE id = ? AND status = 'draft'", [at, announcement.id])
            if changed.rowcount != 1:
                return 0
            users = _recipients(db, announcement.audience, announcement.school_codes)
            db.conn.executemany("INSERT INTO deliveries (announcement_id, user_id, status, at) "
                           "VALUES (?, ?, 'pending', ?)",
                           [(announcement.id, u, at) for u in users])
            return len(users)

        return await self.writer.write(start)

    async def drop(self, announcement: Announcement) -> None:
        await self.writer.write(lambda db: db.execute(
            "UPDATE announcements SET status = 'dropped' WHERE id = ? AND status = 'draft'",
            [announcement.id]))

    async def cancel(self, announcement: Announcement) -> int:
        """Stop a delivery whose sender may no longer send it; returns how many were left."""
        at = iso(self.clock())

        def cancel(db: sqlite_utils.Database) -> int:
            db.execute("UPDATE announcements SET status = 'cancelled', finished_at = ? "
                       "WHERE id = ?", [at, announcement.id])
            return int(db.execute("UPDATE deliveries SET status = 'cancelled', at = ? WHERE "
                                  "announcement_id = ? AND status = 'pending'",
                                  [at, announcement.id]).rowcount)

        return await self.writer.write(cancel)

    def unfinished(self) -> list[Announcement]:
        return [Announcement.from_row(r) for r in self.db.query(
            "SELECT * FROM announcements WHERE status = 'sending' ORDER BY id")]

    async def recover(self, announcement: Announcement) -> int:
        """After a restart: a delivery caught mid-send may or may not have arrived; never
        resend it (count it as unknown). Returns how many were in that state."""
        at = iso(self.clock())
        return int(await self.writer.write(lambda db: db.execute(
            "UPDATE deliveries SET status = 'unknown', at = ? WHERE announcement_id = ? "
            "AND status = 'sending'", [at, announcement.id]).rowcount))

    def pending(self, announcement: Announcement, limit: int = 100) -> list[int]:
        return [r["user_id"] for r in self.db.query(
            "SELECT user_id FROM deliveries WHERE announcement_id = ? AND status = 'pending' "
            "ORDER BY user_id LIMIT ?", [announcement.id, limit])]

    async def mark(self, announcement: Announcement, user_id: int, status: str) -> None:
        at = iso(self.clock())
        await self.writer.write(lambda db: db.execute(
            "UPDATE deliveries SET status = ?, at = ? WHERE announcement_id = ? AND user_id = ?",
            [status, at, announcement.id, user_id]))

    async def finish(self, announcement: Announcement) -> Counter[str]:
        at = iso(self.clock())
        await self.writer.write(lambda db: db.execute(
            "UPDATE announcements SET status = 'done', finished_at = ? WHERE id = ?",
            [at, announcement.id]))
        return self.tally(announcement)

    def tally(self, announcement: Announcement) -> Counter[str]:
        return Counter({r["status"]: r["n"] for r in self.db.query(
            "SELECT status, count(*) AS n FROM deliveries WHERE announcement_id = ? "
            "GROUP BY status", [announcement.id])})
