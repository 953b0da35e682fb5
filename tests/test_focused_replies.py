"""A follow-up that asks one facet of a topic gets that facet's answer, and a message's second
question is answered briefly under the first (issue 18: users judged the whole entry repeated,
and a second question left to a button, "partly" answered).

The facet answers and gists here are set on a copy of the bundled entries, so these tests hold
whatever the knowledge base's own texts say (tests/test_facet_answers.py checks those)."""

from __future__ import annotations

import dataclasses

import pytest

from bot import messages
from bot.answering import focus
from bot.answering.answers import Reply, Suggestion, compose
from bot.answering.assistant import Assistant
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine, Kind
from tests.conftest import TODAY, rules_only

LOAN = "support.student-loan"
HOW_MUCH = "Mức vay (mục thử): một con số cho mỗi tháng học."
WHERE = "Nơi làm hồ sơ (mục thử): ủy ban xã nơi cư trú."
GIST = "Vay được (mục thử) nếu nhà thuộc diện khó khăn."


def _with(kb: KnowledgeBase, entry_id: str, **fields: object) -> KnowledgeBase:
    entries = tuple(e.model_copy(update=fields) if e.id == entry_id else e for e in kb.entries)
    return dataclasses.replace(kb, entries=entries)


@pytest.fixture(scope="module")
def loan_kb(kb: KnowledgeBase) -> KnowledgeBase:
    return _with(kb, LOAN, gist=GIST,
                 facet_answers=(("how-much", HOW_MUCH), ("where", WHERE)))


@pytest.fixture(scope="module")
def loan_engine(loan_kb: KnowledgeBase, engine: Engine) -> Engine:
    return Engine(loan_kb, model=engine.model)


@pytest.fixture(scope="module")
def bare_kb(kb: KnowledgeBase) -> KnowledgeBase:
    """The loan topic with neither gist nor facet answers."""
    return _with(kb, LOAN, gist=None, facet_answers=())


@pytest.fixture(scope="module")
def bare_engine(bare_kb: KnowledgeBase, engine: Engine) -> Engine:
    return Engine(bare_kb, model=engine.model)


def _reply(kb: KnowledgeBase, engine: Engine, question: str,
           previous: str | Context | None = None) -> Reply:
    return compose(kb, engine.ask(question, previous), TODAY)


def test_a_follow_up_asking_how_much_gets_that_answer_and_not_the_whole_entry(
        loan_kb, loan_engine, bare_kb, bare_engine):
    first = loan_engine.ask("nha e ngheo hoc cd co vay dc tien ko")
    assert first.entry is not None and first.entry.id == LOAN
    reply = _reply(loan_kb, loan_engine, "vay được nhiêu", first.context)
    assert reply.entry_id == LOAN and reply.kind is Kind.ANSWER
    assert reply.text == HOW_MUCH
    assert reply.suggestions[0] == Suggestion(LOAN, messages.WHOLE_ANSWER)
    assert reply.sources  # still says where it comes from
    # Without a facet answer the whole entry is shown, as before.
    plain = _reply(bare_kb, bare_engine, "vay được nhiêu", first.context)
    assert plain.entry_id == LOAN and bare_kb.get(LOAN).answer in plain.text


def test_two_facets_asked_at_once_get_both_answers_in_the_order_asked(loan_kb, loan_engine):
    reply = _reply(loan_kb, loan_engine, "làm hồ sơ ở đâu, vay được bao nhiêu", LOAN)
    # (seven words of its own: the words that ask a facet do not make it a new question)
    assert reply.entry_id == LOAN
    assert reply.text == f"{WHERE}\n{HOW_MUCH}"


def test_a_facet_the_topic_has_no_short_answer_for_shows_the_whole_entry(loan_kb, loan_engine):
    reply = _reply(loan_kb, loan_engine, "liên hệ ai", LOAN)
    assert reply.entry_id == LOAN
    assert loan_kb.get(LOAN).answer in reply.text


def test_an_open_question_about_the_topic_still_gets_the_whole_entry(loan_kb, loan_engine):
    reply = _reply(loan_kb, loan_engine, "nha e ngheo hoc cd co vay dc tien ko")
    assert reply.entry_id == LOAN
    assert loan_kb.get(LOAN).answer in reply.text
    assert HOW_MUCH not in reply.text


def test_the_second_question_of_a_message_is_answered_under_the_first_from_its_gist(
        loan_kb, loan_engine, bare_kb, bare_engine):
    question = ("Chào bot. Con tôi học trung cấp có được miễn học phí không, "
                "và nhà nghèo có vay được tiền cho cháu đi học không?")
    reply = _reply(loan_kb, loan_engine, question)
    assert reply.entry_id == "tuition.trung-cap-free"
    assert [s.id for s in reply.also] == [LOAN]
    loan = loan_kb.get(LOAN)
    assert loan is not None
    assert reply.text.endswith(messages.SECOND_ANSWER.format(title=loan.title, text=GIST))
    assert loan_kb.cite(loan.sources[0]) in reply.sources
    # Without a gist, the second question is only offered.
    plain = _reply(bare_kb, bare_engine, question)
    assert [s.id for s in plain.also] == [LOAN] and loan.title not in plain.text


