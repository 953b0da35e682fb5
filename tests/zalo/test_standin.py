"""The Zalo OA stand-in itself behaves as Zalo documents (see tests/zalo/oaapi.py)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import ClientSession, web

from tests.zalo.oaapi import APP_ID, APP_SECRET, OA_SECRET, FakeClock, FakeZaloOA, serve


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloOA]:
    async with FakeZaloOA(clock=FakeClock()) as api:
        yield api


async def _send(api: FakeZaloOA, token: str | None, body: Any) -> tuple[int, Any]:
    headers = {} if token is None else {"access_token": token}
    async with ClientSession() as session, session.post(
            f"{api.base_url}/v3.0/oa/message/cs", json=body, headers=headers) as response:
        return response.status, (await response.json() if response.status == 200 else None)


async def _refresh(api: FakeZaloOA, token: str, secret: str = APP_SECRET) -> dict[str, Any]:
    form = {"app_id": APP_ID, "grant_type": "refresh_token", "refresh_token": token}
    async with ClientSession() as session, session.post(
            f"{api.oauth_base_url}/v4/oa/access_token", data=form,
            headers={"secret_key": secret}) as response:
        data: dict[str, Any] = await response.json()
        return data


def _text(user: str, text: str) -> dict[str, Any]:
    return {"recipient": {"user_id": user}, "message": {"text": text}}


async def test_text_reaches_a_person_who_wrote(zalo: FakeZaloOA) -> None:
    zalo.person_wrote("u1")
    status, answer = await _send(zalo, zalo.access_token, _text("u1", "Chào em"))
    assert status == 200 and answer["error"] == 0 and answer["message"] == "Success"
    assert answer["data"]["message_id"] == zalo.sent[0].message_id
    assert zalo.texts_to("u1") == ["Chào em"]


async def test_a_reply_may_name_the_persons_message_instead_of_the_person(
        zalo: FakeZaloOA) -> None:
    async def receiver(request: web.Request) -> web.Response:
        return web.json_response({})

    async with serve(receiver) as url:
        event = zalo.event("user_send_text", "u1", text="Chào OA", msg_id="m-u1-1")
        assert (await zalo.send_event(url, event))[0] == 200
    reply = {"recipient": {"message_id": "m-u1-1"}, "message": {"text": "Chào em"}}
    status, answer = await _send(zalo, zalo.access_token, reply)
    assert status == 200 and answer["error"] == 0 and answer["data"]["user_id"] == "u1"
    assert zalo.sent[0].user_id == "u1" and zalo.sent[0].reply_to == "m-u1-1"
    assert zalo.recipient(reply) == "u1" == zalo.recipient(_text("u1", "x"))
    unknown = {"recipient": {"message_id": "never-sent"}, "message": {"text": "x"}}
    assert (await _send(zalo, zalo.access_token, unknown))[1]["error"] == -201
    await _send(zalo, zalo.access_token, _text("u1", "Sau đó"))
    assert [m.reply_to for m in zalo.sent] == ["m-u1-1", None]


async def test_token_errors(zalo: FakeZaloOA) -> None:
    zalo.person_wrote("u1")
    assert (await _send(zalo, None, _text("u1", "x")))[1]["error"] == -216
    assert (await _send(zalo, "not-a-token", _text("u1", "x")))[1]["error"] == -216
    zalo.expire_access_tokens()
    assert (await _send(zalo, zalo.access_token, _text("u1", "x")))[1]["error"] == -220
    assert zalo.sent == []


async def test_message_limits(zalo: FakeZaloOA) -> None:
    zalo.person_wrote("u1")
    token = zalo.access_token
    assert (await _send(zalo, token, _text("u1", "a" * 2001)))[1]["error"] == -210
    button = {"title": "Ngành CNTT", "type": "oa.query.hide", "payload": "#cb:x"}
    six = {"recipient": {"user_id": "u1"}, "message": {"text": "Chọn", "attachment": {
        "type": "template", "payload": {"buttons": [button] * 6}}}}
    assert (await _send(zalo, token, six))[1]["error"] == -210
    long_title = {**button, "title": "T" * 101}
    def with_buttons(buttons: list[dict[str, str]]) -> dict[str, Any]:
        return {"recipient": {"user_id": "u1"}, "message": {"text": "Chọn", "attachment": {
            "type": "template", "payload": {"buttons": buttons}}}}

    assert (await _send(zalo, token, with_buttons([long_title])))[1]["error"] == -210
    _, answer = await _send(zalo, token, with_buttons([button] * 5))
    assert answer["error"] == 0 and zalo.sent[0].buttons == [button] * 5


async def test_window_48_hours_and_8_replies(zalo: FakeZaloOA) -> None:
    assert (await _send(zalo, zalo.access_token, _text("stranger", "x")))[1]["error"] == -232
    zalo.person_wrote("u1")
    for i in range(8):
        assert (await _send(zalo, zalo.access_token, _text("u1", f"{i}")))[1]["error"] == 0
    assert (await _send(zalo, zalo.access_token, _text("u1", "9th")))[1]["error"] == -211
    zalo.person_wrote("u1")  # a new message from the person: 8 more
    assert (await _send(zalo, zalo.access_token, _text("u1", "again")))[1]["error"] == 0
    assert isinstance(zalo.clock, FakeClock)
    zalo.clock.advance(48 * 3600 + 1)
    token = zalo.issue_pair()[0]  # the first access token is 25 hours old by now
    assert (await _send(zalo, token, _text("u1", "late")))[1]["error"] == -211
    zalo.clock.advance(6 * 24 * 3600)
    token = zalo.issue_pair()[0]
    assert (await _send(zalo, token, _text("u1", "later")))[1]["error"] == -230


async def test_refresh_tokens_are_single_use(zalo: FakeZaloOA) -> None:
    first = await _refresh(zalo, zalo.refresh_token)
    assert first["expires_in"] == "90000" and first["refresh_token"] != zalo.refresh_token
    again = await _refresh(zalo, zalo.refresh_token)
    assert again["error"] == -14014 and "access_token" not in again
    second = await _refresh(zalo, first["refresh_token"])
    assert "access_token" in second
    assert (await _refresh(zalo, second["refresh_token"], secret="wrong"))["error"] != 0
    zalo.person_wrote("u1")
    _, answer = await _send(zalo, second["access_token"], _text("u1", "x"))
    assert answer["error"] == 0


async def test_injected_failures_are_not_processed(zalo: FakeZaloOA) -> None:
    zalo.person_wrote("u1")
    zalo.fail_next(502)
    assert (await _send(zalo, zalo.access_token, _text("u1", "x")))[0] == 502
    zalo.error_next(-32)
    assert (await _send(zalo, zalo.access_token, _text("u1", "x")))[1]["error"] == -32
    zalo.stall_next(0.05)
    assert (await _send(zalo, zalo.access_token, _text("u1", "x")))[0] == 504
    assert zalo.sent == []


async def test_events_are_signed_as_documented(zalo: FakeZaloOA) -> None:
    received: list[tuple[bytes, str | None]] = []

    async def webhook(request: web.Request) -> web.Response:
        received.append((await request.read(), request.headers.get("X-ZEvent-Signature")))
        return web.Response(text="ok")

    async with serve(webhook) as url:
        for name in ("user_send_text", "follow", "unfollow", "user_send_image",
                     "user_send_sticker", "user_send_file", "user_send_location"):
            status, _ = await zalo.send_event(url, zalo.event(name, "u7", text="Xin chào"))
            assert status == 200
        await zalo.send_event(url, zalo.event("user_send_text", "u7"), signature=None)
    for raw, header in received[:-1]:
        body = json.loads(raw)
        mac = hashlib.sha256(APP_ID.encode() + raw + body["timestamp"].encode()
                             + OA_SECRET.encode()).hexdigest()
        assert header == f"mac={mac}"
    assert received[-1][1] is None
    bodies = [json.loads(raw) for raw, _ in received]
    assert bodies[0]["message"]["text"] == "Xin chào" and bodies[0]["sender"]["id"] == "u7"
    assert bodies[1]["follower"]["id"] == "u7" and bodies[1]["oa_id"] == zalo.oa_id
    assert [b["message"]["attachments"][0]["type"] for b in bodies[3:7]] == \
        ["image", "sticker", "file", "location"]
    assert zalo.people["u7"].last_message_at is not None  # a message opens the window
