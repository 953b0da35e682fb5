"""handlers/zalo/client.py against the Zalo OA stand-in over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from handlers.zalo.client import (
    MAX_BUTTONS,
    PAYLOAD_LIMIT,
    PAYLOAD_PREFIX,
    TEXT_LIMIT,
    TITLE_LIMIT,
    Button,
    ZaloClient,
    decode_payload,
    plan,
    split_text,
)
from handlers.zalo.tokens import TokenKeeper
from handlers.zalo.window import WindowBook
from tests.zalo.conftest import Wrote
from tests.zalo.oaapi import APP_SECRET, FakeZaloOA


async def test_text_has_zalo_shape(client: ZaloClient, zalo: FakeZaloOA,
                                   book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    delivery = await client.send_text(u1, "Ngành Công nghệ thông tin học 4 năm.")
    assert delivery.delivered and delivery.message_ids == [zalo.sent[0].message_id]
    call = zalo.message_calls()[0]
    assert call.body == {"recipient": {"user_id": "u1"},
                         "message": {"text": "Ngành Công nghệ thông tin học 4 năm."}}
    assert call.headers["access_token"] == zalo.access_token


async def test_buttons_are_hidden_queries_carrying_the_intent(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    buttons = [Button("Chi tiết", "d:career.it"), Button("👍 Hữu ích", "v:17:1")]
    delivery = await client.send_buttons(u1, "Bạn muốn xem thêm?", buttons)
    assert delivery.delivered and delivery.numbered == ()
    sent = zalo.sent[0]
    assert sent.text == "Bạn muốn xem thêm?"
    assert [b["type"] for b in sent.buttons] == ["oa.query.hide"] * 2
    assert [b["title"] for b in sent.buttons] == ["Chi tiết", "👍 Hữu ích"]
    # A tap comes back as the person's text: the payload, which decodes to the intent.
    assert [decode_payload(b["payload"]) for b in sent.buttons] == ["d:career.it", "v:17:1"]
    assert decode_payload("d:career.it") is None  # typed text is not a tap


async def test_long_text_is_split_and_buttons_ride_on_the_last_piece(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    paragraph = "Học sinh lớp 9 ở Long An có thể chọn trường nghề hoặc THPT. " * 12
    text = "\n\n".join([paragraph.strip()] * 6)  # about 4,400 characters
    delivery = await client.send_buttons(u1, text, [Button("Menu", "m")])
    assert delivery.delivered and len(zalo.sent) == 3
    assert all(len(m.text or "") <= TEXT_LIMIT for m in zalo.sent)
    assert " ".join((m.text or "") for m in zalo.sent).split() == text.split()
    assert [bool(m.buttons) for m in zalo.sent] == [False, False, True]


def test_what_zalo_would_refuse_is_refused_before_sending() -> None:
    with pytest.raises(ValueError):
        plan("   ")
    with pytest.raises(ValueError):
        plan("Chọn", [Button("Quá dài", "x" * PAYLOAD_LIMIT)])  # with the prefix: too long
    messages, _ = plan("Chọn", [Button("Vừa", "x" * (PAYLOAD_LIMIT - len(PAYLOAD_PREFIX)))])
    assert len(messages[0]["attachment"]["payload"]["buttons"][0]["payload"]) == PAYLOAD_LIMIT


def test_split_text_cuts_within_the_limit() -> None:
    assert split_text("ngắn") == ["ngắn"]
    pieces = split_text("x" * 4500)  # no space at all: cut mid-word
    assert [len(p) for p in pieces] == [2000, 2000, 500]
    words = split_text("một hai " * 600)
    assert all(len(p) <= TEXT_LIMIT for p in words) and all(p == p.strip() for p in words)


async def test_more_than_five_buttons_become_a_numbered_menu(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    titles = [f"Nhóm ngành số {i}" for i in range(1, 8)]
    buttons = [Button(t, f"g:{i}") for i, t in enumerate(titles, start=1)]
    delivery = await client.send_buttons(u1, "Chọn nhóm ngành", buttons)
    assert len(buttons) > MAX_BUTTONS
    assert delivery.delivered and delivery.numbered == tuple(f"g:{i}" for i in range(1, 8))
    sent = zalo.sent[0]
    assert sent.buttons == []
    assert "1. Nhóm ngành số 1" in (sent.text or "") and "7. Nhóm ngành số 7" in (sent.text or "")


async def test_long_titles_are_cut_to_zalos_limit(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    delivery = await client.send_buttons(u1, "Chọn", [Button("Ngành " * 40, "x")])
    assert delivery.delivered  # the stand-in refuses titles over 100 characters
    title = zalo.sent[0].buttons[0]["title"]
    assert len(title) == TITLE_LIMIT and title.endswith("…")


async def test_expired_token_mid_conversation_one_refresh_one_retry(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    assert (await client.send_text(u1, "Câu trả lời thứ nhất")).delivered
    zalo.expire_access_tokens()
    delivery = await client.send_text(u1, "Câu trả lời thứ hai")
    assert delivery.delivered
    assert zalo.refreshes == 1
    assert zalo.texts_to("u1") == ["Câu trả lời thứ nhất", "Câu trả lời thứ hai"]
    answers = [c.answer["error"] for c in zalo.message_calls()]
    assert answers == [0, -220, 0]


async def test_revoked_token_is_refreshed_too(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.revoke_access_tokens()
    assert (await client.send_text(u1, "Xin chào")).delivered
    assert zalo.refreshes == 1 and zalo.texts_to("u1") == ["Xin chào"]


async def test_concurrent_senders_share_one_refresh(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    people = [await wrote(f"u{i}") for i in range(1, 6)]
    zalo.expire_access_tokens()
    zalo.delay_next(0.3, host="oauth")  # every sender meets the expired token meanwhile
    deliveries = await asyncio.gather(*(client.send_text(p, f"Chào {p.external_id}")
                                        for p in people))
    assert [c.answer["error"] for c in zalo.message_calls()].count(-220) == 5
    assert all(d.delivered for d in deliveries)
    assert zalo.refreshes == 1  # a second refresh would have spent a dead refresh token
    assert sorted(m.text or "" for m in zalo.sent) == [f"Chào u{i}" for i in range(1, 6)]


async def test_a_token_refused_twice_is_not_retried_again(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.error_next(-216, count=5)  # Zalo keeps refusing even the fresh token
    delivery = await client.send_text(u1, "x")
    assert not delivery.delivered and delivery.reason == "zalo:-216"
    assert zalo.refreshes == 1 and len(zalo.message_calls()) == 2


async def test_refused_refresh_leaves_the_reply_undelivered(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.expire_access_tokens()
    zalo._refresh_valid.clear()  # the refresh token was spent elsewhere
    delivery = await client.send_text(u1, "x")
    assert not delivery.delivered and delivery.reason == "token"
    assert delivery.undelivered == [{"text": "x"}] and zalo.sent == []


async def test_server_errors_then_success_send_once(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.fail_next(500)
    zalo.fail_next(503)
    delivery = await client.send_text(u1, "Một lần thôi")
    assert delivery.delivered and zalo.texts_to("u1") == ["Một lần thôi"]
    assert [c.status for c in zalo.message_calls()] == [500, 503, 200]


async def test_timeout_then_success_sends_once(
        session: aiohttp.ClientSession, keeper: TokenKeeper, zalo: FakeZaloOA,
        book: WindowBook, wrote: Wrote) -> None:
    client = ZaloClient(session, keeper, api_base_url=zalo.base_url, window=book,
                        backoff=0.01, timeout=1.0)
    u1 = await wrote("u1")
    zalo.stall_next(4.0)  # longer than this client's 1 s timeout
    delivery = await client.send_text(u1, "Sau khi chờ")
    assert delivery.delivered and zalo.texts_to("u1") == ["Sau khi chờ"]
    assert len(zalo.message_calls()) == 2


async def test_rate_limit_is_retried(client: ZaloClient, zalo: FakeZaloOA,
                                     book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.error_next(-32)
    assert (await client.send_text(u1, "x")).delivered
    assert zalo.texts_to("u1") == ["x"]


async def test_server_down_gives_up_after_the_attempts(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.fail_next(502, count=10)
    delivery = await client.send_text(u1, "x")
    assert not delivery.delivered and delivery.reason == "unreachable"
    assert len(zalo.message_calls()) == 4 and zalo.sent == []


async def test_a_failure_mid_reply_keeps_what_was_sent_and_reports_the_rest(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.fail_next(500, count=4)  # the first piece never gets through
    text = "\n\n".join(["a" * 1500, "b" * 1500, "c" * 1500])
    delivery = await client.send_text(u1, text)
    assert delivery.reason == "unreachable" and len(delivery.undelivered) == 3
    # Once Zalo is back, only what was undelivered is sent: never a piece twice.
    again = await client.send_text(u1, "\n\n".join(m["text"] for m in delivery.undelivered))
    assert again.delivered and [len(m.text or "") for m in zalo.sent] == [1500, 1500, 1500]


async def test_other_zalo_errors_stop_without_retry(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    zalo.error_next(-201)
    delivery = await client.send_text(u1, "x")
    assert delivery.reason == "zalo:-201" and len(zalo.message_calls()) == 1


async def test_tokens_never_reach_the_log(
        client: ZaloClient, keeper: TokenKeeper, zalo: FakeZaloOA, book: WindowBook,
        caplog: pytest.LogCaptureFixture, wrote: Wrote) -> None:
    caplog.set_level(logging.DEBUG)
    u1 = await wrote("u1")
    first_access, first_refresh = zalo.access_token, zalo.refresh_token
    zalo.expire_access_tokens()
    assert (await client.send_text(u1, "Bí mật")).delivered
    zalo.expire_access_tokens()
    zalo.fail_next(500, count=4)  # the client's attempts
    assert not (await client.send_text(u1, "Lần hai")).delivered
    zalo._refresh_valid.clear()
    zalo.expire_access_tokens()
    assert (await client.send_text(u1, "Lần ba")).reason == "token"
    issued = [r.answer for r in zalo.requests if r.host == "oauth" and r.answer]
    secrets = {first_access, first_refresh, APP_SECRET}
    secrets |= {a[k] for a in issued for k in ("access_token", "refresh_token") if k in a}
    assert len(secrets) >= 5 and caplog.records  # something was logged, tokens were issued
    for secret in secrets:
        assert secret not in caplog.text
        assert secret not in repr(keeper)


async def test_a_closed_port_is_unreachable_not_an_exception(
        session: aiohttp.ClientSession, keeper: TokenKeeper, zalo: FakeZaloOA,
        book: WindowBook, wrote: Wrote) -> None:
    dead = ZaloClient(session, keeper, api_base_url="http://127.0.0.1:9", window=book,
                      attempts=2, backoff=0.01, timeout=0.5)
    u1 = await wrote("u1")
    delivery = await dead.send_text(u1, "x")
    assert delivery.reason == "unreachable" and delivery.undelivered == [{"text": "x"}]
