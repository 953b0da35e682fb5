"""Staff roles: one-time invites, /dangky, /moi, and who may see which school."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bot import messages
from bot.people.schools import School
from bot.people.staff import InviteError, ScopeError

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
    scope = bot.services.staff.area_scope("Đức Hòa")
    assert scope.school_codes == frozenset({"THCSA"}) and scope.district == "Đức Hòa"
    assert bot.services.staff.area_scope("xã hai").school_codes == frozenset({"THCSB"})


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


TAN_HOA = School("THTH", "THCS Tân Hòa", "Xã Tân Hòa", "Châu Thành", "Long An")
TAN_HOA_ACUTE = School("THTHO", "THCS Tân Hóa", "Xã Tân Hóa", "Gò Công", "Long An")


async def test_an_area_invite_never_covers_a_commune_that_differs_only_by_its_tone(bot, api,
                                                                                   admin):
    bot.services.schools.add(TAN_HOA, TAN_HOA_ACUTE)
    [created] = await bot.say(admin, "/moi khuvuc Xã Tân Hòa")
    code = re.search(r"/dangky ([A-Z0-9]{10})", created["text"])[1]  # type: ignore[index]
    officer = api.private_user(700020)
    [joined] = await bot.say(officer, f"/dangky {code}")
    scope = bot.services.staff.scope(officer.id, is_admin=False)
    assert scope.school_codes == frozenset({"THTH"}) and scope.district == "Châu Thành"
    assert "Xã Tân Hòa (Châu Thành)" in joined["text"]


async def test_an_area_invite_for_a_name_that_matches_no_school_is_refused(bot, admin, schools):
    for name in ["!!!", "xa tan hoa", "Nơi Không Có"]:
        [refused] = await bot.say(admin, f"/moi khuvuc {name}")
        assert refused["text"].startswith(("Cần tên khu vực", "Không có xã, phường")), name
    assert bot.services.db.execute("SELECT count(*) FROM invites").fetchone()[0] == 0
    with pytest.raises(ScopeError):
        bot.services.staff.invite_now("area", area="!!!")


async def test_an_unaccented_area_name_is_refused_with_the_stored_spellings_to_choose(bot,
                                                                                      admin):
    bot.services.schools.add(TAN_HOA, TAN_HOA_ACUTE)
    [refused] = await bot.say(admin, "/moi khuvuc xa tan hoa")
    assert "Xã Tân Hòa, Châu Thành" in refused["text"]
    assert "Xã Tân Hóa, Gò Công" in refused["text"]
    [created] = await bot.say(admin, "/moi khuvuc Xã Tân Hóa, Gò Công")
    assert "/dangky" in created["text"]


async def test_one_rule_decides_which_school_each_role_may_name(bot, api, schools):
    staff = bot.services.staff
    teacher, officer = api.private_user(700030), api.private_user(700031)
    await bot.say(teacher, f"/dangky {staff.invite_now('school', 'THCSA')}")
    await bot.say(officer, f"/dangky {staff.invite_now('area', area='Tân Thạnh')}")
    assert staff.scope_for(1, True, "thcsb").school_codes == frozenset({"THCSB"})  # an admin
    assert staff.scope_for(teacher.id, False, "THCSA").school_codes == frozenset({"THCSA"})
    assert staff.scope_for(officer.id, False, "THCSB").kind == "school"  # one of their area
    assert staff.scope_for(officer.id, False, None).kind == "area"
    for who, school in [(teacher.id, "THCSB"), (officer.id, "THCSA"), (teacher.id, "NOPE")]:
        with pytest.raises(ScopeError, match="không thuộc phạm vi"):
            staff.scope_for(who, False, school)
    with pytest.raises(ScopeError, match="Không có trường mã NOPE"):
        staff.scope_for(1, True, "NOPE")
    with pytest.raises(ScopeError) as student:
        staff.scope_for(700099, False, None)
    assert str(student.value) == messages.STAFF_ONLY


async def test_an_admin_set_only_by_careerbot_admin_ids_is_an_admin(api, tmp_path, counsellors,
                                                                   engine):
    from tests.telegram.harness import ADMIN_ID, BotHarness

    bot = BotHarness(api, tmp_path, env={"ADMIN_IDS": None,
                                         "CAREERBOT_ADMIN_IDS": str(ADMIN_ID)}, engine=engine)
    await bot.start()
    try:
        [created] = await bot.say(api.private_user(ADMIN_ID), "/moi admin")
        assert "/dangky" in created["text"]
    finally:
        await bot.stop()
