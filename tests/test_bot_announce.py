"""/thongbao: the right people get it, once, even across a restart; blocked users are skipped."""

from __future__ import annotations

import asyncio

import pytest

from bot import messages
from bot.channels import Limits
from bot.jobs import deliver_announcement
from bot.outreach import announcements as announce
from bot.people.schools import School
from tests.telegram.harness import BotHarness
from tests.test_cli import careerbot

A = School("THCSA", "THCS A", "Xã Một", "Đức Hòa", "Long An")
B = School("THCSB", "THCS B", "Xã Hai", "Tân Thạnh", "Long An")


async def _person(bot, api, user_id: int, audience: str, school: str | None,
                  opted_in: bool = True):
    user = api.private_user(user_id, first_name=f"U{user_id}")
    await bot.say(user, "/start" if school is None else f"/start {school}",
                  count=1 if school is None else 2)
    await bot.services.users.set_audience(user_id, audience)
    if not opted_in:
        await bot.say(user, "/tatthongbao")
    return user


def _received(api, user_id: int) -> list[str]:
    return [m["text"] for m in api.sent(user_id) if m.get("text", "").startswith("📢 Thông báo")]


@pytest.fixture
async def people(bot, api):
    bot.services.schools.add(A, B)
    return {
        "a9": await _person(bot, api, 801, "student9", "THCSA"),
        "a12": await _person(bot, api, 802, "student12", "THCSA"),
        "b9": await _person(bot, api, 803, "student9", "THCSB"),
        "a9_off": await _person(bot, api, 804, "student9", "THCSA", opted_in=False),
    }


async def _announce(bot, api, sender, command: str):
    [confirm] = await bot.say(sender, command)
    assert messages.ANNOUNCE_SEND in str(confirm.get("reply_markup"))
    api.mark(sender.id)
    await api.press_button(sender, confirm, messages.ANNOUNCE_SEND)
    _started, done = await api.wait_for_message(sender.id, count=2, timeout=30)
    return confirm, done


async def test_an_admin_announcement_reaches_opted_in_users_of_the_audience(bot, api, admin,
                                                                           people):
    await bot.say(admin, "/start")
    confirm, done = await _announce(bot, api, admin, "/thongbao lop9 Ngày hội tuyển sinh 5/12")
    assert "<b>2</b>" in confirm.raw_text  # a9 and b9; a9_off opted out, a12 is lớp 12
    assert "2 người nhận được" in done["text"]
    assert _received(api, 801) and _received(api, 803)
    assert not _received(api, 802) and not _received(api, 804)


async def test_school_staff_announce_only_to_their_school(bot, api, people):
    teacher = api.private_user(700777, first_name="Cô Lan")
    await bot.say(teacher, f"/dangky {bot.services.staff.invite_now('school', 'THCSA')}")
    await _announce(bot, api, teacher, "/thongbao Một ngày làm công nhân")
    assert _received(api, 801) and _received(api, 802)
    assert not _received(api, 803)


async def test_staff_announcing_to_another_school_are_told_it_is_not_theirs(bot, api, people):
    teacher = api.private_user(700777, first_name="Cô Lan")
    await bot.say(teacher, f"/dangky {bot.services.staff.invite_now('school', 'THCSA')}")
    [refused] = await bot.say(teacher, "/thongbao truong:THCSB Một ngày làm công nhân")
    assert refused["text"] == messages.NOT_YOUR_SCHOOL.format(code="THCSB", scope="THCS A")
    assert bot.services.db.execute("SELECT count(*) FROM announcements").fetchone()[0] == 0
    assert not any(_received(api, u.id) for u in people.values())


async def test_blocked_users_are_marked_and_skipped(bot, api, admin, people):
    await bot.say(admin, "/start")
    api.block(803)
    _, done = await _announce(bot, api, admin, "/thongbao lop9 Hạn nộp hồ sơ")
    assert "1 người đã chặn bot" in done["text"]
    assert bot.services.users.get(803).blocked is True
    second_confirm, _ = await _announce(bot, api, admin, "/thongbao lop9 Nhắc lại")
    assert "<b>1</b>" in second_confirm.raw_text  # the blocked user is not counted again


