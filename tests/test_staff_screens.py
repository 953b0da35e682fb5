"""The staff and admin screens through the conversation core alone: no Telegram, a fresh
database, Intents in and Views out (exports and reports built in the real worker process)."""

from __future__ import annotations

import asyncio
import csv
import io
import logging
from typing import Any

import pytest

from bot import intents as i
from bot import messages
from bot.bootstrap import Running, build_conversation
from bot.people.accounts import TELEGRAM, Account
from bot.people.schools import School
from bot.surveys.model import school_year
from bot.views import BECAME_STAFF, Block, View, deferred, flatten
from handlers.terminal.chat import TerminalChat
from tests.seed import seed_needs_responses

A = School("THCSA", "THCS A", "Xã Một", "Đức Hòa", "Long An")
B = School("THCSB", "THCS B", "Xã Hai", "Tân Thạnh", "Long An")
ADMIN = 4242


@pytest.fixture
def svc_env():
    return {"CAREERBOT_ADMIN_IDS": str(ADMIN)}


@pytest.fixture
def core(svc):
    svc.schools.add(A, B)
    return build_conversation(svc), svc


async def telegram_user(svc, user_id: int) -> Account:
    return await svc.accounts.resolve(TELEGRAM, str(user_id))


async def school_staff(talk, svc, user_id: int, school: str = "THCSA") -> Account:
    account = await telegram_user(svc, user_id)
    await talk.handle(account, i.Redeem(svc.staff.invite_now("school", school)))
    return account


def said(view: View) -> str:
    return "\n".join(p.text for v in flatten(view) for p in v.parts)


def alert(view: View) -> str | None:
    return view.notice.text if view.notice and view.notice.alert else None


async def finished(view: View) -> View:
    [later] = deferred(view)
    return await later()


STAFF_INTENTS = [i.ExportMenu(), i.Report(), i.AnnounceDraft("tatca Xin chào"),
                 i.ExportMenu("THCSA")]
ADMIN_INTENTS = [i.Invite("truong", "THCSA"), i.Stats(), i.Unanswered()]


async def test_students_on_any_channel_are_refused_every_staff_and_admin_screen(core):
    talk, svc = core
    for account in [await svc.accounts.resolve("web", "visitor"),
                    await svc.accounts.resolve("terminal", "local"),
                    await telegram_user(svc, 700001)]:
        for intent in STAFF_INTENTS:
            assert said(await talk.handle(account, intent)) == messages.STAFF_ONLY, intent
        for intent in ADMIN_INTENTS:
            assert said(await talk.handle(account, intent)) == messages.ADMIN_ONLY, intent
        tapped = await talk.handle(account, i.Export("csv", "needs", ""))
        assert alert(tapped) == messages.STAFF_ONLY
    assert svc.builds.running == 0
    assert svc.db.execute("SELECT count(*) FROM invites").fetchone()[0] == 0
    assert svc.db.execute("SELECT count(*) FROM announcements").fetchone()[0] == 0


async def test_a_typed_staff_command_in_the_terminal_gets_the_same_refusal(core):
    talk, svc = core
    out = io.StringIO()
    chat = TerminalChat(talk, await svc.accounts.resolve("terminal", "local"),
                        io.StringIO("/export\n/stats\n"), out)
    await chat.run()
    assert messages.STAFF_ONLY in out.getvalue() and messages.ADMIN_ONLY in out.getvalue()


def test_typed_commands_carry_their_arguments_into_the_intent():
    assert i.command_intent("/dangky  ABCD") == i.Redeem("ABCD")
    assert i.command_intent("/moi khuvuc Xã  Tân Hòa, Châu Thành") == \
        i.Invite("khuvuc", "Xã Tân Hòa, Châu Thành")
    assert i.command_intent("/export@careerbot THCSB") == i.ExportMenu("THCSB")
    assert i.command_intent("/baocao") == i.Report("")
    assert i.command_intent("/thongbao lop9 Dòng 1\nDòng 2") == \
        i.AnnounceDraft("lop9 Dòng 1\nDòng 2")
    assert i.command_intent("/stats") == i.Stats() and i.command_intent("/khongco") is None


async def test_redeeming_an_invite_says_the_scope_and_signals_the_new_role(core):
    talk, svc = core
    teacher = await telegram_user(svc, 700002)
    joined = await talk.handle(teacher, i.Redeem(svc.staff.invite_now("school", "THCSA")))
    assert "THCS A" in said(joined) and BECAME_STAFF in joined.signals
    assert svc.staff.scope(teacher.user_id, is_admin=False).school_codes == frozenset({"THCSA"})
    again = await talk.handle(await telegram_user(svc, 700003), i.Redeem("KHONGCOMA"))
    assert said(again) == messages.INVITE_UNKNOWN and not again.signals


