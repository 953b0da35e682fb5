"""The conversation core without any channel: intents in, Views out, a real database."""

from __future__ import annotations

import asyncio

import pytest

from bot import intents as i
from bot import messages
from bot.bootstrap import build_conversation
from bot.lanes import Lanes
from bot.people.schools import School
from bot.views import View, flatten

SCHOOL = School("THCS-LA1", "THCS Thị trấn Bến Lức", "Bến Lức", "Bến Lức", "Long An")


@pytest.fixture
def core(svc):
    svc.schools.add(SCHOOL)
    return build_conversation(svc), svc


def texts(view: View) -> str:
    return "\n".join(p.text for v in flatten(view) for p in v.parts)


def choose(view: View, start: str) -> i.Intent:
    return next(c.intent for c in view.choices if c.label.startswith(start))


async def test_a_whole_survey_through_intents_is_stored_and_submitted(core):
    talk, svc = core
    web = await svc.accounts.resolve("web", "visitor-1")
    await svc.users.set_audience(web.user_id, "student9")
    listing = await talk.handle(web, i.SurveyList())
    needs = next(c.intent for c in listing.choices if isinstance(c.intent, i.SurveyOpen))
    consent = await talk.handle(web, needs)
    view = await talk.handle(web, choose(consent, messages.SURVEY_AGREE))
    assert "Câu 1/" in texts(view)
    for _ in range(30):  # answer whatever is asked until the summary
        if any(isinstance(c.intent, i.SurveySubmit) for c in view.choices):
            break
        answers = [c.intent for c in view.choices
                   if isinstance(c.intent, i.SurveyAnswer | i.SurveyToggle)]
        if answers:
            view = await talk.handle(web, answers[0])
            done = [c.intent for c in view.choices if isinstance(c.intent, i.SurveyDone)]
            if done and isinstance(answers[0], i.SurveyToggle):
                view = await talk.handle(web, done[0])
        elif svc.flow.awaits_text(web.user_id):  # school, class, ... typed
            view = await talk.handle_text(web, "Bến Lức")
            picks = [c.intent for c in view.choices if isinstance(c.intent, i.SurveyAnswer)]
            if picks:
                view = await talk.handle(web, picks[0])
        else:
            view = await talk.handle(web, choose(view, messages.SURVEY_SKIP))
    thanks = await talk.handle(web, choose(view, messages.SURVEY_SEND))
    assert "Cảm ơn" in texts(thanks)
    response = svc.responses.find(web.user_id, "needs", svc.flow.year)
    assert response is not None and response.status == "submitted"
    assert response.answers["school"] == SCHOOL.code and response.answers["grade"]


async def test_typed_text_answers_a_waiting_question_and_is_otherwise_a_question(core):
    talk, svc = core
    account = await svc.accounts.resolve("terminal", "local")
    answer = await talk.handle_text(account, "học trung cấp có mất học phí không")
    assert svc.kb.get("tuition.trung-cap-free").title in texts(answer)


async def test_an_unknown_intent_is_a_stale_notice_not_an_error(core):
    talk, svc = core
    account = await svc.accounts.resolve("web", "v")
    view = await talk.handle(account, i.AnnounceDecision(True, 1))  # staff: not in the core
    assert view.notice is not None and view.notice.text == messages.STALE_BUTTON


async def test_without_a_counsellor_desk_none_is_offered_and_a_ticket_is_refused(core):
    talk, svc = core
    account = await svc.accounts.resolve("web", "v")
    fallback = await talk.handle_text(account, "asdf qwerty zxcv")
    assert not any(isinstance(c.intent, i.CounselOpen) for c in fallback.choices)
    refused = await talk.handle(account, i.CounselOpen())
    assert texts(refused) == messages.NO_COUNSELOR


