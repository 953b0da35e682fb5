"""How the engine reads a message inside a conversation (issue 18, round 7): the amount one
may borrow asked after a topic, the diploma a programme needs, and facet tables that follow
what the corpus conversations ask next. The phrasings are this file's own (none from a set)."""

from __future__ import annotations

import pytest

from bot.answering import text
from bot.answering.retrieval import Engine


def _answered(engine: Engine, message: str, previous: str | None = None) -> str | None:
    result = engine.ask(message, previous)
    return result.entry.id if result.entry is not None else None


@pytest.mark.parametrize(("shown", "loan"), [
    ("tuition.general-school", "support.student-loan"),
    ("tuition.trung-cap-free", "support.student-loan"),
    ("overseas.costs", "overseas.loan"),
])
def test_how_much_one_may_borrow_after_a_topic_asks_its_loan(engine, shown, loan):
    """"vay dc nhiu" is a loan's amount, not the amount of what was just shown (the fee)."""
    for message in ("vay dc nhiu", "vay được tối đa bao nhiêu"):
        assert _answered(engine, message, shown) == loan, message
    # the fee itself is still the topic's own amount
    assert _answered(engine, "đóng bao nhiêu", "overseas.costs") == "overseas.costs"


def test_the_diploma_a_programme_needs_is_its_requirements(engine):
    """"cần" is a stopword: "cần bằng gì" used to keep "bằng" alone, the written contract."""
    assert text.canonical("cần bằng gì") == "bang cap gi"
    assert _answered(engine, "qua Đài Loan làm cần bằng gì hông") == "overseas.requirements"
    assert _answered(engine, "hợp đồng có cần bằng văn bản không") == "overseas.rights"


@pytest.mark.parametrize(("shown", "message", "topic"), [
    ("overseas.loan", "còn đi Đài Loan thì sao", "overseas.loan"),
    ("college.admission-fair", "ở Đức Hòa có tổ chức không", "college.admission-fair"),
    ("streaming.what-is", "tỉnh mình phải đạt bao nhiêu phần trăm", "streaming.targets"),
])
def test_facet_tables_follow_the_corpus_conversations(engine, shown, message, topic):
    assert _answered(engine, message, shown) == topic


@pytest.mark.parametrize("message", [
    "dạ để con về bàn lại với ba nó",
    "ok để e coi lại",
    "vậy để tui lên xã hỏi lại cho chắc, cám ơn nha",
])
def test_a_closing_that_says_what_comes_next_is_no_question(engine, message):
    """After an answer, "để em ..." says what the writer will do next: a closing, answered as
    thanks, not the topic again."""
    result = engine.ask(message, "overseas.loan")
    assert result.entry is None and result.thanks


@pytest.mark.parametrize("message", [
    "để em học nghề có được vay không",
    "de e di hoc hay di lam thi tot hon",
    "để con đi Nhật thì cần bao nhiêu tiền?",
])
def test_a_question_that_starts_with_de_is_still_a_question(engine, message):
    assert engine.ask(message, "overseas.loan").entry is not None
