"""Expected Bot API outcomes are no errors: no apology, no admin notice, the tap is answered."""

from __future__ import annotations

import logging

import pytest

from bot import messages
from tests.telegram.harness import ADMIN_ID, COUNSELOR_CHAT


@pytest.fixture
def quiet(caplog):
    caplog.set_level(logging.DEBUG)
    return caplog


def _apologies(api) -> list:
    return [c for c in api.calls if c.method == "sendMessage" and (
        c.params.get("text") == messages.ERROR_APOLOGY
        or str(c.params.get("chat_id")) == str(ADMIN_ID))]


def _logged_errors(caplog) -> list:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_second_thumbs_up_on_the_same_answer_is_not_an_error(bot, api, student, quiet):
    [answer] = await bot.say(student, "vay von di xkld o dau")
    [edited] = await bot.tap(student, answer, messages.VOTE_UP)
    assert messages.VOTE_UP not in str(edited.get("reply_markup"))  # the vote buttons went
    up = next(b["callback_data"] for row in answer["reply_markup"]["inline_keyboard"]
              for b in row if b["text"] == messages.VOTE_UP)
    before = len(api.answered_callbacks)
    await api.press(student, answer, up, strict=False)  # a client still showing them: again
    await api.wait_idle()
    assert [a["text"] for a in api.answered_callbacks[before:]] == [messages.VOTE_THANKS]
    assert not _apologies(api) and not _logged_errors(quiet)
    assert any("not modified" in r.getMessage() for r in quiet.records
               if r.levelno == logging.DEBUG)


async def test_a_late_or_forged_callback_is_still_handled_without_an_apology(
        bot, api, student, quiet):
    [menu] = await bot.say(student, "/menu")
    group = menu["reply_markup"]["inline_keyboard"][0][0]
    api.mark(student.id)
    await api.push_update({"callback_query": {  # an id Telegram no longer (or never) knew
        "id": "12345", "from": student.to_dict(), "message": menu,
        "chat_instance": "1", "data": group["callback_data"]}})
    [shown] = await api.wait_for_message(student.id)
    assert group["text"] in shown["text"]  # the tap did what it should
    await api.wait_idle()
    assert not _apologies(api) and not _logged_errors(quiet)
    assert any("query is too old" in r.getMessage().lower() for r in quiet.records)


async def test_a_message_telegram_cannot_copy_gets_a_note_not_an_apology(
        bot, api, student, quiet):
    await bot.say(student, "/tuvan")
    api.mark(student.id)
    api.mark(COUNSELOR_CHAT)
    await api.send_quiz(student)
    [ack, note] = await api.wait_for_message(student.id, count=2)
    assert ack["text"] == messages.RELAY_ACK  # queued at once; the group refuses it later
    assert note["text"] == messages.TICKET_CANT_RELAY
    await api.wait_idle()
    assert api.sent(COUNSELOR_CHAT)[-1:] and "Phiếu" in api.sent(COUNSELOR_CHAT)[-1]["text"]
    assert not _apologies(api) and not _logged_errors(quiet)
