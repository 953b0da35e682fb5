"""Issue 18, round 21: what the development half of the round's conversations and the seen
sets showed. The phrasings are this file's own, never a judged message."""

from __future__ import annotations

import pytest

from bot.answering import text
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine, Kind


def _after(engine: Engine, first: str, then: str) -> str | None:
    shown = engine.ask(first)
    assert shown.entry is not None
    result = engine.ask(then, shown.context)
    return result.entry.id if result.entry else None


@pytest.mark.parametrize(("first", "then", "topic"), [
    # "when": the topic that knows its dates keeps the question
    ("ngày hội tư vấn tuyển sinh là gì vậy", "tháng mấy thì tổ chức", "college.admission-fair"),
    ("muốn vào trung cấp thì đăng ký tuyển sinh sao", "chừng nào trường nhận hồ sơ",
     "college.admission"),
    # "mất phí" asks the cost: after the college, the trung cấp exemption answers it
    ("trường Cao đẳng Long An dạy những ngành gì", "học ở đó có mất phí không",
     "tuition.trung-cap-free"),
    # "học phí có mất không" asks whether studying is free
    ("chương trình 9+ là gì vậy", "vậy học phí có mất không", "tuition.trung-cap-free"),
    # "why" after the targets is the reason the province streams students
    ("chỉ tiêu phân luồng của tỉnh là bao nhiêu", "sao lại phải đặt ra chỉ tiêu đó",
     "streaming.what-is"),
])
def test_a_facet_of_the_topic_shown(engine: Engine, first: str, then: str, topic: str) -> None:
    assert _after(engine, first, then) == topic


def test_a_synonym_put_in_makes_no_message_longer() -> None:
    # "học nghề" is read "học nghề giáo dục nghề nghiệp": four more words than typed, which
    # made a short follow-up too long to be a facet of the topic shown
    typed = "mà đi học nghề thì có tốn tiền hông"
    assert len([t for t in text.analyze(typed) if not t.stop]) > text.typed_length(typed)
    assert text.typed_length(typed) == text.typed_length("mà đi học may thì có tốn tiền hông")


def test_the_cost_of_a_trade_after_the_routes_after_grade9(engine: Engine) -> None:
    assert _after(engine, "hết lớp 9 thì có những đường nào để đi",
                  "còn học nghề thì có tốn tiền hông") == "tuition.trung-cap-free"


@pytest.mark.parametrize("message", [
    "năm nay thi vào lớp 10 bữa nào vậy ad",
    "kỳ thi tuyển lớp 10 tổ chức khi nào",
    "đợt thi EPS-TOPIK sắp tới là ngày nào",
])
def test_the_date_of_an_exam_is_no_topic(engine: Engine, message: str) -> None:
    result = engine.ask(message)
    assert result.kind is Kind.FALLBACK and result.note is not None
    assert "lịch thi" in result.note


def test_failing_the_exam_is_still_its_topic(engine: Engine) -> None:
    result = engine.ask("thi vào lớp 10 rớt rồi thì khi nào đăng ký học trung cấp")
    assert result.entry is not None
    assert result.entry.id in ("streaming.grade10-failed", "college.admission")


def test_the_exam_dates_words_are_not_taught_as_out_of_scope(kb: KnowledgeBase) -> None:
    # taught alone, "khi nào", "tháng sau" drew in-scope questions to the out-of-scope class
    from bot.answering.intent_model import OUT, training_set

    rule = next(r for r in kb.out_of_scope if r.id == "exam-dates")
    assert not rule.learned
    texts, labels = training_set(kb)
    taught = {t for t, label in zip(texts, labels, strict=True) if label == OUT}
    assert not any(f" {phrase} " in f" {t} " for t in taught for phrase in ("tháng sau",
                                                                              "đợt tới"))


@pytest.mark.parametrize("message", [
    "sau này con muốn mở tiệm may riêng thì giờ nên học nghề gì",
    "e muốn mở quán cơm sau này, vậy nên học nghề nào trước",
])
def test_opening_a_shop_asks_which_trade_to_learn(engine: Engine, message: str) -> None:
    result = engine.ask(message, Context(topic="streaming.after-grade9"))
    assert result.entry is not None and result.entry.id == "guidance.choose-career"


def test_the_answer_says_to_learn_the_shops_trade_first(kb: KnowledgeBase) -> None:
    entry = kb.get("guidance.choose-career")
    assert entry is not None and "tự mở tiệm" in entry.details


@pytest.mark.parametrize("message", [
    "nhà tui nghèo, con muốn đi Hàn mà không có tiền đóng phí",
    "e muon qua nhat lam ma nha ko co tien dong phi, sao gio ad",
])
def test_no_money_for_the_fees_abroad_is_the_workers_loan(engine: Engine, message: str) -> None:
    # free typing 21: the fee caps were shown to a poor family; what it needs is the loan
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id == "overseas.loan"


def test_studying_abroad_says_first_what_it_is(kb: KnowledgeBase) -> None:
    # free typing 21: the answer opened on another province's plan
    entry = kb.get("overseas.study-abroad")
    assert entry is not None
    first = entry.answer.splitlines()[0]
    assert "không phải đi làm" in first and "ngoại ngữ" in first and "visa du học" in first


@pytest.mark.parametrize(("first", "then", "lead"), [
    ("em muốn học trung cấp ngành may", "mất bao lâu", "Trung cấp: học 1-2 năm"),
    ("cao đẳng là học gì vậy ad", "học hết mấy năm", "Cao đẳng: học 2-3 năm"),
])
def test_how_long_after_a_level_leads_with_that_level(engine: Engine, kb: KnowledgeBase,
                                                       first: str, then: str,
                                                       lead: str) -> None:
    # free typing 21: the sentence for every level, the one named buried in it
    import datetime as dt

    from bot.answering.answers import compose

    shown = engine.ask(first)
    result = engine.ask(then, shown.context)
    assert result.entry is not None and result.entry.id == "vet.levels"
    assert compose(kb, result, dt.date(2026, 12, 8)).text.startswith(lead)
