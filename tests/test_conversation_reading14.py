"""What a first message gets when it asks about something no topic knows (issue 18, round 14):
one named company, one day's timetable, a contest's figures asked in two clauses. The
phrasings are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt

from bot.answering.answers import compose
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from tests.near_domain_checks import assert_declined

TODAY = dt.date(2026, 12, 7)


def test_a_clause_asking_a_figure_does_not_answer_a_message_the_whole_of_which_is_off_topic(
        engine: Engine) -> None:
    # the whole message matches no topic; its last clause alone ("tỉ lệ ... bao nhiêu") reads
    # like the streaming targets to the lexical ranking, but the model reads it too now
    message = "Giải bóng đá huyện năm nay có bao nhiêu đội đăng ký, tỉ lệ thắng bao nhiêu?"
    result = engine.ask(message)
    assert result.entry is None
    # a real second question is still offered beside the first
    both = engine.ask("trung cấp học mấy năm, học phí bao nhiêu")
    assert both.entry is not None and both.also


def test_one_named_company_is_declined_even_when_the_scam_topic_is_sure(engine: Engine) -> None:
    # five words of the trade's name before the company's own ("Minh Phát"), and a ranking
    # sure of the scams topic: the question is still about that one company
    assert_declined(engine, "named-company",
                    "Công ty xuất khẩu lao động Minh Phát có uy tín không ạ?",
                    "cty xkld Phuong Dong o Tan An co lam an dang hoang ko")
    # how to tell a licensed company in general is the scams topic's
    general = engine.ask("làm sao biết công ty xuất khẩu lao động có uy tín không")
    assert general.entry is not None and general.entry.id == "overseas.scams"


def test_one_day_s_timetable_is_declined_with_whom_to_ask(engine: Engine) -> None:
    assert_declined(engine, "class-schedule",
                    "Chiều mai trường trung cấp có ca thực hành lúc mấy giờ vậy?",
                    "thứ 6 tuần sau lớp e có học bù ko ad")
    # a retake after failing the grade-10 exam is a topic, not a timetable
    retake = engine.ask("rớt lớp 10 thì thi lại được không")
    assert retake.entry is not None and retake.entry.id == "streaming.grade10-failed"


def test_one_person_s_file_and_one_employer_s_hiring_stand_against_a_sure_topic(
        engine: Engine) -> None:
    # the loan topic and the college's page are sure of their words; the questions are about
    # one signature and one week's hiring, which only that office knows
    assert_declined(engine, "personal-status",
                    "Thầy hiệu trưởng đã ký giấy xác nhận vay vốn cho con chưa vậy?")
    assert_declined(engine, "hiring-now",
                    "Tuần sau Trường Cao đẳng Long An có tuyển thêm giáo viên dạy hàn không?")
    assert_declined(engine, "rented-rooms",
                    "Phòng trọ quanh Trường Cao đẳng Long An tiền thuê mỗi tháng cỡ nhiêu ạ?")
    # help with lodging is still the boarding topic's
    help_ = engine.ask("học sinh ở trọ có được hỗ trợ tiền không")
    assert help_.entry is not None and help_.entry.id == "support.scholarship-boarding"


def _topics(engine: Engine, *messages: str) -> list[str | None]:
    """Each message read after the ones before it: the topic answered (None: no topic)."""
    ctx = None
    found = []
    for message in messages:
        result = engine.ask(message, ctx)
        ctx = result.context
        found.append(result.entry.id if result.entry is not None else None)
    return found


def test_whom_to_ask_after_the_vet_topics_is_the_school_s_counsellor(engine: Engine) -> None:
    # the levels and the transfer topics had no row for it; "gặp thầy cô nào" and "cho rõ"
    # were no cue and an unknown word
    assert _topics(engine, "trung cấp với cao đẳng khác nhau sao",
                   "muốn hỏi kỹ hơn thì gặp thầy cô nào")[1] == "guidance.counselor"
    assert _topics(engine, "học liên thông lên cao đẳng mất mấy năm",
                   "vậy hỏi ai ở trường cho rõ")[1] == "guidance.counselor"


def test_a_family_that_disagrees_on_school_or_work_gets_how_to_choose(engine: Engine) -> None:
    # "nghỉ học" beside a job read as out of scope (selling online, a TikTok career)
    for message in ("ba má bắt em nghỉ học đi làm, em nên làm sao",
                    "cha muốn tui học đại học còn tui thích học nghề, giờ sao",
                    "má tui kêu nghỉ học phụ nhà, mà tui muốn học tiếp nha ad"):
        assert _topics(engine, message) == ["guidance.choose-career"], message


def test_the_school_s_phone_after_any_school_topic_is_the_college_s_contact_line(
        engine: Engine, kb: KnowledgeBase) -> None:
    # "số điện thoại" alone is whom to contact on the topic shown (the admission office, the
    # fair's organisers); the school's own phone or page is the college's
    for shown in ("tuition.trung-cap-free", "college.admission-fair", "vet.levels"):
        result = engine.ask("cho con xin sdt truong voi", shown)
        assert result.entry is not None and result.entry.id == "college.long-an", shown
        assert result.asked == ("school-contact",)
        first = compose(kb, result, TODAY).text.splitlines()[0]
        assert "số điện thoại" in first and "trang Facebook" in first
