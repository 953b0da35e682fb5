"""Counsellor relays are delivery work (issue 17, F1): a ticket's message is committed to the
outbox and acknowledged at once, the update slot is free, and one paced courier delivers to the
counsellors' group in order per student, combining tickets when behind, across restarts."""

from __future__ import annotations

import re

from bot import messages
from tests.telegram.harness import COUNSELOR_CHAT, BotHarness

_PART = re.compile(r"^#(\d+) › (.*)$", re.M)


async def _open(bot, api, student):
    [opened] = await bot.say(student, "/tuvan")
    assert "Đã mở phiếu" in opened["text"]
    return bot.services.tickets.open_for(student.id)


def _delivered(api) -> list[tuple[int | None, str]]:
    """Every relayed text in the group, in order: (ticket number if labelled, text)."""
    out: list[tuple[int | None, str]] = []
    for message in api.sent(COUNSELOR_CHAT):
        text = message.get("text", "")
        if text.startswith("📨"):
            out.extend((int(n), t) for n, t in _PART.findall(text)
                       if not t.startswith(("🎫", "✅")))
        elif not text.startswith(("🎫", "✅")):
            out.append((None, text))
    return out


async def _group_has(api, texts, timeout=20.0):
    """Wait until every text has reached the group."""
    def arrived() -> bool:
        seen = {t.removeprefix(messages.RELAY_MAYBE_REPEATED) for _, t in _delivered(api)}
        return set(texts) <= seen

    if not arrived():
        await api.wait_for(lambda c: arrived(), timeout=timeout)


async def test_a_bystander_is_answered_while_relays_wait_for_the_group_budget(
        api, tmp_path, engine, counsellors):
    # One post a minute into the group, four update slots: more students with tickets than
    # slots, each waiting for the group, used to hold every slot (the whole bot froze).
    bot = BotHarness(api, tmp_path, env={"TELEGRAM_GROUP_RATE_PER_MINUTE": "1",
                                         "CAREERBOT_UPDATES_IN_FLIGHT": "4"}, engine=engine)
    await bot.start()
    try:
        students = [api.private_user(710_000 + i, first_name=f"HS{i}") for i in range(6)]
        for student in students:
            await api.send_text(student, "/tuvan")
            await api.send_text(student, f"em {student.id} cần thầy cô giúp")
        bystander = api.private_user(720_001, first_name="Bình")
        api.mark(bystander.id)
        await api.send_text(bystander, "hoc phi trung cap")
        [answer] = await api.wait_for_message(bystander.id, timeout=20)
        assert "Nguồn:" in answer["text"] or answer["text"].startswith("🤔")
        for student in students:  # each was told at once that it was passed on
            await api.wait_for(lambda c, s=student: c.method == "sendMessage"
                               and str(c.params.get("chat_id")) == str(s.id)
                               and str(c.params.get("text", "")).startswith(messages.RELAY_ACK),
                               timeout=20)
        # Nothing lost meanwhile: the group's one post went (a header, or two together), the
        # rest wait in the outbox.
        await bot.services.writer.sync()
        assert len(api.sent(COUNSELOR_CHAT)) == 1
        waiting = bot.services.outbox.queue.backlog("counsellors")[0]
        posted = bot.services.db.execute("SELECT count(*) FROM ticket_messages").fetchone()[0]
        assert waiting + posted == 2 * len(students)
    finally:
        await bot.stop()


async def test_the_student_is_told_when_the_queue_is_long(api, tmp_path, engine, counsellors):
    bot = BotHarness(api, tmp_path, env={"TELEGRAM_GROUP_RATE_PER_MINUTE": "1"}, engine=engine)
    await bot.start()
    try:
        student = api.private_user(730_001, first_name="Lan")
        await _open(bot, api, student)  # its header takes the minute's one post
        [ack] = await bot.say(student, "em muốn hỏi về học bổng")
        assert ack["text"] == f"{messages.RELAY_ACK} {messages.RELAY_QUEUE_LONG}"
    finally:
        await bot.stop()