def test_the_second_question_gets_its_facet_answer_when_it_asks_a_facet(loan_kb, loan_engine):
    reply = _reply(loan_kb, loan_engine,
                   "học trung cấp có được miễn học phí không với lại vay vốn đi học được bao nhiêu")
    assert [s.id for s in reply.also] == [LOAN]
    assert HOW_MUCH in reply.text and GIST not in reply.text


def test_a_remembered_reply_is_focused_only_after_the_topic_it_answers(loan_kb, loan_engine):
    loan_engine = rules_only(loan_kb, loan_engine)  # which replies are shared: the rules'
    assistant = Assistant(loan_kb, loan_engine, today=lambda: TODAY)
    question = "vay vốn đi học cao đẳng thì được bao nhiêu tiền một tháng"
    elsewhere = assistant.timed_answer(question, "overseas.costs")
    after_loan = assistant.timed_answer(question, LOAN)
    again = assistant.timed_answer(question, "vet.levels")
    assert elsewhere.reply.entry_id == after_loan.reply.entry_id == LOAN
    assert after_loan.reply.text == HOW_MUCH and not after_loan.cached
    assert elsewhere.reply.text != HOW_MUCH
    assert again.cached and again.reply == elsewhere.reply
    for previous in ("overseas.costs", LOAN, "vet.levels"):
        assert assistant.answer(question, previous) == _reply(loan_kb, loan_engine, question,
                                                              previous)


def test_what_comes_next_after_the_survey_stays_on_the_survey(kb, engine):
    """"làm xong rồi thì sao" right after the survey asks what happens after it (the `next`
    facet), not what to do after finishing school ("xong" read as "học xong")."""
    survey = kb.get("bot.survey")
    assert survey is not None and survey.facet("next") == "bot.survey"
    for message in ("làm xong rồi thì sao", "lam xong roi sao nua ad"):
        reply = _reply(kb, engine, message, "bot.survey")
        assert reply.entry_id == "bot.survey"
        assert reply.text.startswith(survey.facet_answer("next") or "?")
    # Without the survey just shown, the same words are not about it.
    alone = engine.ask("làm xong rồi thì sao")
    assert alone.entry is None or alone.entry.id != "bot.survey"


def test_a_second_question_the_lexical_ranking_is_unsure_of_is_read_by_the_model(engine):
    """"Đi làm sao cho khỏi bị lừa?" shares few words with the scams topic's phrasings: the
    lexical ranking alone only suggests it, so a parent's second question was dropped."""
    message = ("Phải đóng 200 triệu cho công ty môi giới thì có đúng luật không? Đi làm sao "
               "cho khỏi bị lừa?")
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id == "overseas.costs"
    assert [e.id for e in result.also] == ["overseas.scams"]
    off = Engine(engine.kb, dataclasses.replace(engine.tuning, model_when_unsure=False),
                 model=engine.model, context_model=engine.context_model)
    assert not off.ask(message).also


def test_a_confirming_question_asks_about_the_clause_it_closes_beside_another_question(engine):
    """"Tôi nghe phải đóng 200 triệu, có đúng không? Đi sao cho khỏi bị lừa?": the claim the
    parent asks to confirm is a question too, so both are answered, whichever comes first."""
    message = ("Chào bạn. Nhà tôi ở Thủ Thừa, con tôi muốn đi Nhật. Tôi nghe phải đóng 200 "
               "triệu cho công ty môi giới, có đúng không? Đi làm sao cho khỏi bị lừa?")
    asking = [c.text for c in focus.clauses(message) if c.asking]
    assert asking[0].startswith("Tôi nghe phải đóng 200 triệu")
    result = engine.ask(message)
    assert result.entry is not None
    assert {result.entry.id, *(e.id for e in result.also)} == {"overseas.costs", "overseas.scams"}


def test_a_sentence_around_a_keyword_is_answered_not_offered(engine):
    """"em không biết mình thích nghề gì" has two content words, like the bare keyword
    "thích nghề", but it is a sentence: answered (choosing a career), not a did-you-mean.
    A keyword alone ("học phí") is still offered as a choice."""
    said = engine.ask("e hong biet minh thich nghe gi luon")
    assert said.kind is Kind.ANSWER and said.entry is not None
    assert said.entry.id == "guidance.choose-career"
    assert engine.ask("học phí").kind is Kind.SUGGEST
    off = Engine(engine.kb, dataclasses.replace(engine.tuning, bare_tokens=0),
                 model=engine.model, context_model=engine.context_model)
    assert off.ask("e hong biet minh thich nghe gi luon").kind is Kind.SUGGEST


def test_a_facet_the_topic_leaves_to_another_is_answered_under_it(kb, engine):
    """"muốn học trung cấp miễn phí thì học ở đâu", one clause: the exemption answers it, but
    where to study is the admission topic's (the exemption's facet table says so), and its
    short answer comes under the first, as a second question's would."""
    message = "muốn học trung cấp miễn phí thì học ở đâu"
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id == "tuition.trung-cap-free"
    target = kb.get(result.entry.facet("where") or "")
    assert target is not None and target is not result.entry
    assert [e.id for e in result.also] == [target.id]
    reply = compose(kb, result, TODAY)
    assert (target.facet_answer("where") or "?") in reply.text
    off = Engine(engine.kb, dataclasses.replace(engine.tuning, implied_facets=False),
                 model=engine.model, context_model=engine.context_model)
    assert not off.ask(message).also
