"""What a follow-up gets (issue 18, round 12). The phrasings are this file's own (none from a
set)."""

from __future__ import annotations

import datetime as dt

from tests.near_domain_checks import chat

TODAY = dt.date(2026, 12, 7)


def test_whom_to_ask_after_choosing_subjects_or_a_career_is_the_counsellor(engine):
    # the subject choice and career topics hold no office of their own: whom to ask at school
    # is the career-guidance teacher's topic
    for opening in ("lên lớp 10 chọn tổ hợp môn sao cho đúng", "làm sao biết mình hợp nghề gì"):
        first, who = chat(engine, opening, "vậy ở trường thì hỏi ai")
        assert first.entry is not None and first.entry.id != "guidance.counselor", opening
        assert who.entry is not None and who.entry.id == "guidance.counselor", opening
    # a topic with its own office keeps it
    _, who = chat(engine, "vay vốn đi học ở đâu", "liên hệ ai")
    assert who.entry is not None and who.entry.id == "support.student-loan"


def test_whether_it_is_compulsory_stays_on_whose_choice_it_is(engine, kb):
    from bot.answering.answers import compose

    for opening in ("phân luồng học sinh nghĩa là gì", "chỉ tiêu phân luồng của tỉnh là bao nhiêu",
                    "xong lớp 9 có những đường nào"):
        _, forced = chat(engine, opening, "vậy cái đó có bắt buộc hông")
        assert forced.entry is not None and forced.entry.id == "streaming.what-is", opening
        assert forced.asked == ("required",) and forced.focused
        assert compose(kb, forced, TODAY).text.startswith("Không bắt buộc từng học sinh")
    # a school activity: the bot says it does not know, and whom to ask
    for follow, facet in (("có bị ép đi không", "required"),
                          ("đi vậy có tốn tiền không", "how-much")):
        _, asked = chat(engine, "trường tổ chức một ngày làm công nhân là sao", follow)
        assert asked.entry is not None and asked.entry.id == "guidance.startup", follow
        assert asked.asked == (facet,) and "hỏi giáo viên" in compose(kb, asked, TODAY).text


def test_how_many_years_is_how_long_not_how_much(engine):
    # "nhiêu" is "bao nhiêu": with "lâu" or "năm" it asks how long, not the fee
    for opening in ("thi rớt lớp 10 thì học gì", "sơ cấp trung cấp khác chi nhau"):
        for follow in ("sơ cấp thì học nhiêu lâu vậy", "vậy trung cấp mất nhiu năm"):
            _, took = chat(engine, opening, follow)
            assert took.entry is not None and took.entry.id == "vet.levels", (opening, follow)


def test_an_exam_asked_with_a_country_is_the_requirements(engine):
    # the bare-country rule would give the country's own first topic (its programmes)
    first, exam = chat(engine, "đi làm nước ngoài thì có những nước nào", "nhật có thi ko")
    assert first.entry is not None and first.entry.id == "overseas.markets"
    assert exam.entry is not None and exam.entry.id == "overseas.requirements"


def test_the_country_or_after_thpt_asked_after_the_targets_stays_on_them(engine, kb):
    from bot.answering.answers import compose

    # the whole country after a district's figures: not the district's figures again
    cases = (("chỉ tiêu phân luồng của Cần Đước", "vậy cả nước thì bao nhiêu", "national",
              "Cả nước"),
             ("chỉ tiêu phân luồng của tỉnh", "còn sau lớp 12 thì sao", "after-grade12",
              "Sau THPT"))
    for opening, follow, facet, start in cases:
        _, asked = chat(engine, opening, follow)
        assert asked.entry is not None and asked.entry.id == "streaming.targets", follow
        assert asked.asked[0] == facet and compose(kb, asked, TODAY).text.startswith(start)


def test_studying_abroad_asked_after_working_abroad(engine):
    _, asked = chat(engine, "đi làm ở nước ngoài có những nước nào", "còn đi du học Nhật thì sao")
    assert asked.entry is not None and asked.entry.id == "overseas.study-abroad"


def test_the_lawful_way_after_the_costs_or_scams_is_the_programmes(engine):
    for opening in ("đi xuất khẩu lao động tốn những khoản gì",
                    "làm sao biết công ty xkld lừa đảo"):
        _, legal = chat(engine, opening, "vậy muốn đi Nhật cho đúng luật thì làm sao")
        assert legal.entry is not None and legal.entry.id == "overseas.markets", opening


def test_whether_a_diploma_gets_a_job_straight_away_is_what_it_is_worth(engine):
    for opening in ("sơ cấp trung cấp cao đẳng khác nhau chỗ nào",
                    "học trung cấp có được miễn học phí không"):
        _, jobs = chat(engine, opening, "học xong xin việc có ai nhận không")
        assert jobs.entry is not None and jobs.entry.id == "vet.degree-value", opening


def test_a_level_before_the_trade_still_names_the_trade(engine):
    # "trung cấp điện", "tc điện": where the trade is taught, as for "nghề điện"
    for message in ("em muốn học cao đẳng điện", "e muon hoc tc dien"):
        asked = engine.ask(message)
        assert asked.entry is not None and asked.entry.id == "college.long-an", message
        assert asked.context is not None and asked.context.trade is not None, message
