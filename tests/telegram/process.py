"""`careerbot run` (or another bot) as a subprocess polling the stand-in: tests and benchmarks."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from .botapi import FakeBotAPI

ROOT = Path(__file__).resolve().parents[2]
CAREERBOT = (sys.executable, "-m", "bot", "run")
# For load tests: Telegram's flood limits and the per-user guard off, only warnings logged.
UNLIMITED = {"TELEGRAM_RATE_PER_SECOND": "0", "TELEGRAM_GROUP_RATE_PER_MINUTE": "0",
             "CAREERBOT_FLOOD_PER_MINUTE": "10000", "LOG_LEVEL": "WARNING"}


def bot_env(api: FakeBotAPI, db_path: Path | str, **settings: str) -> dict[str, str]:
    """This process's environment, pointed at the stand-in and a database, plus `settings`."""
    return {**os.environ, "TELEGRAM_BOT_TOKEN": api.token, "TELEGRAM_API_BASE_URL": api.base_url,
            "CAREERBOT_DB": str(db_path), "PYTHONIOENCODING": "utf-8", **settings}


async def start_bot(api: FakeBotAPI, env: dict[str, str], *, capture: bool = False,
                    command: tuple[str, ...] | list[str] = CAREERBOT, timeout: float = 120,
                    log: Path | None = None) -> asyncio.subprocess.Process:
    """Start the bot and return once it polls; `capture` keeps its output for `stop_bot`,
    `log` writes its stderr to a file instead (a pipe nobody reads would fill and block it)."""
    polls = api.polls_started
    output = asyncio.subprocess.PIPE if capture else asyncio.subprocess.DEVNULL
    if log is not None:
        with log.open("ab") as errors:  # the child keeps its own copy of the descriptor
            proc = await asyncio.create_subprocess_exec(
                *command, env=env, cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=errors)
    else:
        proc = await asyncio.create_subprocess_exec(*command, env=env, cwd=ROOT,
                                                    stdout=output, stderr=output)
    # Its first long poll has begun: it polls (waiting for that poll to end took 10 s).
    await api.wait_for_poll(polls, timeout=timeout)
    return proc


async def stop_bot(proc: asyncio.subprocess.Process) -> str:
    """SIGTERM, wait for a clean exit; what the bot wrote to stderr (when captured)."""
    if proc.returncode is not None:
        return ""
    proc.send_signal(signal.SIGTERM)
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    return err.decode("utf-8") if err else ""


async def kill_bot(proc: asyncio.subprocess.Process) -> None:
    """SIGKILL: a crash, nothing flushed."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