async def test_a_restart_in_the_middle_resumes_without_sending_twice(api, admin, tmp_path,
                                                                     counsellors, engine):
    bot = BotHarness(api, tmp_path, env={"CAREERBOT_ANNOUNCE_PER_SECOND": "3"}, engine=engine)
    await bot.start()
    try:
        await bot.say(admin, "/start")
        users = [await _person(bot, api, 900 + i, "parent", None) for i in range(8)]
        [confirm] = await bot.say(admin, "/thongbao phuhuynh Họp phụ huynh tối thứ Sáu")
        api.mark(admin.id)
        await api.press_button(admin, confirm, messages.ANNOUNCE_SEND)
        await api.wait_for(lambda c: c.method == "sendMessage" and c.params.get("chat_id")
                           in ("901", 901), timeout=30)
        await bot.restart()  # two or so were delivered; the rest must follow after the restart
        await api.wait_for(lambda c: c.method == "sendMessage" and "xong" in
                           str(c.params.get("text")), timeout=60)
        counts = [len(_received(api, u.id)) for u in users]
        assert all(n <= 1 for n in counts), counts  # never twice
        assert sum(counts) >= 7  # at most the one caught mid-send is missing
        tally = bot.services.announcements.tally(bot.services.announcements.get(1))  # type: ignore[arg-type]
        assert tally["sent"] == sum(counts) and tally["sent"] + tally["unknown"] == 8
    finally:
        await bot.stop()


async def test_students_cannot_announce(bot, student):
    [refused] = await bot.say(student, "/thongbao tatca xin chào")
    assert refused["text"] == messages.STAFF_ONLY


def test_the_command_keeps_line_breaks_and_reads_its_options():
    assert announce.parse_command("/thongbao lop12 Dòng 1\nDòng 2") == \
        (None, "lop12", "Dòng 1\nDòng 2")
    assert announce.parse_command("/thongbao truong:ABC tatca Chào") == ("ABC", "tatca", "Chào")
    assert announce.parse_command("/thongbao") == (None, None, "")


async def _teacher(bot, api):
    teacher = api.private_user(700777, first_name="Cô Lan")
    await bot.say(teacher, f"/dangky {bot.services.staff.invite_now('school', 'THCSA')}")
    assert "export" in {c["command"] for c in api.commands_for(f"chat:{teacher.id}")}
    return teacher


async def test_a_draft_confirmed_after_its_author_was_revoked_reaches_nobody(bot, api, people):
    teacher = await _teacher(bot, api)
    [confirm] = await bot.say(teacher, "/thongbao Họp phụ huynh tối thứ Sáu")
    # Revoked from the command line while the bot runs: only the database knows.
    out = await asyncio.to_thread(careerbot, "staff", "revoke", str(teacher.id),
                                  env={"CAREERBOT_DB": str(bot.workdir / "careerbot.db")})
    assert out.returncode == 0, out.stderr
    await api.press_button(teacher, confirm, messages.ANNOUNCE_SEND)
    refused = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                 and c.params.get("text") == messages.ANNOUNCE_NOT_ALLOWED)
    assert refused.ok
    await bot.services.writer.sync()
    db = bot.services.db
    assert db.execute("SELECT status FROM announcements").fetchone()[0] == "dropped"
    assert db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0
    assert not any(_received(api, u.id) for u in people.values())
    # That update also gave them back the student menu (the chat's own list is gone).
    assert api.commands_for(f"chat:{teacher.id}") == []
    assert bot.services.staff.menu_reset_due(teacher.id) is False


async def test_a_delivery_whose_sender_was_revoked_stops_before_sending(bot, api, people):
    teacher = await _teacher(bot, api)
    svc = bot.services
    draft = await svc.announcements.draft(teacher.id, teacher.id, "Hạn nộp hồ sơ", None,
                                          frozenset({"THCSA"}), "THCS A")
    assert await svc.announcements.start(draft) == 2
    svc.staff.revoke_now(teacher.id)
    await deliver_announcement(svc, svc.announcements.get(draft.id))
    assert not any(_received(api, u.id) for u in people.values())
    tally = svc.announcements.tally(draft)
    assert tally == {"cancelled": 2} and svc.announcements.get(draft.id).status == "cancelled"


async def test_a_web_visitor_of_the_audience_gets_the_announcement_on_their_own_channel(
        bot, api, admin, people):
    svc = bot.services
    visitor = await svc.accounts.resolve("web", "visitor-announce")
    await svc.users.set_audience(visitor.user_id, "student9")
    received = []

    class Web:  # a channel (bot/channels.py) named as the web chat's, as handlers/web adds it
        name, limits = "web", Limits(4096, 0, 0)

        async def deliver(self, account, view):
            received.append((account.external_id, view.parts[0].text))
            return True

    svc.channels.add(Web())
    await bot.say(admin, "/start")
    _confirm, done = await _announce(bot, api, admin, "/thongbao lop9 Họp phụ huynh lớp 9")
    assert "3 người nhận được" in done["text"]  # a9, b9 on Telegram and the web visitor
    assert received and received[0][0] == "visitor-announce" and "Họp phụ huynh" in received[0][1]
