"""Shortcuts of the readings the context model trains on. A message's lexical reading (its
ranking without the learned model, which the context model reads beside the fused one) is
taken from the fused reading's own ranking before fusion: it must be the ranking a lexical
reading alone makes, for every kind of message. A candidate's closeness is its best
phrasing's, taken per run of columns: the same values as one comparison per phrasing."""

from __future__ import annotations

from bot.answering.retrieval import Engine


def _messages(kb) -> list[str]:
    """Corpus turns and messages (follow-ups, stories, teencode), phrasings, a country named
    without a word of the topics abroad, and messages with nothing to rank."""
    turns = [t.q for c in kb.corpus.conversations[::4] for t in c.turns]
    messages = [m.q for m in kb.corpus.messages[::6]]
    phrasings = [q for e in kb.entries[::3] for q in e.questions[:2]]
    return [*turns, *messages, *phrasings, "đi Đức học điều dưỡng có mất tiền không",
            "", "?", "ok", "zzz qqq"]


def test_lexical_reading_after_the_fused_one_is_the_lexical_reading_alone(kb, engine, monkeypatch):
    alone = Engine(kb, model=engine.model, context_model=engine.context_model)
    shared = Engine(kb, model=engine.model, context_model=engine.context_model)
    ranked = 0
    rank = shared._rank

    def counted(*args, **kwargs):
        nonlocal ranked
        ranked += 1
        return rank(*args, **kwargs)

    for message in _messages(kb):
        shared._plain(message)
        monkeypatch.setattr(shared, "_rank", counted)
        lexical = shared._plain(message, lexical=True)
        monkeypatch.setattr(shared, "_rank", rank)
        alone._plain_reads.clear()
        alone._unfused.clear()  # nothing read before: ranked without the model, afresh
        assert lexical == alone._plain(message, lexical=True), message
    assert ranked <= 10  # ranked again only where the lexical ranking lost the abroad topics
    assert any(abroad for _, abroad in shared._unfused)  # a country named: its query's too


def test_clear_caches_forgets_the_unfused_rankings(engine):
    engine._plain("học trung cấp có được miễn học phí không")
    assert engine._unfused
    engine.clear_caches()
    assert not engine._unfused


def _fuzzy_per_phrasing(engine, q, candidates):
    """Engine._fuzzy as one comparison per phrasing (each candidate's best phrasing)."""
    from rapidfuzz import fuzz, process

    from bot.answering.retrieval import _sorted_words

    best = dict.fromkeys(candidates, 0.0)
    if not q.canon:
        return best
    for i in candidates:
        for phrasing in engine._sorted[i]:
            score = process.cdist([_sorted_words(p) for p in q.pieces], [phrasing],
                                  scorer=fuzz.ratio).max()
            best[i] = max(best[i], float(score) / 100)
    return best


def test_closeness_per_candidate_is_its_best_phrasing(kb, engine):
    every = list(range(len(engine.entries)))
    for message in _messages(kb)[::5]:
        q = engine._query(message)
        assert engine._fuzzy(q, every) == _fuzzy_per_phrasing(engine, q, every), message
        assert engine._fuzzy(q, every[::-3]) == _fuzzy_per_phrasing(engine, q, every[::-3])
