"""The question-answering service: knowledge base + engine + clock, built once.

Replies are remembered: for one loaded knowledge base and one day, the reply is a pure function
of the message's text and the topic shown before it, and students send the same short messages
over and over ("hoc phi", "xkld", "cao dang la gi"). The cache belongs to the Assistant, so a
new knowledge base (a new Assistant) starts with an empty one.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.answering.answers import Reply, compose, entry_reply, safety_reply
from bot.answering.context import Context
from bot.answering.knowledge import Entry, KnowledgeBase
from bot.answering.retrieval import Engine
from bot.answering.safety import Concern

Clock = Callable[[], dt.date]
REPLY_CACHE = 4096  # replies kept (CAREERBOT_ANSWER_CACHE); 0 computes every one
# (the message as typed, the previous topic if it matters, the country, district, trade and
# interest named so far: the reply may show their lines; the level only follows the conversation)
Key = tuple[str, str | None, tuple[str | None, ...]]  # message, topic, entities named
SAFETY_TOPICS = "safety."  # the helpline's own topic: the crisis reply already says it


class Timed(NamedTuple):
    """A reply, the milliseconds this call really took, and whether it came from the cache
    (a remembered reply costs microseconds: the log says so rather than pass it off as the
    engine's speed)."""

    reply: Reply
    ms: float
    cached: bool


@dataclass(frozen=True)
class CacheStats:
    hits: int
    misses: int
    size: int
    capacity: int

    @property
    def hit_rate(self) -> float:
        asked = self.hits + self.misses
        return self.hits / asked if asked else 0.0

    def line(self) -> str:
        return (f"answer cache: {self.hits} hits, {self.misses} misses "
                f"({self.hit_rate:.0%} hits), {self.size}/{self.capacity} replies kept")


class ReplyCache:
    """A bounded LRU of replies. Reply is a frozen dataclass of strings and tuples: a caller
    cannot change a remembered reply for the next one."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.hits = 0
        self.misses = 0
        self._replies: OrderedDict[Key, Reply] = OrderedDict()

    def get(self, key: Key) -> Reply | None:
        reply = self._replies.get(key)
        if reply is None:
            self.misses += 1
            return None
        self.hits += 1
        self._replies.move_to_end(key)
        return reply

    def put(self, key: Key, reply: Reply) -> None:
        if self.capacity <= 0:
            return
        self._replies[key] = reply
        self._replies.move_to_end(key)
        while len(self._replies) > self.capacity:
            self._replies.popitem(last=False)

    def clear(self) -> None:
        self._replies.clear()

    def stats(self) -> CacheStats:
        return CacheStats(self.hits, self.misses, len(self._replies), self.capacity)


@dataclass
class Assistant:
    kb: KnowledgeBase
    engine: Engine
    today: Clock = field(default=dt.date.today)
    cache_size: int = REPLY_CACHE

    def __post_init__(self) -> None:
        # The model now; the expressions in the background (a first message compiles the few
        # it needs itself), so a start does not wait for them.
        self.kb.safety.warm(wait=False)
        self.cache = ReplyCache(self.cache_size)
        self._day: dt.date | None = None  # replies say "may be out of date" by the date
        # Whether a message is read the same whatever topic came before it (most are: only a
        # bare name or a short follow-up uses it), so one reply serves every previous topic:
        # None: it is not; "": it is; a topic id: it is, except right after that topic.
        self._alone: dict[str, str | None] = {}

    def answer(self, question: str, previous: str | Context | None = None) -> Reply:
        """The reply to a question; `previous` is the conversation so far (or the topic just
        shown); `Reply.context` is the conversation after it."""
        return self.timed_answer(question, previous).reply

    def screen(self, question: str) -> Reply | None:
        """The safety reply when a child may be in danger or the message asks for something
        illegal, else None: read before anything else, so that neither a survey nor the cache
        nor a topic answer can take a crisis message."""
        found = self.kb.safety.detect(question)
        if found is None:
            return None
        also = found.crisis and found.concern is not Concern.SELF_HARM
        return safety_reply(self.kb, found, self._asked_too(question) if also else None,
                            question)

    def _asked_too(self, question: str) -> Entry | None:
        """The topic a message about abuse or danger also asks about ("ba má bắt học nghề,
        em muốn bỏ nhà đi", "anh em bên Hàn bị chủ giữ hộ chiếu, giờ sao"), if the engine
        answers it: offered under the help, never instead of it. Not after thoughts of
        self-harm: that reply asks for nothing but reaching someone now."""
        result = self.engine.ask(question)
        entry = result.entry
        return entry if entry is not None and not entry.id.startswith(SAFETY_TOPICS) else None

    def timed_answer(self, question: str, previous: str | Context | None = None,
                     screened: bool = False) -> Timed:
        """The reply, the milliseconds it took and whether it was remembered; `screened`: the
        caller has already run `screen` on this very text (and it found nothing)."""
        start = time.perf_counter()
        safe = None if screened else self.screen(question)
        if safe is not None:  # never cached: the cache holds topic replies only
            return Timed(safe, (time.perf_counter() - start) * 1000, False)
        today = self.today()
        if today != self._day:
            self.cache.clear()
            self._day = today
        ctx = Context.of(previous)
        key = (question, self._context(question, ctx.topic), (ctx.country, ctx.district, ctx.trade,
                                                            ctx.interest))
        reply = self.cache.get(key)
        cached = reply is not None
        if reply is None:
            reply = compose(self.kb, self.engine.ask(question, ctx), today)
            self.cache.put(key, reply)
        return Timed(reply, (time.perf_counter() - start) * 1000, cached)

    def _context(self, question: str, previous: str | None) -> str | None:
        """The previous topic as far as it can change the reply, else None."""
        if previous is None or self.cache.capacity <= 0 or self.kb.get(previous) is None:
            return None
        if question in self._alone:
            alone = self._alone[question]
        else:
            # reads alone: the reply is the same after any topic but the one it answers
            # itself, after which only the facets it asks are shown (Result.focused)
            alone = (self.engine.refocuses(question) or "") \
                if self.engine.reads_alone(question) else None
            if len(self._alone) >= 4 * self.cache.capacity:
                self._alone.clear()  # bounded like the replies
            self._alone[question] = alone
        return previous if alone is None or alone == previous else None

    def topic(self, entry_id: str) -> Reply | None:
        entry = self.kb.get(entry_id)
        return entry_reply(self.kb, entry, self.today()) if entry else None
