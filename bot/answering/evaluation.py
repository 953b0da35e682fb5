"""Measure an answer engine on a question set (tests/data/*.yaml): shared by tests and bench.

A set lists in-scope messages with the topic that answers them, greetings, and out-of-scope
messages. Items may carry a `class` (plain, long, followup, entity, dialect; near, far), a
`previous` topic (the message is a follow-up to it) and an `also` topic (a second question).
The first set (eval.yaml) has plain strings for out-of-scope items and no classes: a message
of 40 words or more is then counted as "long".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from bot.answering.retrieval import Engine

LONG_WORDS = 40


@dataclass(frozen=True)
class Item:
    q: str
    id: str | None = None  # None: out of scope
    cls: str = "plain"
    previous: str | None = None
    also: str | None = None


def _item(raw: Any, in_scope: bool) -> Item:
    if isinstance(raw, str):
        raw = {"q": raw}
    cls = raw.get("class") or ("long" if len(raw["q"].split()) >= LONG_WORDS else
                               "plain" if in_scope else "far")
    return Item(raw["q"], raw.get("id") if in_scope else None, cls, raw.get("previous"),
                raw.get("also"))


@dataclass(frozen=True)
class QuestionSet:
    items: tuple[Item, ...]  # in scope
    out: tuple[Item, ...]
    greetings: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> QuestionSet:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple(_item(x, True) for x in data["in_scope"]),
            tuple(_item(x, False) for x in data["out_of_scope"]),
            tuple(data.get("greetings") or ()),
        )

    @property
    def in_scope(self) -> tuple[tuple[str, str], ...]:
        """(question, expected id) for the in-scope items that are not follow-ups."""
        return tuple((i.q, i.id) for i in self.items if i.id and not i.previous)

    @property
    def out_of_scope(self) -> tuple[str, ...]:
        return tuple(i.q for i in self.out if not i.previous)


@dataclass(frozen=True)
class Answer:
    ranked: str | None  # the topic ranked first (also the first suggestion)
    answered: str | None  # the topic answered; None when the engine declines
    also: tuple[str, ...] = ()


# An answerer maps (question, previous topic) to what the engine makes of it.
Answerer = Callable[[str, str | None], Answer]


@dataclass
class Metrics:
    top1: float = 0.0             # in scope: the first-ranked topic is the right one
    answered_right: float = 0.0   # in scope: the engine answers, with the right topic
    rejected: float = 0.0         # out of scope: the engine declines (id null)
    per_topic: dict[str, float] = field(default_factory=dict)
    per_class: dict[str, float] = field(default_factory=dict)  # top-1 (in) / rejected (out)
    class_sizes: dict[str, int] = field(default_factory=dict)
    also_found: float = 0.0  # items with `also`: the second topic is offered
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)
    accepted_out_of_scope: list[tuple[str, str]] = field(default_factory=list)


def evaluate(answer: Answerer, questions: QuestionSet) -> Metrics:
    m = Metrics()
    hits: dict[str, list[bool]] = defaultdict(list)
    by_class: dict[str, list[bool]] = defaultdict(list)
    top1 = right = also = with_also = 0
    for item in questions.items:
        got = answer(item.q, item.previous)
        ok = got.ranked == item.id
        top1 += ok
        right += got.answered == item.id
        hits[str(item.id)].append(ok)
        by_class[item.cls].append(ok)
        if item.also:
            with_also += 1
            also += item.also in got.also
        if not ok:
            m.misses.append((item.q, str(item.id), got.ranked))
    rejected = 0
    for item in questions.out:
        got = answer(item.q, item.previous)
        declined = got.answered is None
        rejected += declined
        by_class[f"out-{item.cls}"].append(declined)
        if not declined:
            m.accepted_out_of_scope.append((item.q, str(got.answered)))
    n = len(questions.items) or 1
    m.top1, m.answered_right = top1 / n, right / n
    m.rejected = rejected / (len(questions.out) or 1)
    m.per_topic = {topic: sum(v) / len(v) for topic, v in hits.items()}
    m.per_class = {c: sum(v) / len(v) for c, v in sorted(by_class.items())}
    m.class_sizes = {c: len(v) for c, v in sorted(by_class.items())}
    m.also_found = also / with_also if with_also else 0.0
    return m


def engine_answerer(engine: Engine) -> Answerer:
    """What the engine ranks first, what it answers and what else it offers."""
    def answer(q: str, previous: str | None) -> Answer:
        result = engine.ask(q, previous)
        return Answer(result.ranked[0].entry.id if result.ranked else None,
                      result.entry.id if result.entry else None,
                      tuple(e.id for e in result.also))
    return answer


# Whole conversations (tests/data/conv_*.yaml): each turn is read after the bot's own previous
# answers, as in a chat, so a wrong answer early can carry a later turn off course.
NO_ANSWER_TAGS = ("oos", "social")


@dataclass(frozen=True)
class Turn:
    q: str
    id: str | None  # None: the bot should not answer with a topic (out of scope, social)
    tag: str
    ok: tuple[str, ...] = ()  # other topics a careful human would accept

    def right(self, answered: str | None) -> bool:
        return answered is None if self.id is None else answered in (self.id, *self.ok)


@dataclass(frozen=True)
class Conversation:
    persona: str
    turns: tuple[Turn, ...]


def load_conversations(*paths: Path) -> tuple[Conversation, ...]:
    chats = []
    for path in paths:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in data["conversations"]:
            chats.append(Conversation(raw.get("persona", "student"), tuple(
                Turn(t["q"], t.get("id"), t.get("tag", "open"), tuple(t.get("ok") or ()))
                for t in raw["turns"])))
    return tuple(chats)


# A chat answerer starts a fresh conversation and returns what answers its turns, in order.
ChatAnswerer = Callable[[], Callable[[str], Answer]]


@dataclass
class ConversationMetrics:
    turns_right: float = 0.0      # turns expecting a topic: answered with it
    rejected: float = 0.0         # turns expecting no topic: none answered
    chats_right: int = 0          # conversations right at every turn
    chats: int = 0
    per_tag: dict[str, float] = field(default_factory=dict)
    tag_sizes: dict[str, int] = field(default_factory=dict)
    per_persona: dict[str, float] = field(default_factory=dict)  # all turns right
    misses: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)


def evaluate_conversations(start: ChatAnswerer, chats: tuple[Conversation, ...]
                           ) -> ConversationMetrics:
    m = ConversationMetrics(chats=len(chats))
    by_tag: dict[str, list[bool]] = defaultdict(list)
    by_persona: dict[str, list[bool]] = defaultdict(list)
    topic_turns: list[bool] = []
    no_answer_turns: list[bool] = []
    for chat in chats:
        answer = start()
        throughout = True
        for turn in chat.turns:
            got = answer(turn.q).answered
            ok = turn.right(got)
            throughout &= ok
            by_tag[turn.tag].append(ok)
            by_persona[chat.persona].append(ok)
            (no_answer_turns if turn.id is None else topic_turns).append(ok)
            if not ok:
                m.misses.append((turn.q, turn.tag, turn.id, got))
        m.chats_right += throughout
    m.turns_right = sum(topic_turns) / (len(topic_turns) or 1)
    m.rejected = sum(no_answer_turns) / (len(no_answer_turns) or 1)
    m.per_tag = {t: sum(v) / len(v) for t, v in sorted(by_tag.items())}
    m.tag_sizes = {t: len(v) for t, v in sorted(by_tag.items())}
    m.per_persona = {p: sum(v) / len(v) for p, v in sorted(by_persona.items())}
    return m


def engine_chat(engine: Engine) -> ChatAnswerer:
    """The engine as a chat keeps it: each turn read with the conversation so far (the topic
    answered last, the country, district and level named)."""
    from bot.answering.context import Context

    def start() -> Callable[[str], Answer]:
        context = Context()

        def turn(q: str) -> Answer:
            nonlocal context
            result = engine.ask(q, context)
            context = result.context
            return Answer(result.ranked[0].entry.id if result.ranked else None,
                          result.entry.id if result.entry else None,
                          tuple(e.id for e in result.also))
        return turn
    return start
