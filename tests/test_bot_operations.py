"""Running the bot: errors, flood guard, webhook mode, and `careerbot run` as a process."""

from __future__ import annotations

from bot import messages
from tests.telegram.harness import ADMIN_ID, BotHarness
from tests.telegram.process import bot_env, start_bot, stop_bot


async def test_an_error_apologises_to_the_user_and_tells_the_admin_once_a_minute(
        bot, api, student, admin):
    await bot.say(admin, "/start")
    for _ in range(2):
        api.mark(student.id)
        api.mark(ADMIN_ID)
        api.fail_next("sendMessage", 500, "Internal Server Error")
        await api.send_text(student, "hoc phi trung cap")
        [apology] = await api.wait_for_message(student.id)
        assert apology["text"] == messages.ERROR_APOLOGY
        await api.wait_idle()  # the admin notice, if any, is sent before the next failure
    notices = [m for m in api.sent(ADMIN_ID) if m["text"].startswith("⚠️ careerbot gặp lỗi")]
    assert len(notices) == 1  # the second error came within the minute


async def test_a_user_sending_too_fast_is_slowed_down_politely(api, student, tmp_path, engine):
    harness = BotHarness(api, tmp_path, env={"CAREERBOT_FLOOD_PER_MINUTE": "3"}, engine=engine)
    await harness.start()
    try:
        api.mark(student.id)
        for i in range(6):
            await api.send_text(student, f"hoc phi trung cap {i}")
        replies = await api.wait_for_message(student.id, count=4)
        await api.wait_idle()
        assert [r["text"] for r in replies].count(messages.SLOW_DOWN) == 1
        assert replies[-1]["text"] == messages.SLOW_DOWN
        assert len(api.sent(student.id)) == 4  # the 5th and 6th were dropped quietly
    finally:
        await harness.stop()


async def test_careerbot_run_polls_the_configured_api_and_keeps_the_token_out_of_logs(
        api, student, tmp_path):
    proc = await start_bot(api, bot_env(api, tmp_path / "run.db", LOG_LEVEL="DEBUG"),
                           capture=True, timeout=60)
    try:
        api.mark(student.id)
        await api.send_text(student, "/start")
        [welcome] = await api.wait_for_message(student.id, timeout=30)
        assert "trợ lý hướng nghiệp" in welcome["text"]
    finally:
        log_text = await stop_bot(proc)
    assert proc.returncode == 0, log_text
    assert "careerbot starting" in log_text
    assert api.token not in log_text and api.token.split(":")[1] not in log_text
