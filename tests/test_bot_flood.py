"""Button taps count towards the per-user flood budget, exactly like messages."""

from __future__ import annotations

from bot import messages
from tests.telegram.harness import BotHarness, callback_datas

BUDGET = 20


async def test_600_presses_of_a_related_topic_button_get_at_most_the_budget_of_replies(
        api, student, tmp_path):
    bot = BotHarness(api, tmp_path, env={"CAREERBOT_FLOOD_PER_MINUTE": str(BUDGET)})
    await bot.start()
    try:
        [answer] = await bot.say(student, "hoc phi trung cap")  # the first of the budget
        related = next(d for d in callback_datas(answer) if d.startswith("2|t|"))
        sent_before = len(api.sent(student.id))
        answered_before = len(api.answered_callbacks)
        for _ in range(600):
            await api.press(student, answer, related)
        await api.wait_idle(quiet=0.5, timeout=120)
        await bot.services.writer.sync()
        replies = len(api.sent(student.id)) - sent_before
        asks = bot.services.db.execute("SELECT count(*) FROM asks WHERE user_id = ?",
                                       [student.id]).fetchone()[0]
        answers = api.answered_callbacks[answered_before:]
    finally:
        await bot.stop()
    assert replies == BUDGET - 1  # the question took one of the budget; no slow-down message
    assert asks == BUDGET
    assert len(answers) == 600  # every tap answered, so no button keeps spinning
    slowed = [a for a in answers if a["text"] == messages.SLOW_DOWN]
    assert len(slowed) == 600 - (BUDGET - 1)
