"""What a follow-up gets (issue 18, round 9): where to study and what it costs after a VET
level, a country's own requirements line, the legal fee ceiling in the scam checklist. The
phrasings are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt

from bot.answering import knowledge
from bot.answering.answers import compose
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from tests.near_domain_checks import assert_declined, assert_not_declined

TODAY = dt.date(2026, 12, 6)


def _chat(engine: Engine, kb: KnowledgeBase, *messages: str) -> list[tuple[str | None, str]]:
    """Each message read after the ones before it, as the chat reads them: (topic, text)."""
    ctx: Context | None = None
    replies = []
    for message in messages:
        result = engine.ask(message, ctx)
        ctx = result.context
        replies.append((result.entry.id if result.entry is not None else None,
                        compose(kb, result, TODAY).text))
    return replies


def test_where_to_study_after_the_levels_names_the_schools_not_the_college_s_address(engine, kb):
    (_, _), (topic, where) = _chat(engine, kb, "trung cấp học mấy năm vậy", "vậy học ở đâu")
    assert topic == "college.long-an"
    first = where.splitlines()[0]
    assert "trường trung cấp" in first and "Trường Cao đẳng Long An" in first
    # "ở đâu" alone after the college itself is still where the college is
    assert engine.ask("trường ở đâu", "college.long-an").asked == ("where",)


def test_what_it_costs_after_where_to_study_is_the_exemption_and_says_so_for_cao_dang(engine, kb):
    replies = _chat(engine, kb, "trung cấp học mấy năm vậy", "vậy học ở đâu", "học có tốn tiền ko")
    topic, cost = replies[-1]
    assert topic == "tuition.trung-cap-free"
    assert "miễn 100% học phí" in cost and "Cao đẳng không tự động được miễn" in cost
    assert "238/2025" in cost  # the exemption may have changed: said with the answer


def test_a_country_named_with_the_requirements_leads_with_that_country_s_own_line(engine, kb):
    for message, name, own in (("di nhat lam viec can dieu kien gi", "Nhật Bản", "tiếng Nhật"),
                               ("qua Đức làm điều dưỡng cần những điều kiện gì", "Đức",
                                "tiếng Đức")):
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == "overseas.requirements", message
        first = compose(kb, result, TODAY).text.splitlines()[0]
        assert first.startswith(f"{name}: ") and own in first, message
    # under another topic the country keeps its general line
    costs = compose(kb, engine.ask("đi Nhật tốn bao nhiêu tiền"), TODAY).text.splitlines()[0]
    assert costs.startswith("Nhật Bản: ") and "tiếng Nhật" not in costs


def test_a_topic_line_for_an_unknown_topic_fails_the_check(knowledge_copy):
    path = knowledge_copy / "data" / "entities.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "      overseas.requirements: >-\n        Hai diện",
        "      overseas.no-such-topic: >-\n        Hai diện", 1), encoding="utf-8")
    problems = knowledge.check(knowledge_copy)
    assert any("overseas.no-such-topic" in str(p) for p in problems)


def test_the_scam_checklist_gives_the_legal_fee_ceiling(engine, kb):
    result = engine.ask("nghe nói thu tiền quá mức trần là lừa, dấu hiệu lừa đảo là gì")
    assert result.entry is not None and result.entry.id == "overseas.scams"
    shown = compose(kb, result, TODAY).text
    assert "1 tháng lương mỗi 12 tháng hợp đồng" in shown and "Điều 23" in shown


def test_where_and_how_to_apply_for_the_student_loan_do_not_say_the_same_thing_twice(engine, kb):
    result = engine.ask("nộp hồ sơ ở đâu", "support.student-loan")
    lines = compose(kb, result, TODAY).text.splitlines()
    assert sum("UBND xã/phường nơi gia đình cư trú" in line for line in lines) == 1


def test_a_trade_named_with_where_to_study_after_a_topic_is_where_trades_are_taught(engine):
    # the topic shown has no say: where to learn a trade is the same question after any topic
    for before in ("guidance.labor-market", "tuition.other-exemptions", "overseas.costs"):
        result = engine.ask("vậy muốn học nghề may thì học trường nào", before)
        assert result.entry is not None and result.entry.id == "college.long-an", before
        assert result.asked == ("study-where",), before


def test_a_swap_then_a_reason_reads_as_the_swap(engine):
    # the first clause swaps what was named before; the rest only says why
    result = engine.ask("còn Nhật thì sao, nghe nói bên đó đang cần người lắm", "overseas.costs")
    assert result.entry is not None and result.entry.id == "overseas.costs"
    assert result.context.country == "Nhật Bản"
    result = engine.ask("còn Úc thì sao, bạn em mới qua đó", "overseas.scams")
    assert result.entry is not None and result.entry.id == "overseas.markets"
    # a first clause that names nothing is not a swap
    assert engine._swap_then_why("còn vụ đó thì sao, nghe nói khó lắm",
                                 engine.kb.get("overseas.costs")) is None


def test_one_place_s_opening_hours_are_declined_with_whom_to_ask(engine):
    assert_declined(engine, "opening-hours", "trung tâm dịch vụ việc làm mấy giờ mở cửa vậy",
                    "phòng giao dịch ngân hàng chính sách đóng cửa mấy giờ")
    # what the office does is still answered
    assert_not_declined(engine, "trung tâm dịch vụ việc làm giúp được gì")


def test_a_health_condition_after_the_programmes_abroad_asks_the_requirements(engine):
    result = engine.ask("bị bệnh gan thì khám sức khỏe có qua được không", "overseas.markets")
    assert result.entry is not None and result.entry.id == "overseas.requirements"


def test_figures_achieved_are_declined_and_the_target_still_answered(engine):
    for message in ("năm ngoái Thủ Thừa thực tế đạt bao nhiêu phần trăm",
                    "năm rồi có bao nhiêu bạn đi học nghề"):
        near = engine._near_domain(message)
        assert near is not None and near.id == "achieved-figures", message
    # "đặt" folds onto "đạt": the target asked is still the target
    assert engine._near_domain("cả nước thì đặt bao nhiêu phần trăm") is None
    assert engine._near_domain("mai ở Cần Đước có mưa không") is not None


def test_where_a_trade_is_taught_is_where_to_study_it(engine):
    # "dạy" asks where it is taught, as "học" asks where to learn it
    result = engine.ask("chỗ nào dạy sửa xe máy")
    assert result.entry is not None and result.entry.id == "college.long-an"
    assert result.asked == ("study-where",)


def test_which_language_centre_is_declined_and_whether_a_language_is_needed_answered(engine):
    for message in ("trung tâm tiếng Nhật nào ở Tân An dạy tốt", "hoc tieng o dau vay ad"):
        near = engine._near_domain(message)
        assert near is not None and near.id == "language-school", message
    for message in ("đi Hàn có cần học tiếng không", "phải học tiếng tới trình độ nào"):
        assert engine._near_domain(message) is None, message
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == "overseas.requirements", message
