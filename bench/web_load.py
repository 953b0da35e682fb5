"""The web chat under load: N visitors asking questions through the HTTP API, against
`careerbot web` in its own process and, in the same run, a bare aiohttp JSON endpoint in its
own process (the floor: aiohttp parsing a JSON body and answering a small JSON object).

Each visitor opens the chat (POST /api/open, which gives it its session cookie) and then asks
M questions from tests/data/eval.yaml (POST /api/message), each after the previous answer.
Two phases, each for both servers:

- capacity: no pause between questions, so the servers run flat out; throughput is compared.
  With every visitor waiting on its own request, latency here is N / throughput (queueing),
  not what a visitor feels when people type at human speed.
- paced: each visitor pauses 1-3 s (uniformly at random, seeded) before each question, as a
  fast typist at least does; p50/p95 here is what a visitor waits with N people online.

All visitors come from 127.0.0.1, so the per-address limit is lifted for the run
(CAREERBOT_WEB_IP_PER_MINUTE); the per-session limit and the flood guard stay as shipped
(M stays below both). Loopback only; every loop is bounded by N x M.

The server starts with an empty answer cache (bot/answering/assistant.py); the line it prints
when it stops gives the hits and misses of the whole run, printed here. CPU ms/answer is the
server process's own CPU time (Linux /proc) over the questions it answered, which a busy
machine disturbs less than answers/s. `CAREERBOT_ANSWER_CACHE=0 python bench/web_load.py`
measures careerbot with every reply computed.

    python bench/web_load.py [--visitors 200] [--questions 10] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering.evaluation import QuestionSet  # noqa: E402
from tests.web_process import WebServer, free_port  # noqa: E402

BARE, OURS = "bare aiohttp JSON", "careerbot web"
P95_TARGET_MS = 50.0
THROUGHPUT_TARGET = 0.5


# --- the bare endpoint (this file run with --bare PORT, in its own process) -----------------
def serve_bare(port: int) -> None:
    from aiohttp import web

    view = {"id": 1, "replaces": None, "parts": [{"kind": "text", "text": "ok"}], "rows": [],
            "notice": None, "replace": False, "files": []}

    async def answer(request: web.Request) -> web.Response:
        data = await request.json()
        return web.json_response({"views": [{**view, "echo": data.get("text", "")}]})

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application(client_max_size=16 * 1024)
    app.router.add_get("/", page)
    app.router.add_post("/api/open", answer)
    app.router.add_post("/api/message", answer)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


class BareServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> BareServer:
        self.proc = subprocess.Popen([sys.executable, __file__, "--bare", str(self.port)],
                                     cwd=ROOT)
        for _ in range(300):  # bounded: 30 s
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2):  # noqa: S310
                    return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError("the bare endpoint did not start")

    def stop(self) -> int:
        assert self.proc is not None
        self.proc.terminate()
        return self.proc.wait(30)


# --- the visitors ------------------------------------------------------------------------
def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)  # seconds, per question
    errors: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # the server's CPU seconds over the measured questions

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] * 1000 if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100)[int(p) - 1] * 1000


async def visit(http: object, url: str, questions: list[str], pause: tuple[float, float],
                rng: random.Random, result: Result) -> None:
    from aiohttp import ClientSession

    assert isinstance(http, ClientSession)
    headers = {"Content-Type": "application/json", "Origin": url}
    async with http.post(url + "/api/open", data='{"school": ""}', headers=headers) as r:
        await r.read()
        cookie = r.headers.get("Set-Cookie", "").split(";")[0]
        if r.status != 200:
            result.errors += 1
            return
    if cookie:
        headers["Cookie"] = cookie
    for question in questions:
        if pause[1]:
            await asyncio.sleep(rng.uniform(*pause))
        body = json.dumps({"text": question}, ensure_ascii=False)
        start = time.perf_counter()
        async with http.post(url + "/api/message", data=body.encode(), headers=headers) as r:
            data = await r.read()
        result.latencies.append(time.perf_counter() - start)
        if r.status != 200 or b'"views"' not in data:
            result.errors += 1


async def load(url: str, visitors: int, per_visitor: int, questions: list[str],
               pause: tuple[float, float], seed: int, pid: int) -> Result:
    from aiohttp import ClientSession, DummyCookieJar, TCPConnector

    rng = random.Random(seed)
    result = Result()
    plans = [[rng.choice(questions) for _ in range(per_visitor)] for _ in range(visitors)]
    connector = TCPConnector(limit=visitors + 10)
    async with ClientSession(connector=connector, cookie_jar=DummyCookieJar()) as http:
        # Warm up (imports, first queries, connection set-up) outside the measurement.
        await asyncio.gather(*(visit(http, url, plans[k][:1], (0, 0), rng, Result())
                               for k in range(min(visitors, 20))))
        start, cpu = time.perf_counter(), cpu_seconds(pid)
        await asyncio.gather(*(visit(http, url, plan, pause, random.Random(seed + k), result)
                               for k, plan in enumerate(plans)))
        result.elapsed = time.perf_counter() - start
        result.cpu = cpu_seconds(pid) - cpu
    return result


def row(name: str, r: Result) -> str:
    cpu_ms = r.cpu * 1000 / len(r.latencies) if r.latencies else float("nan")
    return (f"  {name:22} {r.throughput:9.0f} {r.percentile(50):9.1f} {r.percentile(95):9.1f}"
            f" {cpu_ms:8.3f} {len(r.latencies):8} {r.errors:7}")


def cache_line(output: str) -> str:
    """The answer cache's counters from the line `careerbot web` prints when it stops."""
    found = re.search(r"answer cache: (\d+) hits, (\d+) misses", output)
    if found is None:
        return "answer cache: no counters in the server's output"
    hits, misses = int(found[1]), int(found[2])
    rate = hits / (hits + misses) if hits + misses else 0.0
    return f"answer cache (whole run, warm-up included): {hits} hits, {misses} misses, " \
           f"hit rate {rate:.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=200)
    parser.add_argument("--questions", type=int, default=10, help="per visitor (< 20: the "
                        "flood guard's minute)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        serve_bare(args.bare)
        return
    asked = QuestionSet.load(ROOT / "tests" / "data" / "eval.yaml")
    questions = [q for q, _ in asked.in_scope] + list(asked.out_of_scope)
    phases = {"capacity (no pause)": (0.0, 0.0), "paced (1-3 s between questions)": (1.0, 3.0)}
    results: dict[tuple[str, str], list[Result]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ours = WebServer(Path(tmp) / "load.db", env={"CAREERBOT_WEB_IP_PER_MINUTE": "1000000"})
        servers = {BARE: BareServer().start(), OURS: ours.start()}
        try:
            for round_no in range(args.rounds):
                for phase, pause in phases.items():
                    for name in (BARE, OURS) if round_no % 2 == 0 else (OURS, BARE):
                        server = servers[name]
                        assert server.proc is not None
                        r = asyncio.run(load(server.url, args.visitors, args.questions,
                                             questions, pause, args.seed + round_no,
                                             server.proc.pid))
                        results.setdefault((phase, name), []).append(r)
        finally:
            for server in servers.values():
                server.stop()
            counters = cache_line(ours.output())
    print(f"web chat load: {args.visitors} visitors x {args.questions} questions "
          f"(tests/data/eval.yaml), {args.rounds} round(s), {os.cpu_count()} cores, "
          "client and servers on this machine")
    cache = os.environ.get("CAREERBOT_ANSWER_CACHE", "")
    print(f"careerbot's answer cache: {'off' if cache == '0' else cache or 'default size'}")
    print(f"  {'':22} {'answers/s':>9} {'p50 ms':>9} {'p95 ms':>9} {'CPU ms':>8} "
          f"{'answers':>8} {'errors':>7}")
    merged: dict[tuple[str, str], Result] = {}
    for (phase, name), runs in results.items():
        merged[(phase, name)] = Result([x for r in runs for x in r.latencies],
                                       sum(r.errors for r in runs), sum(r.elapsed for r in runs),
                                       sum(r.cpu for r in runs))
    for phase in phases:
        print(phase)
        for name in (BARE, OURS):
            print(row(name, merged[(phase, name)]))
    capacity, paced = list(phases)
    ratio = merged[(capacity, OURS)].throughput / merged[(capacity, BARE)].throughput
    p95 = merged[(paced, OURS)].percentile(95)
    print(f"throughput ratio (capacity): {ratio:.2f}x the bare endpoint "
          f"(target >= {THROUGHPUT_TARGET}x): {'met' if ratio >= THROUGHPUT_TARGET else 'MISSED'}")
    print(f"p95 with {args.visitors} visitors (paced): {p95:.1f} ms (target <= "
          f"{P95_TARGET_MS:.0f} ms): {'met' if p95 <= P95_TARGET_MS else 'MISSED'}")
    print(counters)
    if any(r.errors for r in merged.values()):
        print("errors: some requests failed (see the table)")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
