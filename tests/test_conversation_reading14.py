"""What a first message gets when it asks about something no topic knows (issue 18, round 14):
one named company, one day's timetable, a contest's figures asked in two clauses. The
phrasings are this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt

from bot.answering.answers import compose
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from tests.near_domain_checks import assert_declined, chat

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
    return [r.entry.id if r.entry is not None else None for r in chat(engine, *messages)]


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


def test_whether_another_country_costs_less_gets_the_caps_first(engine: Engine,
                                                                 kb: KnowledgeBase) -> None:
    # after the loans, "rẻ hơn" read as "how much" went to the loan amounts
    loan = engine.ask("vay vốn đi xuất khẩu lao động được không")
    assert loan.entry is not None and loan.entry.id == "overseas.loan"
    result = engine.ask("thế đi Đài Loan thì có rẻ hơn không", loan.context)
    assert result.entry is not None and result.entry.id == "overseas.costs"
    assert result.asked == ("cheaper",)
    lines = compose(kb, result, TODAY).text.splitlines()
    assert "Bot không có tổng chi phí" in lines[0] and "Điều 23" in lines[0]
    assert lines[1].startswith("Đài Loan:")


def test_an_age_given_after_a_topic_on_working_abroad_asks_who_may_go(engine: Engine) -> None:
    # "16t", "25 tuổi": an age, not a word of the topic shown (the costs, the loans)
    for shown, message in (("overseas.costs", "thằng nhỏ mới 16t đi được hông"),
                           ("overseas.loan", "con tôi 25 tuổi rồi còn đi được không"),
                           ("overseas.rights", "e 18t rồi thì cần giấy tờ gì")):
        result = engine.ask(message, shown)
        assert result.entry is not None and result.entry.id == "overseas.requirements", message
    # after the VET levels an age is the ranking's to read (who the levels take)
    levels = engine.ask("e 15 tuoi hoc dc ko", "vet.levels")
    assert levels.entry is not None and levels.entry.id == "vet.levels"


def test_bi_gat_is_being_scammed(engine: Engine) -> None:
    # Southern "bị gạt" (scammed): after the costs, the fear of it is the scam signs ("sợ
    # nhứt", the most feared, is no Japan)
    result = engine.ask("cái tui sợ nhứt là bị gạt tiền", "overseas.costs")
    assert result.entry is not None and result.entry.id == "overseas.scams"


def test_the_interest_rate_asked_after_another_topic_is_the_loan_s(engine: Engine) -> None:
    # "lãi suất" is a loan's word: after the career choice or the boarding support it asks
    # about the student loan (the learned choice dropped it as no topic's)
    for shown in ("guidance.choose-career", "support.scholarship-boarding"):
        result = engine.ask("lãi suất bao nhiêu vậy ad", shown)
        assert result.entry is not None and result.entry.id == "support.student-loan", shown
    abroad = engine.ask("vay thì lãi suất bao nhiêu", "overseas.costs")
    assert abroad.entry is not None and abroad.entry.id == "overseas.loan"


def test_who_pays_abroad_and_whether_the_survey_is_compulsory(engine: Engine) -> None:
    # "ai chịu", "ai trả tiền": what the law caps and says of who pays, the costs topic
    for shown, message in (("overseas.requirements", "mấy khoản đó ai chịu"),
                           ("overseas.overview", "ai trả tiền ăn ở bên đó")):
        result = engine.ask(message, shown)
        assert result.entry is not None and result.entry.id == "overseas.costs", message
        assert result.asked == ("who-pays",)
    # "có bắt làm không": the survey's own answer on whether it is compulsory
    survey = engine.ask("có bắt làm hông hay tùy", "bot.survey")
    assert survey.entry is not None and survey.entry.id == "bot.survey"
    assert survey.asked == ("required",)


def test_one_employer_s_hiring_and_wage_is_declined_though_bao_nhieu_folds_onto_nhieu(
        engine: Engine) -> None:
    # "nhiều" (many) kept the rule off for "tuyển nhiều"; folded, "bao nhiêu" matched it too
    assert_declined(engine, "hiring-now", "Nhà máy giày ở khu công nghiệp Đức Hòa tuần này có "
                    "tuyển công nhân không, lương khởi điểm bao nhiêu?")


def test_the_way_to_an_office_and_a_language_centre_s_price_are_declined(engine: Engine) -> None:
    assert_declined(engine, "directions", "chỉ giùm tui đường tới Trung tâm Dịch vụ việc làm",
                    "trường GDTX ở Cần Đước nằm đường nào vậy ad")
    assert_declined(engine, "language-school", "trung tâm nào dạy tiếng Nhật rẻ mà tốt vậy ad")
    # "con đường" to go abroad lawfully is a way, not a street
    lawful = engine.ask("có con đường nào đi Nhật làm việc hợp pháp không")
    assert lawful.entry is not None and lawful.entry.id.startswith("overseas.")
