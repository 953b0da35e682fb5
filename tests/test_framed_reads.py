"""A message read after a topic is ranked with that topic as context once (Engine._in_context
remembers it): the rules read it, and the context model reads it again for its features. The
remembered reading is the reading: same answers, a new query or topic is read afresh, bounded."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering import retrieval
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine

FOLLOW_UP = "lỡ không đủ tiền thì sao"  # a short follow-up: ranked with the topic shown as context
BEFORE = "overseas.costs"
ASKED = "vay ngân hàng để đi Hàn được không"  # several terms


def fresh(kb: KnowledgeBase, engine: Engine) -> Engine:
    return Engine(kb, engine.tuning, engine.model, context_model=engine.context_model)


def test_a_follow_up_is_ranked_in_context_once_for_the_rules_and_the_context_model(kb, engine):
    eng = fresh(kb, engine)
    before = kb.get(BEFORE)
    assert before is not None
    calls: list[str] = []
    read = eng._read_in_context

    def counted(question, q, entry):
        calls.append(question)
        return read(question, q, entry)

    eng._read_in_context = counted  # type: ignore[method-assign]
    answer = eng.ask(FOLLOW_UP, BEFORE)
    assert eng.context_model is not None  # its features read the message in context too
    assert calls == [FOLLOW_UP]
    q = eng._plain(FOLLOW_UP)[0]
    assert eng._in_context(FOLLOW_UP, q, before) is eng._in_context(FOLLOW_UP, q, before)
    assert calls == [FOLLOW_UP]
    # the same answer as an engine that reads it afresh
    again = fresh(kb, engine).ask(FOLLOW_UP, BEFORE)
    assert answer.entry == again.entry and answer.kind == again.kind
    assert answer.score == again.score


def test_another_query_or_topic_is_read_afresh_with_the_same_ranking(kb, engine):
    eng = fresh(kb, engine)
    before, other = kb.get(BEFORE), kb.get("overseas.loan")
    assert before is not None and other is not None
    q = eng._plain(ASKED)[0]
    first = eng._in_context(ASKED, q, before)
    requeried = eng._query(ASKED)  # an equal query (as a lexical reading's): remembered
    assert requeried is not q and eng._in_context(ASKED, requeried, before) is first
    # the same terms in another order (another sum's rounding): read afresh
    assert len(q.terms) > 1
    reordered = dataclasses.replace(q, terms=dict(reversed(q.terms.items())))
    second = eng._in_context(ASKED, reordered, before)
    assert second is not first
    assert first is not None and second is not None
    # the same ranking, its scores rounded differently: why the order is part of the key
    assert [s.entry.id for s in first.ranked] == [s.entry.id for s in second.ranked]
    assert [s.score for s in first.ranked] == pytest.approx([s.score for s in second.ranked])
    assert eng._in_context(ASKED, q, other) is not eng._in_context(ASKED, q, before)


def test_the_remembered_readings_are_bounded_and_cleared(kb, engine, monkeypatch):
    monkeypatch.setattr(retrieval, "PLAIN_READS", 3)
    eng = fresh(kb, engine)
    before = kb.get(BEFORE)
    assert before is not None
    for question in ("có được vay không", "học ở đâu", "mất bao lâu", "bao nhiêu tiền",
                     "làm hồ sơ ở đâu"):
        eng._in_context(question, eng._plain(question)[0], before)
        assert len(eng._framed) <= 3
    eng.clear_caches()
    assert not eng._framed


def test_conversations_read_with_remembered_readings_answer_as_read_afresh(kb, engine):
    remembering, afresh = fresh(kb, engine), fresh(kb, engine)
    for chat in kb.corpus.conversations[:25]:
        ctx, ctx2 = Context(), Context()
        for turn in chat.turns:
            got = remembering.ask(turn.q, ctx)
            afresh.clear_caches()
            want = afresh.ask(turn.q, ctx2)
            assert (got.kind, got.entry, got.score) == (want.kind, want.entry, want.score)
            ctx, ctx2 = got.context, want.context
