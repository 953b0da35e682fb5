"""Answers that lead with what was asked about going abroad: a service fee stated in months of
wage, with the contract's length, is set against the cap first (free typing 14: "3 tháng lương
cho hợp đồng 1 năm" got the caps but no verdict); a tattoo asked about gets what the bot knows.
The phrasings are this file's own."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.answering import service_fee
from bot.answering.answers import compose
from bot.answering.context import Context
from bot.answering.knowledge import FeeCap, KnowledgeBase
from bot.answering.retrieval import Engine, Kind

TODAY = dt.date(2026, 12, 7)
CAP = FeeCap(per_year=1, at_most=3, law="Điều 23")


@pytest.mark.parametrize(("question", "fee", "months"), [
    ("công ty đòi phí dịch vụ 3 tháng lương cho hợp đồng đi làm 1 năm", 3, 12),
    ("hđ 36 tháng mà thu 2 tháng tiền lương", 2, 36),
    ("phi dich vu ba thang ruoi luong, hop dong hai nam", 3.5, 24),
    ("2 năm hợp đồng, họ lấy 1,5 tháng lương tiền dịch vụ", 1.5, 24),
    ("ky 3 nam, thu 4 thang luong", 4, 36),
])
def test_the_fee_and_the_contract_are_read(question: str, fee: float, months: float) -> None:
    assert service_fee.demand(question) == service_fee.Demand(fee, months)


@pytest.mark.parametrize("question", [
    "tiền dịch vụ đi Nhật tối đa bao nhiêu",
    "lương 3 tháng đầu ở Nhật được bao nhiêu",  # a wage, no contract's length
    "hợp đồng 3 năm thì phí dịch vụ bao nhiêu",  # a contract, no fee stated
    "3 tháng lương",
])
def test_nothing_is_read_unless_both_are_stated(question: str) -> None:
    assert service_fee.demand(question) is None


def test_the_cap_grows_with_the_contract_up_to_its_most() -> None:
    assert "tối đa 1 tháng lương" in service_fee.Demand(2, 12).line(CAP)
    assert "tối đa 1,5 tháng lương" in service_fee.Demand(2, 18).line(CAP)
    assert "tối đa 3 tháng lương" in service_fee.Demand(2, 48).line(CAP)
    assert "trái luật" in service_fee.Demand(2, 12).line(CAP)
    assert "trong mức trần" in service_fee.Demand(1, 12).line(CAP)
    assert "trong mức trần" in service_fee.Demand(3, 48).line(CAP)


@pytest.mark.parametrize(("question", "verdict"), [
    ("Chào em, công ty bên Sài Gòn đòi phí dịch vụ 3 tháng lương cho hợp đồng đi làm 1 năm, "
     "vậy có đúng luật không?", "trái luật"),
    ("hd 3 nam ma cty thu 2 thang luong tien dich vu co dc ko", "trong mức trần"),
    # a scam question about a fee is set against the costs topic's cap
    ("ông môi giới đòi 4 tháng lương, hợp đồng 3 năm, có phải lừa đảo không", "trái luật"),
])
def test_the_verdict_opens_the_answer(kb: KnowledgeBase, engine: Engine, question: str,
                                      verdict: str) -> None:
    result = engine.ask(question)
    assert result.kind is Kind.ANSWER and result.entry is not None
    assert result.entry.id.startswith("overseas.")
    first = compose(kb, result, TODAY).text.split("\n")[0]
    assert verdict in first and "Luật 69/2020/QH14" in first


def test_the_cap_is_knowledge(kb: KnowledgeBase) -> None:
    capped = [e for e in kb.entries if e.fee_cap is not None]
    assert [e.id for e in capped] == ["overseas.costs"]
    cap = capped[0].fee_cap
    assert cap is not None and (cap.per_year, cap.at_most) == (1, 3)


def test_an_answer_without_a_fee_stated_is_unchanged(kb: KnowledgeBase, engine: Engine) -> None:
    result = engine.ask("tiền dịch vụ đi xuất khẩu lao động tối đa bao nhiêu")
    assert result.entry is not None
    assert not compose(kb, result, TODAY).text.startswith("Hợp đồng")


@pytest.mark.parametrize(("previous", "question"), [
    ("overseas.requirements", "có hình xăm thì sao"),
    ("overseas.markets", "xăm mình có đi được không"),
])
def test_a_tattoo_asked_after_going_abroad_gets_what_the_bot_knows_of_it(
        kb: KnowledgeBase, engine: Engine, previous: str, question: str) -> None:
    # Free typing 14: a tattoo question for Japan was ignored. The bot has no standard to give;
    # it says who sets it and whom to ask, first.
    result = engine.ask(question, Context(topic=previous))
    assert result.entry is not None and result.entry.id == "overseas.requirements"
    first = compose(kb, result, TODAY).text.split("\n")[0]
    assert "hình xăm" in first and "doanh nghiệp được cấp phép" in first
