"""Free-text questions: answers with sources, details, did-you-mean, fallback, feedback."""

from __future__ import annotations

import datetime as dt
import html

from bot import intents as i
from bot import messages
from handlers.telegram.callbacks import encode
from tests.telegram.harness import BotHarness, buttons, callback_datas


async def test_a_student_question_gets_the_short_answer_with_sources(bot, student):
    [answer] = await bot.say(student, "hoc tc co mat hoc phi ko z")
    entry = bot.services.kb.get("tuition.trung-cap-free")
    assert entry.title in answer["text"]
    assert "Nguồn:" in answer["text"] and "81/2021/NĐ-CP" in answer["text"]
    assert "⚠️" in answer["text"]  # this entry's facts may have changed in 2025
    assert messages.DETAILS_BUTTON in buttons(answer)
    assert messages.VOTE_UP in buttons(answer) and messages.VOTE_DOWN in buttons(answer)
    related = {bot.services.kb.get(r).title for r in entry.related[:3]}
    assert any(any(t[:20] in b for t in related) for b in buttons(answer))


async def test_the_details_button_sends_the_details(bot, student):
    [answer] = await bot.say(student, "lien thong tu trung cap len cao dang dc ko")
    [details] = await bot.tap(student, answer, messages.DETAILS_BUTTON)
    entry = bot.services.kb.get("vet.transfer")
    assert details["message_id"] != answer["message_id"]
    assert entry.details.split("\n")[0][:40] in details["text"]


async def test_a_district_question_gets_that_districts_figures(bot, student):
    [answer] = await bot.say(student, "ti le phan luong o Tan Thanh")
    assert "Tân Thạnh" in answer["text"] and "65,22%" in answer["text"]
    assert "01/7/2025" in answer["text"]


async def test_an_unsure_question_gets_did_you_mean_buttons(bot, student):
    [reply] = await bot.say(student, "hoc phi")
    assert reply["text"].startswith("🤔")
    topics = [b for b in buttons(reply) if b.startswith("👉")]
    assert 2 <= len(topics) <= 3
    [answer] = await bot.tap(student, reply, topics[0])
    assert "Nguồn:" in answer["text"]


async def test_an_out_of_scope_question_gets_the_fallback_with_menu_and_counsellor(bot, student):
    [reply] = await bot.say(student, "chơi liên quân sao cho giỏi")
    assert reply["text"] == messages.FALLBACK
    assert buttons(reply) == [messages.MENU_BUTTON, messages.COUNSEL_BUTTON]
    await bot.services.writer.sync()  # the question log is written in the background
    row = next(iter(bot.services.db.query("SELECT * FROM asks ORDER BY id DESC LIMIT 1")))
    assert row["kind"] == "fallback" and row["entry_id"] is None


async def test_html_in_a_question_is_escaped_and_never_breaks_the_reply(bot, student):
    [reply] = await bot.say(student, "<b>học phí</b> & <script>cao đẳng")
    assert reply["text"]  # Telegram accepted the message: the HTML was well formed


async def test_feedback_is_stored_and_the_vote_buttons_go_away(bot, student):
    [answer] = await bot.say(student, "vay von di xkld o dau")
    [edited] = await bot.tap(student, answer, messages.VOTE_DOWN)
    assert messages.VOTE_DOWN not in buttons(edited)
    assert messages.DETAILS_BUTTON in buttons(edited)
    [vote] = list(bot.services.db.query("SELECT * FROM feedback"))
    assert vote["vote"] == -1 and vote["entry_id"] == "overseas.loan"
    answered = bot.api.answered_callbacks[-1]
    assert answered["text"] == messages.VOTE_SORRY


async def test_a_stale_button_gets_a_polite_message(bot, api, student):
    [answer] = await bot.say(student, "xkld la gi")
    for data in ["1|t|vet.levels", encode(i.Topic("vet.gone", "")),
                 encode(i.Vote(999999, True)), "rác", encode(i.Group("nope"))]:
        await api.press(student, answer, data, strict=False)
        answered = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                      and c.params.get("text") == messages.STALE_BUTTON)
        assert answered.ok
    assert len(api.sent(student.id)) == 1  # nothing else was sent or edited


async def test_every_button_fits_in_64_bytes(bot, student):
    [menu] = await bot.say(student, "/menu")
    for group in bot.services.kb.menu:
        [shown] = await bot.tap(student, menu, group.title)
        assert all(len(d.encode()) <= 64 for d in callback_datas(shown))
        [menu] = await bot.tap(student, shown, messages.BACK)


async def test_a_long_answer_is_split_under_telegrams_limit(api, student, tmp_path,
                                                              knowledge_copy):
    long_details = ("Chi tiết <&> " * 230).strip()  # ~3000 characters, many to escape
    path = knowledge_copy / "vet.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  details: |", text.index("id: vet.levels"))
    end = text.index("\n  sources:", start)
    path.write_text(text[:start] + "  details: >-\n    " + long_details + text[end:],
                    encoding="utf-8")
    harness = BotHarness(api, tmp_path, env={"CAREERBOT_KNOWLEDGE_DIR": str(knowledge_copy)})
    await harness.start()
    try:
        [answer] = await harness.say(student, "so cap trung cap cao dang khac nhau sao")
        parts = await harness.tap(student, answer, messages.DETAILS_BUTTON, count=2)
        assert all(len(p["text"]) <= 4096 for p in parts)
        shown = " ".join(p["text"] for p in parts)
        assert shown.count("<&>") == long_details.count("<&>")
        assert all(p.parse_mode == "HTML" and "&lt;&amp;&gt;" in (p.raw_text or "") for p in parts)
    finally:
        await harness.stop()


async def test_an_entry_not_reviewed_for_a_year_shows_the_warning(api, student, tmp_path,
                                                                  engine):
    later = lambda: dt.datetime(2028, 1, 15, 3, 0, tzinfo=dt.UTC)  # noqa: E731
    harness = BotHarness(api, tmp_path, clock=later, engine=engine)
    await harness.start()
    try:
        [answer] = await harness.say(student, "xkld la gi")
        assert "có thể đã cũ" in answer["text"]
        reviewed = engine.kb.get("overseas.overview").reviewed.strftime("%d/%m/%Y")
        assert html.escape(reviewed) in answer["text"]
    finally:
        await harness.stop()


async def test_stickers_and_photos_get_a_clear_reply(bot, api, student):
    api.mark(student.id)
    await api.send_sticker(student)
    [reply] = await api.wait_for_message(student.id)
    assert reply["text"] == messages.ONLY_TEXT
    await api.send_photo(student, caption="ảnh")
    [reply] = await api.wait_for_message(student.id)
    assert reply["text"] == messages.ONLY_TEXT


async def test_a_parents_second_question_is_answered_under_the_first(bot, student):
    [answer] = await bot.say(student, "Chào bot. Con tôi học trung cấp có được miễn học phí "
                                      "không, và nhà nghèo có vay được tiền cho cháu đi học không?")
    loan = bot.services.kb.get("support.student-loan")
    first = bot.services.kb.get("tuition.trung-cap-free")
    assert loan.gist and first.title in answer["text"]
    assert html.escape(loan.gist) in answer["text"]  # answered, not only offered
    assert answer["text"].index(first.title) < answer["text"].index(html.escape(loan.gist))
    assert any(loan.title[:30] in b for b in buttons(answer))  # the whole answer, one tap
