"""Exports are built off the event loop: others are answered meanwhile, one build per staff."""

from __future__ import annotations

import pytest

from bot import messages
from bot.surveys.model import school_year
from tests.seed import seed_needs_responses
from tests.telegram.harness import BotHarness, buttons

MANY = 6000  # responses: the Excel build takes seconds, answering a question milliseconds


@pytest.fixture
async def big_bot(api, tmp_path):
    harness = BotHarness(api, tmp_path)
    await harness.start()
    year = school_year(harness.services.local_now().date())
    seed_needs_responses(tmp_path / "careerbot.db", MANY, [f"S{i:03}" for i in range(20)], year)
    try:
        yield harness
    finally:
        await harness.stop()


async def _tap_excel(bot, api, admin):
    [choose] = await bot.say(admin, "/export")
    mark = len(api.calls)
    await api.press_button(admin, choose, messages.EXPORT_XLSX)
    return choose, mark


def _working(api, mark: int) -> bool:
    return any(c.method == "answerCallbackQuery" and c.params.get("text") == messages.WORKING
               for c in api.calls[mark:])


async def test_others_are_answered_while_an_excel_export_of_many_responses_builds(
        big_bot, api, admin, student):
    bot = big_bot
    await bot.say(student, "/start")
    _, mark = await _tap_excel(bot, api, admin)
    await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                       and c.params.get("text") == messages.WORKING, since=mark)
    for question in ("hoc phi trung cap", "xkld la gi", "hoc nghe o dau"):
        [answer] = await bot.say(student, question)
        assert answer["text"]
    assert not [c for c in api.calls[mark:] if c.method == "sendDocument"]  # still building
    await api.wait_for(lambda c: c.method == "sendDocument", since=mark, timeout=120)
    [(name, _, caption)] = api.documents(admin.id)
    assert name.endswith(".xlsx") and f"{MANY} phiếu" in caption


async def test_a_second_export_while_the_first_builds_is_told_to_wait(big_bot, api, admin):
    bot = big_bot
    choose, mark = await _tap_excel(bot, api, admin)
    await api.wait_for(lambda c: _working(api, mark), since=mark)
    second = len(api.answered_callbacks)
    await api.press_button(admin, choose, messages.EXPORT_XLSX)
    await api.wait_for(lambda c: len(api.answered_callbacks) > second, since=mark)
    [busy] = api.answered_callbacks[second:]
    assert busy["text"] == messages.BUILD_BUSY and busy["show_alert"]
    await api.wait_for(lambda c: c.method == "sendDocument", since=mark, timeout=120)
    await api.wait_idle()
    assert len(api.documents(admin.id)) == 1
    assert not bot.services.builds.running
    again = len(api.calls)  # once it is done, the next export is built as usual
    await api.press_button(admin, choose, messages.EXPORT_XLSX)
    await api.wait_for(lambda c: c.method == "sendDocument", since=again, timeout=120)
    assert buttons(choose)  # the choice screen stays usable
