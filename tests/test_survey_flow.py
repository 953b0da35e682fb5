"""The survey flow without Telegram: SurveyFlow's public actions on a fresh SQLite database.

The survey is tests/data/survey_flow/surveys/types.yaml: one question of every type (single,
school, text, number, multi, scale), a choice and a question shown only after some answers, and
scored results. What a step shows is read from its screens' text and button labels only, and
what is kept from the database, so these tests say what the flow does, not how it is drawn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot import messages
from bot.people import privacy
from bot.people.schools import School, Schools
from bot.people.users import Users
from bot.storage.database import open_reader
from bot.storage.writer import Writer
from bot.surveys import model as survey
from bot.surveys.flow import SurveyFlow
from bot.surveys.responses import Response, Responses
from bot.views import View, flatten
from tests.conftest import ROOT, TODAY

USER = 700001
SURVEY = "types"
NOW = dt.datetime.combine(TODAY, dt.time(3, 0), tzinfo=dt.UTC)
FOLDER = ROOT / "tests" / "data" / "survey_flow"
SCHOOLS = (School("DH01", "Trường THCS Đức Hòa", "Xã Đức Hòa", "Đức Hòa", "Tây Ninh"),
           School("TT01", "Trường THCS Tân Thạnh", "Xã Tân Thạnh", "Tân Thạnh", "Tây Ninh"))


@dataclass
class Setup:
    flow: SurveyFlow
    writer: Writer

    def response(self) -> Response | None:
        return self.flow.responses.find(USER, SURVEY, self.flow.year)

    def kept(self) -> Response:
        found = self.response()
        assert found is not None
        return found


@pytest.fixture
async def s(tmp_path: Path, kb) -> AsyncIterator[Setup]:
    """A student who has used the bot once, two schools, and the flow over the test survey."""
    surveys, problems = survey.check(FOLDER, {e.id for e in kb.entries})
    assert problems == [] and surveys.get(SURVEY) is not None
    path = tmp_path / "flow.db"
    writer = Writer(path)
    db = open_reader(path)
    clock = lambda: NOW  # noqa: E731
    schools, users = Schools(db, writer), Users(db, writer, clock)
    schools.add(*SCHOOLS)
    await users.touch(USER)
    await users.set_audience(USER, "student9")
    flow = SurveyFlow(surveys, Responses(db, writer, clock), schools, users, lambda: TODAY,
                      {e.id: e.title for e in kb.entries})
    try:
        yield Setup(flow, writer)
    finally:
        writer.close()
        db.close()


def screens(step: View) -> list[View]:
    """The screens a step shows (a notice alone shows none)."""
    return [v for v in flatten(step) if v.parts or v.rows]


def shown(step: View) -> str:
    return "\n".join(p.text for v in screens(step) for p in v.parts)


def labels(step: View) -> list[str]:
    return [c.label for v in screens(step) for c in v.choices]


def notice(step: View) -> str | None:
    return step.notice.text if step.notice else None


def alert(step: View) -> bool:
    return step.notice is not None and step.notice.alert


def asks(step: View, qid: str) -> bool:
    """The step shows question `qid` of the test survey (and only one question)."""
    question = survey_def().question(qid)
    assert question is not None
    return len(screens(step)) == 1 and question.text in shown(step)


def survey_def() -> survey.Survey:
    found = survey.check(FOLDER)[0].get(SURVEY)
    assert found is not None
    return found


async def start(s: Setup) -> View:
    await s.flow.open(USER, SURVEY)
    return await s.flow.begin(USER, SURVEY)


async def answer_up_to_hours(s: Setup) -> None:
    """grade 9, school DH01 (found by typing), class 9A1: the number question is next."""
    await start(s)
    await s.flow.choose(USER, SURVEY, "grade", "9")
    await s.flow.typed(USER, "duc hoa")
    await s.flow.choose(USER, SURVEY, "school", "DH01")
    await s.flow.typed(USER, "9A1")


async def answer_everything(s: Setup, abroad: str = "yes") -> View:
    await answer_up_to_hours(s)
    await s.flow.typed(USER, "12")
    await s.flow.toggle(USER, SURVEY, "field", "cntt", True)
    await s.flow.finish_multi(USER, SURVEY, "field")
    await s.flow.choose(USER, SURVEY, "abroad", abroad)
    if abroad == "yes":
        await s.flow.toggle(USER, SURVEY, "countries", "jp", True)
        await s.flow.finish_multi(USER, SURVEY, "countries")
    await s.flow.choose(USER, SURVEY, "tools", "5")
    return await s.flow.choose(USER, SURVEY, "people", "2")


# --- consent -------------------------------------------------------------------------------------
async def test_opening_a_new_survey_asks_for_consent_and_keeps_nothing_until_agreed(s):
    consent = await s.flow.open(USER, SURVEY)
    assert "Mọi kiểu câu hỏi (thử)" in shown(consent) and "9 câu" in shown(consent)
    assert messages.SURVEY_AGREE in labels(consent) and messages.SURVEY_LATER in labels(consent)
    assert s.response() is None
    first = await s.flow.begin(USER, SURVEY)
    assert asks(first, "grade") and "Câu 1/" in shown(first)
    kept = s.kept()
    assert (kept.status, kept.current, kept.answers) == ("in_progress", "grade", {})


async def test_the_list_shows_each_survey_for_the_students_audience_with_its_status(s):
    assert labels(s.flow.list_screen(USER)) == [
        f"Mọi kiểu câu hỏi (thử) ({messages.SURVEY_STATUS['new']})"]
    await start(s)
    assert messages.SURVEY_STATUS["in_progress"] in labels(s.flow.list_screen(USER))[0]


# --- every question type -----------------------------------------------------------------------
async def test_every_question_type_is_kept_as_it_is_answered_and_the_next_one_shown(s):
    await start(s)
    step = await s.flow.choose(USER, SURVEY, "grade", "9")  # single
    assert asks(step, "school") and s.kept().answers == {"grade": "9"}
    found = await s.flow.typed(USER, "duc hoa")  # school: typed, then picked from the matches
    assert found is not None and messages.SURVEY_SCHOOL_PICK in shown(found)
    assert labels(found)[0] == "Trường THCS Đức Hòa" and not found.replace
    step = await s.flow.choose(USER, SURVEY, "school", "DH01")
    assert asks(step, "class") and s.kept().answers["school"] == "DH01"
    assert s.kept().school_code == "DH01" and s.flow.users.get(USER).school_code == "DH01"
    typed = await s.flow.typed(USER, "  9A1 ")  # text
    assert typed is not None and asks(typed, "hours") and s.kept().answers["class"] == "9A1"
    typed = await s.flow.typed(USER, "12")  # number
    assert typed is not None and asks(typed, "field") and s.kept().answers["hours"] == 12
    step = await s.flow.toggle(USER, SURVEY, "field", "y_te", True)  # multi: kept at each tap
    assert asks(step, "field") and s.kept().answers["field"] == ["y_te"]
    await s.flow.toggle(USER, SURVEY, "field", "cntt", True)
    assert s.kept().answers["field"] == ["cntt", "y_te"]  # in the survey's order
    step = await s.flow.finish_multi(USER, SURVEY, "field")
    assert asks(step, "abroad")
    step = await s.flow.choose(USER, SURVEY, "abroad", "no")
    assert asks(step, "tools")  # "countries" is shown only to those who answered yes
    step = await s.flow.choose(USER, SURVEY, "tools", "4")  # scale
    assert asks(step, "people") and s.kept().answers["tools"] == 4
    step = await s.flow.choose(USER, SURVEY, "people", "1")
    assert messages.SURVEY_SUMMARY.format(title="Mọi kiểu câu hỏi (thử)") in shown(step)
    assert s.kept().current is None and s.kept().status == "in_progress"
    assert set(s.kept().answers) == {"grade", "school", "class", "hours", "field", "abroad",
                                     "tools", "people"}


async def test_a_typed_number_or_text_that_does_not_fit_is_refused_and_nothing_kept(s):
    await answer_up_to_hours(s)
    before = s.kept()
    for typed, problem in [("mười hai", messages.SURVEY_NOT_A_NUMBER),
                           ("41", messages.SURVEY_OUT_OF_RANGE.format(low=0, high=40))]:
        step = await s.flow.typed(USER, typed)
        assert step is not None and not step.replace and problem in shown(step)
    assert s.kept().answers == before.answers and s.kept().current == "hours"
    await s.flow.back(USER, SURVEY, "hours")
    step = await s.flow.typed(USER, "lớp chín A một")  # 14 characters, the limit is 10
    assert step is not None
    assert messages.SURVEY_TOO_LONG.format(length=14, limit=10) in shown(step)
    assert s.kept().answers["class"] == "9A1"


async def test_a_school_search_without_a_match_says_so_and_keeps_nothing(s):
    await start(s)
    await s.flow.choose(USER, SURVEY, "grade", "9")
    step = await s.flow.typed(USER, "zzqx")
    assert step is not None and labels(step) == [] and "zzqx" in shown(step)
    assert "school" not in s.kept().answers and s.kept().current == "school"


async def test_a_scale_answer_outside_one_to_five_is_refused(s):
    await answer_everything(s)
    await s.flow.edit_question(USER, SURVEY, "tools")
    step = await s.flow.choose(USER, SURVEY, "tools", "6")
    assert alert(step) and notice(step) and asks(step, "tools")
    assert s.kept().answers["tools"] == 5


async def test_text_is_only_taken_while_a_typed_question_waits_for_it(s):
    assert await s.flow.typed(USER, "hoc phi trung cap") is None  # no survey: a question
    await start(s)
    assert not s.flow.awaits_text(USER)  # a choice question is on screen
    assert await s.flow.typed(USER, "9") is None and s.kept().answers == {}
    await s.flow.choose(USER, SURVEY, "grade", "9")
    assert s.flow.awaits_text(USER)


# --- multiple choice ---------------------------------------------------------------------------
async def test_multiple_choice_refuses_more_than_its_maximum_and_keeps_the_selection(s):
    await answer_up_to_hours(s)
    await s.flow.typed(USER, "12")
    await s.flow.toggle(USER, SURVEY, "field", "cntt", True)
    await s.flow.toggle(USER, SURVEY, "field", "dien", True)
    step = await s.flow.toggle(USER, SURVEY, "field", "y_te", True)
    assert alert(step) and notice(step) == messages.SURVEY_TOO_MANY.format(n=2)
    assert s.kept().answers["field"] == ["cntt", "dien"]


async def test_a_tick_delivered_twice_leaves_the_same_selection_and_untick_removes_it(s):
    await answer_up_to_hours(s)
    await s.flow.typed(USER, "12")
    for _ in range(2):
        await s.flow.toggle(USER, SURVEY, "field", "cntt", True)
    assert s.kept().answers["field"] == ["cntt"]
    step = await s.flow.toggle(USER, SURVEY, "field", "cntt", False)
    assert s.kept().answers["field"] == [] and asks(step, "field")


async def test_a_choice_hidden_by_an_earlier_answer_is_refused(s):
    await answer_up_to_hours(s)
    await s.flow.typed(USER, "12")
    step = await s.flow.toggle(USER, SURVEY, "field", "dai_hoc", True)  # grade 12 only
    assert alert(step) and notice(step) == messages.SURVEY_STALE_CHOICE and asks(step, "field")
    assert "Ngành cần học đại học" not in shown(step) + "".join(labels(step))
    assert "field" not in s.kept().answers


# --- back, skip, pause and resume --------------------------------------------------------------
async def test_back_shows_the_previous_question_with_its_answer_kept(s):
    await start(s)
    await s.flow.choose(USER, SURVEY, "grade", "12")
    step = await s.flow.back(USER, SURVEY, "school")
    assert asks(step, "grade") and "✅ Lớp 12" in labels(step)
    assert s.kept().answers == {"grade": "12"} and s.kept().current == "grade"
    first = await s.flow.back(USER, SURVEY, "grade")  # nothing before the first question
    assert asks(first, "grade") and messages.SURVEY_BACK not in labels(first)


async def test_an_optional_question_can_be_skipped_and_a_required_one_cannot(s):
    await start(s)
    refused = await s.flow.skip(USER, SURVEY, "grade")
    assert alert(refused) and s.kept().current == "grade" and not s.kept().skipped
    assert messages.SURVEY_SKIP not in labels(await s.flow.resume(USER, SURVEY))
    await s.flow.choose(USER, SURVEY, "grade", "9")
    await s.flow.typed(USER, "tan thanh")
    step = await s.flow.choose(USER, SURVEY, "school", "TT01")
    assert messages.SURVEY_SKIP in labels(step)
    step = await s.flow.skip(USER, SURVEY, "class")
    assert asks(step, "hours") and s.kept().skipped == {"class"}
    assert "class" not in s.kept().answers


async def test_pausing_keeps_the_answers_and_lets_typed_text_go_back_to_questions(s):
    await answer_up_to_hours(s)
    step = await s.flow.pause(USER)
    assert messages.SURVEY_PAUSED in shown(step)
    kept = s.kept()
    assert not kept.active and kept.current == "hours" and kept.answers["class"] == "9A1"
    assert not s.flow.awaits_text(USER) and await s.flow.typed(USER, "12") is None
    offer = await s.flow.open(USER, SURVEY)
    # 3 of the 9 that may apply (a question behind a skip rule not decided yet counts)
    assert "(3/9 câu)" in shown(offer) and messages.SURVEY_CONTINUE in labels(offer)
    again = await s.flow.resume(USER, SURVEY)
    assert asks(again, "hours") and s.kept().active and s.flow.awaits_text(USER)


# --- summary, changes, submitting --------------------------------------------------------------
async def test_changing_an_answer_from_the_summary_drops_the_branch_it_hides(s):
    await answer_everything(s, abroad="yes")
    assert s.kept().answers["countries"] == ["jp"]
    menu = await s.flow.edit_menu(USER, SURVEY)
    assert any("Bạn quan tâm đến nước nào?" in label for label in labels(menu))
    step = await s.flow.edit_question(USER, SURVEY, "abroad")
    assert asks(step, "abroad") and s.kept().editing
    back = await s.flow.choose(USER, SURVEY, "abroad", "no")
    assert messages.SURVEY_SUMMARY.format(title="Mọi kiểu câu hỏi (thử)") in shown(back)
    assert "countries" not in s.kept().answers and "Nhật Bản" not in shown(back)
    assert not s.kept().editing


async def test_a_change_from_the_summary_that_reveals_a_question_asks_it_then_returns(s):
    await answer_everything(s, abroad="no")
    await s.flow.edit_question(USER, SURVEY, "abroad")
    step = await s.flow.choose(USER, SURVEY, "abroad", "yes")  # "countries" now applies
    assert asks(step, "countries") and not s.kept().editing
    await s.flow.toggle(USER, SURVEY, "countries", "kr", True)
    back = await s.flow.finish_multi(USER, SURVEY, "countries")
    assert messages.SURVEY_SUMMARY.format(title="Mọi kiểu câu hỏi (thử)") in shown(back)
    assert "Hàn Quốc" in shown(back) and s.kept().answers["countries"] == ["kr"]


async def test_the_summary_lists_every_answer_and_submitting_keeps_it_and_shows_results(s):
    summary = await answer_everything(s)
    for answer in ["Lớp 9", "Trường THCS Đức Hòa", "9A1", "12", "Công nghệ thông tin", "Có",
                   "Nhật Bản"]:
        assert answer in shown(summary), answer
    assert messages.SURVEY_SEND in labels(summary)
    thanks = await s.flow.submit(USER, SURVEY)
    assert "Cảm ơn bạn đã gửi" in shown(thanks)
    assert "1. **Kỹ thuật** — 5/5 điểm" in shown(thanks) and "Xã hội" not in shown(thanks)
    assert labels(thanks) == ["👉 Sơ cấp, trung cấp, cao đẳng khác nhau thế nào?"]
    kept = s.kept()
    assert kept.status == "submitted" and kept.submitted_at and not kept.active
    assert kept.answers["tools"] == 5 and kept.answers["countries"] == ["jp"]


async def test_submitting_with_a_required_answer_missing_returns_to_that_question(s):
    await start(s)
    await s.flow.choose(USER, SURVEY, "grade", "9")
    await s.flow.summary(USER, SURVEY)  # straight to the summary, the school not answered
    step = await s.flow.submit(USER, SURVEY)
    assert alert(step) and notice(step) and "Bạn đang học trường nào?" in (notice(step) or "")
    assert asks(step, "school") and s.kept().status == "in_progress"


async def test_a_submitted_survey_is_only_replaced_when_the_retake_is_confirmed(s):
    await answer_everything(s)
    await s.flow.submit(USER, SURVEY)
    offer = await s.flow.open(USER, SURVEY)
    assert messages.SURVEY_RETAKE in labels(offer) and "2026-2027" in shown(offer)
    unconfirmed = await s.flow.begin(USER, SURVEY)
    assert messages.SURVEY_RETAKE in labels(unconfirmed) and s.kept().status == "submitted"
    fresh = await s.flow.begin(USER, SURVEY, confirmed_retake=True)
    assert asks(fresh, "grade")
    # The old answers are gone; only the school the student is now known by is filled in.
    assert (s.kept().status, s.kept().answers) == ("in_progress", {"school": "DH01"})
    assert len(s.flow.responses.of_user(USER)) == 1


# --- what was, and no longer is ----------------------------------------------------------------
async def test_a_button_of_a_question_already_passed_shows_the_current_one_and_changes_nothing(s):
    await answer_up_to_hours(s)
    before = s.kept()
    for stale in [s.flow.choose(USER, SURVEY, "grade", "12"),
                  s.flow.toggle(USER, SURVEY, "field", "cntt", True),
                  s.flow.skip(USER, SURVEY, "class"),
                  s.flow.back(USER, SURVEY, "school")]:
        step = await stale
        assert alert(step) and notice(step) == messages.SURVEY_NOT_CURRENT and asks(step, "hours")
    after = s.kept()
    assert (after.answers, after.current, after.skipped) == (before.answers, "hours",
                                                             before.skipped)


async def test_a_response_that_vanished_mid_survey_is_gone_for_every_action(s):
    await answer_up_to_hours(s)
    s.writer.run(lambda db: privacy.erase(db, USER))  # /xoadulieu from another device
    assert s.response() is None
    actions = [s.flow.choose(USER, SURVEY, "hours", "1"),
               s.flow.toggle(USER, SURVEY, "field", "cntt", True),
               s.flow.finish_multi(USER, SURVEY, "field"),
               s.flow.back(USER, SURVEY, "hours"), s.flow.skip(USER, SURVEY, "hours"),
               s.flow.resume(USER, SURVEY), s.flow.edit_menu(USER, SURVEY),
               s.flow.edit_question(USER, SURVEY, "hours"), s.flow.summary(USER, SURVEY),
               s.flow.submit(USER, SURVEY)]
    for action in actions:
        step = await action
        assert (screens(step), notice(step), alert(step)) == ([], messages.SURVEY_GONE, True)
    assert await s.flow.typed(USER, "12") is None  # typed text is a question again
    assert s.response() is None


async def test_a_survey_removed_from_the_knowledge_is_gone_and_nothing_is_started(s):
    for action in [s.flow.open(USER, "old"), s.flow.begin(USER, "old"),
                   s.flow.choose(USER, "old", "grade", "9")]:
        step = await action
        assert (screens(step), notice(step), alert(step)) == ([], messages.SURVEY_GONE, True)
    assert s.flow.responses.of_user(USER) == []
