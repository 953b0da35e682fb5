"""Issues 18 and 19, round 18: what the development half of the round's conversations showed.
The phrasings are this file's own, never a judged message."""

from __future__ import annotations

import pytest

from bot.answering.context import Context
from bot.answering.retrieval import Engine, Kind


@pytest.mark.parametrize(("question", "previous"), [
    ("trường đó có chỗ ở cho học sinh ở xa không", "streaming.nine-plus"),
    ("vậy có chỗ ở lại trong trường không con", "college.long-an"),
    ("còn tiền ăn ở thì nhà nước có giúp không", "tuition.trung-cap-free"),
    ("học trung cấp xa nhà thì có chỗ ở không", None),
])
def test_a_place_to_stay_while_studying_is_the_boarding_topic(engine: Engine, question: str,
                                                              previous: str | None) -> None:
    # "chỗ ở" (a place to stay) and "tiền ăn ở" (food and lodging) say boarding (nội trú)
    result = engine.ask(question, Context(topic=previous))
    assert result.kind is Kind.ANSWER and result.entry is not None
    assert result.entry.id == "support.scholarship-boarding"


@pytest.mark.parametrize("question", ["nói gọn lại giùm", "tóm tắt lại đi ad",
                                      "nói gọn giùm bác"])
def test_asking_for_a_shorter_answer_keeps_the_topic(engine: Engine, question: str) -> None:
    result = engine.ask(question, Context(topic="support.student-loan"))
    assert result.entry is not None and result.entry.id == "support.student-loan"


@pytest.mark.parametrize("previous", ["overseas.costs", "overseas.scams"])
def test_going_the_right_way_after_the_costs_or_scams_is_the_programmes(engine: Engine,
                                                                        previous: str) -> None:
    result = engine.ask("muốn đi cho đúng đường thì đi sao", Context(topic=previous))
    assert result.entry is not None and result.entry.id == "overseas.markets"


def test_a_lower_secondary_child_wanting_to_quit_for_work_gets_the_routes(engine: Engine) -> None:
    # free typing 15: a widow's son in lớp 9 wanting to quit got "is a diploma worth it"
    result = engine.ask("Chào bạn, tôi nuôi con một mình. Thằng nhỏ học lớp 9 cứ đòi nghỉ học "
                        "đi làm phụ tôi, giờ tôi phải làm sao?")
    assert result.kind is Kind.ANSWER and result.entry is not None
    assert result.entry.id == "streaming.after-grade9"


def test_how_much_one_may_borrow_after_the_costs_is_the_loan(engine: Engine) -> None:
    # free typing 16: "vay được nhiều" (unaccented "nhiêu") after the costs repeated the costs
    result = engine.ask("vậy vay được nhiều không", Context(topic="overseas.costs"))
    assert result.entry is not None and result.entry.id == "overseas.loan"


@pytest.mark.parametrize("question", ["cty may ở Bến Lức trả lương một tháng bao nhiêu vậy",
                                      "xưởng gỗ gần nhà em lương tháng nhiêu ad"])
def test_one_companys_wage_is_declined_with_whom_to_ask(engine: Engine, question: str) -> None:
    # no topic holds a company's wages (knowledge/data/out_of_scope.yaml: company-wage), not
    # even right after the labour market
    for previous in (None, "guidance.labor-market"):
        assert engine.ask(question, Context(topic=previous)).kind is not Kind.ANSWER


def test_a_trades_wage_after_training_is_not_a_companys(engine: Engine) -> None:
    result = engine.ask("học nghề hàn xong vào công ty thì lương bao nhiêu")
    assert result.kind is Kind.ANSWER and result.entry is not None
