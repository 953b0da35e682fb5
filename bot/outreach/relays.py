"""Paced destinations of the outbox: what a person writes on an open counsellor ticket is
delivery work, not update handling.

A ticket's message is written to the `outbox` table when it arrives (the person is told at once
that it was passed on) and one courier per destination (the counsellors' group) sends it when
the destination's budget allows: Telegram lets a bot post about 20 messages a minute into a
group, and a relay that waited for that inside the update handler held one of the update slots,
so a busy group froze the whole bot. When the courier is behind, the messages of several
tickets go out as one message (each part labelled with its ticket, within the destination's
length limit), oldest first, so each person's messages keep their order.

Nothing here knows Telegram: a channel attaches a Desk (how to post a Parcel there) to a
destination, and any channel (the web chat, Zalo) posts to it through the same queue.

Why claim/ack: a row is claimed (state 'sending') in a commit before it goes out, and deleted in
the same transaction that records its delivery (ticket_messages, with the id the destination
gave it), so a delivery is recorded exactly when it happened. A stop (SIGTERM) lets the send in
progress finish and commit: nothing is lost or sent twice. After a crash (kill -9) a claimed row
is the one case nobody can decide (the destination answered, the commit did not happen: a few
milliseconds), and Telegram has no idempotency key to ask it: such a row is sent again, marked as
possibly repeated. At-least-once, with the only possible double labelled for the counsellors:
losing a student's message is worse than showing it twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import sqlite_utils

from bot import messages
from bot.outreach.announcements import length
from bot.pacing import Budget
from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

log = logging.getLogger(__name__)
Clock = Callable[[], dt.datetime]

COUNSELLORS = "counsellors"  # the destination of ticket messages
HEADER, MESSAGE, NOTICE = "header", "message", "notice"  # what an outbox row is
LONG_WAIT = 60.0  # seconds of expected wait from which the person is told the queue is long
BATCH = 200  # rows looked at per send
BACKOFF = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)  # seconds between tries of an unreachable desk
STOP_GRACE = 5.0  # seconds a send in progress gets to finish at a stop


@dataclass(frozen=True)
class Item:
    """One row of the outbox."""

    id: int
    kind: str
    ticket_id: int | None
    user_id: int | None
    text: str
    # The channel's reference to the person's message ({"chat", "message"}): a message
    # received twice (a channel redelivering after a crash) is queued once; "copy": true when
    # it must be copied from there (a photo, a file) rather than sent as text.
    source: dict[str, Any] | None
    maybe_sent: bool  # claimed before a crash or a timeout: it may have arrived already
    created_at: str
    urgent: bool = False  # a crisis ticket's row: queued ahead of the rest

    @property
    def copy(self) -> bool:
        return bool(self.source and self.source.get("copy"))


@dataclass(frozen=True)
class Parcel:
    """One message to the destination, carrying one or more rows."""

    items: tuple[Item, ...]
    kind: str
    text: str
    reply_to: int | None  # the ticket's header in the destination, when only one ticket
    source: dict[str, Any] | None

    @property
    def tickets(self) -> tuple[int, ...]:
        return tuple(dict.fromkeys(i.ticket_id for i in self.items if i.ticket_id is not None))

    @property
    def pin(self) -> bool:
        """It carries a crisis ticket's header: the desk keeps it in sight (Telegram: pinned)."""
        return any(i.urgent and i.kind == HEADER for i in self.items)


class Undeliverable(Exception):
    """The destination refuses this parcel for good (a kind of message it cannot copy)."""


class Unavailable(Exception):
    """The destination cannot take it now; try again later."""

    def __init__(self, maybe_sent: bool = False, retry_after: float | None = None) -> None:
        super().__init__("destination unavailable")
        self.maybe_sent = maybe_sent  # a timeout: it may have arrived
        self.retry_after = retry_after


class Desk(Protocol):
    """A destination's sending side, given by the channel that reaches it."""

    limit: int  # the longest message it takes, as Telegram counts (UTF-16 code units)

    async def deliver(self, parcel: Parcel) -> int:
        """Post the parcel; the id of the message there. Raises Undeliverable, Unavailable."""
        ...


# --- the table ----------------------------------------------------------------------------------
def _item(row: dict[str, Any]) -> Item:
    return Item(row["id"], row["kind"], row["ticket_id"], row["user_id"], row["text"] or "",
                json.loads(row["source"]) if row["source"] else None, row["state"] == "sending",
                row["created_at"], bool(row.get("urgent")))


