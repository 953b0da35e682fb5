"""Keep evaluation and development messages out of the training corpus.

A message of tests/data/*.yaml (question sets, conversations, safety sets) is "in" a corpus
message when their canonical forms are equal (three canonical words or more: shorter ones match
by chance), or when one of seven or more is held whole inside it (copied with a greeting around
it; the knowledge guard in tests/test_retrieval.py counts the same). Independent authors do
write the same natural questions as the sets' authors ("phân luồng học sinh là gì vậy"): such a
message is left out all the same, so that no judged message was seen in training. A shorter test
message inside a longer corpus message is not counted: it would forbid a fifth of what people
write.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.answering.text import canonical

MIN_WORDS = 3
HELD_WORDS = 7


def messages_of(node: Any) -> Iterator[str]:
    """Every message of a data file, whatever its layout: the values of `q` and `text` and
    the plain strings of its lists."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("q", "text") and isinstance(value, str):
                yield value
            else:
                yield from messages_of(value)
    elif isinstance(node, list):
        for item in node:
            if isinstance(item, str):
                yield item
            else:
                yield from messages_of(item)


@dataclass(frozen=True)
class Guard:
    equal: frozenset[str]  # canonical forms of MIN_WORDS or more
    held: tuple[str, ...]  # " form " of HELD_WORDS or more

    @classmethod
    def of(cls, texts: Iterable[str]) -> Guard:
        forms = {canonical(t) for t in texts}
        return cls(frozenset(f for f in forms if len(f.split()) >= MIN_WORDS),
                   tuple(f" {f} " for f in forms if len(f.split()) >= HELD_WORDS))

    @classmethod
    def of_files(cls, paths: Iterable[Path]) -> Guard:
        return cls.of(m for p in paths
                      for m in messages_of(yaml.safe_load(p.read_text(encoding="utf-8"))))

    def copied(self, message: str) -> bool:
        form = canonical(message)
        padded = f" {form} "
        return form in self.equal or any(h in padded for h in self.held)
