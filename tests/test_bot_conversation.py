"""Messages as people really send them, end to end in Telegram: follow-ups in context (also
after a restart), bare names, two questions in one, near-domain questions."""

from __future__ import annotations

from bot import messages
from tests.telegram.harness import buttons


async def test_a_follow_up_is_read_against_the_topic_just_shown(bot, student):
    [first] = await bot.say(student, "đi xkld nước nào phổ biến")
    assert bot.services.kb.get("overseas.markets").title in first["text"]
    [follow] = await bot.say(student, "còn Đài Loan thì sao")
    assert "Đài Loan" in follow["text"] and "Nguồn:" in follow["text"]
    [aspect] = await bot.say(student, "chi phí đi có bị giới hạn không")
    assert bot.services.kb.get("overseas.costs").title in aspect["text"]


async def test_the_follow_up_context_survives_a_restart(bot, student):
    [first] = await bot.say(student, "học trung cấp sau lớp 9 có mất học phí không")
    assert bot.services.kb.get("tuition.trung-cap-free").title in first["text"]
    await bot.services.writer.sync()
    await bot.restart()
    [loan] = await bot.say(student, "có được vay không z")
    assert bot.services.kb.get("support.student-loan").title in loan["text"]


async def test_without_context_a_bare_aspect_is_not_guessed(bot, student):
    [reply] = await bot.say(student, "có được vay không z")
    assert bot.services.kb.get("support.student-loan").title not in reply["text"] or \
        reply["text"].startswith("🤔")


async def test_an_out_of_scope_follow_up_is_still_rejected(bot, student):
    await bot.say(student, "đi xkld nước nào phổ biến")
    [reply] = await bot.say(student, "còn thi bằng lái xe thì sao")
    assert "Nguồn:" not in reply["text"]
    assert messages.MENU_BUTTON in buttons(reply)


async def test_a_bare_district_name_gets_its_two_targets(bot, student):
    [reply] = await bot.say(student, "can giuoc")
    assert "Cần Giuộc" in reply["text"] and "39,98%" in reply["text"] \
        and "44,97%" in reply["text"]


async def test_an_ambiguous_district_name_says_what_it_was_taken_to_mean(bot, student):
    [reply] = await bot.say(student, "thanh hoa")
    assert "Thạnh Hóa" in reply["text"] and "ℹ️" in reply["text"]
    note = bot.services.kb.districts.by_name("Thạnh Hóa").note
    assert note and note in reply["text"]


async def test_a_bare_country_gets_its_programme_line(bot, student):
    [reply] = await bot.say(student, "Hàn Quốc")
    line = next(c.line for c in bot.services.kb.entities.countries if c.name == "Hàn Quốc")
    assert " ".join(line.split())[:60] in " ".join(reply["text"].split())


async def test_two_questions_in_one_get_the_first_answer_and_a_button_for_the_second(
        bot, student):
    [reply] = await bot.say(student, "Chào bot, con tôi học xong lớp 9 muốn học trung cấp. "
                                     "Cho tôi hỏi học trung cấp có được miễn học phí không, "
                                     "và có vay vốn đi học được không?")
    assert bot.services.kb.get("tuition.trung-cap-free").title in reply["text"]
    loan = bot.services.kb.get("support.student-loan").title
    also = [b for b in buttons(reply) if b.startswith("❓")]
    assert also and loan[:30] in also[0]
    [second] = await bot.tap(student, reply, also[0])
    assert loan in second["text"]


async def test_a_near_domain_question_says_whom_to_ask_instead_of_guessing(bot, student):
    [reply] = await bot.say(student, "điểm chuẩn lớp 10 trường chuyên năm nay bao nhiêu")
    assert "Nguồn:" not in reply["text"] and "Sở GD&ĐT" in reply["text"]
