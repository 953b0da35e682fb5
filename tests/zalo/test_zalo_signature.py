"""handlers/zalo/signature.py: events signed by the stand-in, checked as they arrive over HTTP."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from handlers.zalo import signature
from handlers.zalo.signature import Check
from tests.zalo.oaapi import APP_ID, OA_SECRET, FakeZaloOA, serve


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA() as api:  # the real clock: the receiver checks ages against it
        yield api


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[str, list[Check]]]:
    """A minimal receiver: the check on the raw body, 403 unless it passes."""
    results: list[Check] = []

    async def receive(request: web.Request) -> web.Response:
        check = signature.verify(request.headers.get(signature.HEADER), await request.read(),
                                 app_id=APP_ID, oa_secret=OA_SECRET)
        results.append(check)
        return web.Response(status=200 if check.ok else 403)

    async with serve(receive) as url:
        yield url, results


async def test_signed_event_passes(zalo: FakeZaloOA,
                                  webhook: tuple[str, list[Check]]) -> None:
    url, results = webhook
    for name in ("user_send_text", "follow", "unfollow", "user_send_location"):
        status, _ = await zalo.send_event(url, zalo.event(name, "u1", text="Ngành y"))
        assert status == 200
    assert results == [Check.OK] * 4


async def test_forged_and_missing_signatures_are_refused(
        zalo: FakeZaloOA, webhook: tuple[str, list[Check]]) -> None:
    url, results = webhook
    event = zalo.event("user_send_text", "u1", text="/start")
    assert (await zalo.send_event(url, event, secret="NotTheOaSecret"))[0] == 403
    assert (await zalo.send_event(url, event, signature=None))[0] == 403
    assert (await zalo.send_event(url, event, signature="mac=" + "0" * 64))[0] == 403
    # A signed body altered on the way: the signature no longer matches.
    raw = json.dumps(event).encode()
    good = zalo.sign(raw, event["timestamp"])
    tampered = raw.replace(b"/start", b"/xoa")
    assert (await zalo.send_event(url, event, raw=tampered, signature=good))[0] == 403
    assert results == [Check.BAD, Check.MISSING, Check.BAD, Check.BAD]


async def test_stale_events_are_refused(zalo: FakeZaloOA,
                                        webhook: tuple[str, list[Check]]) -> None:
    url, results = webhook
    now_ms = int(time.time() * 1000)
    old = zalo.event("user_send_text", "u1", text="x", timestamp_ms=now_ms - 11 * 60_000)
    recent = zalo.event("user_send_text", "u1", text="x", timestamp_ms=now_ms - 9 * 60_000)
    future = zalo.event("user_send_text", "u1", text="x", timestamp_ms=now_ms + 11 * 60_000)
    assert (await zalo.send_event(url, old))[0] == 403
    assert (await zalo.send_event(url, recent))[0] == 200
    assert (await zalo.send_event(url, future))[0] == 403
    assert results == [Check.STALE, Check.OK, Check.STALE]


def test_bodies_without_a_timestamp_are_bad() -> None:
    for body in (b"not json", b"[]", b'{"timestamp": "12a"}', b'{"timestamp": true}', b"{}",
                 '{"timestamp": "²"}'.encode(), b'{"timestamp": "' + b"9" * 5000 + b'"}'):
        header = signature.header_value(APP_ID, body, "1", OA_SECRET)
        assert signature.verify(header, body, app_id=APP_ID, oa_secret=OA_SECRET) is Check.BAD
    body = b'{"timestamp": "1800000000000"}'
    header = signature.header_value(APP_ID, body, "1800000000000", OA_SECRET)
    assert signature.verify(header, body, app_id=APP_ID, oa_secret=OA_SECRET,
                            now=1_800_000_000.0).ok
    assert signature.verify("mac=é" + header[5:], body, app_id=APP_ID, oa_secret=OA_SECRET,
                            now=1_800_000_000.0) is Check.BAD
