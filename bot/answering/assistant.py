"""The question-answering service: knowledge base + engine + clock, built once."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from bot.answering.answers import Reply, compose, entry_reply
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine

Clock = Callable[[], dt.date]


REPLY_CACHE = 4096  # students ask the same few hundred questions over and over


@dataclass
class Assistant:
    kb: KnowledgeBase
    engine: Engine
    today: Clock = field(default=dt.date.today)

    def __post_init__(self) -> None:
        # Replies are pure functions of (question, date): remember the recent ones.
        self._reply = lru_cache(maxsize=REPLY_CACHE)(self._compose)

    def _compose(self, question: str, previous: str | None, today: dt.date) -> Reply:
        return compose(self.kb, self.engine.ask(question, previous), today)

    def answer(self, question: str, previous: str | None = None) -> Reply:
        """The reply to a question; `previous` is the topic just shown (for follow-ups)."""
        return self._reply(question, previous, self.today())

    def timed_answer(self, question: str, previous: str | None = None) -> tuple[Reply, float]:
        """The reply and the milliseconds it took to compute."""
        start = time.perf_counter()
        reply = self.answer(question, previous)
        return reply, (time.perf_counter() - start) * 1000

    def topic(self, entry_id: str) -> Reply | None:
        entry = self.kb.get(entry_id)
        return entry_reply(self.kb, entry, self.today()) if entry else None
