"""A bot process killed with SIGKILL in the middle of a survey loses no acknowledged answer."""

from __future__ import annotations

from bot import messages
from bot.storage.database import open_reader
from tests.telegram.harness import buttons
from tests.telegram.process import bot_env, kill_bot, start_bot, stop_bot


async def _start(api, db_path):
    env = bot_env(api, db_path, LOG_LEVEL="WARNING")
    env.pop("COUNSELOR_CHAT_ID", None)
    return await start_bot(api, env, timeout=60)


async def _tap(api, user, message, text):
    api.mark(user.id)
    await api.press_button(user, message, text)
    [after] = await api.wait_for_message(user.id, timeout=30)
    return after


def _stored(db_path, user_id):
    db = open_reader(db_path)
    try:
        return db.execute("SELECT count(*) FROM answers a JOIN responses r ON r.id = "
                          "a.response_id WHERE r.user_id = ?", [user_id]).fetchone()[0]
    finally:
        db.close()


async def test_sigkill_mid_survey_keeps_every_acknowledged_answer(api, student, tmp_path):
    db_path = tmp_path / "crash.db"
    proc = await _start(api, db_path)
    try:
        api.mark(student.id)
        await api.send_text(student, "/khaosat")
        [listing] = await api.wait_for_message(student.id, timeout=30)
        assert any(b.startswith("Sở thích") for b in buttons(listing)), listing
        survey_button = next(b for b in buttons(listing) if b.startswith("Sở thích"))
        consent = await _tap(api, student, listing, survey_button)
        question = await _tap(api, student, consent, messages.SURVEY_AGREE)
        acknowledged = 0
        for _ in range(12):
            question = await _tap(api, student, question, "4")
            acknowledged += 1  # the next question is shown only after the answer is committed
        await api.press_button(student, question, "5")  # one more, in flight...
    finally:
        await kill_bot(proc)  # ...when the process dies
    assert _stored(db_path, student.id) >= acknowledged

    proc = await _start(api, db_path)
    try:
        await api.wait_idle(quiet=1.0)  # Telegram redelivers the unconfirmed tap: let it land
        stored = _stored(db_path, student.id)
        assert stored >= acknowledged
        api.mark(student.id)
        await api.send_text(student, "/khaosat")
        [listing] = await api.wait_for_message(student.id, timeout=30)
        survey_button = next(b for b in buttons(listing) if b.startswith("Sở thích"))
        assert "đang làm dở" in survey_button
        resume = await _tap(api, student, listing, survey_button)
        current = await _tap(api, student, resume, messages.SURVEY_CONTINUE)
        assert f"Câu {stored + 1}/30" in current["text"]
    finally:
        await stop_bot(proc)
