"""A bot process killed with SIGKILL in the middle of a survey loses no acknowledged answer."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from bot import messages
from bot.storage import open_reader
from tests.conftest import ROOT
from tests.telegram.harness import buttons


async def _start(api, db_path):
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
           "CAREERBOT_DB": str(db_path), "LOG_LEVEL": "WARNING", "PYTHONIOENCODING": "utf-8"}
    env.pop("COUNSELOR_CHAT_ID", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    mark = len(api.calls)
    await api.wait_for(lambda c: c.method == "getUpdates", timeout=60, since=mark)
    return proc


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
        survey_button = next(b for b in buttons(listing) if b.startswith("Sở thích"))
        consent = await _tap(api, student, listing, survey_button)
        question = await _tap(api, student, consent, messages.SURVEY_AGREE)
        acknowledged = 0
        for _ in range(12):
            question = await _tap(api, student, question, "4")
            acknowledged += 1  # the next question is shown only after the answer is committed
        await api.press_button(student, question, "5")  # one more, in flight...
        proc.send_signal(signal.SIGKILL)  # ...when the process dies
        await proc.wait()
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
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
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), 60)
