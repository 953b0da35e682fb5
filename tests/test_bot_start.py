"""/start, the audience choice, deep links and the command list, end to end over HTTP."""

from __future__ import annotations

from bot import messages
from bot.answering.deeplinks import topic_payload
from bot.people.schools import School
from tests.telegram.harness import ADMIN_ID, buttons


async def test_start_welcomes_and_offers_the_four_audiences(bot, student):
    [welcome] = await bot.say(student, "/start")
    assert "trợ lý hướng nghiệp" in welcome["text"]
    assert buttons(welcome) == list(messages.AUDIENCE_LABELS.values())


async def test_the_chosen_audience_is_remembered(bot, student):
    [welcome] = await bot.say(student, "/start")
    [edited] = await bot.tap(student, welcome, "Học sinh lớp 9")
    assert edited["message_id"] == welcome["message_id"]  # the same message, edited
    assert "Học sinh lớp 9" in edited["text"]
    assert bot.services.users.get(student.id).audience == "student9"
    await bot.restart()
    assert bot.services.users.get(student.id).audience == "student9"


async def test_a_deep_link_to_a_topic_opens_it_directly(bot, student):
    [answer] = await bot.say(student, f"/start {topic_payload('overseas.scams')}")
    assert bot.services.kb.get("overseas.scams").title in answer["text"]
    assert "Nguồn:" in answer["text"]


async def test_a_deep_link_with_a_school_code_joins_the_school(bot, student):
    bot.services.schools.add(School("THCSTANAN1", "THCS Tân An 1", "Phường 1", "Tân An",
                                    "Long An"))
    joined, welcome = await bot.say(student, "/start THCSTANAN1", count=2)
    assert "THCS Tân An 1" in joined["text"]
    assert "Bạn là ai" in welcome["text"] or buttons(welcome)
    assert bot.services.users.get(student.id).school_code == "THCSTANAN1"


async def test_an_invalid_payload_is_ignored_politely(bot, student):
    note, welcome = await bot.say(student, "/start khong-co-gi_ca", count=2)
    assert note["text"] == messages.BAD_PAYLOAD
    assert buttons(welcome) == list(messages.AUDIENCE_LABELS.values())
    assert bot.services.users.get(student.id).school_code is None


async def test_commands_are_set_in_vietnamese_and_admins_see_theirs(bot, api, admin):
    everyone = {c["command"]: c["description"] for c in api.commands_for()}
    assert {"start", "menu", "tuvan", "ketthuc", "help", "huy"} <= set(everyone)
    assert everyone["menu"] == "Xem các chủ đề"
    await bot.say(admin, "/start")  # Telegram knows the admin's chat from now on
    admin_menu = {c["command"] for c in api.commands_for(f"chat:{ADMIN_ID}")}
    assert {"unanswered", "stats"} <= admin_menu
    assert "unanswered" not in everyone