async def test_an_admins_invite_shows_codes_to_copy_that_redeem_on_another_channel(core):
    talk, svc = core
    created = await talk.handle(await telegram_user(svc, ADMIN), i.Invite("khuvuc", "Đức Hòa"))
    codes = [p.text for p in created.parts if p.kind is Block.CODE]
    assert len(codes) == 2 and codes[1] == f"/dangky {codes[0]}"
    assert "<" not in said(created)  # plain text: the channel formats the codes
    web = await svc.accounts.resolve("web", "officer")
    await talk.handle(web, i.command_intent(codes[1]))
    assert svc.staff.scope(web.user_id, is_admin=False).school_codes == frozenset({"THCSA"})


async def test_school_staff_see_and_export_only_their_own_school(core):
    talk, svc = core
    teacher = await school_staff(talk, svc, 700004)
    refusal = messages.NOT_YOUR_SCHOOL.format(code="THCSB", scope="THCS A")
    assert said(await talk.handle(teacher, i.ExportMenu("THCSB"))) == refusal
    assert said(await talk.handle(teacher, i.Report("THCSB"))) == refusal
    menu = await talk.handle(teacher, i.ExportMenu())
    assert "THCS A" in said(menu) and "THCS B" not in said(menu)
    assert {c.intent.school for c in menu.choices} == {""}  # their own scope, whatever it is
    forged = await talk.handle(teacher, i.Export("csv", "needs", "THCSB"))
    assert alert(forged) == refusal and svc.builds.running == 0


async def test_the_csv_export_holds_the_rows_of_the_staff_members_school_only(core):
    talk, svc = core
    seed_needs_responses(svc.settings.db_path, 6, ["THCSA", "THCSB"],
                         school_year(svc.local_now().date()))
    teacher = await school_staff(talk, svc, 700005)
    tapped = await talk.handle(teacher, i.Export("csv", "needs", ""))
    assert tapped.notice is not None and tapped.notice.text == messages.WORKING
    [file] = (await finished(tapped)).files
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig"))))
    column = "Mã trường"
    assert len(rows) == 3 and {r[column] for r in rows} == {"THCSA"}
    assert file.filename.endswith(".csv") and "3 phiếu" in file.caption and not file.image


async def test_one_build_at_a_time_per_staff_member(core):
    talk, svc = core
    teacher = await school_staff(talk, svc, 700006)
    first = await talk.handle(teacher, i.Export("xlsx", "all", ""))
    second = await talk.handle(teacher, i.Export("xlsx", "all", ""))
    report = await talk.handle(teacher, i.Report())
    assert alert(second) == messages.BUILD_BUSY and not deferred(second)
    assert said(report) == messages.BUILD_BUSY
    [file] = (await finished(first)).files
    assert file.filename.endswith(".xlsx")
    await asyncio.sleep(0)  # the build's done-callback frees the staff member
    assert not svc.builds.busy(teacher.user_id)
    assert deferred(await talk.handle(teacher, i.Export("csv", "needs", "")))


async def test_a_revoked_staff_members_old_export_button_is_refused(core):
    talk, svc = core
    teacher = await school_staff(talk, svc, 700007)
    menu = await talk.handle(teacher, i.ExportMenu())
    svc.staff.revoke_now(teacher.user_id)
    tapped = await talk.handle(teacher, menu.choices[-1].intent)
    assert alert(tapped) == messages.STAFF_ONLY and not deferred(tapped)
    assert svc.builds.running == 0


async def test_a_stale_or_foreign_button_changes_nothing(core):
    talk, svc = core
    teacher = await school_staff(talk, svc, 700008)
    for intent in [i.Export("pdf", "needs", ""), i.Export("csv", "khongco", ""),
                   i.AnnounceDecision(True, 999)]:
        assert alert(await talk.handle(teacher, intent)) == messages.STALE_BUTTON, intent
    await svc.users.touch(801)
    await svc.users.set_school(801, "THCSA")
    svc.outbox.announcer = lambda item: None
    preview = await talk.handle(teacher, i.AnnounceDraft("Họp phụ huynh"))
    send = next(c.intent for c in preview.choices if c.label == messages.ANNOUNCE_SEND)
    other = await school_staff(talk, svc, 700009)
    assert alert(await talk.handle(other, send)) == messages.STALE_BUTTON  # not their draft
    assert svc.announcements.get(send.id).status == "draft" and svc.builds.running == 0