async def test_my_data_comes_as_a_summary_and_a_file_and_erasing_forgets_it(core):
    talk, svc = core
    account = await svc.accounts.resolve("web", "v")
    await talk.handle_text(account, "học trung cấp mấy năm")
    mine = await talk.handle(account, i.PrivacyView())
    assert mine.files and b"trung" in mine.files[0].data
    confirm = await talk.handle(account, i.PrivacyErase())
    erased = await talk.handle(account, choose(confirm, messages.ERASE_YES))
    assert "Đã xoá" in texts(erased)
    assert svc.db.execute("SELECT count(*) FROM asks WHERE user_id = ?",
                          [account.user_id]).fetchone()[0] == 0
    assert svc.accounts.find("web", "v") is None  # the account itself is gone too


async def test_one_users_intents_never_overlap_and_the_lane_table_empties():
    lanes = Lanes()
    running = {7: 0, 8: 0}
    most = {7: 0, 8: 0}
    both = [0]

    def work(user: int):
        async def run() -> None:
            running[user] += 1
            most[user] = max(most[user], running[user])
            both[0] = max(both[0], sum(running.values()))
            await asyncio.sleep(0.01)
            running[user] -= 1
        return run

    await asyncio.gather(*(lanes.run(7, work(7)) for _ in range(20)),
                         *(lanes.run(8, work(8)) for _ in range(5)))
    assert most == {7: 1, 8: 1}  # one user's intents one at a time
    assert both[0] == 2  # different users side by side
    assert len(lanes) == 0


async def test_a_cancelled_intent_releases_its_lane():
    lanes = Lanes()
    started = asyncio.Event()

    async def slow() -> None:
        started.set()
        await asyncio.sleep(10)

    task = asyncio.create_task(lanes.run(1, slow))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(lanes) == 0
    assert await lanes.run(1, lambda: asyncio.sleep(0, result="ran")) == "ran"


# --- each channel reads its own lines ------------------------------------------------------------
def test_lines_marked_for_a_channel_reach_only_that_channel():
    from bot.channel_text import for_channel

    text = "chung\n[telegram] chỉ Telegram\n[web,terminal] web và dòng lệnh\ncuối"
    assert for_channel(text, "telegram") == "chung\nchỉ Telegram\ncuối"
    assert for_channel(text, "web") == "chung\nweb và dòng lệnh\ncuối"
    assert for_channel("[một] ngoặc thường", "web") == "[một] ngoặc thường"


async def test_help_and_the_privacy_answer_describe_the_channel_asked_on(core):
    talk, svc = core
    telegram = await svc.accounts.resolve("telegram", "4242")
    web = await svc.accounts.resolve("web", "visitor-help")
    assert "/tatthongbao" in texts(await talk.handle(telegram, i.Help()))
    on_web = texts(await talk.handle(web, i.Help()))
    assert "/tatthongbao" not in on_web and "cookie" in on_web and "[" not in on_web
    privacy = texts(await talk.handle_text(web, "bot có lưu id telegram ko z"))
    assert "ID Telegram" not in privacy and "cookie" in privacy
    assert "số ID Telegram" in texts(await talk.handle_text(telegram, "bot lưu những gì của tôi"))
    details = texts(await talk.handle(web, i.Details("bot.privacy")))
    assert "Telegram" not in details and "180 ngày" in details


async def test_text_typed_at_a_button_question_is_answered_then_the_question_comes_back(core):
    talk, svc = core
    web = await svc.accounts.resolve("web", "visitor-typed")
    await svc.users.set_audience(web.user_id, "student9")
    listing = await talk.handle(web, i.SurveyList())
    consent = await talk.handle(web, next(c.intent for c in listing.choices
                                          if isinstance(c.intent, i.SurveyOpen)))
    assert "khoảng 10 câu" in texts(consent)
    first = await talk.handle(web, choose(consent, messages.SURVEY_AGREE))
    assert "Câu 1/10" in texts(first)
    answered = await talk.handle_text(web, "học trung cấp có mất học phí không")
    shown = flatten(answered)
    assert shown[0].parts[0].kind.value == "title"  # the question was answered first
    assert messages.SURVEY_USE_BUTTONS in texts(shown[-1]) and "Câu 1/10" in texts(shown[-1])
    assert any(isinstance(c.intent, i.SurveyAnswer) for c in shown[-1].choices)
    typed = await talk.handle_text(web, "Lop 9")  # a choice typed: taken as the tap
    assert "Câu 2/10" in texts(typed) and not typed.replace
