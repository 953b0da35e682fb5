"""Webhook mode: only Telegram, which knows the secret, can post updates to the bot."""

from __future__ import annotations

import asyncio
import socket
import time

import aiohttp
import pytest

from bot import messages
from bot.config import ConfigError, Settings
from tests.telegram.harness import ADMIN_ID, BotHarness
from tests.test_cli import careerbot

SECRET = "s3cret-Token_1-long-enough"
ATTACKER_CHAT = 666_000_001


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _webhook_env(port: int, **extra: str) -> dict[str, str]:
    return {"WEBHOOK_URL": f"http://127.0.0.1:{port}/careerbot-hook",
            "WEBHOOK_PORT": str(port), "WEBHOOK_SECRET": SECRET, **extra}


def _forged_admin_command(text: str = "/moi admin") -> dict:
    """An update "from" the admin, in the attacker's own chat."""
    return {"update_id": 999_000_001, "message": {
        "message_id": 1, "date": int(time.time()), "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        "chat": {"id": ATTACKER_CHAT, "type": "private", "first_name": "Admin"},
        "from": {"id": ADMIN_ID, "is_bot": False, "first_name": "Admin"}}}


def test_webhook_refuses_to_start_without_a_secret():
    env = {"TELEGRAM_BOT_TOKEN": "123456:TEST-TOKEN", "WEBHOOK_URL": "https://bot.example/hook"}
    for secret in ("", "short-secret"):  # none, or one a guesser could find
        with pytest.raises(ConfigError, match=r"^WEBHOOK_SECRET: "):
            Settings.from_env({**env, "WEBHOOK_SECRET": secret})
    out = careerbot("run", env={**env, "WEBHOOK_SECRET": ""})
    assert out.returncode == 1
    assert "WEBHOOK_SECRET" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_webhook_listens_on_loopback_unless_told_otherwise():
    env = {"WEBHOOK_URL": "https://bot.example/hook", "WEBHOOK_SECRET": SECRET}
    assert Settings.from_env(env).webhook_listen == "127.0.0.1"
    inside_a_container = "0.0.0.0"  # noqa: S104 - the proxy reaches it through Docker's port
    chosen = Settings.from_env({**env, "WEBHOOK_LISTEN": inside_a_container}).webhook_listen
    assert chosen == inside_a_container


@pytest.fixture
async def webhook_bot(api, tmp_path):
    port = _free_port()
    harness = BotHarness(api, tmp_path, env={**_webhook_env(port)})
    await harness.start()
    try:
        yield harness, f"http://127.0.0.1:{port}/careerbot-hook"
    finally:
        await harness.stop()


async def test_webhook_forged_updates_without_the_right_secret_get_403(webhook_bot, api,
                                                                       student):
    bot, url = webhook_bot
    hook = await api.wait_for(lambda c: c.method == "setWebhook")
    assert hook.params["secret_token"] == SECRET
    wrong = [None, "", "wrong", SECRET[:-1], SECRET[:-1] + "X", SECRET + "X", SECRET.upper()]
    async with aiohttp.ClientSession() as session:
        for secret in wrong:
            headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(url, json=_forged_admin_command(), headers=headers) as r:
                assert r.status == 403, secret
    # Telegram itself (the stand-in posts with the secret) still gets through.
    api.mark(student.id)
    await api.send_text(student, "/menu")
    [menu] = await api.wait_for_message(student.id)
    assert menu["text"] == messages.MENU_TITLE
    await api.wait_idle()
    assert bot.services.db.execute("SELECT count(*) FROM invites").fetchone()[0] == 0
    assert not [c for c in api.calls if str(c.params.get("chat_id")) == str(ATTACKER_CHAT)]


def _raw_update(update_id: int, user_id: int, text_json: str) -> bytes:
    """An update as bytes, the text given as JSON source (escapes and all)."""
    return (f'{{"update_id": {update_id}, "message": {{"message_id": 5, "date": '
            f'{int(time.time())}, "text": {text_json}, "chat": {{"id": {user_id}, "type": '
            f'"private", "first_name": "Lan"}}, "from": {{"id": {user_id}, "is_bot": false, '
            f'"first_name": "Lan"}}}}}}').encode()


async def test_webhook_json_the_parser_gives_up_on_gets_400_not_a_traceback(webhook_bot, api,
                                                                           caplog):
    _, url = webhook_bot
    await api.wait_for(lambda c: c.method == "setWebhook")
    bodies = [b"[" * 50_000 + b"]" * 50_000,  # RecursionError
              b'{"update_id": ' + b"7" * 5_000 + b"}",  # ValueError: over 4,300 digits
              b'{"update_id": 1, "x": ' + b"[" * 300 + b"]" * 300 + b"}"]
    async with aiohttp.ClientSession() as session:
        for body in bodies:
            async with session.post(url, data=body, headers={
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                    "Content-Type": "application/json"}) as r:
                assert r.status == 400
                assert await r.text() == messages.WEB_BAD_REQUEST
    assert "Traceback" not in caplog.text


async def test_webhook_text_with_a_lone_surrogate_is_cleaned_and_answered(webhook_bot, api,
                                                                         student):
    bot, url = webhook_bot
    await api.wait_for(lambda c: c.method == "setWebhook")
    await api.send_text(student, "/start")  # the chat exists on Telegram's side
    await api.wait_idle()
    api.mark(student.id)
    body = _raw_update(880_000_001, student.id, '"hoc trung c\\ud800p co mat hoc phi ko"')
    async with aiohttp.ClientSession() as session, session.post(url, data=body, headers={
            "X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}) as r:
        assert r.status == 200
    [reply] = await api.wait_for_message(student.id)
    assert reply["text"] != messages.ERROR_APOLOGY
    await api.wait_idle()
    await bot.services.writer.sync()
    [stored] = [r[0] for r in bot.services.db.execute("SELECT text FROM asks")]
    assert stored.startswith("hoc trung c") and stored.encode("utf-8")  # well-formed


async def test_webhook_a_half_sent_body_gets_408(webhook_bot, api, monkeypatch):
    from handlers.telegram import webhook

    monkeypatch.setattr(webhook, "BODY_SECONDS", 0.5)
    _, url = webhook_bot
    await api.wait_for(lambda c: c.method == "setWebhook")
    port = int(url.split(":")[2].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST /careerbot-hook HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 f"X-Telegram-Bot-Api-Secret-Token: {SECRET}\r\nContent-Type: application/json"
                 f"\r\nContent-Length: 500\r\n\r\n{{\"update_id\": 1".encode())
    await writer.drain()
    head = await asyncio.wait_for(reader.readline(), 10.0)
    assert head.startswith(b"HTTP/1.1 408")
    writer.close()
