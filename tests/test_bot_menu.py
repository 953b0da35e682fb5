"""/menu: groups, topics, answers and "Quay lại", all in one edited message."""

from __future__ import annotations

from bot import messages
from handlers.telegram.render import button_label
from tests.telegram.harness import buttons


async def test_menu_lists_the_groups(bot, student):
    [menu] = await bot.say(student, "/menu")
    groups = [g.title for g in bot.services.kb.menu]
    assert buttons(menu) == [*groups, messages.MY_DATA_BUTTON, messages.ERASE_BUTTON]
    assert {"Sau lớp 9", "Sau lớp 12", "Học nghề", "Học phí & hỗ trợ", "Trường Cao đẳng",
            "Đi làm việc ở nước ngoài", "Chọn nghề"} <= set(groups)


async def test_any_topic_is_two_taps_away_and_the_message_is_edited_in_place(bot, student):
    [menu] = await bot.say(student, "/menu")
    [group] = await bot.tap(student, menu, "Đi làm việc ở nước ngoài")
    assert group["message_id"] == menu["message_id"]
    scams = bot.services.kb.get("overseas.scams")
    assert button_label(scams.title) in buttons(group) and messages.BACK in buttons(group)
    [answer] = await bot.tap(student, group, button_label(scams.title))
    assert answer["message_id"] == menu["message_id"]
    assert scams.title in answer["text"] and "Nguồn:" in answer["text"]
    assert messages.DETAILS_BUTTON in buttons(answer)


async def test_back_goes_from_answer_to_group_to_menu(bot, student):
    [menu] = await bot.say(student, "/menu")
    [group] = await bot.tap(student, menu, "Học nghề")
    [answer] = await bot.tap(student, group, button_label(bot.services.kb.get("vet.levels").title))
    [back_to_group] = await bot.tap(student, answer, messages.BACK)
    assert buttons(back_to_group) == buttons(group)
    [back_to_menu] = await bot.tap(student, back_to_group, messages.BACK)
    assert buttons(back_to_menu) == buttons(menu)
    assert len(bot.api.sent(student.id)) == 1  # no flood of new messages


async def test_every_menu_topic_opens(bot, student):
    [menu] = await bot.say(student, "/menu")
    for group in bot.services.kb.menu:
        [shown] = await bot.tap(student, menu, group.title)
        for topic_id in group.topics:
            title = bot.services.kb.get(topic_id).title
            [answer] = await bot.tap(student, shown, button_label(title))
            assert title in answer["text"]
            [shown] = await bot.tap(student, answer, messages.BACK)
        [menu] = await bot.tap(student, shown, messages.BACK)
