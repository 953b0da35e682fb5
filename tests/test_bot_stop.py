"""SIGTERM stops `careerbot run` within seconds, whatever its handlers are waiting for."""

from __future__ import annotations

import asyncio
import signal

from tests.telegram.process import bot_env, kill_bot, start_bot

EXIT_WITHIN = 20.0  # seconds: generous (the grace is 5 s); before the fix it took minutes


async def test_sigterm_stops_the_bot_while_handlers_hang_on_a_silent_bot_api(api, tmp_path):
    env = bot_env(api, tmp_path / "stop.db", CAREERBOT_UPDATES_IN_FLIGHT="4",
                  LOG_LEVEL="INFO")
    proc = await start_bot(api, env, capture=True, timeout=60)
    try:
        api.stall("sendMessage")  # Telegram stops answering: every reply hangs
        for i in range(40):
            await api.send_text(api.private_user(740_000 + i), "hoc phi trung cap")
        await api.wait_stalled(4, timeout=30)  # four handlers in flight, 36 updates waiting
        proc.send_signal(signal.SIGTERM)
        try:
            _, err = await asyncio.wait_for(proc.communicate(), EXIT_WITHIN)
        except TimeoutError:
            raise AssertionError(f"still running {EXIT_WITHIN:.0f} s after SIGTERM") from None
    finally:
        api.release()
        await kill_bot(proc)
    log = err.decode("utf-8")
    assert proc.returncode == 0, log
    assert "cancelled after" in log  # the stuck ones were cancelled, not waited for
