"""Staff roles: one-time invites, /dangky, /moi, and who may see which school."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages
from bot.schools import School
from bot.staff import InviteError

SCHOOL_A = School("THCSA", "THCS A", "Xã Một", "Đức Hòa", "Long An")
SCHOOL_B = School("THCSB", "THCS B", "Xã Hai", "Tân Thạnh", "Long An")


@pytest.fixture
def schools(bot):
    bot.services.schools.add(SCHOOL_A, SCHOOL_B)


async def test_an_invite_makes_a_school_staff_member_once(bot, api, student, schools):
    code = bot.services.staff.invite_now("school", "THCSA")
    [joined] = await bot.say(student, f"/dangky {code}")
    assert "THCS A" in joined["text"]
    scope = bot.services.staff.scope(student.id, is_admin=False)
    assert scope.school_codes == frozenset({"THCSA"}) and scope.district == "Đức Hòa"
    menu = {c["command"] for c in api.commands_for(f"chat:{student.id}")}
    assert {"export", "baocao"} <= menu
    other = api.private_user(700009)
    [refused] = await bot.say(other, f"/dangky {code}")
    assert refused["text"] == messages.INVITE_USED
    assert bot.services.staff.scope(other.id, is_admin=False) is None


async def test_unknown_and_expired_codes_are_refused(bot, student, schools):
    [unknown] = await bot.say(student, "/dangky KHONGCOMA")
    assert unknown["text"] == messages.INVITE_UNKNOWN
    code = bot.services.staff.invite_now("area", area="Đức Hòa")
    later = bot.services.clock() + dt.timedelta(days=30)
    bot.services.staff.clock = lambda: later
    [expired] = await bot.say(student, f"/dangky {code}")
    assert expired["text"] == messages.INVITE_EXPIRED


async def test_an_area_covers_the_schools_of_its_former_district_only(bot, schools):
    scope = bot.services.staff.area_scope("duc hoa")
    assert scope.school_codes == frozenset({"THCSA"})
    assert bot.services.staff.area_scope("Xã Hai").school_codes == frozenset({"THCSB"})


async def test_only_admins_create_invites_in_the_bot(bot, student, admin, schools):
    [refused] = await bot.say(student, "/moi truong THCSA")
    assert refused["text"] == messages.ADMIN_ONLY
    [created] = await bot.say(admin, "/moi truong THCSA")
    assert "/dangky" in created["text"]
    [usage] = await bot.say(admin, "/moi")
    assert usage["text"] == messages.INVITE_USAGE
    [bad] = await bot.say(admin, "/moi truong KHONGCO")
    assert "Không có trường" in bad["text"]


def test_an_invite_for_an_unknown_school_is_refused_on_the_command_line(bot):
    with pytest.raises(InviteError):
        bot.services.staff.invite_now("school", "NOPE")


async def test_a_spent_invite_stays_spent_after_its_user_erases_their_data(bot, api, student,
                                                                            schools):
    code = bot.services.staff.invite_now("school", "THCSA")
    await bot.say(student, f"/dangky {code}")
    [confirm] = await bot.say(student, "/xoadulieu")
    await bot.tap(student, confirm, messages.ERASE_YES)
    other = api.private_user(700010)
    [refused] = await bot.say(other, f"/dangky {code}")
    assert refused["text"] == messages.INVITE_USED
    assert bot.services.staff.scope(other.id, is_admin=False) is None
    assert bot.services.staff.member(other.id) is None
