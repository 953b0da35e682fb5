"""Round 12's shortcut for long messages gives the readings of the full work: a message is
folded once for the trade, interest and survey-result finders (entities.folded_words), which
find what each found folding it on its own, and the engine's caches forget it."""

from __future__ import annotations

import random

import pytest

from bot.answering import entities
from bot.answering.entities import Interests, SurveyResults, Trades, folded_words, words_of
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine


def _messages(kb: KnowledgeBase) -> list[str]:
    """Short messages and parents' long ones (corpus messages run together), trades,
    interests and survey results named in some."""
    rng = random.Random(12)
    corpus = [m.q for m in kb.corpus.messages]
    longs = [". ".join(rng.sample(corpus, rng.randint(3, 9))) for _ in range(300)]
    return [*corpus[::7], *longs, "muốn học nghề điện", "hoc nghe han", "em thích sửa xe",
            "con làm khảo sát ra nhóm kỹ thuật", "Con Tôi thích VẼ, học nghề gì?"]


def _full(finder: Trades | Interests | SurveyResults, message: str) -> object:
    """What a finder finds folding the message itself (the work before the shortcut)."""
    folded = entities._folded(message)
    if finder._spaced is None or (finder._firsts is not None
                                  and finder._firsts.isdisjoint(words_of(folded))):
        return None
    match = finder._spaced.search(" " + folded)
    return finder._forms[match.group(1)] if match else None


def test_the_finders_find_what_folding_each_message_alone_finds(kb):
    finders = (Trades(kb), Interests(kb), SurveyResults(kb))
    found = 0
    for message in _messages(kb):
        for finder in finders:
            expected = _full(finder, message)
            assert finder.find(message) == expected, message
            found += expected is not None
    assert found > 50


def test_a_message_is_folded_once_for_the_three_finders(kb, monkeypatch):
    calls: list[str] = []
    real = entities._folded

    def counted(message: str) -> str:
        calls.append(message)
        return real(message)

    monkeypatch.setattr(entities, "_folded", counted)
    folded_words.cache_clear()
    message = "Nhà tôi ở Đức Hòa, cháu thích vẽ và sửa xe. Cháu nên học nghề điện hay hàn ạ?"
    for finder in (Trades(kb), Interests(kb), SurveyResults(kb)):
        finder.find(message)
    assert calls.count(message) == 1
    assert folded_words(message) == (real(message), words_of(real(message)))


@pytest.mark.parametrize("message", ["hoc nghe han o dau", "em thích sửa xe"])
def test_the_engine_forgets_the_folded_messages_with_its_caches(engine: Engine, message):
    engine.ask(message)
    assert folded_words.cache_info().currsize > 0
    engine.clear_caches()
    assert folded_words.cache_info().currsize == 0
