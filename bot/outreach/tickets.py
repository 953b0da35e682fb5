"""Counsellor tickets: a user's conversation relayed to the counsellors' group chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Ticket:
    id: int
    user_id: int
    status: str
    question: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Ticket:
        return cls(row["id"], row["user_id"], row["status"], row["question"])


def _one(db: sqlite_utils.Database, sql: str, params: list[Any]) -> Ticket | None:
    rows = list(db.query(sql, params))
    return Ticket.from_row(rows[0]) if rows else None


_OPEN_FOR = ("SELECT * FROM tickets WHERE user_id = ? AND status = 'open' "
             "ORDER BY id DESC LIMIT 1")


class Tickets:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock
        # Who has an open ticket, asked for every private message: kept in memory, loaded from
        # the database at start (this process is the only writer, so it stays exact).
        self._open_users = {r["user_id"] for r in db.query(
            "SELECT DISTINCT user_id FROM tickets WHERE status = 'open'")}

    def forget(self, user_id: int) -> None:
        self._open_users.discard(user_id)

    def has_open(self, user_id: int) -> bool:
        return user_id in self._open_users

    def open_for(self, user_id: int) -> Ticket | None:
        return _one(self.db, _OPEN_FOR, [user_id])

    def get(self, ticket_id: int) -> Ticket | None:
        return _one(self.db, "SELECT * FROM tickets WHERE id = ?", [ticket_id])

    async def open(self, user_id: int, question: str | None) -> tuple[Ticket, bool]:
        """The user's open ticket, creating one if needed; the flag says whether it is new."""
        at = iso(self.clock())

        def open_one(db: sqlite_utils.Database) -> tuple[Ticket, bool]:
            existing = _one(db, _OPEN_FOR, [user_id])
            if existing is not None:
                return existing, False
            cursor = db.execute("INSERT INTO tickets (user_id, status, opened_at, question) "
                                "VALUES (?, 'open', ?, ?)", [user_id, at, question])
            return Ticket(int(cursor.lastrowid or 0), user_id, "open", question), True

        ticket, new = await self.writer.write(open_one)
        self._open_users.add(user_id)
        return ticket, new

    async def log(self, ticket: Ticket, direction: str, chat_message_id: int | None,
                  relay_message_id: int | None, text: str | None) -> None:
        """Remember a relayed message; `relay_message_id` is its id in the counsellors' chat."""
        row = [ticket.id, direction, chat_message_id, relay_message_id, text, iso(self.clock())]
        await self.writer.write(lambda db: db.execute(
            "INSERT INTO ticket_messages (ticket_id, direction, chat_message_id, "
            "relay_message_id, text, at) VALUES (?, ?, ?, ?, ?, ?)", row))

    async def all_by_relay(self, relay_message_id: int) -> list[Ticket]:
        """Every ticket whose messages a message in the counsellors' chat carries, in order
        (several when the courier combined them).

        Asked through the writer's queue, so a relay logged a moment ago (its commit possibly
        still pending) is already seen: a counsellor may answer faster than a commit.
        """
        def query(db: sqlite_utils.Database) -> list[Ticket]:
            return [Ticket.from_row(r) for r in db.query(
                "SELECT t.* FROM tickets t JOIN (SELECT ticket_id, max(id) AS last FROM "
                "ticket_messages WHERE relay_message_id = ? GROUP BY ticket_id) m "
                "ON m.ticket_id = t.id ORDER BY m.last", [relay_message_id])]

        return await self.writer.write(query)

    def header_message(self, ticket: Ticket) -> int | None:
        """The id of the ticket's header in the counsellors' chat, to thread replies under."""
        return self.header_of(ticket.id)

    def header_of(self, ticket_id: int) -> int | None:
        rows = list(self.db.query(
            "SELECT relay_message_id FROM ticket_messages WHERE ticket_id = ? "
            "AND direction = 'header' ORDER BY id LIMIT 1", [ticket_id]))
        return rows[0]["relay_message_id"] if rows else None

    async def close(self, ticket: Ticket, by: str) -> bool:
        """Close an open ticket; False if it was already closed."""
        at = iso(self.clock())
        closed = await self.writer.write(lambda db: db.execute(
            "UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ? "
            "WHERE id = ? AND status = 'open'", [at, by, ticket.id]).rowcount == 1)
        if self.open_for(ticket.user_id) is None:
            self._open_users.discard(ticket.user_id)
        return bool(closed)
