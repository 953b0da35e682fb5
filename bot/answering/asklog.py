"""Every question and topic view, the 👍/👎 votes, and what the admins learn from them."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlite_utils

from bot.answering.answers import Reply
from bot.answering.context import EMPTY, Context
from bot.answering.text import canonical, normalize
from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]
ASK_COLUMNS = ("id", "user_id", "at", "source", "text", "text_key", "entry_id", "kind", "score")
# A follow-up ("còn Đức thì sao") refers to the topic shown last, if it was shown this recently.
CONTEXT_FOR = dt.timedelta(hours=2)
CONTEXT_USERS = 100_000  # remembered in memory; older ones are read back from the log


@dataclass(frozen=True)
class Unanswered:
    text: str
    count: int
    last_at: str


@dataclass(frozen=True)
class Disliked:
    entry_id: str
    count: int
    last_question: str | None


@dataclass(frozen=True)
class Stats:
    users: int
    by_audience: dict[str, int]
    per_day: list[tuple[str, int]]
    questions: int
    answered: int
    top_topics: list[tuple[str, int]]
    safety_per_day: list[tuple[str, int]] = dataclasses.field(default_factory=list)  # counts only

    @property
    def answer_rate(self) -> float:
        return self.answered / self.questions if self.questions else 0.0


class AskLog:
    """The question log. Rows are written with `Writer.defer_insert`: nobody waits for them, so
    the id a reply's 👍/👎 buttons carry is handed out here; this process is the only writer."""

    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock
        self._last_id: int = writer.run(
            lambda db: db.execute("SELECT coalesce(max(id), 0) FROM asks").fetchone()[0])
        # Each user's conversation (topic shown last, entities named) and when it last changed.
        self._topics: dict[int, tuple[Context, dt.datetime]] = {}
        self._no_topic: set[int] = set()  # looked up: the log has no topic for them yet

    def record(self, user_id: int, source: str, reply: Reply, question: str | None = None
               ) -> int:
        """Log one question (or topic view) and its outcome; returns the row's id."""
        self._last_id += 1
        row = [self._last_id, user_id, iso(self.clock()), source,
               normalize(question)[:500] if question else None,
               canonical(question)[:500] if question else None,
               reply.entry_id, reply.kind.value, reply.score]
        self.writer.defer_insert("asks", ASK_COLUMNS, row)
        before = self.context(user_id)
        after = reply.after(before)
        if after != before or (reply.entry_id is not None):
            if len(self._topics) >= CONTEXT_USERS:
                self._topics.clear()  # bounded memory; the log still has the topics
            self._topics[user_id] = (after, self.clock())
            self._no_topic.discard(user_id)
        return self._last_id

    def last_topic(self, user_id: int) -> str | None:
        """The topic this user was shown last (within CONTEXT_FOR): what a follow-up means."""
        return self.context(user_id).topic

    def context(self, user_id: int) -> Context:
        """This user's conversation (within CONTEXT_FOR): the topic shown last and the
        country, district and level named so far; every channel reads messages with it.

        Kept in memory and, for a restart, in the question log itself (the user's answered
        questions and topic views: the topic survives a restart, the entities do not)."""
        remembered = self._topics.get(user_id)
        if remembered is None:  # rows this process logged are in memory: no need to sync
            if user_id in self._no_topic:
                return EMPTY  # asked already; record() says when they get one
            rows = list(self.db.query(
                "SELECT entry_id, at FROM asks WHERE user_id = ? AND entry_id IS NOT NULL "
                "ORDER BY id DESC LIMIT 1", [user_id]))
            if not rows:
                if len(self._no_topic) >= CONTEXT_USERS:
                    self._no_topic.clear()
                self._no_topic.add(user_id)
                return EMPTY
            remembered = (Context(topic=rows[0]["entry_id"]),
                          dt.datetime.fromisoformat(rows[0]["at"]))
            self._topics[user_id] = remembered
        context, at = remembered
        return context if self.clock() - at <= CONTEXT_FOR else EMPTY

    def forget(self, user_id: int) -> None:
        """The user erased their data: no context survives it."""
        self._topics.pop(user_id, None)
        self._no_topic.discard(user_id)

    async def vote(self, ask_id: int, user_id: int, vote: int) -> bool:
        """Store 👍 (+1) or 👎 (-1) for an answer the user was shown; a new vote replaces."""
        at = iso(self.clock())

        def store(db: sqlite_utils.Database) -> bool:
            cursor = db.execute(
                "INSERT INTO feedback (ask_id, user_id, entry_id, vote, at) "
                "SELECT id, user_id, entry_id, ?, ? FROM asks WHERE id = ? AND user_id = ? "
                "ON CONFLICT(ask_id, user_id) DO UPDATE SET vote = excluded.vote, "
                "at = excluded.at", [vote, at, ask_id, user_id])
            return cursor.rowcount > 0

        return await self.writer.write(store)

    async def last_unanswered(self, user_id: int) -> str | None:
        await self.writer.sync()
        rows = list(self.db.query(
            "SELECT text FROM asks WHERE user_id = ? AND kind IN ('fallback', 'suggest') "
            "AND text IS NOT NULL ORDER BY id DESC LIMIT 1", [user_id]))
        return rows[0]["text"] if rows else None

    async def unanswered(self, limit: int = 20) -> list[Unanswered]:
        """The questions the bot could not answer, most frequent first (grouped by meaning)."""
        await self.writer.sync()
        rows = self.db.query(
            "SELECT text_key, count(*) AS n, max(at) AS last_at, "
            "(SELECT a2.text FROM asks a2 WHERE a2.text_key = asks.text_key "
            " ORDER BY a2.id DESC LIMIT 1) AS text "
            "FROM asks WHERE kind IN ('fallback', 'suggest') AND text_key != '' "
            "GROUP BY text_key ORDER BY n DESC, last_at DESC LIMIT ?", [limit])
        return [Unanswered(r["text"], r["n"], r["last_at"]) for r in rows]

    async def disliked(self, limit: int = 10) -> list[Disliked]:
        await self.writer.sync()
        rows = self.db.query(
            "SELECT f.entry_id, count(*) AS n, "
            "(SELECT a.text FROM feedback f2 JOIN asks a ON a.id = f2.ask_id "
            " WHERE f2.entry_id = f.entry_id AND f2.vote < 0 AND a.text IS NOT NULL "
            " ORDER BY f2.id DESC LIMIT 1) AS last_question "
            "FROM feedback f WHERE f.vote < 0 GROUP BY f.entry_id ORDER BY n DESC LIMIT ?",
            [limit])
        return [Disliked(r["entry_id"], r["n"], r["last_question"]) for r in rows]

    async def stats(self, days: int = 7) -> Stats:
        await self.writer.sync()
        since = iso(self.clock() - dt.timedelta(days=days))
        per_day = [(r["d"], r["n"]) for r in self.db.query(
            "SELECT substr(at, 1, 10) AS d, count(*) AS n FROM asks "
            "WHERE source = 'text' AND at >= ? GROUP BY d ORDER BY d", [since])]
        totals = next(iter(self.db.query(
            "SELECT count(*) AS q, coalesce(sum(kind = 'answer'), 0) AS a FROM asks "
            "WHERE source = 'text' AND kind IN ('answer', 'suggest', 'fallback')")))
        top = [(r["entry_id"], r["n"]) for r in self.db.query(
            "SELECT entry_id, count(*) AS n FROM asks WHERE entry_id IS NOT NULL "
            "GROUP BY entry_id ORDER BY n DESC LIMIT 5")]
        users = self.db.execute("SELECT count(*) FROM users").fetchone()[0]
        by_audience = {r["a"]: r["n"] for r in self.db.query(
            "SELECT coalesce(audience, '') AS a, count(*) AS n FROM users GROUP BY a "
            "ORDER BY n DESC")}
        safety = [(r["d"], r["n"]) for r in self.db.query(
            "SELECT substr(at, 1, 10) AS d, count(*) AS n FROM asks "
            "WHERE kind = 'safety' AND at >= ? GROUP BY d ORDER BY d", [since])]
        return Stats(users, by_audience, per_day, totals["q"], totals["a"], top, safety)
