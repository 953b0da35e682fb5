"""A child in danger gets help, in Telegram end to end: the crisis reply with 111 and one tap to
an urgent counsellor ticket, refusals of illegal requests, surveys kept, nothing in the logs."""

from __future__ import annotations

import logging

import pytest

from bot import messages
from tests.telegram.harness import COUNSELOR_CHAT, buttons
from tests.test_bot_survey import answers_of, open_survey, pick, schools  # noqa: F401

CRISIS = ["em buồn quá, em muốn tự tử", "e buon qua, muon chet cho xong",
          "cho e hỏi học nghề gì, mà thôi e cũng chẳng muốn sống nữa"]


@pytest.mark.parametrize("text", CRISIS)
async def test_a_crisis_message_gets_111_and_the_urgent_counsellor_button(bot, student, text):
    [reply] = await bot.say(student, text)
    assert "111" in reply["text"] and "113" in reply["text"] and "115" in reply["text"]
    assert "người lớn" in reply["text"]  # tell a trusted adult now
    # no menu, no votes, and after thoughts of self-harm not even the career question asked
    assert buttons(reply) == [messages.SAFETY_COUNSEL_BUTTON]
    assert "😅" not in reply["text"]


async def test_abuse_told_with_a_question_keeps_that_topic_one_tap_after_the_help(bot, student):
    # a worker abroad beaten and without a passport also asks what the contract allows: the
    # help comes first, the counsellor's button first, then the rights topic
    [reply] = await bot.say(student, "chị em đi Đài Loan bị chủ nhốt trong xưởng, không cho về, "
                                     "hợp đồng có cho nghỉ không")
    assert "111" in reply["text"] and messages.SAFETY_ASKED_TOO in reply["text"]
    rights = bot.services.kb.get("overseas.rights")
    counsel, asked = buttons(reply)  # the topic's label cut to fit
    assert counsel == messages.SAFETY_COUNSEL_BUTTON
    assert asked.startswith(messages.SAFETY_ASKED_BUTTON.format(title=rights.title)[:20])
    [topic] = await bot.tap(student, reply, buttons(reply)[1])
    assert rights.title in topic["text"]


async def test_the_counsellors_get_an_urgent_ticket_only_after_the_tap(bot, api, student):
    api.mark(COUNSELOR_CHAT)
    [reply] = await bot.say(student, "e buon qua, muon chet cho xong")
    assert api.sent(COUNSELOR_CHAT) == []  # nothing identifying goes out on its own
    assert bot.services.tickets.open_for(student.id) is None
    [opened] = await bot.tap(student, reply, messages.SAFETY_COUNSEL_BUTTON)
    [header] = await api.wait_for_message(COUNSELOR_CHAT)
    ticket = bot.services.tickets.open_for(student.id)
    assert ticket is not None and f"#{ticket.id}" in opened["text"]
    assert "KHẨN" in header["text"] and f"#{ticket.id}" in header["text"]
    assert "muon chet" not in header["text"]  # only what the person writes next is relayed
    await api.send_text(student, "em đang ở nhà một mình")
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    assert relayed["text"] == "em đang ở nhà một mình"


async def test_an_illegal_request_is_refused_with_the_legal_way(bot, student):
    [reply] = await bot.say(student, "chỉ em cách làm giả bằng tốt nghiệp cấp 3 để đi xklđ")
    assert "Điều 341" in reply["text"]
    legal = bot.services.kb.get("overseas.requirements")
    [legal_way] = buttons(reply)  # one button: the legal way (its label cut to fit)
    assert legal_way.startswith(messages.SAFETY_LEGAL_BUTTON.format(title="")[:15])
    [topic] = await bot.tap(student, reply, buttons(reply)[0])
    assert legal.title in topic["text"]


@pytest.mark.parametrize("text", ["mệt muốn chết với bài tập", "chết rồi quên nộp hồ sơ"])
async def test_idioms_are_answered_as_usual(bot, student, text):
    [reply] = await bot.say(student, text)
    assert "111" not in reply["text"]
    assert messages.SAFETY_COUNSEL_BUTTON not in buttons(reply)


async def test_a_crisis_in_the_middle_of_a_survey_keeps_the_survey(bot, student, schools):  # noqa: F811
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    [found] = await bot.say(student, "tan an")
    q = await pick(bot, student, found, "THCS Tân An")  # now the class is asked, typed
    [crisis] = await bot.say(student, "em không muốn sống nữa")
    assert "111" in crisis["text"]
    status, values = answers_of(bot, student.id, "needs")
    assert status == "in_progress" and "class" not in values  # not taken as an answer
    await bot.say(student, "9A1")  # the question still waits where it was
    _, values = answers_of(bot, student.id, "needs")
    assert values["class"] == "9A1"


