"""What a message gets (issue 18, round 10): one named company is declined with whom to ask, a
short course reads as sơ cấp, "nhựt" typed without accents is Japan after a word leading to a
place. The phrasings are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt

from bot.answering.answers import compose
from bot.answering.entities import NamedAfter
from bot.answering.text import canonical
from tests.near_domain_checks import assert_declined


def test_one_named_company_is_declined_and_the_general_question_answered(engine):
    assert_declined(engine, "named-company",
                    "Công ty Phú Thịnh ở Bến Lức trả lương công nhân bao nhiêu vậy",
                    "cty hoyoung tra luong co cao ko ad", "nhà máy Tanaka có cho thực tập không")
    # the same heads without a name: the topic answers (checking a broker, the job centre)
    for message, topic in (("công ty xkld có uy tín không làm sao biết", "overseas.scams"),
                           ("Trung tâm Dịch vụ việc làm ở đâu", "guidance.counselor")):
        assert engine._near_domain(message) is None, message
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == topic, message


def test_a_name_is_capitalised_or_not_a_vietnamese_syllable():
    named = NamedAfter(("công ty", "cty"), ("dịch", "nhật"))
    assert named.found("cty Hoa Sen tuyển không") and named.found("cong ty samsung")
    assert not named.found("công ty nào uy tín") and not named.found("cty Nhật trả lương")
    assert not named.found("cty xkld lấy phí") and not named.found("Công ty Dịch vụ")
    # generic words and teencode between the head and the name are skipped, to the name
    assert named.found("cty xkld Phú Quý tuyển đi Nhật") and named.found("công ty dịch Minh An")
    assert not named.found("cty xkld, Nhật có tuyển không")


def test_a_short_course_is_the_sory_cap_level_and_nhut_after_a_place_word_is_japan():
    assert "so cap" in canonical("muốn học một khóa ngắn hạn")
    assert "so cap" in canonical("hoc nghe ngan han")
    assert "so cap" not in canonical("vay ngắn hạn ngân hàng")
    assert canonical("qua nhut lam viec") == canonical("qua nhật làm việc")
    assert "nhat nhat" not in canonical("em nhut nhat lam")


def test_a_short_course_question_gets_the_levels(engine):
    result = engine.ask("con tôi muốn học khóa nghề ngắn hạn chừng vài tháng thì học gì")
    assert result.entry is not None and result.entry.id == "vet.levels"


def test_a_level_with_only_where_to_study_gets_where_to_study_first(engine, kb):
    """"học trung cấp thì học ở đâu" after the routes after grade 9: the levels' table sends
    where to study to the college topic, and that short answer is the reply, not the levels'
    overview with it underneath (a phone shows the first lines)."""
    result = engine.ask("mình học cao đẳng thì học chỗ nào", "streaming.after-grade9")
    assert result.entry is not None and result.entry.id == "college.long-an"
    assert result.asked == ("study-where",) and result.focused
    alone = engine.ask("học trung cấp ở đâu vậy")
    assert alone.entry is not None and alone.asked and alone.focused
    assert alone.entry.facet_answer(alone.asked[0])
    # asked with what the topic itself answers (free), the topic answers, where comes under it
    both = engine.ask("muốn học trung cấp miễn phí thì học ở đâu")
    assert both.entry is not None and both.entry.id == "tuition.trung-cap-free" and both.also


def test_an_interest_named_earlier_leads_the_later_choosing_answer(engine, kb):
    """"em mê sửa xe", then "vậy em nên học nghề gì": the second answer still says what the
    first message liked (it read only the message itself); a later topic that is not about
    choosing does not carry it."""
    first = engine.ask("em mê sửa xe máy lắm, chọn nghề sao ad")
    assert first.interest is not None and first.context.interest is not None
    then = engine.ask("vậy em nên học nghề gì", first.context)
    assert then.entry is not None and then.entry.id in kb.entities.interest_topics
    assert then.interest is not None and then.interest == first.interest
    assert then.context.interest == first.context.interest
    fresh = engine.ask("vậy em nên học nghề gì")
    assert fresh.interest is None
    loan = engine.ask("vay vốn đi học được bao nhiêu", then.context)
    assert loan.interest is None and loan.context.interest == first.context.interest


def test_a_second_question_naming_a_country_gets_that_country_s_line(engine, kb):
    """A parent's second question about one country ("đi Hàn có cần qua môi giới không")
    gets Korea's own line under the first answer (no broker), not the programmes' gist."""
    message = ("Chào bạn, tôi ở Thạnh Hóa, con tôi muốn đi làm việc ở nước ngoài. Vay vốn đi "
               "nước ngoài được không, với lại đi Hàn có phải nhờ môi giới không?")
    result = engine.ask(message)
    assert result.entry is not None and result.also
    korea = next(c for c in kb.entities.countries if c.name == "Hàn Quốc")
    assert korea in result.also_lead
    k = result.also_lead.index(korea)
    line = korea.line_on(result.also[k].id)
    assert line and "không cần môi giới" in line
    assert f"Hàn Quốc: {line}" in compose(kb, result, dt.date(2026, 12, 7)).text


def test_thanks_that_say_whom_the_writer_will_ask_later_close_the_conversation(engine):
    """"Cảm ơn nha, để tui về hỏi lại ông xã": asking someone else later, or "đỡ lo phần nào"
    (somewhat), is no question to the bot; a real question after the thanks still is."""
    for message in ("Cảm ơn nha, để tui về hỏi lại ông xã", "cam on ad, de e tu di hoi truong",
                    "Dạ cảm ơn em, cô thấy yên tâm phần nào rồi"):
        result = engine.ask(message, "support.student-loan")
        assert result.entry is None and result.kind.value == "greeting", message
    asked = engine.ask("cảm ơn ad, em muốn hỏi thêm về vay vốn đi học", "guidance.counselor")
    assert asked.entry is not None and asked.entry.id == "support.student-loan"


def test_small_talk_about_the_bot_is_not_read_as_a_follow_up(engine):
    """"ad tên gì", "bot mấy tuổi" right after a topic asked about the bot, not the topic."""
    for message in ("ad tên gì vậy", "bot mấy tuổi rồi z", "ad là người thật hay máy"):
        for before in (None, "vet.levels", "overseas.costs"):
            result = engine.ask(message, before)
            assert result.entry is None, (message, before)
            assert result.note is not None and "không phải người thật" in result.note
    asked = engine.ask("ad ơi đi Nhật cần bao nhiêu tuổi")
    assert asked.entry is not None and asked.entry.id.startswith("overseas.")


def test_going_up_to_university_after_the_transfer_topic_gets_its_own_answer(engine, kb):
    """"còn lên đại học thì sao" after liên thông repeated the whole answer: the topic's
    table now answers that facet in its own words."""
    transfer = kb.get("vet.transfer")
    assert transfer is not None and transfer.facet("university") == "vet.transfer"
    result = engine.ask("vậy học lên đại học thì sao ad", "vet.transfer")
    assert result.entry is transfer and result.asked == ("university",) and result.focused
    reply = compose(kb, result, dt.date(2026, 12, 7))
    assert reply.text.startswith(transfer.facet_answer("university") or "?")


def test_the_cost_asked_after_failing_grade_10_is_answered_under_the_routes(engine, kb):
    """"thi trượt lớp 10 rồi, học trung cấp có tốn tiền không": the routes after failing are
    the answer (the story), and the trung cấp exemption's short answer comes right under it."""
    result = engine.ask("con thi trượt lớp 10 rồi, giờ học trung cấp có tốn tiền không")
    free = kb.get("tuition.trung-cap-free")
    assert result.entry is not None and result.entry.id == "streaming.grade10-failed"
    assert free in result.also
    reply = compose(kb, result, dt.date(2026, 12, 7))
    assert (free.facet_answer("how-much") or "?") in reply.text
