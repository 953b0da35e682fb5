"""The engine compares a message with the candidates' phrasings by fuzz.ratio of their words
sorted (each phrasing sorted once, at build): the same scores as fuzz.token_sort_ratio."""

from __future__ import annotations

import numpy as np
from rapidfuzz import fuzz, process

from bot.answering import retrieval
from bot.answering.retrieval import _sorted_words


def test_the_sorted_ratio_is_token_sort_ratio(engine, kb):
    choices = [p for phrasings in engine._phrasings for p in phrasings]
    messages = [q for e in kb.entries for q in e.questions][:300]
    pieces = [engine._query(m).canon for m in messages]
    pieces += [" ".join(reversed(p.split())) + "  x" for p in pieces[:30]] + ["a", " b  a "]
    theirs = process.cdist(pieces, choices, scorer=fuzz.token_sort_ratio)
    ours = process.cdist([_sorted_words(p) for p in pieces],
                         [p for sorted_ in engine._sorted for p in sorted_], scorer=fuzz.ratio)
    assert np.array_equal(ours, theirs)


def test_the_fuzzy_step_reads_the_sorted_phrasings(engine, monkeypatch):
    query = engine._query("học phí trung cấp bao nhiêu")
    top = list(range(len(engine.entries)))
    before = engine._fuzzy(query, top)
    monkeypatch.setattr(retrieval, "_sorted_words", lambda canon: canon)  # unsorted: differs
    engine.clear_caches()  # (a message's closeness scores are remembered for its rankings)
    after = engine._fuzzy(query, top)
    assert before != after
