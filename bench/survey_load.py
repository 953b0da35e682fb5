"""Survey load: N simulated students take the needs survey at once against `careerbot run`.

The bot runs as its own process polling the local Bot API stand-in (in this process), with the
real database. Printed: answers acknowledged vs answers stored (must be equal), surveys
submitted, throughput, and the time from a student's answer to the bot moving on (which it only
does after the answer is committed: an upper bound on "update to stored").

    python bench/survey_load.py [--students 1000] [--schools 20]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.simulate import (
    BotProcess,
    Student,
    percentile,
    prepare_database,
    question_texts,
    stored_answers,
)
from tests.telegram.botapi import FakeBotAPI


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--schools", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    texts = question_texts()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "load.db"
        schools = prepare_database(db_path, args.schools)
        async with FakeBotAPI() as api:
            bot = BotProcess(api, db_path)
            await bot.start()
            rng = random.Random(args.seed)
            students = [Student(api, 500_000 + i, rng.choice(schools),
                                random.Random(rng.random()), texts)
                        for i in range(args.students)]
            start = time.perf_counter()
            results = await asyncio.gather(*(s.run() for s in students), return_exceptions=True)
            elapsed = time.perf_counter() - start
            await bot.stop()
        stored = stored_answers(db_path)
    failures = [r for r in results if isinstance(r, BaseException)]
    acknowledged = sum(len(s.acknowledged) for s in students)
    kept = sum(len(s.acknowledged & stored.get(s.user_id, set())) for s in students)
    lost = acknowledged - kept
    latencies = [x for s in students for x in s.latencies]
    updates = sum(1 for c in api.calls if c.method in ("editMessageText", "sendMessage"))
    print(f"{args.students} students, {args.schools} schools, needs survey, bot in its own "
          f"process")
    print(f"surveys submitted          {sum(s.submitted for s in students)} / {args.students}"
          f"   (students that failed: {len(failures)})")
    print(f"answers acknowledged       {acknowledged}")
    print(f"answers stored             {kept}   lost: {lost}")
    print(f"elapsed                    {elapsed:.1f} s")
    print(f"throughput                 {acknowledged / elapsed:.1f} answers/s, "
          f"{updates / elapsed:.1f} bot messages/s")
    print(f"answer -> stored (ack)     median {statistics.median(latencies) * 1000:.0f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
          f"max {max(latencies) * 1000:.0f} ms")
    if failures:
        print("first failure:", repr(failures[0])[:300])
    if lost:
        raise SystemExit("answers were lost")


if __name__ == "__main__":
    asyncio.run(main())
