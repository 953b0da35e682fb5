"""Logs: one JSON object per line when asked, no bot token, no typed answers, hashed user ids."""

from __future__ import annotations

import json
import logging
import sys

from bot import logs, messages
from bot.storage.database import open_db
from tests.telegram.harness import buttons
from tests.telegram.process import bot_env, start_bot, stop_bot

SECRET_CLASS = "9Z-BIMAT"


async def _tap(api, user, message, text):
    api.mark(user.id)
    await api.press_button(user, message, text)
    [after] = await api.wait_for_message(user.id, timeout=30)
    return after


async def _say(api, user, text):
    api.mark(user.id)
    await api.send_text(user, text)
    [after] = await api.wait_for_message(user.id, timeout=30)
    return after


async def test_json_logs_keep_out_the_token_survey_answers_and_raw_user_ids(api, student,
                                                                          tmp_path):
    db_path = tmp_path / "logs.db"
    db = open_db(db_path)
    db.table("schools").insert({"code": "THCSX", "name": "THCS X", "former_district": "Tân An"})
    db.close()
    proc = await start_bot(api, bot_env(api, db_path, LOG_LEVEL="DEBUG", LOG_FORMAT="json"),
                           capture=True, timeout=60)
    try:
        api.mark(student.id)
        await api.send_text(student, "/start THCSX")
        await api.wait_for_message(student.id, count=2, timeout=30)
        await _say(api, student, "hoc phi trung cap")
        listing = await _say(api, student, "/khaosat")
        consent = await _tap(api, student, listing, next(b for b in buttons(listing)
                                                         if b.startswith("Nhu cầu")))
        q = await _tap(api, student, consent, messages.SURVEY_AGREE)
        q = await _tap(api, student, q, "Lớp 9")
        await _say(api, student, SECRET_CLASS)  # a typed survey answer
    finally:
        text = await stop_bot(proc)
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines and all(json.loads(line)["level"] for line in lines)  # one object per line
    assert any(json.loads(line).get("event") == "ask" for line in lines)
    assert api.token not in text and api.token.split(":")[1] not in text
    assert SECRET_CLASS not in text and "hoc phi trung cap" not in text
    assert str(student.id) not in text


def test_the_redaction_filter_removes_tokens_from_messages_and_tracebacks(caplog):
    token = "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ0123456789"
    handler = logging.StreamHandler()
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "calling %s", (token,), None)
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{token}/getMe failed")
    except RuntimeError:
        record.exc_info = sys.exc_info()
    logs.RedactTokens(token).filter(record)
    formatted = handler.format(record) + (record.exc_text or "")
    assert token not in formatted and "<redacted>" in formatted


def test_user_ids_are_pseudonymous_and_stable():
    logs.set_salt("some-token")
    assert logs.uid(700001) == logs.uid(700001) != logs.uid(700002)
    assert "700001" not in logs.uid(700001)
    logs.set_salt("another-token")
    assert logs.uid(700001) != logs.uid(700002)
