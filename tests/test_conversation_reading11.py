"""What a follow-up gets (issue 18, round 11): a facet the topic shown has no row for is the
level's named earlier (facets.yaml `levels`); the exemptions lead with what they mean for the
level named; what a trade earns after the levels or a college; when a loan is repaid. The
phrasings are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.answering import knowledge
from bot.answering.answers import compose
from tests.near_domain_checks import assert_declined, assert_not_declined, chat

TODAY = dt.date(2026, 12, 7)


def test_how_much_after_the_routes_is_the_level_named_before(engine, kb):
    opening, fees = chat(engine, "cháu nhà tôi xong lớp 12 rồi, định vô cao đẳng học nghề dược",
                          "vậy học phí hết bao nhiêu")
    assert opening.entry is not None and not opening.entry.id.startswith("tuition.")
    assert opening.context is not None and opening.context.level == "Cao đẳng"
    assert fees.entry is not None and fees.entry.id == "tuition.other-exemptions"
    first = compose(kb, fees, TODAY).text.splitlines()[0]
    assert first.startswith("Cao đẳng:") and "không tự động được miễn" in first
    # trung cấp named before: the exemption for THCS graduates
    _, fees = chat(engine, "em học xong lớp 9 muốn vô trung cấp", "có tốn tiền hông")
    assert fees.entry is not None and fees.entry.id == "tuition.trung-cap-free"
    # no level named: the routes' own reading (no level row to take)
    _, fees = chat(engine, "cháu nhà tôi xong lớp 12 rồi thì học gì", "vậy học phí hết bao nhiêu")
    assert fees.entry is None or fees.entry.id != "tuition.other-exemptions"


def test_the_exemptions_lead_with_the_level_asked_about(engine, kb):
    asked = engine.ask("học cao đẳng thì có ai được miễn học phí không ạ")
    assert asked.entry is not None and asked.entry.id == "tuition.other-exemptions"
    assert compose(kb, asked, TODAY).text.startswith("Cao đẳng: không tự động được miễn")
    plain = engine.ask("con tôi mồ côi cha, học nghề có được miễn học phí không")
    assert plain.entry is not None and plain.entry.id == "tuition.other-exemptions"
    text = compose(kb, plain, TODAY).text
    assert not text.startswith("Cao đẳng") and not text.startswith("Học cao đẳng")


def test_what_a_trade_earns_after_a_college_answer(engine, kb):
    for opening in ("trường cao đẳng long an dạy nghề gì", "trung cấp học mấy năm vậy"):
        _, pay = chat(engine, opening, "học xong đi làm lương được nhiêu")
        assert pay.entry is not None and pay.entry.id == "vet.degree-value", opening
        assert pay.asked == ("salary",) and pay.focused
        assert compose(kb, pay, TODAY).text.startswith("Bot không có số liệu lương")


def test_when_a_loan_is_repaid_is_its_how_long_answer(engine, kb):
    for later in ("bao giờ phải trả lại", "vay xong lúc nào phải trả"):
        _, repay = chat(engine, "nhà em khó khăn, vay tiền ngân hàng chính sách đi học được ko",
                         later)
        assert repay.entry is not None and repay.entry.id == "support.student-loan", later
        assert repay.asked == ("how-long",), later
        assert compose(kb, repay, TODAY).text.startswith("Bot chưa có số liệu về thời hạn trả nợ")


def test_kb_check_names_a_level_table_with_an_unknown_level_or_topic(knowledge_copy: Path):
    facets = knowledge_copy / "data" / "facets.yaml"
    facets.write_text(facets.read_text(encoding="utf-8").replace(
        "  Trung cấp: {how-much: tuition.trung-cap-free",
        "  Đại học đêm: {how-much: tuition.trung-cap-free}\n"
        "  Trung cấp: {how-much: tuition.khong-co", 1), encoding="utf-8")
    problems = [p.message for p in knowledge.check(knowledge_copy)]
    assert any("'Đại học đêm' không có trong levels" in m for m in problems), problems
    assert any("Trung cấp" in m and "tuition.khong-co" in m for m in problems), problems


def test_where_to_study_near_a_place_after_a_topic_without_a_where_row(engine, kb):
    shown = kb.get("tuition.general-school")
    assert shown is not None and not shown.facet("where") and not shown.facet("study-where")
    result = engine.ask("vậy học chỗ nào gần Thủ Thừa", "tuition.general-school")
    assert result.entry is not None and result.entry.id == "college.long-an"
    # no place named: the THPT tuition's own reading, not the colleges
    plain = engine.ask("hỏi trường nào vậy", "support.scholarship-boarding")
    assert plain.entry is None or plain.entry.id != "college.long-an"


def test_a_district_singled_out_is_still_a_facet_of_the_targets(engine):
    result = engine.ask("riêng Đức Hòa là bao nhiêu vậy", "streaming.targets")
    assert result.entry is not None and result.entry.id == "streaming.targets"
    assert [d.name for d in result.districts] == ["Đức Hòa"]


def test_school_trips_diplomas_lodging_and_admission_scores_are_not_declined(engine):
    assert_not_declined(engine, "phụ huynh có được vô tham quan xưởng của trường không",
                        "học xong cao đẳng đi làm liền được hay phải học thêm",
                        "nhà em xa quá, trường có chỗ ở cho học sinh không",
                        "xét tuyển cao đẳng có cần điểm thi tốt nghiệp không")
    # the same words about what the bot cannot know stay declined
    for message in ("đi Hàn du lịch tham quan mùa nào đẹp", "cho em xin đáp án đề thi học kỳ"):
        assert engine._near_domain(message) is not None, message


def test_pronouns_and_this_kind_beside_a_cue_keep_the_topic(engine):
    # "kiểu đó" points at what was just shown; "ảnh" is "he" in Southern speech
    result = engine.ask("ở Đức Huệ có chỗ nào dạy kiểu đó không", "streaming.nine-plus")
    assert result.entry is not None and result.entry.id == "college.long-an"
    result = engine.ask("ảnh cần chứng chỉ gì", "overseas.overview")
    assert result.entry is not None and result.entry.id == "overseas.requirements"
    assert engine._asked_facets("Hàn rẻ hơn hông") is not None
    # (round 14: "rẻ hơn" asks the comparison of costs, no longer how much)
    assert engine._asked_facets("Hàn rẻ hơn hông")[0][0] == "cheaper"


def test_which_diploma_the_nine_plus_route_ends_with(engine, kb):
    for later in ("vậy học xong có được bằng cấp 3 không", "ra trường có bằng tốt nghiệp THPT ko"):
        result = engine.ask(later, "streaming.nine-plus")
        assert result.entry is not None and result.entry.id == "streaming.nine-plus", later
        assert result.asked == ("diploma",), later
        text = compose(kb, result, TODAY).text
        assert text.startswith("Học xong có bằng trung cấp") and "124/2025/QH15" in text


def test_a_school_type_swapped_after_the_thpt_tuition_keeps_the_question(engine, kb):
    for later in ("còn trung tâm giáo dục thường xuyên thì sao", "con gdtx thi sao"):
        result = engine.ask(later, "tuition.general-school")
        assert result.entry is not None and result.entry.id == "tuition.general-school", later
        assert compose(kb, result, TODAY).text.startswith("Trung tâm GDNN-GDTX:"), later
    # after a topic with no school row, the school type's own topics as before
    alone = engine.ask("con gdtx thi sao", "overseas.costs")
    assert alone.entry is None or alone.entry.id != "tuition.general-school"


def test_where_ones_own_file_stands_is_declined_with_whom_to_ask(engine):
    assert_declined(engine, "personal-status",
                    "phòng giao dịch đã giải ngân khoản vay của tôi chưa vậy",
                    "thầy chủ nhiệm đã ký giấy xác nhận cho con chưa")
    # how to get it done is the loan topic's
    assert_not_declined(engine, "làm sao để trường ký giấy xác nhận vay vốn cho em",
                        "em đã học xong lớp 12, vay vốn đi học cao đẳng được không")


def test_a_survey_result_named_is_explained_first(engine, kb):
    message = "chị ơi, thằng nhỏ làm trắc nghiệm xong ra nhóm kỹ thuật, vậy là nó hợp nghề gì"
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id in kb.entities.result_topics
    first = compose(kb, result, TODAY).text.splitlines()[0]
    assert first.startswith("Nhóm “Kỹ thuật” trong kết quả") and "Điện công nghiệp" in first
    # the group is carried: where to study next is the colleges', not the survey's own where
    later = engine.ask("vậy học ở đâu", result.context)
    assert later.entry is not None and later.entry.id == "college.long-an"
    # a liked thing without a result named keeps the interest line
    liked = engine.ask("em thích sửa máy móc thì nên học nghề gì")
    assert compose(kb, liked, TODAY).text.startswith("Bạn thích sửa chữa, máy móc")


def test_survey_result_words_name_each_group_once(kb):
    seen: dict[str, str] = {}
    for interest in kb.entities.interests:
        assert interest.results, interest.group
        for word in interest.results:
            assert seen.setdefault(word.lower(), interest.group) == interest.group, word


def test_a_trade_named_alone_gets_where_it_is_taught(engine, kb):
    for message in ("em muốn học nghề hàn", "hoc nghe dien lanh"):
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == "college.long-an", message
        assert result.asked == ("study-where",) and result.trade, message
    # liked, or with a question of its own, or after a topic: the usual reading
    assert engine.ask("em thích nấu ăn").entry.id != "college.long-an"
    for message, previous in (("học nghề điện có dễ xin việc không", None),
                              ("học nghề hàn", "overseas.markets")):
        result = engine.ask(message, previous)
        assert result.asked != ("study-where",) or result.entry.id != "college.long-an", message


def test_acknowledgements_and_a_preface_are_small_talk(engine):
    from bot.answering.retrieval import Kind

    for message in ("ok dc r", "hay z ta", "ad ơi cho e hỏi chút", "dạ vậy chị cũng yên tâm"):
        assert engine.ask(message, "overseas.costs").kind is Kind.GREETING, message
    # with a question after the preface, the question is answered
    result = engine.ask("cho e hỏi học trung cấp có mất học phí ko")
    assert result.entry is not None and result.entry.id == "tuition.trung-cap-free"


def test_general_school_named_alone_after_failing_grade_10_keeps_that_topic(engine):
    result = engine.ask("ko hoc cap 3 dc nua ha ad", "streaming.grade10-failed")
    # Not the public school's fees. The routes after lớp 9 answer it too: independent authors
    # accept them beside the failed-exam topic (11 labelled turns of the sets); since round
    # 17's corpus the learned model picks them here.
    assert result.entry is not None and result.entry.id in (
        "streaming.grade10-failed", "streaming.after-grade9")
    # beside a fee question the school type names what the fees are of: the ranking reads it
    fees = engine.ask("GDTX học phí có mắc không", "streaming.grade10-failed")
    assert fees.entry is None or fees.entry.id != "tuition.trung-cap-free"


def test_whether_the_figures_still_hold_after_the_merger(engine, kb):
    """Asked after the targets (a district named before), the answer is that they do not,
    and whom to ask; after the province's college support, that it is not known."""
    for previous in (None, "streaming.targets"):
        opening = engine.ask("chỉ tiêu phân luồng của tỉnh là nhiêu", previous)
        district = engine.ask("Thủ Thừa thì sao", opening.context)
        later = engine.ask("nhập tỉnh rồi vậy số đó còn đúng không", district.context)
        assert later.entry is not None and later.entry.id == "streaming.targets"
        assert later.asked == ("current",) and not later.districts
        assert compose(kb, later, TODAY).text.startswith("Không còn đúng cho hiện nay")
    support = engine.ask("nghị quyết đó giờ còn áp dụng không", "college.nq31-support")
    assert support.entry is not None and support.asked == ("current",)


def test_a_bank_loan_after_the_requirements_abroad_is_the_workers_loan(engine):
    result = engine.ask("vậy có được vay vốn ngân hàng không", "overseas.requirements")
    assert result.entry is not None and result.entry.id == "overseas.loan"
    assert result.asked == ("loan",)
