"""Zalo's reply window: when may the OA message a person, and how often.

Zalo lets an OA answer a person for free within 48 hours of that person's last message, at most
8 messages; every new message from the person opens a fresh window (zalooa.freshdesk.com, "Các
loại tin của Zalo Official Account": "8 tin phản hồi (miễn phí) trong vòng 48h kể từ thời điểm
người quan tâm gửi tin đến OA ... Hạn mức này sẽ được thiết lập lại mỗi khi Người dùng gửi tin
mới"). Anything beyond that is a paid "proactive" message, which careerbot does not send: a
counsellor reply or an announcement outside the window is recorded as undelivered instead.

`ReplyWindow` is the pure rule over timestamps; `WindowBook` keeps each person's window in
SQLite (table zalo_windows, by internal user id, so erasing a person's data erases it too)
through the project's one writer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import sqlite_utils

from bot.storage.writer import Writer

WINDOW_SECONDS = 48 * 3600
MAX_REPLIES = 8
Reason = Literal["ok", "no_contact", "expired", "used_up"]


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: Reason
    remaining: int  # messages still allowed now (0 when not allowed)
    closes_at: float | None  # when the window ends (epoch seconds), None without contact


@dataclass(frozen=True)
class ReplyWindow:
    """A person's window: when they last wrote (epoch seconds) and what the OA sent since."""

    last_message_at: float | None = None
    sent_since: int = 0

    def verdict(self, now: float) -> Verdict:
        if self.last_message_at is None:
            return Verdict(False, "no_contact", 0, None)
        closes = self.last_message_at + WINDOW_SECONDS
        if now >= closes:
            return Verdict(False, "expired", 0, closes)
        remaining = MAX_REPLIES - self.sent_since
        if remaining <= 0:
            return Verdict(False, "used_up", 0, closes)
        return Verdict(True, "ok", remaining, closes)

    def after_incoming(self, at: float) -> ReplyWindow:
        """The person wrote at `at`: a fresh window (an older, late event changes nothing)."""
        if self.last_message_at is not None and at < self.last_message_at:
            return self
        return ReplyWindow(at, 0)

    def after_sent(self) -> ReplyWindow:
        return ReplyWindow(self.last_message_at, self.sent_since + 1)


def _load(db: sqlite_utils.Database, user_id: int) -> ReplyWindow:
    row = db.execute("SELECT last_message_at, sent_since FROM zalo_windows WHERE user_id = ?",
                     [user_id]).fetchone()
    return ReplyWindow() if row is None else ReplyWindow(float(row[0]), int(row[1]))


def _store(db: sqlite_utils.Database, user_id: int, window: ReplyWindow) -> None:
    db.execute("INSERT INTO zalo_windows (user_id, last_message_at, sent_since) VALUES (?, ?, ?) "
               "ON CONFLICT(user_id) DO UPDATE SET last_message_at = excluded.last_message_at, "
               "sent_since = excluded.sent_since",
               [user_id, window.last_message_at, window.sent_since])


class WindowBook:
    """Every person's window, in SQLite: survives a restart, like Zalo's own count does."""

    def __init__(self, writer: Writer, clock: Callable[[], float] = time.time) -> None:
        self._writer = writer
        self._clock = clock

    async def window(self, user_id: int) -> ReplyWindow:
        return await self._writer.write(lambda db: _load(db, user_id))

    async def verdict(self, user_id: int) -> Verdict:
        return (await self.window(user_id)).verdict(self._clock())

    async def note_incoming(self, user_id: int, at: float | None = None) -> None:
        """The person sent something (a text, a tap, a picture): a new window opens."""
        moment = self._clock() if at is None else at

        def write(db: sqlite_utils.Database) -> None:
            _store(db, user_id, _load(db, user_id).after_incoming(moment))

        await self._writer.write(write)

    async def note_sent(self, user_id: int) -> None:
        """One message reached the person: it counts against the window."""

        def write(db: sqlite_utils.Database) -> None:
            _store(db, user_id, _load(db, user_id).after_sent())

        await self._writer.write(write)
