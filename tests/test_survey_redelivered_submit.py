"""A student's bot killed exactly at "Gửi": the redelivered tap says it is already sent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot import messages
from bot.storage.database import open_reader
from bot.surveys.model import school_year
from tests.seed import seed_response
from tests.telegram.harness import buttons
from tests.telegram.process import bot_env, kill_bot, start_bot, stop_bot

ANSWERS = {"grade": "9", "school": "S000", "class": "9A1", "plan": "trung_cap",
           "field": ["cntt", "dien"], "abroad": "no", "barriers": ["tai_chinh"],
           "counsellor": "no"}


async def _tap(api, user, message, text):
    api.mark(user.id)
    await api.press_button(user, message, text)
    [after] = await api.wait_for_message(user.id, timeout=30)
    return after


def _status(db_path, user_id) -> str:
    db = open_reader(db_path)
    try:
        return db.execute("SELECT status FROM responses WHERE user_id = ?", [user_id]).fetchone()[0]
    finally:
        db.close()


async def test_a_submit_redelivered_after_its_commit_says_already_sent(api, student, tmp_path):
    db_path = tmp_path / "submit.db"
    year = school_year(dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date())
    seed_response(db_path, student.id, "needs", year, ANSWERS, school="S000")
    env = bot_env(api, db_path, LOG_LEVEL="WARNING")
    proc = await start_bot(api, env, timeout=60)
    try:
        api.mark(student.id)
        await api.send_text(student, "/khaosat")
        [listing] = await api.wait_for_message(student.id, timeout=30)
        resume = await _tap(api, student, listing,
                            next(b for b in buttons(listing) if b.startswith("Nhu cầu")))
        summary = await _tap(api, student, resume, messages.SURVEY_CONTINUE)
        assert messages.SURVEY_SEND in buttons(summary)
        api.stall("answerCallbackQuery")  # the reply to "Gửi" never gets out...
        await api.press_button(student, summary, messages.SURVEY_SEND)
        await api.wait_stalled(1, timeout=30)  # ...and it is only sent after the commit
    finally:
        await kill_bot(proc)  # killed exactly there
        api.release()
    assert _status(db_path, student.id) == "submitted"

    proc = await start_bot(api, env, timeout=60)
    try:
        await api.wait_idle(quiet=1.0)  # if the stand-in still held the tap, it lands here
        before = len(api.answered_callbacks)
        after = await _tap(api, student, summary, messages.SURVEY_SEND)  # Telegram redelivers
        assert "Cảm ơn bạn đã gửi" in after["text"]
        [answer] = api.answered_callbacks[before:]
        assert answer["text"] == messages.SURVEY_ALREADY_SENT and not answer["show_alert"]
    finally:
        await stop_bot(proc)
    assert _status(db_path, student.id) == "submitted"