async def test_the_report_comes_later_with_its_chart_as_an_image(core):
    talk, svc = core
    seed_needs_responses(svc.settings.db_path, 4, ["THCSA"], school_year(svc.local_now().date()))
    teacher = await school_staff(talk, svc, 700010)
    first = await talk.handle(teacher, i.Report())
    assert not first.parts and not first.notice  # nothing to show until it is built
    shown = await finished(first)
    [chart] = shown.files
    assert "THCS A" in said(shown) and chart.image and chart.data.startswith(b"\x89PNG")


async def test_a_build_that_fails_ends_in_the_apology_and_a_logged_traceback(core, caplog):
    talk, svc = core
    teacher = await school_staff(talk, svc, 700011)

    async def broken() -> None:
        raise RuntimeError("the worker died")

    svc.builds.start = lambda owner, build, *args: asyncio.ensure_future(broken())
    caplog.set_level(logging.ERROR)
    result = await finished(await talk.handle(teacher, i.Export("csv", "needs", "")))
    assert said(result) == messages.BUILD_FAILED
    assert any(r.exc_info and "the worker died" in str(r.exc_info[1]) for r in caplog.records)


async def test_an_announcement_is_previewed_whole_and_sent_only_if_still_allowed(core):
    talk, svc = core
    for user in (801, 802):
        await svc.users.touch(user)
        await svc.users.set_school(user, "THCSA")
    started: list[Any] = []
    svc.outbox.announcer = started.append
    teacher = await school_staff(talk, svc, 700012)
    preview = await talk.handle(teacher, i.AnnounceDraft("Hạn nộp hồ sơ <thứ Sáu>"))
    assert preview.whole and said(preview).endswith("Hạn nộp hồ sơ <thứ Sáu>")
    send = next(c.intent for c in preview.choices if c.label == messages.ANNOUNCE_SEND)
    sent = await talk.handle(teacher, send)
    assert sent.replace and said(sent) == messages.ANNOUNCE_STARTED.format(count=2)
    assert [a.id for a in started] == [send.id]
    again = await talk.handle(teacher, i.AnnounceDraft("Nhắc lại"))
    svc.staff.revoke_now(teacher.user_id)
    refused = await talk.handle(teacher, again.choices[0].intent)
    assert alert(refused) == messages.ANNOUNCE_NOT_ALLOWED and len(started) == 1
    assert svc.announcements.get(again.choices[0].intent.id).status == "dropped"


async def test_without_a_channel_to_deliver_an_announcement_is_refused_before_a_draft(core):
    talk, svc = core
    await svc.users.touch(801)
    admin = await telegram_user(svc, ADMIN)
    assert said(await talk.handle(admin, i.AnnounceDraft("Xin chào"))) == \
        messages.ANNOUNCE_UNAVAILABLE
    assert svc.db.execute("SELECT count(*) FROM announcements").fetchone()[0] == 0


async def test_admins_read_what_went_unanswered_and_the_usage_from_any_channel(core):
    talk, svc = core
    student = await svc.accounts.resolve("web", "asker")
    await talk.handle_text(student, "giá vàng hôm nay")
    await svc.writer.sync()
    admin = await telegram_user(svc, ADMIN)
    assert "giá vàng hôm nay — 1 lần" in said(await talk.handle(admin, i.Unanswered()))
    assert "0% trên 1 câu hỏi" in said(await talk.handle(admin, i.Stats()))


async def test_staff_work_is_refused_in_the_anonymous_web_chat(core):
    """A staff role would ride on a 180-day cookie on a shared school computer (issue 17, F7):
    the web chat sends staff to Telegram, and nothing is exported there."""
    from handlers.web.server import build_app
    from tests.test_web_api import Visitor, _client, text_of

    _, svc = core
    seed_needs_responses(svc.settings.db_path, 4, ["THCSA", "THCSB"],
                         school_year(svc.local_now().date()))
    client = await _client(build_app(Running(svc)))
    try:
        web = Visitor(client)
        await web.open()
        [refused] = await web.say(f"/dangky {svc.staff.invite_now('school', 'THCSA')}")
        assert text_of(refused).strip() == messages.WEB_STAFF_ELSEWHERE
        [menu] = await web.say("/export")
        assert text_of(menu).strip() == messages.WEB_STAFF_ELSEWHERE and not menu["rows"]
        assert svc.db.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
    finally:
        await client.close()
