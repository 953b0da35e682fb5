"""Everything Telegram can send: a clear reply or a silent ignore, never an unhandled error."""

from __future__ import annotations

import logging

from bot import messages


def _no_errors(caplog) -> None:
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_an_edited_message_is_ignored_quietly(bot, api, student, caplog):
    [answer] = await bot.say(student, "hoc phi trung cap")
    sent = len(api.sent(student.id))
    await api.edit_text(student, {"message_id": answer["message_id"] - 1,
                                  "chat": {"id": student.id}}, "xkld la gi")
    await api.wait_idle()
    assert len(api.sent(student.id)) == sent
    _no_errors(caplog)


async def test_voice_and_files_get_the_only_text_reply(bot, api, student, caplog):
    for send in (api.send_voice, api.send_document):
        api.mark(student.id)
        await send(student)
        [reply] = await api.wait_for_message(student.id)
        assert reply["text"] == messages.ONLY_TEXT
    _no_errors(caplog)


async def test_a_forwarded_question_is_answered(bot, api, student, caplog):
    api.mark(student.id)
    await api.send_forwarded_text(student, "đi xuất khẩu lao động cần điều kiện gì")
    [reply] = await api.wait_for_message(student.id)
    assert "Nguồn:" in reply["text"] or reply["text"].startswith("🤔")
    _no_errors(caplog)


async def test_a_very_long_message_gets_a_normal_reply(bot, student, caplog):
    [reply] = await bot.say(student, "học phí trung cấp " * 1000)
    assert len(reply["text"]) <= 4096 and reply["text"]
    _no_errors(caplog)


async def test_a_user_without_username_or_name_details_is_served(bot, api, caplog):
    nobody = api.private_user(700123, first_name="A", username=None, language_code=None)
    [reply] = await bot.say(nobody, "/start")
    assert "trợ lý" in reply["text"]
    _no_errors(caplog)


async def test_group_chatter_and_being_added_to_a_group_are_ignored(bot, api, student, caplog):
    group = api.group(-4001, "Lớp 9A")
    await api.add_bot_to_group(student, group)
    for text in ["chào cả lớp", "/start", "/menu", "hoc phi trung cap"]:
        await api.send_text(student, text, chat=group)
    await api.wait_idle()
    assert api.sent(group.id) == []
    _no_errors(caplog)


async def test_blocking_the_bot_is_remembered_and_writing_again_undoes_it(bot, api, student):
    await bot.say(student, "/start")
    await api.user_blocks_bot(student)
    await api.wait_idle()
    assert bot.services.users.get(student.id).blocked is True
    await api.user_unblocks_bot(student)
    bot.services.users.forget(student.id)  # their next message counts as a fresh contact
    await bot.say(student, "chào")
    assert bot.services.users.get(student.id).blocked is False


async def test_an_empty_or_emoji_only_message_gets_a_hint(bot, student):
    for text in ["😀😀😀", "...", "   ."]:
        [reply] = await bot.say(student, text)
        assert reply["text"] in (messages.EMPTY, messages.FALLBACK)
