"""Issues 18 and 19, round 17: what free typing 15 found (seen, fixed after the run). The
phrasings are this file's own, never a free-typed or judged message."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering.answers import compose
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine, Kind
from bot.answering.safety import Concern

TODAY = dt.date(2026, 12, 7)


def _first_line(kb: KnowledgeBase, engine: Engine, question: str, previous: str) -> str:
    result = engine.ask(question, Context(topic=previous))
    assert result.kind is Kind.ANSWER and result.entry is not None
    return compose(kb, result, TODAY).text.split("\n")[0]


@pytest.mark.parametrize("question", [
    "nó về nước trước hạn thì có được hỗ trợ gì không",
    "lỡ phải về sớm thì sao, có ai hỗ trợ không",
])
def test_coming_home_early_gets_the_fund_first(kb: KnowledgeBase, engine: Engine,
                                               question: str) -> None:
    first = _first_line(kb, engine, question, "overseas.rights")
    assert "Quỹ Hỗ trợ việc làm ngoài nước" in first and "40/2021" in first


def test_who_reads_a_survey_is_answered_first(kb: KnowledgeBase, engine: Engine) -> None:
    first = _first_line(kb, engine, "câu trả lời khảo sát ai được xem vậy", "bot.survey")
    assert first.startswith("Chỉ thầy cô") and "/xoadulieu" in first


def test_whom_to_ask_at_school_after_the_work_day_programme(kb: KnowledgeBase,
                                                            engine: Engine) -> None:
    result = engine.ask("muốn đi thì hỏi ai ở trường", Context(topic="guidance.startup"))
    assert result.entry is not None and result.entry.id == "guidance.counselor"
    assert "thầy cô tư vấn hướng nghiệp" in compose(kb, result, TODAY).text.split("\n")[0]


def test_the_rights_abroad_say_whom_to_call(kb: KnowledgeBase) -> None:
    rights = kb.get("overseas.rights")
    assert rights is not None
    assert "Đại sứ quán" in rights.answer and "doanh nghiệp đã đưa đi" in rights.answer


@pytest.mark.parametrize("question", [
    "dang ky xet tuyen trung cap khi nao het han vay ad",
    "nộp hồ sơ cao đẳng bao giờ hết hạn",
])
def test_a_deadline_typed_without_accents_is_not_korea(engine: Engine, question: str) -> None:
    result = engine.ask(question)
    assert result.mentioned.country is None
    assert all(not a.id.startswith("overseas.") for a in result.also)
    assert result.entry is None or not result.entry.id.startswith("overseas.")


@pytest.mark.parametrize("question", ["qua han lam viec can gi", "thôi, Hàn thì sao"])
def test_korea_is_still_korea(engine: Engine, question: str) -> None:
    assert engine.ask(question).mentioned.country == "Hàn Quốc"


def test_pay_withheld_and_a_passport_held_abroad_is_abuse(kb: KnowledgeBase) -> None:
    found = kb.safety.detect("em gái tôi làm ở Malaysia, chủ không trả lương rồi còn giữ "
                             "passport, nhà phải làm sao")
    assert found is not None and found.concern is Concern.ABUSE and found.abroad


@pytest.mark.parametrize("question", [
    "công ty giữ hộ chiếu mà không trả lương thì có đúng luật không",
    "nếu bị giữ hộ chiếu, không trả lương thì báo ai",
])
def test_asking_about_those_rights_is_no_alarm(kb: KnowledgeBase, question: str) -> None:
    assert kb.safety.detect(question) is None


def test_a_guaranteed_offer_seen_on_social_media_is_a_scam_question(
        kb: KnowledgeBase, engine: Engine) -> None:
    question = ("Trên TikTok có người quảng cáo đóng 120 triệu bao đậu đi Hàn không cần thi, "
                "con tôi muốn đi, vậy có tin được không")
    assert kb.safety.detect(question) is None
    result = engine.ask(question)
    assert result.entry is not None and result.entry.id == "overseas.scams"