async def test_messages_behind_a_blocked_group_go_combined_in_order_per_student(
        bot, api, counsellor, counsellors):
    students = [api.private_user(740_000 + i, first_name=f"HS{i}") for i in range(3)]
    tickets = {}
    for student in students:
        api.mark(COUNSELOR_CHAT)
        tickets[student.id] = (await _open(bot, api, student)).id
        await api.wait_for_message(COUNSELOR_CHAT)  # its header
    api.stall_chat(COUNSELOR_CHAT)  # the group takes nothing for a while
    texts = {s.id: [f"tin {n} của {s.first_name}" for n in range(3)] for s in students}
    for n in range(3):
        for student in students:  # each told at once, though nothing reaches the group
            [ack] = await bot.say(student, texts[student.id][n])
            assert ack["text"] == messages.RELAY_ACK
    api.release()
    everything = [t for ts in texts.values() for t in ts]
    await _group_has(api, everything)
    delivered = _delivered(api)
    assert sorted(t for _, t in delivered) == sorted(everything)  # each once
    for student in students:  # in order per student
        assert [t for _, t in delivered if t in texts[student.id]] == texts[student.id]
    combined = [m for m in api.sent(COUNSELOR_CHAT) if m.get("text", "").startswith("📨")]
    assert combined, "the messages that waited went out together"
    for number, text in _delivered(api):  # each part names its own ticket
        if number is not None:
            owner = next(s for s in students if text in texts[s.id])
            assert number == tickets[owner.id]

    # A counsellor answers one student by replying to the combined message with "#N ...".
    mixed = next(m for m in combined if len(set(_PART.findall(m["text"]))) > 1)
    second = students[1]
    api.mark(second.id)
    api.mark(COUNSELOR_CHAT)
    await api.send_text(counsellor, f"#{tickets[second.id]} Chào em, cô Mai đây",
                        chat=counsellors, reply_to=mixed)
    [reply] = await api.wait_for_message(second.id)
    assert reply["text"] == "Chào em, cô Mai đây"
    await api.send_text(counsellor, "Chào các em", chat=counsellors, reply_to=mixed)
    [which] = await api.wait_for_message(COUNSELOR_CHAT)
    assert "bắt đầu bằng số phiếu" in which["text"]


async def test_relays_waiting_at_a_stop_are_delivered_after_the_restart_once(
        api, tmp_path, engine, counsellors):
    bot = BotHarness(api, tmp_path, env={"TELEGRAM_GROUP_RATE_PER_MINUTE": "1"}, engine=engine)
    await bot.start()
    student = api.private_user(750_001, first_name="Lan")
    texts = [f"câu {n} trước khi bot dừng" for n in range(4)]
    try:
        await _open(bot, api, student)  # the header takes the minute's one post
        for text in texts:
            [ack] = await bot.say(student, text)
            assert ack["text"].startswith(messages.RELAY_ACK)
        assert _delivered(api) == []  # all waiting for the budget
        bot.env["TELEGRAM_GROUP_RATE_PER_MINUTE"] = "20"
        await bot.restart()  # a stop (as on SIGTERM), then a start
        await _group_has(api, texts)
        await api.wait_idle(quiet=0.5)
        assert [t for _, t in _delivered(api)] == texts  # in order, none twice
        assert bot.services.outbox.queue.backlog("counsellors")[0] == 0
    finally:
        await bot.stop()


async def test_a_message_telegram_delivers_twice_is_relayed_once(bot, api, student, counsellors):
    api.mark(COUNSELOR_CHAT)
    await _open(bot, api, student)
    await api.wait_for_message(COUNSELOR_CHAT)  # the header
    api.mark(student.id)
    message = await api.send_text(student, "em hỏi một lần thôi ạ")
    await api.wait_for_message(student.id)
    await _group_has(api, ["em hỏi một lần thôi ạ"])
    await api.push_update({"message": message})  # redelivered, as after a crash
    [again] = await api.wait_for_message(student.id)
    assert again["text"].startswith(messages.RELAY_ACK)
    await api.send_text(student, "câu tiếp theo")
    await _group_has(api, ["câu tiếp theo"])
    assert [t for _, t in _delivered(api)] == ["em hỏi một lần thôi ạ", "câu tiếp theo"]


async def test_a_photo_is_copied_in_its_place_between_texts(bot, api, student, counsellors):
    api.mark(COUNSELOR_CHAT)
    await _open(bot, api, student)
    await api.wait_for_message(COUNSELOR_CHAT)  # the header
    api.stall_chat(COUNSELOR_CHAT)  # behind: what follows waits, then goes in order
    await bot.say(student, "trước ảnh")
    api.mark(student.id)
    await api.send_photo(student, caption="bảng điểm của em")
    [ack] = await api.wait_for_message(student.id)
    assert ack["text"] == messages.RELAY_ACK
    await bot.say(student, "sau ảnh 1")
    await bot.say(student, "sau ảnh 2")
    api.release()
    await api.wait_for(lambda c: len(_delivered(api)) >= 4, timeout=20)
    sent = api.sent(COUNSELOR_CHAT)[1:]
    assert sent[0]["text"] == "trước ảnh"
    assert "photo" in sent[1] and sent[1]["caption"] == "bảng điểm của em"
    assert [t for _, t in _delivered(api)][2:] == ["sau ảnh 1", "sau ảnh 2"]
