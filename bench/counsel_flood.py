"""The counsellor flood of issue 17 (F1), run by bench/attack.py: students with open tickets
write at a human pace, more than the counsellors' group may take (about 20 posts a minute),
while bystanders with no ticket ask questions; then the bot is stopped with SIGTERM and killed
with SIGKILL mid-flood and restarted each time.

Printed: bystander p95 during the flood against the calm baseline measured just before (target
<= 3x); students' messages sent, acknowledged, delivered to the group, lost (sent, never
delivered), doubled (delivered twice; "marked" when the second copy says it may repeat), order
kept per student; how many group posts carried them (several tickets combine when behind).
The bot runs with its default settings: Telegram's rate limits on, group budget 20 a minute.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.simulate import percentile
from bot import messages
from tests.telegram.botapi import FakeBotAPI, SentMessage, User
from tests.telegram.harness import COUNSELOR_CHAT
from tests.telegram.process import bot_env, kill_bot, start_bot, stop_bot


@dataclass
class Flood:
    sent: dict[int, list[str]] = field(default_factory=dict)  # per student, in order
    count: int = 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ticket-students", type=int, default=40)
    parser.add_argument("--write-every", type=float, default=10.0,
                        help="seconds between a ticket student's messages")
    parser.add_argument("--flood-seconds", type=float, default=60.0,
                        help="flood with bystanders measured, before the stops")
    parser.add_argument("--group-per-minute", type=int, default=None,
                        help="the group's budget (default: the bot's, 20)")
    parser.add_argument("--no-restarts", action="store_true", help="skip SIGTERM and kill -9")


Ask = Callable[[FakeBotAPI, User, str], Awaitable[list[SentMessage]]]
Bystanders = Callable[..., Awaitable[list[float]]]  # bench/attack.py's: (api, people, count, until)


async def _write(api: FakeBotAPI, students: list[User], flood: Flood, every: float,
                 seconds: float) -> None:
    """Each student writes every `every` seconds (own random phase) for `seconds`."""
    rng = random.Random(len(students))

    async def one(user: User) -> None:
        await asyncio.sleep(rng.uniform(0, every))
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            text = f"HS{user.id} tin {len(flood.sent[user.id])}: em muốn hỏi thêm về ngành học"
            flood.sent[user.id].append(text)
            flood.count += 1
            await api.send_text(user, text)
            await asyncio.sleep(every)

    await asyncio.gather(*(one(u) for u in students))


def _relayed(api: FakeBotAPI) -> tuple[list[str], int]:
    """Every relayed student text in the group, in order, and how many posts carried them."""
    out: list[str] = []
    posts = 0
    for message in api.sent(COUNSELOR_CHAT):
        text = message.get("text", "")
        lines = [line.split(" › ", 1)[1] for line in text.splitlines() if " › " in line] \
            if text.startswith("📨") else [text]
        found = [t for t in lines if t.removeprefix(messages.RELAY_MAYBE_REPEATED).startswith("HS")]
        posts += bool(found)
        out.extend(found)
    return out, posts


def _acks(api: FakeBotAPI, students: list[User]) -> int:
    return sum(1 for u in students for m in api.sent(u.id)
               if m.get("text", "").startswith(messages.RELAY_ACK))


async def run(args: argparse.Namespace, tmp: Path, ask: Ask, bystanders: Bystanders) -> None:
    db_path, log_path = tmp / "counsel.db", tmp / "counsel.log"
    extra = dict(e.split("=", 1) for e in args.env)
    if args.group_per_minute is not None:
        extra["TELEGRAM_GROUP_RATE_PER_MINUTE"] = str(args.group_per_minute)
    async with FakeBotAPI() as api:
        api.group(COUNSELOR_CHAT, "Tổ tư vấn")
        env = bot_env(api, db_path, COUNSELOR_CHAT_ID=str(COUNSELOR_CHAT), LOG_LEVEL="INFO",
                      **extra)
        proc = await start_bot(api, env, log=log_path)
        restarts: list[str] = []
        try:
            people = [api.private_user(630_000 + i) for i in range(args.bystanders)]
            others = [api.private_user(635_000 + i) for i in range(args.bystanders)]
            students = [api.private_user(640_000 + i, first_name=f"HS{i}")
                        for i in range(args.ticket_students)]
            await bystanders(api, people + others, 2)  # warm up, make everyone known
            baseline = await bystanders(api, people, args.questions)
            for user in students:
                await ask(api, user, "/tuvan")
            flood = Flood({u.id: [] for u in students})
            done = asyncio.Event()

            async def writing() -> None:
                try:
                    await _write(api, students, flood, args.write_every, args.flood_seconds)
                finally:
                    done.set()

            started = time.perf_counter()
            writers = asyncio.create_task(writing())
            # At most 50 each (under the per-user flood guard's 60 a minute), fewer once it ends.
            during = await bystanders(api, others, 50, until=done)
            await writers
            flood_seconds = time.perf_counter() - started
            acked_in_flood = _acks(api, students)
            if not args.no_restarts:
                more = asyncio.create_task(_write(api, students, flood, args.write_every, 40.0))
                await asyncio.sleep(10)
                await stop_bot(proc)
                restarts.append("SIGTERM")
                proc = await start_bot(api, env, log=log_path)
                await asyncio.sleep(10)
                await kill_bot(proc)
                restarts.append("kill -9")
                proc = await start_bot(api, env, log=log_path)
                await more
            wanted = {t for texts in flood.sent.values() for t in texts}
            behind = len(wanted - {t.removeprefix(messages.RELAY_MAYBE_REPEATED)
                                   for t in _relayed(api)[0]})
            drain_started = time.perf_counter()
            with contextlib.suppress(AssertionError):  # what never came is counted as lost
                await api.wait_for(lambda c: wanted <= {
                    t.removeprefix(messages.RELAY_MAYBE_REPEATED)
                    for t in _relayed(api)[0]}, timeout=300)
            drain = time.perf_counter() - drain_started
            await api.wait_idle(quiet=1.0, timeout=60)
        finally:
            await stop_bot(proc)
            await kill_bot(proc)
    if args.keep_log:
        args.keep_log.with_suffix(".counsel.log").write_text(
            log_path.read_text("utf-8", errors="replace"), "utf-8")
    relayed, posts = _relayed(api)
    plain = [t.removeprefix(messages.RELAY_MAYBE_REPEATED) for t in relayed]
    counts = Counter(plain)
    lost = len(wanted - set(plain))
    doubled = sum(n - 1 for n in counts.values() if n > 1)
    marked = sum(1 for t in relayed if t.startswith(messages.RELAY_MAYBE_REPEATED))
    out_of_order = sum(
        1 for texts in flood.sent.values()
        if [t for t in dict.fromkeys(plain) if t in set(texts)] != [t for t in texts
                                                                    if t in counts])
    long_notices = sum(1 for u in students for m in api.sent(u.id)
                       if messages.RELAY_QUEUE_LONG in m.get("text", ""))
    calm, hit = percentile(baseline, 0.95) * 1000, percentile(during, 0.95) * 1000
    ratio = hit / calm
    print(f"\ncounsellor flood: {args.ticket_students} students with open tickets writing every "
          f"{args.write_every:g} s ({args.ticket_students * 60 / args.write_every:.0f} a minute "
          f"for a group budget of {args.group_per_minute or 20} a minute), "
          f"{args.bystanders} bystanders; default limits (rate limiter on)")
    print(f"bystander latency             calm  p50 {percentile(baseline, 0.5) * 1000:.0f} ms, "
          f"p95 {calm:.0f} ms ({len(baseline)} questions)")
    print(f"                              flood p50 {percentile(during, 0.5) * 1000:.0f} ms, "
          f"p95 {hit:.0f} ms, max {max(during) * 1000:.0f} ms ({len(during)} questions, "
          f"{flood_seconds:.0f} s)")
    print(f"ratio p95 flood / calm        {ratio:.2f}   (target <= 3: "
          f"{'met' if ratio <= 3 else 'MISSED'})")
    print(f"ticket messages               sent {flood.count}, acknowledged during the flood "
          f"{acked_in_flood}, delivered {len(set(plain) & wanted)}, lost {lost}, doubled "
          f"{doubled} (marked as possible repeats: {marked}), students out of order "
          f"{out_of_order}")
    print(f"group posts carrying them     {posts} (several tickets per post when behind); "
          f"'queue is long' notices {long_notices}; restarts: {', '.join(restarts) or 'none'}; "
          f"when the last was written {behind} were still waiting, all delivered "
          f"{drain:.1f} s later")
