"""/unanswered and /stats: stored in SQLite, shown to admins, refused to everyone else."""

from __future__ import annotations

from bot import messages


async def test_unanswered_lists_frequent_misses_with_counts_and_dislikes(bot, api, student,
                                                                         admin):
    for text in ["lịch thi học kỳ 2", "Lịch thi học kỳ 2!!", "giá vàng hôm nay"]:
        await bot.say(student, text)
    [answer] = await bot.say(student, "vay von di xkld o dau")
    await bot.tap(student, answer, messages.VOTE_DOWN)
    await bot.restart()  # nothing is kept only in memory
    [report] = await bot.say(admin, "/unanswered")
    text = report["text"]
    assert "lịch thi học kỳ 2 — 2 lần" in text
    assert "giá vàng hôm nay — 1 lần" in text
    assert text.index("lịch thi") < text.index("giá vàng")
    assert "overseas.loan — 1 lần" in text and "vay von di xkld o dau" in text


async def test_stats_counts_users_questions_and_answer_rate(bot, api, student, admin):
    [welcome] = await bot.say(student, "/start")
    await bot.tap(student, welcome, "Phụ huynh")
    await bot.say(student, "hoc tc co mat hoc phi ko")
    await bot.say(student, "asdfgh qwerty")
    [report] = await bot.say(admin, "/stats")
    text = report["text"]
    assert "Người dùng: 2" in text and "Phụ huynh: 1" in text
    assert "50% trên 2 câu hỏi" in text
    assert "tuition.trung-cap-free (1)" in text


async def test_admin_commands_are_refused_to_others(bot, student):
    for command in ["/unanswered", "/stats"]:
        [reply] = await bot.say(student, command)
        assert reply["text"] == messages.ADMIN_ONLY
