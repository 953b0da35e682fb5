"""Throughput of the real bot against a bare python-telegram-bot echo bot, in one run.

N simulated users each ask M questions through the local Bot API stand-in (in this process),
each waiting for the answer before asking the next, as people do; each bot runs as its own
process polling the stand-in: `careerbot run` and bench/echo_bot.py, with the same number of
updates in flight, connections and the same AIORateLimiter with Telegram's flood limits switched
off (TELEGRAM_RATE_PER_SECOND=0). The echo bot copies the text; careerbot normalises, ranks,
logs the question in SQLite and renders an answer with sources and buttons.

The target compares careerbot with the bare echo bot (python-telegram-bot's own HTTPXRequest).
careerbot talks HTTP through aiohttp with JSON bodies (handlers/transport.py), which costs a
fraction of HTTPXRequest's CPU; the third row, the echo bot on that same transport, shows what
careerbot's own work (engine, SQLite, rich answers) costs when the transport is equal.
Rounds alternate the bots so drift hits all alike.

    python bench/bot_throughput.py [--users 50] [--messages 20] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering.evaluation import QuestionSet  # noqa: E402
from tests.telegram.botapi import FakeBotAPI  # noqa: E402
from tests.telegram.process import UNLIMITED, bot_env, start_bot, stop_bot  # noqa: E402

ECHO, ECHO_SAME, OURS = "bare PTB echo bot", "echo bot, same transport", "careerbot"
BOTS = {
    ECHO: [sys.executable, str(ROOT / "bench" / "echo_bot.py")],
    ECHO_SAME: [sys.executable, str(ROOT / "bench" / "echo_bot.py"), "--careerbot-transport"],
    OURS: [sys.executable, "-m", "bot", "run"],
}


Result = tuple[float, list[float], float]  # answers/s, seconds question->answer, CPU s/answer


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def measure(command: list[str], questions: list[str], users: int, per_user: int
                  ) -> Result:
    """Throughput and latencies for `users` people asking `per_user` questions each."""
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeBotAPI() as api:
            proc = await start_bot(api, bot_env(api, f"{tmp}/bench.db", **UNLIMITED),
                                   command=command)
            try:
                latencies: list[float] = []

                async def person(i: int) -> None:
                    user = api.private_user(100_000 + i, first_name=f"U{i}")
                    for j in range(per_user):
                        api.mark(user.id)
                        asked = time.perf_counter()
                        await api.send_text(user, questions[(i * per_user + j) % len(questions)])
                        await api.wait_for_message(user.id, timeout=120)
                        latencies.append(time.perf_counter() - asked)

                cpu_before, start = cpu_seconds(proc.pid), time.perf_counter()
                await asyncio.gather(*(person(i) for i in range(users)))
                elapsed, cpu = time.perf_counter() - start, cpu_seconds(proc.pid) - cpu_before
                total = users * per_user
                return total / elapsed, latencies, cpu / total
            finally:
                await stop_bot(proc)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--messages", type=int, default=20, help="messages per user")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    qs = QuestionSet.load(ROOT / "tests/data/eval.yaml")
    questions = [q for q, _ in qs.in_scope] + list(qs.out_of_scope)
    rates: dict[str, list[float]] = {name: [] for name in BOTS}
    waits: dict[str, list[float]] = {name: [] for name in BOTS}
    cpus: dict[str, list[float]] = {name: [] for name in BOTS}
    for _ in range(args.rounds):
        for name, command in BOTS.items():
            rate, latencies, cpu = await measure(command, questions, args.users, args.messages)
            rates[name].append(rate)
            waits[name].extend(latencies)
            cpus[name].append(cpu)
    print(f"{args.users} users x {args.messages} questions = {args.users * args.messages} "
          f"per run, {args.rounds} rounds, each bot in its own process")
    print(f"{'bot':26} {'answers/s':>10} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms/answer':>14}"
          "   answers/s per round")
    for name, values in rates.items():
        lat = sorted(waits[name])
        p50, p95 = lat[len(lat) // 2] * 1000, lat[int(len(lat) * 0.95)] * 1000
        print(f"{name:26} {statistics.median(values):10.1f} {p50:8.1f} {p95:8.1f} "
              f"{statistics.median(cpus[name]) * 1000:14.2f}   "
              + " ".join(f"{v:.0f}" for v in values))
    for echo in (ECHO, ECHO_SAME):
        ratio = statistics.median(rates[OURS]) / statistics.median(rates[echo])
        cpu_ratio = statistics.median(cpus[echo]) / statistics.median(cpus[OURS])
        target = f" (target >= 0.80: {'met' if ratio >= 0.8 else 'MISSED'})" if echo == ECHO \
            else " (for information)"
        print(f"ratio careerbot / {echo}: throughput {ratio:.2f}{target}; "
              f"CPU efficiency {cpu_ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
