"""Anonymous web visitors: a random session id in an HttpOnly cookie, and what this process
remembers of each session (the chat shown so far, to redraw it on a reload; the open event
streams, to push what the outbox delivers).

The cookie's id is a secret the server issued (only /api/open mints one); everywhere else a
session is named by its key, the SHA-256 of the id: the accounts table holds keys, so a backup
or a copied database holds no cookie that would open someone's chat.

The transcript lives in memory, bounded: answers and survey progress are in the database
already, and a visitor whose transcript is gone gets a fresh screen (or their survey back).
What the outbox delivered (a counsellor's reply) is in the database too (bot/outreach/inbox.py):
a session that this process does not hold, after a restart or once dropped, starts with it.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from bot.views import Attachment

SID = re.compile(r"^[A-Za-z0-9_-]{43}$")  # secrets.token_urlsafe(32)
COOKIE_DAYS = 180  # a survey may be finished weeks later on the same phone
KEEP_ENTRIES = 40  # transcript entries per session
KEEP_SESSIONS = 5_000  # transcripts kept; the least recently seen goes first
IDLE_SECONDS = 6 * 3600.0
KEEP_FILES = 3  # files offered (a visitor's own data), per session


def new_sid() -> str:
    return secrets.token_urlsafe(32)


def session_key(sid: str) -> str:
    """What the server keeps of a cookie: 256 random bits need no salt or slow hash."""
    return hashlib.sha256(sid.encode("ascii")).hexdigest()


def cookie_name(embed: bool, secure: bool) -> str:
    """The __Host- prefix (Secure, no Domain) means no sibling subdomain can plant a session.
    The embedded chat has its own cookie: it lives in the school site's partition."""
    if embed:
        return "__Host-careerbot-embed"
    return "__Host-careerbot" if secure else "careerbot"


def read_sid(request: web.Request, embed: bool, secure: bool) -> str | None:
    value = request.cookies.get(cookie_name(embed, secure), "")
    return value if SID.fullmatch(value) else None


def set_sid(response: web.StreamResponse, sid: str, embed: bool, secure: bool) -> None:
    """Written by hand: Python 3.11's cookie module knows no Partitioned attribute."""
    attrs = [f"{cookie_name(embed, secure)}={sid}", f"Max-Age={COOKIE_DAYS * 86400}", "Path=/",
             "HttpOnly"]
    if embed:
        # A cross-site iframe keeps only a SameSite=None cookie, which must be Secure, and
        # browsers that block third-party cookies still keep a Partitioned one (one jar per
        # school site). Browsers take Secure from http://127.0.0.1 and localhost as well.
        attrs += ["SameSite=None", "Secure", "Partitioned"]
    else:
        attrs += ["SameSite=Lax", *(["Secure"] if secure else [])]
    response.headers.add("Set-Cookie", "; ".join(attrs))


@dataclass
class Session:
    key: str  # session_key() of the cookie's id
    seen: float = 0.0
    seq: int = 0
    # (entry, pushed): entries are views (with "id") and the visitor's own messages.
    log: deque[tuple[dict[str, Any], bool]] = field(
        default_factory=lambda: deque(maxlen=KEEP_ENTRIES))
    streams: set[asyncio.Queue[dict[str, Any] | None]] = field(default_factory=set)
    files: OrderedDict[int, Attachment] = field(default_factory=OrderedDict)
    restored: bool = False  # started from the database: the visitor has not opened it yet
    _files_kept: int = 0

    def restore(self, entries: list[dict[str, Any]]) -> None:
        """Start with delivered messages kept in the database, with their ids."""
        for entry in entries[-KEEP_ENTRIES:]:
            self.log.append((entry, True))
            self.seq = max(self.seq, int(entry["id"]))
        self.restored = bool(entries)

    def add(self, entry: dict[str, Any], *, pushed: bool = False,
            replaces: int | None = None) -> dict[str, Any]:
        """Give the entry the next id and keep it; a replacing view takes the old one's place."""
        self.seq += 1
        entry = {"id": self.seq, **entry}
        if replaces is not None:
            for k, (old, _) in enumerate(self.log):
                if old["id"] == replaces:
                    self.log[k] = (entry, pushed)
                    break
            else:
                self.log.append((entry, pushed))
        else:
            self.log.append((entry, pushed))
        if pushed:
            for queue in self.streams:
                queue.put_nowait(entry)
        return entry

    def has(self, entry_id: int) -> bool:
        return any(entry["id"] == entry_id for entry, _ in self.log)

    def strip(self, entry_id: int, kinds: tuple[str, ...]) -> None:
        """Take the choices of these intent kinds off a message (a vote once given)."""
        for entry, _ in self.log:
            if entry["id"] == entry_id:
                rows = [[c for c in row if c["intent"]["type"] not in kinds]
                        for row in entry.get("rows", [])]
                entry["rows"] = [row for row in rows if row]

    def keep_file(self, attachment: Attachment) -> int:
        """A file offered to this session, downloadable by it alone; the last few are kept."""
        self._files_kept += 1
        self.files[self._files_kept] = attachment
        while len(self.files) > KEEP_FILES:
            self.files.popitem(last=False)
        return self._files_kept

    def history(self) -> list[dict[str, Any]]:
        return [entry for entry, _ in self.log]

    def pushed_after(self, after: int) -> list[dict[str, Any]]:
        return [entry for entry, pushed in self.log if pushed and entry["id"] > after]


Restore = Callable[[str], list[dict[str, Any]]]  # a session key -> its kept deliveries


class Sessions:
    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 restore: Restore | None = None) -> None:
        self.clock = clock
        self._restore = restore
        self._by_sid: OrderedDict[str, Session] = OrderedDict()
        # Entry ids start at the server's start time in milliseconds, so they keep rising
        # across a restart: a page still open reconnects with the last id it saw
        # (Last-Event-ID), and what is delivered after the restart must come after it. A
        # session gets far fewer than one entry a millisecond (rate limits), and the ids stay
        # well within a JavaScript number's exact range.
        self.first_id = time.time_ns() // 1_000_000

    def get(self, key: str) -> Session:
        session = self._by_sid.pop(key, None)
        if session is None:
            session = Session(key, seq=self.first_id)
            if self._restore is not None:
                session.restore(self._restore(key))
        session.seen = self.clock()
        self._by_sid[key] = session
        self._trim()
        return session

    def drop(self, key: str) -> None:
        """Forget a session (its visitor erased their data); its open streams end."""
        session = self._by_sid.pop(key, None)
        if session is not None:
            for queue in session.streams:
                queue.put_nowait(None)

    def _trim(self) -> None:
        now = self.clock()
        while self._by_sid:
            sid, oldest = next(iter(self._by_sid.items()))
            if oldest.streams or (len(self._by_sid) <= KEEP_SESSIONS
                                  and now - oldest.seen < IDLE_SECONDS):
                break
            del self._by_sid[sid]

    def close_streams(self) -> None:
        """At shutdown: every open event stream ends."""
        for session in self._by_sid.values():
            for queue in session.streams:
                queue.put_nowait(None)

    def __len__(self) -> int:
        return len(self._by_sid)