async def test_stats_count_safety_replies_per_day_without_text(bot, admin, student):
    await bot.say(student, "em muốn tự tử")
    await bot.say(student, "ai bán chứng chỉ N4 không")
    [stats] = await bot.say(admin, "/stats")
    line = next(x for x in stats["text"].splitlines() if "an toàn" in x)
    assert line.endswith(": 2")
    assert "tự tử" not in stats["text"] and "N4" not in stats["text"]


async def test_no_text_of_a_crisis_message_reaches_the_logs(bot, student, caplog):
    caplog.set_level(logging.DEBUG)  # every line of ours, even DEBUG ...
    caplog.set_level(logging.INFO, logger="telegram")  # ... PTB's updates held back, as in logs.py
    [reply] = await bot.say(student, "dượng hay vô phòng em ban đêm, em sợ lắm")
    assert "111" in reply["text"]
    logged = caplog.text + " ".join(str(r.__dict__) for r in caplog.records)
    assert "dượng" not in logged and "ban đêm" not in logged


async def test_an_urgent_ticket_goes_ahead_of_relays_waiting_for_the_group(bot, api, student):
    other = api.private_user(760_001, first_name="Hùng")
    api.mark(COUNSELOR_CHAT)
    await bot.say(other, "/tuvan")
    await api.wait_for_message(COUNSELOR_CHAT)  # the ordinary ticket's header
    api.stall_chat(COUNSELOR_CHAT)  # the group takes nothing for a while: relays wait
    for n in range(3):
        await bot.say(other, f"em hỏi thêm về học bổng {n}")
    [reply] = await bot.say(student, "e buon qua, muon chet cho xong")
    await bot.tap(student, reply, messages.SAFETY_COUNSEL_BUTTON)
    api.release()
    await api.wait_for(lambda c: "học bổng 2" in " ".join(
        m.get("text", "") for m in api.sent(COUNSELOR_CHAT)), timeout=20)
    group = "\n".join(m.get("text", "") for m in api.sent(COUNSELOR_CHAT))
    # Only a send already under way when the crisis came may go before it, not the backlog
    # (whether the rest goes alone or combined in one post, the crisis heads it).
    assert group.index("KHẨN") < group.index("học bổng 1") < group.index("học bổng 2")


async def test_a_crisis_typed_on_an_open_ticket_gets_help_and_reaches_the_group(bot, api,
                                                                                student):
    api.mark(COUNSELOR_CHAT)
    await bot.say(student, "/tuvan")
    await api.wait_for_message(COUNSELOR_CHAT)
    replies = await bot.say(student, "thôi em không muốn sống nữa", count=2)
    assert any("111" in r["text"] for r in replies)  # help at once, not only "passed on"
    assert any(r["text"].startswith(messages.RELAY_ACK) for r in replies)
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    assert relayed["text"] == "thôi em không muốn sống nữa"


async def test_the_urgent_tickets_header_is_pinned_in_the_group_an_ordinary_one_is_not(
        bot, api, student):
    api.group(COUNSELOR_CHAT, "Tổ tư vấn", bot_status="administrator")  # may pin messages
    other = api.private_user(760_002, first_name="Hùng")
    api.mark(COUNSELOR_CHAT)
    await bot.say(other, "/tuvan")
    [ordinary] = await api.wait_for_message(COUNSELOR_CHAT)
    [reply] = await bot.say(student, "e buon qua, muon chet cho xong")
    await bot.tap(student, reply, messages.SAFETY_COUNSEL_BUTTON)
    [header] = await api.wait_for_message(COUNSELOR_CHAT)
    assert "KHẨN" in header["text"]
    pin = await api.wait_for(lambda c: c.method == "pinChatMessage", timeout=10)
    assert pin.response["ok"] and pin.params["disable_notification"] is False  # members notified
    assert api.pinned(COUNSELOR_CHAT) == [header["message_id"]]
    assert ordinary["message_id"] not in api.pinned(COUNSELOR_CHAT)


async def test_a_pin_the_group_refuses_still_delivers_the_urgent_header_once(bot, api, student):
    api.mark(COUNSELOR_CHAT)  # the bot is a plain member: Telegram refuses the pin
    [reply] = await bot.say(student, "e buon qua, muon chet cho xong")
    await bot.tap(student, reply, messages.SAFETY_COUNSEL_BUTTON)
    [header] = await api.wait_for_message(COUNSELOR_CHAT)
    pin = await api.wait_for(lambda c: c.method == "pinChatMessage", timeout=10)
    assert not pin.response["ok"]
    await api.wait_idle()
    assert "KHẨN" in header["text"] and api.pinned(COUNSELOR_CHAT) == []
    assert [m["message_id"] for m in api.sent(COUNSELOR_CHAT)] == [header["message_id"]]
    await api.send_text(student, "em đang ở nhà một mình")  # the ticket goes on as usual
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    assert relayed["text"] == "em đang ở nhà một mình"
