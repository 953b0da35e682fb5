"""A message's lexical reading (its ranking without the learned model, which the context model
reads beside the fused one) is taken from the fused reading's own ranking before fusion: it
must be the ranking a lexical reading alone makes, for every kind of message."""

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


def test_lexical_reading_after_the_fused_one_is_the_lexical_reading_alone(kb, engine):
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
        shared._rank = counted
        lexical = shared._plain(message, lexical=True)
        shared._rank = rank
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
