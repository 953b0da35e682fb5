"""Running the bot: errors, flood guard, webhook mode, and `careerbot run` as a process."""

from __future__ import annotations

import socket

from bot import messages
from bot.app import build_application
from bot.services import build_services
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


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_receives_updates_with_the_secret(api, student, tmp_path, engine):
    port = _free_port()
    harness = BotHarness(api, tmp_path, env={
        "WEBHOOK_URL": f"http://127.0.0.1:{port}/careerbot-hook", "WEBHOOK_LISTEN": "127.0.0.1",
        "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": "s3cret-Token_1"}, engine=engine)
    settings = harness.settings()
    svc = build_services(settings, assistant=harness.assistant(settings))
    app = build_application(settings, svc)
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(listen=settings.webhook_listen, port=settings.webhook_port,
                                    url_path=settings.webhook_path,
                                    webhook_url=settings.webhook_url,
                                    secret_token=settings.webhook_secret)
    try:
        hook = await api.wait_for(lambda c: c.method == "setWebhook")
        assert hook.params["secret_token"] == "s3cret-Token_1"
        api.mark(student.id)
        await api.send_text(student, "/menu")
        [menu] = await api.wait_for_message(student.id)
        assert menu["text"] == messages.MENU_TITLE
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        svc.close()


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
