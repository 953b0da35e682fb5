"""`careerbot web` with ZALO_APP_ID set, as an operator runs it (its own process, settings from
the environment): it serves the webhook, answers through the OA API stand-in, and stops
cleanly without a Zalo token in its output."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.web_process import WebServer
from tests.zalo.harness import zalo_env
from tests.zalo.oaapi import APP_SECRET, OA_SECRET, FakeZaloOA


async def test_careerbot_web_serves_the_zalo_webhook_and_answers_through_zalo(
        zalo: FakeZaloOA, tmp_path: Path):
    env = {k: v for k, v in zalo_env(zalo).items() if v is not None}
    server = WebServer(tmp_path / "zalo.db", env={**env, "LOG_LEVEL": "DEBUG"})
    await asyncio.to_thread(server.start)
    try:
        forged = zalo.event("user_send_text", "u1", text="học phí trung cấp")
        assert (await zalo.send_event(server.url + "/zalo/webhook", forged,
                                      signature="mac=00"))[0] == 403
        zalo.expire_access_tokens()  # the first send refreshes: tokens are in play
        event = zalo.event("user_send_text", "u1", text="học phí trung cấp")
        status, _ = await zalo.send_event(server.url + "/zalo/webhook", event)
        assert status == 200
        async with asyncio.timeout(30):
            while not zalo.texts_to("u1"):
                await asyncio.sleep(0.05)
        assert "📚" in "".join(t or "" for t in zalo.texts_to("u1"))
    finally:
        assert await asyncio.to_thread(server.stop) == 0
    output = server.output()
    assert "Traceback" not in output
    tokens = [r.answer["access_token"] for r in zalo.requests if r.host == "oauth"] + \
        [r.answer["refresh_token"] for r in zalo.requests if r.host == "oauth"]
    for secret in (APP_SECRET, OA_SECRET, zalo.access_token, zalo.refresh_token, *tokens):
        assert secret not in output
    assert "học phí trung cấp" not in output  # no message text in the logs, DEBUG included
