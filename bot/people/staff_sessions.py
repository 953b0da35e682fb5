"""Signing staff in to the dashboard without passwords: a single-use link valid 10 minutes
(/dangnhap in the bot, `careerbot staff login-link`), or a one-time invite code typed on the
sign-in page; either opens an 8-hour session. Links and sessions are stored as SHA-256 hashes
of random 256-bit tokens: the database alone opens nothing. Who a session belongs to is all it
says: the role and scope are asked again on every request (bot/people/access.py), so revoking
a staff member ends their sessions at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]
LINK_MINUTES = 10
SESSION_HOURS = 8
LINKS_PER_WINDOW = 5  # links one person may ask for in LINK_MINUTES: a loop, not a person
DASHBOARD_CHANNEL = "dashboard"  # the account of a staff member who has no Telegram
TOKEN_LENGTH = 43  # secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    return len(token) == TOKEN_LENGTH and token.isascii() and \
        all(c.isalnum() or c in "-_" for c in token)


def csrf_token(session_id: str) -> str:
    """The form token of a session: derived from the cookie's secret, so a page from another
    site (which cannot read the cookie) cannot know it, and nothing needs storing."""
    return hmac.new(session_id.encode(), b"careerbot-dashboard-form", hashlib.sha256).hexdigest()


class TooManyLinks(Exception):
    """This person asked for more links than a person needs."""


@dataclass(frozen=True)
class LinkRefusal:
    reason: str  # "unknown", "used", "expired"


class StaffSessions:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock

    # --- links ---------------------------------------------------------------------------
    def _link_writer(self, user_id: int, created_by: str
                     ) -> Callable[[sqlite_utils.Database], str]:
        now = self.clock()
        token = secrets.token_urlsafe(32)
        since = iso(now - dt.timedelta(minutes=LINK_MINUTES))

        def insert(db: sqlite_utils.Database) -> str:
            # Spent or expired links say nothing after a day: they go as new ones come.
            db.execute("DELETE FROM staff_links WHERE expires_at < ?",
                       [iso(now - dt.timedelta(days=1))])
            recent = db.execute("SELECT count(*) FROM staff_links WHERE user_id = ? AND "
                                "created_at > ?", [user_id, since]).fetchone()[0]
            if recent >= LINKS_PER_WINDOW:
                raise TooManyLinks(user_id)
            db.execute("INSERT INTO staff_links (token_hash, user_id, created_by, created_at, "
                       "expires_at) VALUES (?, ?, ?, ?, ?)",
                       [digest(token), user_id, created_by, iso(now),
                        iso(now + dt.timedelta(minutes=LINK_MINUTES))])
            return token

        return insert

    async def new_link(self, user_id: int, created_by: str = "bot") -> str:
        """A single-use sign-in token for this user; raises TooManyLinks."""
        return await self.writer.write(self._link_writer(user_id, created_by))

    def new_link_now(self, user_id: int, created_by: str = "cli") -> str:
        """The same from the command line: waits for the commit."""
        return self.writer.run(self._link_writer(user_id, created_by))

    async def use_link(self, token: str) -> tuple[str, int] | LinkRefusal:
        """Spend a link: (the new session's id, the user) or why not. Spent whatever follows,
        so a link forwarded, or read from a browser's history, opens nothing."""
        if not well_formed(token):
            return LinkRefusal("unknown")
        now = self.clock()
        session = secrets.token_urlsafe(32)

        def use(db: sqlite_utils.Database) -> tuple[str, int] | LinkRefusal:
            row = db.execute("SELECT user_id, expires_at, used_at FROM staff_links "
                             "WHERE token_hash = ?", [digest(token)]).fetchone()
            if row is None:
                return LinkRefusal("unknown")
            if row[2] is not None:
                return LinkRefusal("used")
            db.execute("UPDATE staff_links SET used_at = ? WHERE token_hash = ?",
                       [iso(now), digest(token)])
            if row[1] <= iso(now):
                return LinkRefusal("expired")
            self._insert_session(db, session, int(row[0]), now)
            return session, int(row[0])

        return await self.writer.write(use)

    # --- sessions ------------------------------------------------------------------------
    @staticmethod
    def _insert_session(db: sqlite_utils.Database, session: str, user_id: int,
                        now: dt.datetime) -> None:
        db.execute("DELETE FROM staff_sessions WHERE expires_at <= ?", [iso(now)])
        db.execute("INSERT INTO staff_sessions (id_hash, user_id, created_at, expires_at) "
                   "VALUES (?, ?, ?, ?)", [digest(session), user_id, iso(now),
                                           iso(now + dt.timedelta(hours=SESSION_HOURS))])

    async def start(self, user_id: int) -> str:
        """A new session for this user (after an invite code was redeemed on the page)."""
        now = self.clock()
        session = secrets.token_urlsafe(32)
        await self.writer.write(lambda db: self._insert_session(db, session, user_id, now))
        return session

    def user_of(self, session: str) -> int | None:
        """Whose session this is, while it lasts; None for anything else."""
        if not well_formed(session):
            return None
        row = self.db.execute("SELECT user_id FROM staff_sessions WHERE id_hash = ? AND "
                              "expires_at > ?", [digest(session), iso(self.clock())]).fetchone()
        return int(row[0]) if row else None

    async def end(self, session: str) -> None:
        await self.writer.write(lambda db: db.execute(
            "DELETE FROM staff_sessions WHERE id_hash = ?", [digest(session)]))

    async def end_all(self, user_id: int) -> int:
        """Every session and unused link of a user (their role was taken away)."""
        def end(db: sqlite_utils.Database) -> int:
            db.execute("DELETE FROM staff_links WHERE user_id = ? AND used_at IS NULL", [user_id])
            return int(db.execute("DELETE FROM staff_sessions WHERE user_id = ?",
                                  [user_id]).rowcount)
        return await self.writer.write(end)

    # --- audit ---------------------------------------------------------------------------
    async def record_download(self, user_id: int, what: str, scope: str,
                              school_codes: frozenset[str] | None) -> None:
        """Who downloaded what, when: committed before the file is sent."""
        codes = json.dumps(sorted(school_codes)) if school_codes is not None else None
        at = iso(self.clock())
        await self.writer.write(lambda db: db.execute(
            "INSERT INTO staff_downloads (user_id, what, scope, school_codes, at) "
            "VALUES (?, ?, ?, ?, ?)", [user_id, what, scope, codes, at]))
