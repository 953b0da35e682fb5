"""Counsellor tickets: a user's conversation relayed to the counsellors' group chat."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage import iso, now_utc

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


class Tickets:
    def __init__(self, db: sqlite_utils.Database, clock: Clock = now_utc) -> None:
        self.db = db
        self.clock = clock

    def _one(self, sql: str, params: list[Any]) -> Ticket | None:
        rows = list(self.db.query(sql, params))
        return Ticket.from_row(rows[0]) if rows else None

    def open_for(self, user_id: int) -> Ticket | None:
        return self._one("SELECT * FROM tickets WHERE user_id = ? AND status = 'open' "
                         "ORDER BY id DESC LIMIT 1", [user_id])

    def get(self, ticket_id: int) -> Ticket | None:
        return self._one("SELECT * FROM tickets WHERE id = ?", [ticket_id])

    def open(self, user_id: int, question: str | None) -> tuple[Ticket, bool]:
        """The user's open ticket, creating one if needed; the flag says whether it is new."""
        with self.db.atomic():
            existing = self.open_for(user_id)
            if existing is not None:
                return existing, False
            table = self.db.table("tickets")
            table.insert({"user_id": user_id, "status": "open", "opened_at": iso(self.clock()),
                          "question": question})
            ticket = self.get(int(table.last_pk))  # type: ignore[arg-type]
        assert ticket is not None  # noqa: S101 - inserted just above
        return ticket, True

    def log(self, ticket: Ticket, direction: str, chat_message_id: int | None,
            relay_message_id: int | None, text: str | None) -> None:
        """Remember a relayed message; `relay_message_id` is its id in the counsellors' chat."""
        self.db.table("ticket_messages").insert({
            "ticket_id": ticket.id, "direction": direction, "chat_message_id": chat_message_id,
            "relay_message_id": relay_message_id, "text": text, "at": iso(self.clock()),
        })

    def by_relay(self, relay_message_id: int) -> Ticket | None:
        """The ticket a message in the counsellors' chat belongs to."""
        return self._one(
            "SELECT t.* FROM tickets t JOIN ticket_messages m ON m.ticket_id = t.id "
            "WHERE m.relay_message_id = ? ORDER BY m.id DESC LIMIT 1", [relay_message_id])

    def close(self, ticket: Ticket, by: str) -> bool:
        """Close an open ticket; False if it was already closed."""
        cursor = self.db.execute(
            "UPDATE tickets SET status = 'closed', closed_at = ?, closed_by = ? "
            "WHERE id = ? AND status = 'open'", [iso(self.clock()), by, ticket.id])
        return cursor.rowcount == 1

    def header_message(self, ticket: Ticket) -> int | None:
        """The id of the ticket's header in the counsellors' chat, to thread replies under."""
        rows = list(self.db.query(
            "SELECT relay_message_id FROM ticket_messages WHERE ticket_id = ? "
            "AND direction = 'header' ORDER BY id LIMIT 1", [ticket.id]))
        return rows[0]["relay_message_id"] if rows else None
