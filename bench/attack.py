"""Replays the attacks of issue 11 against `careerbot run` and measures what a bystander feels.

The bot runs as its own process polling the local Bot API stand-in (in this process, loopback
only) on a database seeded with submitted responses. Bystanders ask questions one after the
other, pausing 0.5-1.5 s at random between them (people do not ask in lockstep: in step, eight
of them measured the same instant eight times), first alone (the baseline), then while:

- survey bursts: many students tap answer, skip, restart and retake in quick succession, on
  stale screens, without waiting for the bot (item 2: per-user ordering, vanished responses);
- a button flood: a user presses one related-topic button hundreds of times (item 5);
- Excel exports: several staff export every response at once, and press again (item 6).

Every loop is bounded in count; every wait has a timeout.

Printed: updates in flight left after the attack (the bot's own count at SIGTERM, expect 0),
unhandled exceptions in the bot's log (expect 0), bystander p95 latency during the attack vs
without it (target ratio <= 2), and what each attack got. The bot runs with its defaults:
Telegram's rate limits on (30 messages a second overall, shared fairly by chats: issue 17, F9),
the per-user flood guard on.

Then the counsellor flood of issue 17 (bench/counsel_flood.py): 40 students with open tickets
writing every 10 s while bystanders ask, a SIGTERM and a kill -9 mid-flood; bystander p95
against calm, ticket messages delivered, lost and doubled. `--scenario attack|counsel` runs one.

    python bench/attack.py [--responses 6000] [--students 60] [--rounds 3] [--tap-gap 0.1]
                           [--spread 0] [--flooders 1] [--presses 600] [--staff 5]
                           [--bystanders 8] [--scenario all|attack|counsel]
                           [--ticket-students 40] [--write-every 10] [--flood-seconds 60]

The defaults follow the issue: bursts by 60 ordinary students (a fast thumb: 0.1 s between
taps), all starting at the same instant, one user pressing a button 600 times as fast as a
script can, five Excel exports of 6,000 responses. While the 60 students tap together (600
taps a second, three half-second windows) the bot's CPU is saturated and bystanders asking
right then wait tens of milliseconds; whether enough of their questions fall into those
windows to move the p95 varies from run to run. `--spread 10` starts the students at random
within 10 s, as a school's students would. `--tap-gap 0.005 --flooders 3` goes far beyond:
thousands of updates land at once and, delivered in order as getUpdates does, everyone
queues behind them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import random
import re
import signal
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import counsel_flood  # noqa: E402
from bench.bot_throughput import cpu_seconds  # noqa: E402
from bench.simulate import buttons, percentile  # noqa: E402
from bot import messages  # noqa: E402
from bot.surveys.model import school_year  # noqa: E402
from tests.seed import seed_needs_responses  # noqa: E402
from tests.telegram.botapi import FakeBotAPI, SentMessage, User  # noqa: E402
from tests.telegram.process import CAREERBOT, bot_env, kill_bot, start_bot  # noqa: E402

QUESTIONS = ["hoc phi trung cap", "xkld la gi", "hoc nghe o dau", "vay von di hoc",
             "cao dang long an co nganh gi", "hoc xong lop 9 lam gi"]
THINK = (0.5, 1.5)  # seconds between an answer and a bystander's next question, at random
MAX_ASKED = 50  # questions per bystander during the attack, under 60 a minute
STEP_TIMEOUT = 60.0
_IN_FLIGHT = re.compile(r"stopping with (\d+) update\(s\) in flight, (\d+) cancelled")
_UNHANDLED = re.compile(r" ERROR |Traceback|Task exception was never retrieved|"
                        r"Exception in callback")


async def ask(api: FakeBotAPI, user: User, text: str) -> list[SentMessage]:
    api.mark(user.id)
    await api.send_text(user, text)
    return await api.wait_for_message(user.id, timeout=STEP_TIMEOUT)


async def tap(api: FakeBotAPI, user: User, message: SentMessage, label: str) -> SentMessage:
    api.mark(user.id)
    await api.press_button(user, message, label)
    return (await api.wait_for_message(user.id, timeout=STEP_TIMEOUT))[0]


async def bystanders(api: FakeBotAPI, people: list[User], count: int,
                     until: asyncio.Event | None = None) -> list[float]:
    """Each person asks `count` questions in turn (or fewer, once `until` is set)."""
    latencies: list[float] = []
    rng = random.Random(len(people) * count)

    async def one(i: int, user: User) -> None:
        for j in range(count):
            if until is not None and until.is_set() and j >= 3:
                return
            started = time.perf_counter()
            await ask(api, user, QUESTIONS[(i + j) % len(QUESTIONS)])
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(rng.uniform(*THINK))

    await asyncio.gather(*(one(i, u) for i, u in enumerate(people)))
    return latencies


# --- the attacks ---------------------------------------------------------------------------------
async def open_surveys(api: FakeBotAPI, students: list[User]
                       ) -> dict[int, tuple[SentMessage, SentMessage]]:
    """Each student opens the interest inventory: the list and the first question."""
    screens = {}
    for user in students:
        [listing] = await ask(api, user, "/khaosat")
        label = next(b for b in buttons(listing) if b.startswith("Sở thích"))
        consent = await tap(api, user, listing, label)
        first = await tap(api, user, consent, messages.SURVEY_AGREE)
        screens[user.id] = (listing, first)
    return screens


def _datas(message: SentMessage) -> dict[str, str]:
    markup = message.get("reply_markup") or {}
    return {b["text"]: b["callback_data"] for row in markup.get("inline_keyboard", [])
            for b in row if "callback_data" in b}


async def survey_bursts(api: FakeBotAPI, screens: dict[int, tuple[SentMessage, SentMessage]],
                        rounds: int, gap: float, spread: float) -> int:
    """Answer, skip, restart, answer, retake: on stale screens, `gap` seconds apart, without
    waiting for the bot; a second's pause between rounds. Each student starts at a random
    moment within `spread` seconds (0: all at once)."""
    taps = 0
    rng = random.Random(len(screens))
    starts = {uid: rng.uniform(0, spread) for uid in screens}

    async def burst(user: User) -> None:
        nonlocal taps
        await asyncio.sleep(starts[user.id])
        listing, first = screens[user.id]
        answers = _datas(first)
        restart = next(d for t, d in _datas(listing).items() if t.startswith("Sở thích"))
        for round_ in range(rounds):
            if round_:
                await asyncio.sleep(1.0)
            for message, data in ((first, answers["4"]),
                                  (first, answers.get(messages.SURVEY_SKIP, answers["5"])),
                                  (listing, restart), (first, answers["3"]),
                                  (listing, restart.replace("|o|", "|R|"))):
                await api.press(user, message, data, strict=False)
                taps += 1
                await asyncio.sleep(gap)

    await asyncio.gather(*(burst(api.users[uid]) for uid in screens))
    return taps


async def button_flood(api: FakeBotAPI, flooders: list[User], presses: int) -> dict[int, int]:
    """Each flooder presses one related-topic button `presses` times; returns, per flooder,
    how many messages the bot had sent them before."""
    before = {}
    targets = []
    for user in flooders:
        [answer] = await ask(api, user, "hoc phi trung cap")
        related = next(d for d in _datas(answer).values() if d.startswith("2|t|"))
        targets.append((user, answer, related))
        before[user.id] = len(api.sent(user.id))

    async def flood(user: User, answer: SentMessage, data: str) -> None:
        for _ in range(presses):
            await api.press(user, answer, data)
            await asyncio.sleep(0)

    await asyncio.gather(*(flood(*t) for t in targets))
    return before


async def exports(api: FakeBotAPI, staff: list[User]) -> tuple[int, int]:
    """Every staff member asks for the Excel export of everything, then presses again."""
    mark = len(api.answered_callbacks)
    choices = []
    for user in staff:
        [choose] = await ask(api, user, "/export")
        choices.append((user, choose))
    for user, choose in choices:
        await api.press_button(user, choose, messages.EXPORT_XLSX)
    for user, choose in choices:
        await api.press_button(user, choose, messages.EXPORT_XLSX)  # while it builds
    for user, _ in choices:
        await api.wait_for(lambda c, u=user: c.method == "sendDocument"
                           and str(c.params.get("chat_id")) == str(u.id), timeout=300)
    busy = sum(1 for a in api.answered_callbacks[mark:] if a["text"] == messages.BUILD_BUSY)
    documents = sum(len(api.documents(u.id)) for u in staff)
    return documents, busy


# --- the run ------------------------------------------------------------------------------------
def _p(latencies: list[float], q: float) -> float:
    return percentile(latencies, q) * 1000 if latencies else float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=6000)
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3, help="burst rounds per student")
    parser.add_argument("--tap-gap", type=float, default=0.1,
                        help="seconds between a student's taps in a burst (a fast thumb)")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="students start their bursts at random within this many seconds")
    parser.add_argument("--flooders", type=int, default=1)
    parser.add_argument("--presses", type=int, default=600)
    parser.add_argument("--staff", type=int, default=5)
    parser.add_argument("--bystanders", type=int, default=8)
    parser.add_argument("--questions", type=int, default=15, help="per bystander, baseline")
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                        help="a setting for the bot, e.g. CAREERBOT_UPDATES_IN_FLIGHT=64")
    parser.add_argument("--keep-log", type=Path, help="copy the bot's log to this file")
    parser.add_argument("--profile", type=Path, help="run the bot under cProfile, stats here")
    parser.add_argument("--bot-tree", type=Path,
                        help="run the bot of another checkout (e.g. an older commit) instead")
    parser.add_argument("--scenario", choices=("all", "attack", "counsel"), default="all")
    counsel_flood.add_arguments(parser)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.scenario in ("all", "attack"):
            await attack_run(args, Path(tmp))
        if args.scenario in ("all", "counsel"):
            await counsel_flood.run(args, Path(tmp), ask, bystanders)


async def attack_run(args: argparse.Namespace, tmp: Path) -> None:
    staff_ids = [990_001 + i for i in range(args.staff)]
    db_path, log_path = Path(tmp) / "attack.db", Path(tmp) / "bot.log"
    year = school_year(dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date())
    seed_needs_responses(db_path, args.responses, [f"S{i:03}" for i in range(20)], year)
    async with FakeBotAPI() as api:
        env = bot_env(api, db_path, ADMIN_IDS=",".join(map(str, staff_ids)),
                      LOG_LEVEL="INFO", **dict(e.split("=", 1) for e in args.env))
        command = [sys.executable, "-m", "cProfile", "-o", str(args.profile), "-m", "bot",
                   "run"] if args.profile else CAREERBOT
        if args.bot_tree:
            command = [sys.executable, "-c", f"import sys; sys.path.insert(0, "
                       f"{str(args.bot_tree.resolve())!r}); "
                       "from handlers.cli.main import main; main()", "run"]
        proc = await start_bot(api, env, log=log_path, command=command)
        try:
            people = [api.private_user(600_000 + i) for i in range(args.bystanders)]
            others = [api.private_user(605_000 + i) for i in range(args.bystanders)]
            newcomers = [api.private_user(607_000 + i) for i in range(args.bystanders)]
            students = [api.private_user(610_000 + i) for i in range(args.students)]
            flooders = [api.private_user(620_000 + i) for i in range(args.flooders)]
            staff = [api.private_user(i, first_name=f"Cán bộ {i}") for i in staff_ids]
            # Warm up (engine, connections) and make everyone known: a first message also
            # creates the user's row, an awaited write (measured apart below).
            await bystanders(api, people + others, 2)
            baseline = await bystanders(api, people, args.questions)
            screens = await open_surveys(api, students)

            done = asyncio.Event()

            async def attack() -> tuple[int, dict[int, int], tuple[int, int]]:
                try:
                    bursts, before, built = await asyncio.gather(
                        survey_bursts(api, screens, args.rounds, args.tap_gap,
                                      args.spread),
                        button_flood(api, flooders, args.presses),
                        exports(api, staff))
                    return bursts, before, built
                finally:
                    done.set()

            started = time.perf_counter()
            cpu_bot, cpu_here = cpu_seconds(proc.pid), time.process_time()
            attacking = asyncio.create_task(attack())
            during, first = await asyncio.gather(
                bystanders(api, others, MAX_ASKED, until=done),
                bystanders(api, newcomers, 1))
            bursts, before, (documents, busy) = await attacking
            attack_seconds = time.perf_counter() - started
            cpu_bot = cpu_seconds(proc.pid) - cpu_bot
            cpu_here = time.process_time() - cpu_here
            await api.wait_idle(quiet=1.0, timeout=300)
            flood_replies = [len(api.sent(u.id)) - before[u.id] for u in flooders]
            apologies = sum(1 for c in api.calls if c.method == "sendMessage"
                            and c.params.get("text") == messages.ERROR_APOLOGY)
            proc.send_signal(signal.SIGTERM)
            stopped_at = time.perf_counter()
            with contextlib.suppress(TimeoutError):  # shown as an exit time of 60 s
                await asyncio.wait_for(proc.wait(), 60)
            stop_seconds = time.perf_counter() - stopped_at
        finally:
            await kill_bot(proc)
    log = log_path.read_text("utf-8", errors="replace")
    if args.keep_log:
        args.keep_log.write_text(log, "utf-8")
    in_flight = _IN_FLIGHT.search(log)
    unhandled = [line for line in log.splitlines() if _UNHANDLED.search(line)]
    ratio = _p(during, 0.95) / _p(baseline, 0.95)
    print(f"careerbot run against the stand-in: {args.responses} responses seeded, "
          f"{args.students} students x {args.rounds} bursts of 5 taps {args.tap_gap:g} s apart "
          f"({bursts} taps, starting within {args.spread:g} s), "
          f"{args.flooders} flooders x {args.presses} presses, {args.staff} staff exporting, "
          f"{args.bystanders} bystanders")
    print(f"attack lasted                 {attack_seconds:.1f} s (CPU: bot {cpu_bot:.1f} s, "
          f"stand-in and clients {cpu_here:.1f} s); SIGTERM to exit {stop_seconds:.1f} s "
          f"(exit code {proc.returncode})")
    print(f"updates in flight left        {in_flight.group(1) if in_flight else '?'} "
          f"(cancelled at stop: {in_flight.group(2) if in_flight else '?'})   expect 0")
    print(f"unhandled exceptions in log   {len(unhandled)}   expect 0; apologies sent "
          f"{apologies}")
    for line in unhandled[:5]:
        print("   ", line[:200])
    print(f"button flood                  replies per flooder {flood_replies} "
          f"(budget 60 a minute, the question took one)")
    print(f"exports                       {documents} files for {args.staff} staff; "
          f"{busy} second presses told to wait")
    print(f"bystander latency             baseline p50 {_p(baseline, 0.5):.0f} ms, p95 "
          f"{_p(baseline, 0.95):.0f} ms ({len(baseline)} questions)")
    print(f"                              attack   p50 {_p(during, 0.5):.0f} ms, p95 "
          f"{_p(during, 0.95):.0f} ms, max {max(during) * 1000:.0f} ms ({len(during)} "
          f"questions)")
    print(f"ratio p95 attack / baseline   {ratio:.2f}   (target <= 2: "
          f"{'met' if ratio <= 2 else 'MISSED'})")
    print(f"first message of new users    during the attack: p50 {_p(first, 0.5):.0f} ms, max "
          f"{max(first) * 1000:.0f} ms ({len(first)} users; it waits for the database writer)")


if __name__ == "__main__":
    asyncio.run(main())
