"""Answers per second through the Zalo webhook, next to the web chat's API, in the same run and
the same `careerbot web` process (its own process, with ZALO_APP_ID set and Zalo's two hosts
pointed at the OA API stand-in of tests/zalo/oaapi.py, which runs in this process).

N people each ask M questions from tests/data/eval.yaml, each after the previous answer, no
pause (capacity):
- Zalo: a signed `user_send_text` event POSTed to /zalo/webhook (answered 200 at once); the
  answer counts when the stand-in receives careerbot's first message to that person
  (POST /v3.0/oa/message/cs), so the time includes the webhook, the conversation, the window
  bookkeeping and the send.
- web: POST /api/message after /api/open, as bench/web_load.py does; the answer is the
  response.
CPU ms/answer is the server process's own CPU time over the questions it answered (Linux
/proc). Rounds alternate the order. Loopback only; every loop is bounded by N x M.

    python bench/zalo_throughput.py [--people 50] [--questions 10] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from web_load import Result, cpu_seconds, load  # noqa: E402

from bot.answering.evaluation import QuestionSet  # noqa: E402
from tests.web_process import WebServer  # noqa: E402
from tests.zalo.oaapi import APP_ID, APP_SECRET, OA_SECRET, FakeZaloOA, Request  # noqa: E402

ZALO, WEB = "Zalo webhook", "web API"


async def zalo_person(api: FakeZaloOA, url: str, who: str, questions: list[str],
                      waiting: dict[str, asyncio.Future[None]], result: Result) -> None:
    loop = asyncio.get_running_loop()
    for question in questions:
        answered = waiting[who] = loop.create_future()
        start = time.perf_counter()
        status, _ = await api.send_event(url, api.event("user_send_text", who, text=question))
        if status != 200:
            result.errors += 1
            continue
        try:
            await asyncio.wait_for(answered, 30)
        except TimeoutError:
            result.errors += 1
            continue
        result.latencies.append(time.perf_counter() - start)


async def run_zalo(api: FakeZaloOA, url: str, plans: list[list[str]], pid: int, tag: str
                   ) -> Result:
    waiting: dict[str, asyncio.Future[None]] = {}

    def arrived(request: Request) -> None:
        who = api.recipient(request.body)  # named by user id or by the message answered
        future = waiting.get(who) if isinstance(who, str) else None
        if future is not None and not future.done():
            future.set_result(None)

    api.on_request = arrived
    result = Result()
    await asyncio.gather(*(zalo_person(api, url, f"w{tag}-{k}", plan[:1], waiting, Result())
                           for k, plan in enumerate(plans[:20])))  # warm-up, not measured
    start, cpu = time.perf_counter(), cpu_seconds(pid)
    await asyncio.gather(*(zalo_person(api, url, f"{tag}-{k}", plan, waiting, result)
                           for k, plan in enumerate(plans)))
    result.elapsed = time.perf_counter() - start
    result.cpu = cpu_seconds(pid) - cpu
    api.sent.clear()  # bounded memory over rounds
    api.requests.clear()
    return result


def row(name: str, r: Result) -> str:
    cpu_ms = r.cpu * 1000 / len(r.latencies) if r.latencies else float("nan")
    return (f"  {name:14} {r.throughput:9.0f} {r.percentile(50):9.1f} {r.percentile(95):9.1f}"
            f" {cpu_ms:8.3f} {len(r.latencies):8} {r.errors:7}")


async def measure(args: argparse.Namespace, questions: list[str], db: Path
                  ) -> dict[str, list[Result]]:
    results: dict[str, list[Result]] = {ZALO: [], WEB: []}
    async with FakeZaloOA() as api:
        server = WebServer(db, env={
            "CAREERBOT_WEB_IP_PER_MINUTE": "1000000", "CAREERBOT_FLOOD_PER_MINUTE": "1000",
            "ZALO_APP_ID": APP_ID, "ZALO_APP_SECRET": APP_SECRET, "ZALO_OA_SECRET": OA_SECRET,
            "ZALO_REFRESH_TOKEN": api.refresh_token, "ZALO_ACCESS_TOKEN": api.access_token,
            "ZALO_API_BASE_URL": api.base_url, "ZALO_OAUTH_BASE_URL": api.oauth_base_url})
        await asyncio.to_thread(server.start)
        assert server.proc is not None
        try:
            for round_no in range(args.rounds):
                rng = random.Random(args.seed + round_no)
                plans = [[rng.choice(questions) for _ in range(args.questions)]
                         for _ in range(args.people)]
                for name in (ZALO, WEB) if round_no % 2 == 0 else (WEB, ZALO):
                    if name == ZALO:
                        r = await run_zalo(api, server.url + "/zalo/webhook", plans,
                                           server.proc.pid, str(round_no))
                    else:  # bench/web_load.py's visitors, the same questions (same seed)
                        r = await load(server.url, args.people, args.questions, questions,
                                       (0.0, 0.0), args.seed + round_no, server.proc.pid)
                    results[name].append(r)
        finally:
            await asyncio.to_thread(server.stop)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    asked = QuestionSet.load(ROOT / "tests" / "data" / "eval.yaml")
    questions = [q for q, _ in asked.in_scope] + list(asked.out_of_scope)
    with tempfile.TemporaryDirectory() as tmp:
        results = asyncio.run(measure(args, questions, Path(tmp) / "zalo.db"))
    merged = {name: Result([x for r in runs for x in r.latencies], sum(r.errors for r in runs),
                           sum(r.elapsed for r in runs), sum(r.cpu for r in runs))
              for name, runs in results.items()}
    print(f"Zalo throughput: {args.people} people x {args.questions} questions "
          f"(tests/data/eval.yaml), {args.rounds} round(s), {os.cpu_count()} cores, one "
          "`careerbot web` process; client and Zalo stand-in in this process")
    print(f"  {'':14} {'answers/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'CPU ms':>8} "
          f"{'answers':>8} {'errors':>7}")
    for name in (ZALO, WEB):
        print(row(name, merged[name]))
    zalo, web = merged[ZALO], merged[WEB]
    cpu = (zalo.cpu / len(zalo.latencies)) / (web.cpu / len(web.latencies)) \
        if zalo.latencies and web.latencies and web.cpu else float("nan")
    print(f"ratio Zalo / web: {zalo.throughput / web.throughput:.2f}x answers/s, "
          f"{cpu:.2f}x CPU per answer")
    print(json.dumps({"zalo_per_s": round(zalo.throughput, 1),
                      "web_per_s": round(web.throughput, 1)}))
    if zalo.errors or web.errors:
        print("errors: some questions got no answer (see the table)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
