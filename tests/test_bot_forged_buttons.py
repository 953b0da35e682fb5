"""Forged buttons with numbers no row can have are stale buttons, not crashes."""

from __future__ import annotations

import logging

from bot import messages
from handlers.telegram.callbacks import pack
from tests.telegram.harness import COUNSELOR_CHAT

FORTY_DIGITS = "9" * 40


async def test_a_40_digit_vote_button_is_a_stale_button(bot, api, student, caplog):
    caplog.set_level(logging.WARNING)
    [answer] = await bot.say(student, "xkld la gi")
    for data in (pack("v", FORTY_DIGITS, "+"), pack("v", 2**63, "-"),
                 pack("b", "send", FORTY_DIGITS)):
        mark = len(api.calls)
        await api.press(student, answer, data, strict=False)
        answered = await api.wait_for(lambda c: c.method == "answerCallbackQuery", since=mark)
        assert answered.params.get("text") == messages.STALE_BUTTON
    await api.wait_idle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(api.sent(student.id)) == 1  # no apology


async def test_a_40_digit_ticket_number_is_an_unknown_ticket(bot, api, counsellor, counsellors):
    [reply] = await bot.say(counsellor, f"/ketthuc {FORTY_DIGITS}", chat=counsellors)
    assert reply["chat"]["id"] == COUNSELOR_CHAT
    assert "Không tìm thấy phiếu" in reply["text"]
