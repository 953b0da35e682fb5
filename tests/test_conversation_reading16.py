"""Issue 18, round 16: a message that tells of a feeling beside its question. The phrasings
are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages
from bot.answering.answers import compose
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine, Kind

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize("question", [
    "Tôi lo quá, con gái tôi học xong lớp 9 mà muốn học trung cấp, vậy có được miễn học phí không?",
    "em ap luc lam, hoc trung cap co dc mien hoc phi ko ad",
    "ba me em ly di, em muon hoc trung cap thi co mat hoc phi hong",
])
def test_a_feeling_told_beside_a_question_opens_the_answer_kindly(
        kb: KnowledgeBase, engine: Engine, question: str) -> None:
    result = engine.ask(question)
    assert result.kind is Kind.ANSWER and result.entry is not None
    assert result.entry.id == "tuition.trung-cap-free"
    reply = compose(kb, result, TODAY)
    assert reply.text.startswith(messages.FEELING + "\n")
    assert "miễn 100% học phí" in reply.text  # the answer follows, whole


@pytest.mark.parametrize("question", [
    "học trung cấp có được miễn học phí không",
    # "buôn bán" folds to the same letters as "buồn bán": only the feeling's phrases count
    "nhà em buôn bán nhỏ, học trung cấp có được miễn học phí không",
    "so sánh học phí trung cấp với cao đẳng, trung cấp có được miễn không",
    # "rồi qua đó" folds like "rầu quá", "lo làm" like "lo lắm", "sở làm" like "sợ lắm"
    "học xong lớp 9 rồi qua đó học trung cấp thì có được miễn học phí không",
    "ba má em lo làm ăn, em học trung cấp có được miễn học phí không",
    "hoc xong roi qua do hoc trung cap co dc mien hoc phi ko",
])
def test_no_kind_line_without_a_feeling(kb: KnowledgeBase, engine: Engine,
                                        question: str) -> None:
    reply = compose(kb, engine.ask(question), TODAY)
    assert messages.FEELING not in reply.text
    assert reply.text


def test_a_feeling_with_nothing_the_bot_answers_still_gets_the_kind_line_first(
        kb: KnowledgeBase, engine: Engine) -> None:
    result = engine.ask("chán quá đi mất, hôm nay trời mưa hoài")
    assert result.kind is Kind.FALLBACK
    reply = compose(kb, result, TODAY)
    assert reply.text.startswith(messages.FEELING + "\n")


@pytest.mark.parametrize("question", [
    "Chào chị, trung tâm ở Tân An nói con tôi cứ đi visa du học rồi qua bển đi làm như lao động, "
    "lời hơn đi xuất khẩu lao động. Vậy có nên nghe không chị?",
    "trung tam noi di visa du lich qua nhat roi lam luon, chi phi het bao nhieu",
])
def test_a_students_or_tourists_visa_to_work_is_read_as_a_scams_sign(
        engine: Engine, question: str) -> None:
    result = engine.ask(question)
    assert result.entry is not None and result.entry.id == "overseas.scams"


def test_studying_abroad_while_working_is_still_studying_abroad(engine: Engine) -> None:
    # a lawful programme named alone is no sign: only a visa used to work is
    result = engine.ask("du học Hàn diện vừa học vừa làm thì cần chuẩn bị gì")
    assert result.entry is not None and result.entry.id == "overseas.study-abroad"


def test_a_school_type_named_with_its_cost_after_another_topic_gets_its_tuition(
        engine: Engine) -> None:
    # after the scholarships, "cấp 3" named with the cost: public upper-secondary tuition
    from bot.answering.context import Context
    for message in ("vậy học cấp 3 thì có tốn tiền không", "con hoc cap 3 co ton tien hk"):
        result = engine.ask(message, Context(topic="support.scholarship-boarding"))
        assert result.entry is not None and result.entry.id == "tuition.general-school", message
    same = engine.ask("có mất tiền không", Context(topic="support.scholarship-boarding"))
    assert same.entry is not None and same.entry.id == "support.scholarship-boarding"
