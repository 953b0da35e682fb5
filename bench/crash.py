"""Crash test: students take the needs survey while the bot process is killed with SIGKILL at
random moments and restarted, several times. Afterwards every answer the bot acknowledged must
be in the database, and every survey must be resumable (the students finish them).

    python bench/crash.py [--students 300] [--kills 5] [--seed 11]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.simulate import (
    BotProcess,
    Student,
    prepare_database,
    question_texts,
    stored_answers,
)
from tests.telegram.botapi import FakeBotAPI


async def chaos(bot: BotProcess, kills: int, rng: random.Random, done: asyncio.Event
                ) -> list[float]:
    """Kill the bot at random moments while students work; restart it each time."""
    moments = []
    start = time.perf_counter()
    for _ in range(kills):
        try:
            await asyncio.wait_for(done.wait(), rng.uniform(2.0, 6.0))
            return moments  # everyone finished before the next kill
        except TimeoutError:
            pass
        await bot.kill()
        moments.append(time.perf_counter() - start)
        await asyncio.sleep(rng.uniform(0.0, 1.0))  # sometimes updates pile up meanwhile
        await bot.start()
    return moments


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--schools", type=int, default=10)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    texts = question_texts()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "crash.db"
        schools = prepare_database(db_path, args.schools)
        async with FakeBotAPI() as api:
            bot = BotProcess(api, db_path)
            await bot.start()
            students = [Student(api, 600_000 + i, rng.choice(schools),
                                random.Random(rng.random()), texts, step_timeout=20)
                        for i in range(args.students)]
            done = asyncio.Event()
            killer = asyncio.create_task(chaos(bot, args.kills, rng, done))
            results = await asyncio.gather(*(s.run() for s in students), return_exceptions=True)
            done.set()
            moments = await killer
            await bot.stop()
        stored = stored_answers(db_path)
    failures = [r for r in results if isinstance(r, BaseException)]
    acknowledged = sum(len(s.acknowledged) for s in students)
    kept = sum(len(s.acknowledged & stored.get(s.user_id, set())) for s in students)
    print(f"{args.students} students; bot killed with SIGKILL {len(moments)} times at "
          + ", ".join(f"{m:.1f}s" for m in moments) + ", restarted each time")
    print(f"answers acknowledged   {acknowledged}")
    print(f"answers stored         {kept}")
    print(f"answers lost           {acknowledged - kept}")
    print(f"surveys resumed and submitted  {sum(s.submitted for s in students)} / "
          f"{args.students}   (students that failed: {len(failures)})")
    if failures:
        print("first failure:", repr(failures[0])[:300])
    if acknowledged != kept or failures:
        raise SystemExit("the crash test failed")


if __name__ == "__main__":
    asyncio.run(main())
