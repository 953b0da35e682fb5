"""The context model's training reads a turn with no topic before it only for the entities it
carries (Engine._carried): the same conversation after it as the full reading gives, its topic
aside, for every corpus turn, so the training rows stay the rows the full reading makes."""

from __future__ import annotations

import dataclasses

from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine


def read(engine: Engine, question: str, ctx: Context) -> Context:
    return dataclasses.replace(engine._carry(question, engine._ask(question, ctx), ctx).context,
                               topic=None)


def test_the_entities_carried_unread_are_those_the_reading_carries(kb: KnowledgeBase,
                                                                   engine: Engine):
    before = (Context(), Context(country="Hàn Quốc", district="Bến Lức", level="cao đẳng"))
    messages = [t.q for chat in kb.corpus.conversations for t in chat.turns]
    messages += [m.q for m in kb.corpus.messages][::3]
    unread = 0
    for question in messages:
        for ctx in before:
            carried = engine._carried(question, ctx)
            if carried is not None:
                unread += 1
                assert dataclasses.replace(carried, topic=None) == read(engine, question, ctx), \
                    question
    assert unread > 1000


def test_joined_questions_bare_names_and_empty_messages_are_read(engine: Engine):
    for question in ("học trung cấp có miễn học phí không và học ở đâu", "Bến Lức",
                     "Hàn Quốc", "", "???"):
        assert engine._carried(question, Context()) is None, question
    assert engine._carried("con tôi muốn đi Hàn Quốc học ở Bến Lức", Context()) == \
        Context(country="Hàn Quốc", district="Bến Lức")