def _seen(db: sqlite_utils.Database, user_id: int | None, key: str,
          source: dict[str, Any] | None) -> bool:
    """Whether this message of the person is queued or was relayed already."""
    if db.execute("SELECT 1 FROM outbox WHERE user_id IS ? AND source = ?",
                  [user_id, key]).fetchone():
        return True
    return db.execute(
        "SELECT 1 FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id WHERE "
        "t.user_id IS ? AND m.direction = 'in' AND m.chat_message_id = ?",
        [user_id, (source or {}).get("message")]).fetchone() is not None


class RelayQueue:
    """The durable part: rows in, rows claimed, rows acknowledged (deleted) or dropped."""

    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock

    async def post(self, destination: str, kind: str, text: str, *, ticket_id: int | None = None,
                   user_id: int | None = None, source: dict[str, Any] | None = None,
                   urgent: bool = False) -> int:
        """Queue a message; returns once it is committed (then it is never lost). 0: the same
        message of the person (`source`) is queued or was delivered already. An urgent row
        (a crisis ticket's header) goes ahead of everything waiting."""
        key = json.dumps(source, separators=(",", ":"), sort_keys=True) if source else None
        row = [destination, kind, ticket_id, user_id, text, key, iso(self.clock()), int(urgent)]

        def insert(db: sqlite_utils.Database) -> int:
            if key is not None and _seen(db, user_id, key, source):
                return 0
            return int(db.execute(
                "INSERT INTO outbox (destination, kind, ticket_id, user_id, text, source, "
                "created_at, urgent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row).lastrowid or 0)

        return await self.writer.write(insert)

    def pending(self, destination: str, limit: int = BATCH) -> list[Item]:
        return [_item(r) for r in self.db.query(
            "SELECT * FROM outbox WHERE destination = ? ORDER BY urgent DESC, id LIMIT ?",
            [destination, limit])]

    def backlog(self, destination: str) -> tuple[int, int, int, str | None]:
        """Rows waiting; the text length of those that may go together; how many must go
        alone (copies); the oldest one's time."""
        row = next(iter(self.db.query(
            "SELECT count(*) AS n, coalesce(sum(length(text)), 0) AS chars, "
            "coalesce(sum(source LIKE '%\"copy\":true%'), 0) AS alone, "
            "min(created_at) AS oldest FROM outbox WHERE destination = ?", [destination])))
        return int(row["n"]), int(row["chars"]), int(row["alone"]), row["oldest"]

    async def claim(self, items: Sequence[Item]) -> None:
        ids = [[i.id] for i in items]
        await self.writer.write(lambda db: db.conn.executemany(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1 WHERE id = ?", ids))

    async def release(self, items: Sequence[Item], maybe_sent: bool) -> None:
        """Back in the queue after a failed try; `maybe_sent` keeps the possibly-repeated mark."""
        state = "sending" if maybe_sent else "pending"
        ids = [[state, i.id] for i in items]
        await self.writer.write(lambda db: db.conn.executemany(
            "UPDATE outbox SET state = ? WHERE id = ?", ids))

    async def drop(self, items: Sequence[Item]) -> None:
        ids = [[i.id] for i in items]
        await self.writer.write(lambda db: db.conn.executemany(
            "DELETE FROM outbox WHERE id = ?", ids))

    async def ack(self, parcel: Parcel, message_id: int) -> None:
        """The parcel arrived as `message_id`: record it on its tickets (so a reply to it finds
        them) and delete its rows, in one transaction."""
        at = iso(self.clock())
        direction = {HEADER: "header", MESSAGE: "in"}  # a notice is no ticket's message
        log_rows = [[i.ticket_id, direction[i.kind], (i.source or {}).get("message"),
                     message_id, None if i.kind == HEADER else i.text or None, at]
                    for i in parcel.items if i.kind in direction and i.ticket_id is not None]
        ids = [[i.id] for i in parcel.items]

        def ack(db: sqlite_utils.Database) -> None:
            db.conn.executemany("INSERT INTO ticket_messages (ticket_id, direction, "
                                "chat_message_id, relay_message_id, text, at) "
                                "VALUES (?, ?, ?, ?, ?, ?)", log_rows)
            db.conn.executemany("DELETE FROM outbox WHERE id = ?", ids)

        await self.writer.write(ack)


# --- what goes out together ---------------------------------------------------------------------
def _shown(item: Item) -> str:
    text = item.text or messages.RELAY_NO_TEXT
    return messages.RELAY_MAYBE_REPEATED + text if item.maybe_sent else text


def _plain(item: Item) -> str:
    """A row as a part of a combined message (plain text: a header loses its marks)."""
    text = _shown(item)
    return text.replace("**", "").replace("__", "") if item.kind == HEADER else text


def compose(items: Sequence[Item], limit: int, header_of: Callable[[int], int | None]
            ) -> Parcel:
    """The next message: the oldest row alone, or, when several wait, as many as fit in one
    message, in order, each labelled with its ticket (a copy, a photo, always goes alone)."""
    first = items[0]
    together: list[Item] = []
    for item in items:
        if item.copy or item.ticket_id is None:
            break  # keep the order: stop at the first that must go alone
        together.append(item)
    head = messages.RELAY_COMBINED_HEAD.format(count=len(together), example=first.ticket_id)
    room = limit - length(head) - 8  # the count may gain digits once fewer parts fit
    parts: list[str] = []
    taken: list[Item] = []
    for item in together:
        part = messages.RELAY_PART.format(id=item.ticket_id, text=_plain(item))
        cost = length(part) + 2
        if cost > room:
            break
        room -= cost
        parts.append(part)
        taken.append(item)
    if len(taken) < 2:  # alone: as it is, under its ticket's header
        reply_to = header_of(first.ticket_id) if first.ticket_id is not None and \
            first.kind == MESSAGE else None
        return Parcel((first,), first.kind, _shown(first), reply_to, first.source)
    tickets = {i.ticket_id for i in taken}
    head = messages.RELAY_COMBINED_HEAD.format(count=len(taken), example=first.ticket_id)
    only = next(iter(tickets)) if len(tickets) == 1 else None
    return Parcel(tuple(taken), MESSAGE, "\n\n".join([head, *parts]),
                  header_of(only) if only is not None else None, None)


# --- the courier ---------------------------------------------------------------------------------
Refused = Callable[[Item], Awaitable[None]]


class Courier:
    """Delivers one destination's rows in order, within its budget, one send at a time."""

    def __init__(self, queue: RelayQueue, destination: str, desk: Desk, budget: Budget,
                 header_of: Callable[[int], int | None], refused: Refused) -> None:
        self.queue = queue
        self.destination = destination
        self.desk = desk
        self.budget = budget
        self.header_of = header_of
        self.refused = refused  # told about a row the destination will never take
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._failures = 0
        self.task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self.task = asyncio.create_task(self._run(), name=f"courier-{self.destination}")

    def wake(self) -> None:
        self._wake.set()

    def expected_wait(self, clock: Clock) -> float:
        """Seconds the next message posted here will likely wait before it is sent."""
        count, chars, alone, oldest = self.queue.backlog(self.destination)
        if not count:
            return 0.0
        sends = alone + math.ceil(chars / max(1, self.desk.limit // 2))  # labels, half-full
        waited = (clock() - dt.datetime.fromisoformat(oldest)).total_seconds() if oldest else 0
        return max(self.budget.time_for(sends + 1), waited)

    async def stop(self, grace: float = STOP_GRACE) -> None:
        """Stop after the send in progress (if any) is done and recorded."""
        self._stopping.set()
        if self.task is None:
            return
        done, _ = await asyncio.wait({self.task}, timeout=grace)
        if not done:  # a send that hangs: its row stays claimed, resent marked after restart
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task

    async def _pause(self, seconds: float | None) -> None:
        """Sleep until woken (new rows), stopped, or `seconds` passed."""
        waits = [asyncio.ensure_future(self._stopping.wait())]
        if seconds is None:
            waits.append(asyncio.ensure_future(self._wake.wait()))
        try:
            await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in waits:
                waiting.cancel()

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._step()
            except Exception:  # a bug or a database error: keep the rows, try again later
                log.exception("courier failed", extra={"event": "relay"})
                await self._pause(BACKOFF[-1])

    async def _step(self) -> None:
        self._wake.clear()
        items = self.queue.pending(self.destination)
        if not items:
            await self._pause(None)
            return
        delay = self.budget.delay()
        if delay > 0:  # more may arrive meanwhile: they go together at the next send
            await self._pause(delay)
            return
        parcel = compose(items, self.desk.limit, self.header_of)
        await self.queue.claim(parcel.items)
        self.budget.spend()
        try:
            message_id = await self.desk.deliver(parcel)
        except Undeliverable:
            await self.queue.drop(parcel.items)
            log.info("relay refused by the destination", extra={"event": "relay"})
            for item in parcel.items:
                await self.refused(item)
        except Unavailable as error:
            await self.queue.release(parcel.items, error.maybe_sent)
            self._failures += 1
            wait = BACKOFF[min(self._failures, len(BACKOFF)) - 1]
            log.warning("destination unavailable, retrying in %.0f s", wait,
                        extra={"event": "relay"})
            await self._pause(max(wait, error.retry_after or 0.0))
        else:
            self._failures = 0
            await self.queue.ack(parcel, message_id)
            log.info("relayed", extra={"event": "relay", "rows": len(parcel.items)})
