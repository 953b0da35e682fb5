"""handlers/zalo/window.py: Zalo's 48-hour, 8-message reply window."""

from __future__ import annotations

from pathlib import Path

from bot.people import privacy
from bot.storage.writer import Writer
from handlers.zalo.client import ZaloClient
from handlers.zalo.window import MAX_REPLIES, WINDOW_SECONDS, ReplyWindow, WindowBook
from tests.zalo.conftest import Wrote, person
from tests.zalo.oaapi import FakeClock, FakeZaloOA

T0 = 1_800_000_000.0


def test_no_message_from_the_person_no_reply() -> None:
    verdict = ReplyWindow().verdict(T0)
    assert not verdict.allowed and verdict.reason == "no_contact"


def test_48_hours_from_the_last_message() -> None:
    window = ReplyWindow().after_incoming(T0)
    assert window.verdict(T0 + WINDOW_SECONDS - 1).allowed
    late = window.verdict(T0 + WINDOW_SECONDS)
    assert not late.allowed and late.reason == "expired" and late.closes_at == T0 + WINDOW_SECONDS


def test_at_most_8_messages_then_a_new_message_resets() -> None:
    window = ReplyWindow().after_incoming(T0)
    for sent in range(MAX_REPLIES):
        assert window.verdict(T0).remaining == MAX_REPLIES - sent
        window = window.after_sent()
    used = window.verdict(T0 + 60)
    assert not used.allowed and used.reason == "used_up"
    assert window.after_incoming(T0 + 120).verdict(T0 + 120).remaining == MAX_REPLIES


def test_a_late_old_event_does_not_reopen_the_window() -> None:
    window = ReplyWindow().after_incoming(T0).after_sent()
    assert window.after_incoming(T0 - 5) == window


async def test_the_book_survives_a_restart(db_path: Path, clock: FakeClock) -> None:
    first = Writer(db_path)
    try:
        book = WindowBook(first, clock)
        someone = await person(first, "u1")
        await book.note_incoming(someone.user_id)
        for _ in range(3):
            await book.note_sent(someone.user_id)
    finally:
        first.close()
    second = Writer(db_path)
    try:
        verdict = await WindowBook(second, clock).verdict(someone.user_id)
    finally:
        second.close()
    assert verdict.allowed and verdict.remaining == MAX_REPLIES - 3


async def test_the_client_stops_at_the_ninth_message_and_says_so(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    for i in range(MAX_REPLIES):
        assert (await client.send_text(u1, f"tin {i}")).delivered
    ninth = await client.send_text(u1, "tin thứ chín")
    assert not ninth.delivered and ninth.reason == "window:used_up"
    assert ninth.undelivered == [{"text": "tin thứ chín"}]
    assert len(zalo.sent) == MAX_REPLIES and len(zalo.message_calls()) == MAX_REPLIES
    u1 = await wrote("u1")  # the person writes again: a new window
    assert (await client.send_text(u1, "lại được")).delivered


async def test_the_client_does_not_send_after_48_hours(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, clock: FakeClock,
        wrote: Wrote) -> None:
    u1 = await wrote("u1")
    clock.advance(WINDOW_SECONDS + 1)
    late = await client.send_text(u1, "trả lời của tư vấn viên")
    assert late.reason == "window:expired" and zalo.message_calls() == []


async def test_a_reply_split_across_the_limit_is_partly_delivered(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    for i in range(MAX_REPLIES - 1):
        await client.send_text(u1, f"tin {i}")
    delivery = await client.send_text(u1, "a" * 1500 + "\n\n" + "b" * 1500)
    assert len(delivery.message_ids) == 1 and delivery.undelivered == [{"text": "b" * 1500}]
    assert delivery.reason == "window:used_up" and zalo.sent[-1].text == "a" * 1500


async def test_zalos_own_refusal_is_reported_as_the_window(
        client: ZaloClient, zalo: FakeZaloOA, book: WindowBook, writer: Writer) -> None:
    # careerbot's book thinks the window is open (e.g. an event was lost); Zalo knows better.
    u1 = await person(writer, "u1")
    await book.note_incoming(u1.user_id)
    refused = await client.send_text(u1, "x")
    assert refused.reason == "window:no_contact" and zalo.sent == []


async def test_erasing_a_person_erases_their_window(
        book: WindowBook, writer: Writer, wrote: Wrote) -> None:
    u1 = await wrote("u1")
    assert (await book.verdict(u1.user_id)).allowed
    counts = await writer.write(lambda db: privacy.erase(db, u1.user_id))
    assert counts["zalo_windows"] == 1
    assert (await book.verdict(u1.user_id)).reason == "no_contact"
