"""Counsellor handoff: /tuvan, relay both ways through the group, /ketthuc, restarts."""

from __future__ import annotations

from bot import messages
from tests.telegram.harness import COUNSELOR_CHAT, BotHarness


async def _open(bot, api, student):
    """The student asks something the bot cannot answer, then opens a ticket."""
    await bot.say(student, "cho em hỏi về nghề thổi thủy tinh")
    api.mark(COUNSELOR_CHAT)
    [opened] = await bot.say(student, "/tuvan")
    [header] = await api.wait_for_message(COUNSELOR_CHAT)
    return opened, header


async def test_a_ticket_relays_the_users_messages_with_a_header(bot, api, student):
    await bot.say(student, "/start")
    await bot.tap(student, api.last(student.id), "Học sinh lớp 12")
    opened, header = await _open(bot, api, student)
    ticket = bot.services.tickets.open_for(student.id)
    assert f"#{ticket.id}" in opened["text"] and f"#{ticket.id}" in header["text"]
    assert "Học sinh lớp 12" in header["text"]
    assert "thủy tinh" in header["text"]  # the last question the bot could not answer
    await api.send_text(student, "em học lớp 12, muốn hỏi riêng ạ")
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    assert relayed["text"] == "em học lớp 12, muốn hỏi riêng ạ"
    assert "Lan" not in str(relayed.get("forward_origin", ""))  # copied, not forwarded
    # welcome, opened, "passed on": no automatic answer
    assert [m["text"] for m in api.sent(student.id)][-1] == messages.RELAY_ACK
    assert len(api.sent(student.id)) == 4


async def test_a_counsellor_reply_reaches_the_user_and_either_side_can_close(
        bot, api, student, counsellor, counsellors):
    await _open(bot, api, student)
    await api.send_text(student, "cho em hỏi về học bổng")
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    api.mark(student.id)
    await api.send_text(counsellor, "Chào em, em học trường nào?", chat=counsellors,
                        reply_to=relayed)
    [to_user] = await api.wait_for_message(student.id)
    assert to_user["text"] == "Chào em, em học trường nào?"
    [closed] = await bot.say(student, "/ketthuc")
    assert "đã đóng" in closed["text"]
    [notice] = await api.wait_for_message(COUNSELOR_CHAT)
    assert messages.BY_USER in notice["text"]
    [auto] = await bot.say(student, "hoc phi trung cap")  # the bot answers again
    assert "Nguồn:" in auto["text"] or auto["text"].startswith("🤔")


async def test_a_counsellor_closes_a_ticket_by_number(bot, api, student, counsellor,
                                                      counsellors):
    await _open(bot, api, student)
    ticket = bot.services.tickets.open_for(student.id)
    api.mark(student.id)
    [confirm] = await bot.say(counsellor, f"/ketthuc {ticket.id}", chat=counsellors)
    assert messages.BY_COUNSELOR in confirm["text"]
    [told] = await api.wait_for_message(student.id)
    assert f"#{ticket.id}" in told["text"]
    assert bot.services.tickets.open_for(student.id) is None


async def test_the_round_trip_survives_a_restart(bot, api, student, counsellor, counsellors):
    await _open(bot, api, student)
    await api.send_text(student, "câu hỏi trước khi bot khởi động lại")
    [relayed] = await api.wait_for_message(COUNSELOR_CHAT)
    await bot.restart()
    api.mark(student.id)
    await api.send_text(counsellor, "trả lời sau khi khởi động lại", chat=counsellors,
                        reply_to=relayed)
    [to_user] = await api.wait_for_message(student.id)
    assert to_user["text"] == "trả lời sau khi khởi động lại"
    await api.send_text(student, "vẫn còn phiếu chứ ạ")
    [again] = await api.wait_for_message(COUNSELOR_CHAT)
    assert again["text"] == "vẫn còn phiếu chứ ạ"


async def test_counsellors_chatting_among_themselves_get_no_reply_from_the_bot(
        bot, api, counsellor, counsellors):
    colleague = api.private_user(800002, first_name="Thầy Nam")
    api.mark(COUNSELOR_CHAT)
    note = await api.send_text(counsellor, "tin nhắn thường trong nhóm", chat=counsellors)
    answer = await api.send_text(colleague, "em trả lời cô nhé", chat=counsellors,
                                 reply_to=note)
    await api.send_text(counsellor, "cảm ơn thầy", chat=counsellors, reply_to=answer)
    await api.wait_idle()
    assert api.sent(COUNSELOR_CHAT) == []  # neither the chatter nor the replies: silence


async def test_a_reply_to_the_bots_message_that_is_no_open_ticket_is_explained(
        bot, api, student, counsellor, counsellors):
    await _open(bot, api, student)
    await bot.say(student, "/ketthuc")
    [notice] = await api.wait_for_message(COUNSELOR_CHAT)  # "Phiếu #1 đã đóng"
    await api.send_text(counsellor, "phiếu này sao rồi?", chat=counsellors, reply_to=notice)
    [explained] = await api.wait_for_message(COUNSELOR_CHAT)
    assert "Không tìm thấy phiếu" in explained["text"]


async def test_without_a_counsellor_chat_the_bot_says_whom_to_ask(api, student, tmp_path,
                                                                  engine):
    harness = BotHarness(api, tmp_path, env={"COUNSELOR_CHAT_ID": ""}, engine=engine)
    await harness.start()
    try:
        [reply] = await harness.say(student, "/tuvan")
        assert reply["text"] == messages.NO_COUNSELOR
        assert harness.services.tickets.open_for(student.id) is None
    finally:
        await harness.stop()


async def test_huy_closes_an_open_ticket(bot, api, student):
    await _open(bot, api, student)
    [closed] = await bot.say(student, "/huy")
    assert "đã đóng" in closed["text"]
    [nothing] = await bot.say(student, "/huy")
    assert nothing["text"] == messages.NOTHING_TO_CANCEL
