"""The Zalo OA channel end to end: signed webhook events into careerbot's web server (with
ZALO_APP_ID set), the conversation, and what the OA API stand-in delivered to the person."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import intents as i
from bot import logs, messages
from bot.answering.assistant import Assistant
from bot.people import privacy
from bot.people.schools import School
from bot.reports.export import csv_bytes
from bot.screens import text_view
from bot.surveys.responses import load_records
from bot.views import Attachment, Block, Choice, Part, View
from handlers.zalo import render
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import MAX_BUTTONS, TEXT_LIMIT
from handlers.zalo.render import button_payload, read_tap
from tests.zalo.harness import ZaloServer, intents
from tests.zalo.oaapi import OA_SECRET, FakeClock, FakeZaloOA, Sent

ADMIN = 4242
SCHOOL = School("THCSAL", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")


@pytest.fixture
async def oa(zalo: FakeZaloOA, clock: FakeClock, tmp_path: Path, assistant: Assistant
             ) -> AsyncIterator[ZaloServer]:
    server = ZaloServer(zalo, clock, tmp_path / "careerbot.db", assistant,
                        admin_ids=frozenset({ADMIN}))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def text(sent: list[Sent]) -> str:
    return "\n".join(m.text or "" for m in sent)


# --- the webhook --------------------------------------------------------------------------------
async def test_a_signed_question_is_answered_with_its_sources(oa, zalo):
    sent = await oa.say("u1", "học trung cấp có mất học phí không", msg_id="m-question")
    assert sent and "📚 Nguồn" in text(sent)
    assert "Nghị định" in text(sent) or "Luật" in text(sent)
    assert all(len(m.text or "") <= TEXT_LIMIT for m in sent)
    assert "**" not in text(sent)  # Zalo shows no markup: the marks are dropped
    [call] = zalo.message_calls()
    # The answer names the question (Zalo counts it as a free reply), not only the person.
    assert call.body["recipient"] == {"message_id": "m-question"}
    assert [m.reply_to for m in sent] == ["m-question"]


@pytest.mark.parametrize("signature", [None, "mac=" + "0" * 64, "nonsense"])
async def test_a_forged_or_missing_signature_gets_403_and_no_answer(oa, zalo, signature):
    event = zalo.event("user_send_text", "u1", text="học phí trung cấp")
    assert await oa.post(event, signature=signature) == 403
    assert zalo.sent == [] and oa.services.accounts.find("zalo", "u1") is None


async def test_an_event_signed_with_another_key_gets_403(oa, zalo):
    event = zalo.event("user_send_text", "u1", text="học phí trung cấp")
    assert await oa.post(event, secret=OA_SECRET + "x") == 403
    assert zalo.sent == []


async def test_a_replayed_event_older_than_ten_minutes_gets_403(oa, zalo, clock):
    event = zalo.event("user_send_text", "u1", text="học phí trung cấp")
    clock.advance(11 * 60)
    assert await oa.post(event) == 403
    assert zalo.sent == []


async def test_the_webhook_answers_200_before_the_reply_is_sent(oa, zalo):
    zalo.delay_next(1.0)  # a slow Zalo: the reply takes a second
    event = zalo.event("user_send_text", "u1", text="học phí trung cấp")
    status, _ = await zalo.send_event(oa.url, event)
    assert status == 200 and zalo.sent == []  # answered before the reply went out
    await oa.channel.drain()
    assert zalo.texts_to("u1")


async def test_a_duplicate_delivery_is_answered_once_even_after_a_restart(oa, zalo):
    first = await oa.say("u1", "học phí trung cấp", msg_id="m-1")
    assert first
    assert await oa.say("u1", "học phí trung cấp", msg_id="m-1") == []
    await oa.restart()
    assert await oa.say("u1", "học phí trung cấp", msg_id="m-1") == []
    assert await oa.say("u1", "học phí trung cấp", msg_id="m-2")


@pytest.mark.parametrize("kind", ["user_send_image", "user_send_sticker", "user_send_file",
                                  "user_send_location"])
async def test_pictures_stickers_files_and_places_get_the_text_only_reply(oa, zalo, kind):
    [reply] = await oa.event(kind, "u1")
    assert reply.text == messages.ZALO_TEXT_ONLY


async def test_an_unknown_event_gets_200_and_nothing_is_sent_or_logged_of_it(oa, zalo, caplog):
    event = {**zalo.event("user_send_text", "u1", text="bí mật của em"),
             "event_name": "user_seen_message"}
    with caplog.at_level(logging.INFO):
        assert await oa.post(event) == 200
    assert zalo.sent == []
    assert "bí mật" not in caplog.text and "user_seen_message" in caplog.text


async def test_a_crisis_message_gets_the_safety_reply(oa):
    sent = await oa.say("u1", "em không muốn sống nữa")
    assert "111" in text(sent)  # the national child helpline, free, 24/7
    assert "📚" not in text(sent)  # no topic answer, no sources: help first


# --- buttons ------------------------------------------------------------------------------------
async def test_a_tapped_button_comes_back_as_its_intent(oa, zalo):
    await oa.event("follow", "u1")
    welcome, *_ = await oa.say("u1", "chào")
    assert messages.WELCOME.split("\n")[0].replace("**", "") in (welcome.text or "")
    assert len(welcome.buttons) <= MAX_BUTTONS
    assert {b["type"] for b in welcome.buttons} == {"oa.query.hide"}
    assert i.ChooseAudience("student9") in intents(welcome)
    [saved] = await oa.tap("u1", welcome, "Học sinh lớp 9")
    assert "Học sinh lớp 9" in (saved.text or "")
    assert oa.services.users.get(oa.account("u1")).audience == "student9"


async def test_a_forged_or_outdated_payload_gets_the_stale_button_message(oa):
    for forged in ("#cb:{not json", '#cb:{"type":"nothing"}', '#cb:{"type":"vote","x":1}'):
        [reply] = await oa.say("u1", forged)
        assert reply.text == messages.STALE_BUTTON


async def test_a_menu_of_more_than_five_is_numbered_and_a_typed_number_chooses(oa):
    [menu] = await oa.say("u1", "/menu")
    assert menu.buttons == [] and "1." in (menu.text or "")
    assert messages.ZALO_NUMBERED_HINT.split("(")[0] in (menu.text or "")
    options = oa.channel.numbered_menu(oa.account("u1"))
    assert len(options) > MAX_BUTTONS
    number, group = next((n, o) for n, o in enumerate(options, start=1)
                         if isinstance(o, i.Group))
    account = oa.services.accounts.find("zalo", "u1")
    expected = render.text_of(await oa.channel.conversation.handle(account, group))
    [shown] = await oa.say("u1", f" {number}. ")
    assert (shown.text or "").startswith(expected)  # the group the number stood for
    assert any(isinstance(x, i.Topic) for x in oa.channel.numbered_menu(oa.account("u1"))
               + intents(shown))


async def test_a_typed_number_still_chooses_from_the_menu_after_a_restart(oa):
    [menu] = await oa.say("u1", "/menu")
    options = oa.channel.numbered_menu(oa.account("u1"))
    assert len(options) > MAX_BUTTONS and menu.buttons == []
    account = oa.services.accounts.find("zalo", "u1")
    expected = render.text_of(await oa.channel.conversation.handle(account, options[1]))
    await oa.restart()
    [shown] = await oa.say("u1", "2")
    assert (shown.text or "").startswith(expected)  # the second item, not a question "2"
    exported = privacy.my_data(oa.services.db, oa.account("u1"))
    assert exported["zalo_menu"] is not None  # the person's data export shows what is kept


async def test_a_welcome_owed_since_a_follow_survives_a_restart(oa, zalo):
    assert await oa.event("follow", "u1") == []  # Zalo lets an OA answer, not write first
    await oa.restart()
    sent = await oa.say("u1", "học phí trung cấp")
    assert "Chào bạn" in (sent[0].text or "") and "📚" in text(sent)
    again = await oa.say("u1", "học phí trung cấp")
    assert "Chào bạn" not in text(again)  # welcomed once


async def test_button_titles_are_cut_to_zalos_limit(oa, zalo):
    sent = await oa.say("u1", "học phí trung cấp")
    for message in sent:
        assert all(len(b["title"]) <= 100 for b in message.buttons)
        assert all(len(b["payload"]) <= 1000 for b in message.buttons)


# --- surveys and schools ------------------------------------------------------------------------
async def _answer(oa: ZaloServer, user: str, question: Sent) -> Sent:
    """The first choice of a single question, two of a multiple one, a typed answer otherwise;
    the next question."""
    shown = intents(question) or oa.channel.numbered_menu(oa.account(user))
    kinds = [x for x in shown if isinstance(x, i.SurveyAnswer)]
    toggles = [x for x in shown if isinstance(x, i.SurveyToggle)]
    if kinds:
        return (await _choose(oa, user, question, kinds[0]))[-1]
    if toggles:
        for toggle in toggles[:2]:
            await _choose(oa, user, question, toggle)
        done = next(x for x in (intents(question) or oa.channel.numbered_menu(oa.account(user)))
                    if isinstance(x, i.SurveyDone))
        return (await oa.say(user, button_payload(done)))[-1]
    typed = "9A1" if "lớp nào" in (question.text or "") else "Lan, 0900000000"
    return (await oa.say(user, typed))[-1]


async def _choose(oa: ZaloServer, user: str, question: Sent, intent: i.Intent) -> list[Sent]:
    """Tap it if it is a button, else type its number."""
    if intent in intents(question):
        return await oa.say(user, button_payload(intent))
    number = oa.channel.numbered_menu(oa.account(user)).index(intent) + 1
    return await oa.say(user, str(number))


def _submit(oa: ZaloServer, user: str, question: Sent) -> i.Intent | None:
    shown = intents(question) or oa.channel.numbered_menu(oa.account(user))
    return next((x for x in shown if isinstance(x, i.SurveySubmit)), None)


async def test_a_whole_survey_on_zalo_resumes_after_a_restart_and_is_exported_as_zalo(oa):
    oa.services.schools.add(SCHOOL)
    await oa.say("u1", SCHOOL.code)  # typed as the school's poster says
    await oa.say("u1", button_payload(i.ChooseAudience("student9")))
    listing = (await oa.say("u1", "/khaosat"))[-1]
    needs = next(x for x in intents(listing) + oa.channel.numbered_menu(oa.account("u1"))
                 if isinstance(x, i.SurveyOpen) and x.survey == "needs")
    consent = (await oa.say("u1", button_payload(needs)))[-1]
    question = (await oa.tap("u1", consent, "✅"))[-1]
    question = await _answer(oa, "u1", question)
    await oa.restart()  # a whole survey is resumable: the next answer goes on from here
    question = await _answer(oa, "u1", question)
    for _ in range(40):
        submit = _submit(oa, "u1", question)
        if submit is not None:
            break
        question = await _answer(oa, "u1", question)
    assert submit is not None
    thanks = await oa.say("u1", button_payload(submit))
    assert "Cảm ơn" in text(thanks)
    [record] = load_records(oa.services.db, "needs", {SCHOOL.code})
    assert record.channel == "zalo" and record.answers["grade"] == "9"
    assert record.answers["class"] == "9A1" and len(record.answers["field"]) == 2
    [row] = csv.DictReader(io.StringIO(csv_bytes(oa.services.surveys.get("needs"), [record],
                                                 {SCHOOL.code: SCHOOL}).decode("utf-8-sig")))
    assert row["Kênh"] == "zalo"


@pytest.mark.parametrize("typed", ["THCSAL", "thcsal", "/truong THCSAL"])
async def test_typing_the_school_code_joins_the_school(oa, typed):
    oa.services.schools.add(SCHOOL)
    sent = await oa.say("u1", typed)
    assert "THCS An Lạc" in text(sent)
    assert oa.services.users.get(oa.account("u1")).school_code == "THCSAL"


async def test_a_word_that_is_no_school_code_is_a_question(oa):
    oa.services.schools.add(SCHOOL)
    sent = await oa.say("u1", "xkld")
    assert "THCS An Lạc" not in text(sent)
    assert oa.services.users.get(oa.account("u1")).school_code is None


async def test_my_data_comes_as_text_in_the_chat(oa):
    await oa.say("u1", "học phí trung cấp ở long an")
    sent = await oa.say("u1", "/dulieucuatoi")
    assert "học phí trung cấp ở long an" in text(sent)  # the file's content, as text


async def test_staff_commands_are_sent_to_telegram(oa):
    [reply] = await oa.say("u1", "/dangky ABC123")
    assert reply.text == messages.ZALO_STAFF_ELSEWHERE


# --- follow / unfollow --------------------------------------------------------------------------
async def test_a_follower_is_welcomed_when_zalo_allows_and_unfollow_sends_nothing(oa, zalo):
    assert await oa.event("follow", "u1") == []  # Zalo lets an OA answer, not write first
    sent = await oa.say("u1", "học phí trung cấp")
    assert "Chào bạn" in (sent[0].text or "") and "📚" in text(sent)
    assert await oa.event("unfollow", "u1") == []
    assert oa.services.users.get(oa.account("u1")).blocked


# --- tokens -------------------------------------------------------------------------------------
async def test_an_access_token_expiring_mid_conversation_is_refreshed_once(oa, zalo):
    assert await oa.say("u1", "học phí trung cấp")
    zalo.expire_access_tokens()
    before = len(zalo.sent)
    sent = await oa.say("u1", "vay vốn đi xuất khẩu lao động")
    assert sent and zalo.refreshes == 1
    texts = [m.text for m in zalo.sent[before:]]
    assert len(texts) == len(set(texts))  # nothing sent twice


async def test_a_rotated_refresh_token_is_used_after_a_restart(oa, zalo):
    seeded = zalo.refresh_token
    zalo.expire_access_tokens()
    assert await oa.say("u1", "học phí trung cấp")
    assert zalo.refreshes == 1  # the seeded refresh token is spent now
    await oa.restart()  # the settings still name the spent one
    assert await oa.say("u1", "vay vốn")
    assert zalo.refreshes == 1  # the stored access token still works
    zalo.expire_access_tokens()
    assert await oa.say("u1", "cao đẳng")
    assert zalo.refreshes == 2  # refreshed with the rotated token, not the seeded one
    refreshed = [r.body["refresh_token"] for r in zalo.requests if r.host == "oauth"]
    assert refreshed[0] == seeded and refreshed[1] != seeded


async def test_zalo_secrets_and_tokens_never_reach_a_log_line(oa, zalo, caplog):
    zalo.expire_access_tokens()
    await oa.say("u1", "học phí trung cấp")
    [pair] = oa.services.db.query("SELECT access_token, refresh_token FROM zalo_tokens")
    record = logging.LogRecord("x", logging.INFO, "", 0, "keys %s %s %s %s", (
        pair["access_token"], pair["refresh_token"], OA_SECRET, zalo.app_secret), None)
    logs.RedactTokens().filter(record)
    line = record.getMessage()
    assert pair["access_token"] not in line and pair["refresh_token"] not in line
    assert OA_SECRET not in line and zalo.app_secret not in line


# --- rendering ----------------------------------------------------------------------------------
def test_the_channel_declares_zalos_limits():
    assert ZaloChannel.name == "zalo"
    assert (ZaloChannel.limits.text, ZaloChannel.limits.buttons,
            ZaloChannel.limits.button_title) == (2000, 5, 100)


def test_a_payload_reads_back_as_the_intent_it_carries():
    intent = i.SurveyAnswer("needs", "grade", "9")
    assert read_tap(button_payload(intent)) == intent
    assert read_tap("học phí") is None
    assert json.loads(button_payload(intent)[4:])["type"] == intent.kind


# --- what the bot sends on its own ----------------------------------------------------------------
async def test_an_announcement_outside_the_window_is_kept_and_sent_when_they_write(oa, zalo,
                                                                                    clock):
    assert await oa.say("u1", "học phí trung cấp")
    user_id = oa.account("u1")
    clock.advance(49 * 3600)  # two days later: Zalo no longer lets the OA write to them
    calls = len(zalo.message_calls())
    announced = text_view("📢 Thông báo: hạn nộp hồ sơ là 30/6.")
    assert await oa.services.outbox.send(user_id, announced) is False
    assert len(zalo.message_calls()) == calls  # not even tried
    await oa.services.writer.sync()
    [kept] = oa.services.db.query("SELECT text, state FROM outbox WHERE destination = 'zalo'")
    assert kept == {"text": "📢 Thông báo: hạn nộp hồ sơ là 30/6.", "state": "undelivered"}
    first, *rest = await oa.say("u1", "cao đẳng")
    assert messages.ZALO_HELD_HEAD in (first.text or "") and "30/6" in (first.text or "")
    assert rest  # and their question is answered after it
    await oa.services.writer.sync()
    assert not list(oa.services.db.query("SELECT 1 FROM outbox WHERE destination = 'zalo'"))


async def test_inside_the_window_the_outbox_reaches_the_person_once(oa, zalo):
    assert await oa.say("u1", "học phí trung cấp")
    assert await oa.services.outbox.send(oa.account("u1"), text_view("Cô Mai trả lời em.")) \
        is True
    assert zalo.texts_to("u1").count("Cô Mai trả lời em.") == 1


async def test_a_long_view_is_split_at_2000_characters_with_the_buttons_on_the_last(oa, zalo):
    assert await oa.say("u1", "học phí trung cấp")
    before = len(zalo.sent)
    paragraph = "Học nghề là một con đường tốt sau lớp 9. " * 12
    long = View((Part(Block.TEXT, "\n\n".join([paragraph] * 9)),),
                ((Choice("📋 Menu", i.Menu()),),))
    assert await oa.services.outbox.send(oa.account("u1"), long)
    sent = zalo.sent[before:]
    assert len(sent) >= 3 and all(len(m.text or "") <= TEXT_LIMIT for m in sent)
    assert [bool(m.buttons) for m in sent] == [False] * (len(sent) - 1) + [True]
    assert "".join((m.text or "").replace("\n", "").replace(" ", "") for m in sent) == \
        "\n\n".join([paragraph] * 9).replace("\n", "").replace(" ", "")


async def test_a_zalo_server_error_is_retried_and_the_answer_arrives_once(oa, zalo):
    zalo.fail_next(502)
    sent = await oa.say("u1", "học phí trung cấp")
    assert sent and "📚" in text(sent)
    assert len({m.text for m in sent}) == len(sent)
    assert [r.status for r in zalo.message_calls()][:2] == [502, 200]


async def test_a_follow_delivered_twice_is_handled_once(oa, zalo):
    assert await oa.say("u1", "học phí trung cấp")  # they wrote: Zalo lets the OA answer
    event = zalo.event("follow", "u1")
    assert await oa.post(event) == 200 and await oa.post(event) == 200
    welcomes = [t for t in zalo.texts_to("u1") if "Chào bạn" in (t or "")]
    assert len(welcomes) == 1


async def test_one_persons_messages_are_answered_in_the_order_they_came(oa, zalo):
    zalo.delay_next(0.5)  # Zalo is slow with the first answer
    questions = ["học phí trung cấp", "/menu"]
    for question in questions:  # the second arrives while the first is being answered
        status, _ = await zalo.send_event(oa.url, zalo.event("user_send_text", "u1",
                                                             text=question))
        assert status == 200
    await oa.channel.drain()
    texts = zalo.texts_to("u1")
    assert "📚" in (texts[0] or "") and messages.MENU_TITLE in (texts[-1] or "")


async def test_help_on_zalo_has_zalos_lines_and_not_the_webs(oa):
    said = text(await oa.say("u1", "/help"))
    assert "/truong" in said and "gõ số" in said
    assert "cookie" not in said and "/thoat" not in said


def test_a_file_too_long_for_three_messages_becomes_a_note():
    short = View(files=(Attachment("dulieu.json", b'{"a": 1}'),))
    assert '{"a": 1}' in render.text_of(short)
    long = View(files=(Attachment("dulieu.json", ("x" * 7000).encode()),))
    assert render.text_of(long) == messages.ZALO_FILE_NOTE.format(filename="dulieu.json")


async def test_a_person_who_unfollowed_the_oa_counts_as_blocked(oa, zalo):
    assert await oa.say("u1", "học phí trung cấp")
    assert await oa.event("unfollow", "u1") == []
    assert await oa.services.outbox.reach(oa.account("u1"), text_view("Thông báo")) == "blocked"


async def test_an_announcement_reaches_who_zalo_allows_and_is_kept_for_the_others(oa, zalo):
    """/thongbao through the core's job on a web-only process: one person wrote an hour ago,
    the other two days ago (outside Zalo's window)."""
    await oa.core.start()
    for user in ("u-now", "u-old"):
        assert await oa.say(user, "học phí trung cấp")
        await oa.services.users.set_audience(oa.account(user), "student9")
    long_ago = zalo.clock() - 49 * 3600
    zalo.person_wrote("u-old", at=long_ago)
    old = oa.account("u-old")
    await oa.services.writer.write(lambda db: db.execute(
        "UPDATE zalo_windows SET last_message_at = ? WHERE user_id = ?", [long_ago, old]))
    talk = oa.core.conversation
    staff = await oa.services.accounts.resolve("telegram", str(ADMIN))
    preview = await talk.handle(staff, i.AnnounceDraft("lop9 Họp phụ huynh lớp 9 ngày 20/12"))
    send = next(c.intent for c in preview.choices if c.label == messages.ANNOUNCE_SEND)
    assert isinstance(send, i.AnnounceDecision)
    await talk.handle(staff, send)
    announcements = oa.services.announcements
    for _ in range(400):  # delivered by the core's paced job
        if announcements.get(send.id).status == "done":
            break
        await asyncio.sleep(0.05)
    tally = announcements.tally(announcements.get(send.id))
    assert tally["sent"] == 1 and tally["failed"] == 1
    assert any("Họp phụ huynh" in (t or "") for t in zalo.texts_to("u-now"))
    assert not any("Họp phụ huynh" in (t or "") for t in zalo.texts_to("u-old"))
    [kept] = oa.services.db.query("SELECT user_id, state FROM outbox WHERE destination = 'zalo'")
    assert kept == {"user_id": old, "state": "undelivered"}
    first, *_ = await oa.say("u-old", "dạ")
    assert messages.ZALO_HELD_HEAD in (first.text or "") and "Họp phụ huynh" in (first.text or "")
