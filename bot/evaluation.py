"""Measure an answer engine on a question set (tests/data/*.yaml): shared by tests and bench."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml


@dataclass(frozen=True)
class QuestionSet:
    in_scope: tuple[tuple[str, str], ...]  # (question, expected id)
    out_of_scope: tuple[str, ...]
    greetings: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path) -> QuestionSet:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(
            tuple((item["q"], item["id"]) for item in data["in_scope"]),
            tuple(data["out_of_scope"]),
            tuple(data.get("greetings") or ()),
        )


# An answerer maps a question to (top-ranked id or None, answered id or None): the first says
# what the engine ranks first, the second what it would answer (None = it declines).
Answerer = Callable[[str], tuple[str | None, str | None]]


@dataclass
class Metrics:
    top1: float = 0.0             # in scope: the first-ranked topic is the right one
    answered_right: float = 0.0   # in scope: the engine answers, with the right topic
    rejected: float = 0.0         # out of scope: the engine declines (id null)
    per_topic: dict[str, float] = field(default_factory=dict)
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)
    accepted_out_of_scope: list[tuple[str, str]] = field(default_factory=list)


def evaluate(answer: Answerer, questions: QuestionSet) -> Metrics:
    m = Metrics()
    hits: dict[str, list[bool]] = defaultdict(list)
    top1 = right = 0
    for q, expected in questions.in_scope:
        ranked, answered = answer(q)
        top1 += ranked == expected
        right += answered == expected
        hits[expected].append(ranked == expected)
        if ranked != expected:
            m.misses.append((q, expected, ranked))
    rejected = 0
    for q in questions.out_of_scope:
        _, answered = answer(q)
        if answered is None:
            rejected += 1
        else:
            m.accepted_out_of_scope.append((q, answered))
    n = len(questions.in_scope) or 1
    m.top1, m.answered_right = top1 / n, right / n
    m.rejected = rejected / (len(questions.out_of_scope) or 1)
    m.per_topic = {topic: sum(v) / len(v) for topic, v in hits.items()}
    return m
