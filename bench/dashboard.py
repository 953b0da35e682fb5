"""The staff dashboard's two busiest pages for a school with 2,000 respondents: time to render
the overview and the responses page (first page, and a search), through HTTP on loopback, next
to a bare aiohttp handler returning a static page of the same size measured in the same run.

    python bench/dashboard.py [--respondents 2000] [--requests 200]

Prints p50 / p95 / max in ms for each and the ratios to the baseline. The target is an
overview and a responses page in 100 ms p95 or less.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aiohttp import CookieJar, web
from aiohttp.test_utils import TestClient, TestServer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.bootstrap import Running, build_services
from bot.config import Settings
from bot.people.schools import School
from bot.people.staff_sessions import StaffSessions
from bot.surveys.model import school_year
from handlers.web.server import build_app
from tests.seed import seed_needs_responses

SCHOOL = School("THCSAL", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")


def _stats(times: list[float]) -> tuple[float, float, float]:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return statistics.median(ordered), p95, ordered[-1]


async def _measure(client: TestClient, path: str, requests: int) -> tuple[list[float], int]:
    times: list[float] = []
    size = 0
    for _ in range(requests):
        start = time.perf_counter()
        response = await client.get(path, allow_redirects=False)
        body = await response.read()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status == 200, (path, response.status)
        size = len(body)
    return times, size


async def _baseline(body: bytes, requests: int) -> list[float]:
    async def page(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    async with TestClient(TestServer(app)) as client:
        await _measure(client, "/", 20)  # warm up
        times, _ = await _measure(client, "/", requests)
    return times


async def run(respondents: int, requests: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.db"
        svc = build_services(Settings(db_path=db))
        svc.schools.add(SCHOOL)
        year = school_year(svc.local_now().date())
        seed_needs_responses(db, respondents, [SCHOOL.code], year)
        seed_needs_responses(db, respondents, ["OTHER"], year, first_user=9_000_000)
        code = svc.staff.invite_now("school", SCHOOL.code)
        await svc.accounts.resolve("telegram", "1001")
        await svc.staff.redeem(code, 1001)
        token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(1001)
        results: dict[str, tuple[list[float], int]] = {}
        try:
            async with TestClient(TestServer(build_app(Running(svc))),
                                  cookie_jar=CookieJar(unsafe=True)) as client:
                page = await (await client.get(f"/quan-ly/vao?t={token}")).text()
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None
                origin = str(client.make_url("/")).rstrip("/")
                signed = await client.post("/quan-ly/vao", data={"t": token, "csrf": csrf[1]},
                                           headers={"Origin": origin}, allow_redirects=False)
                assert signed.status == 303
                for name, path in (("overview", "/quan-ly"),
                                   ("responses", "/quan-ly/tra-loi"),
                                   ("responses, search", "/quan-ly/tra-loi?q=9a1"),
                                   ("responses, page 20", "/quan-ly/tra-loi?trang=20")):
                    await _measure(client, path, 5)  # warm up
                    results[name] = await _measure(client, path, requests)
        finally:
            svc.close()
    size = max(s for _, s in results.values())
    base_p50, base_p95, base_max = _stats(await _baseline(b"x" * size, requests))
    print(f"school of {respondents} respondents (and another of {respondents} in the "
          f"database), {requests} requests each, one at a time, HTTP on loopback")
    print(f"{'page':22} {'bytes':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 ×base':>10}")
    print(f"{'bare aiohttp (static)':22} {size:7d} {base_p50:8.2f} {base_p95:8.2f} "
          f"{base_max:8.2f} {1.0:10.1f}")
    for name, (times, body) in results.items():
        p50, p95, most = _stats(times)
        print(f"{name:22} {body:7d} {p50:8.2f} {p95:8.2f} {most:8.2f} {p95 / base_p95:10.1f}")
    worst = max(_stats(t)[1] for t, _ in results.values())
    print(f"worst p95 {worst:.1f} ms: {'within' if worst <= 100 else 'ABOVE'} the 100 ms target")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=2000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(run(args.respondents, args.requests))


if __name__ == "__main__":
    main()
