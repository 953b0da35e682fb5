"""Taking surveys in Telegram, end to end: tapping, typing, skip rules, back, edit, restarts."""

from __future__ import annotations

import json

import pytest

from bot import messages
from bot.people.schools import School
from tests.telegram.harness import buttons

SCHOOLS = [School("THCSTANAN", "THCS Tân An", "Phường 1", "Tân An", "Long An"),
           School("THPTDUCHOA", "THPT Đức Hòa", "Xã Đức Hòa", "Đức Hòa", "Long An")]


@pytest.fixture
def schools(bot):
    bot.services.schools.add(*SCHOOLS)
    return SCHOOLS


def answers_of(bot, user_id: int, survey_id: str) -> tuple[str, dict]:
    row = next(iter(bot.services.db.query(
        "SELECT * FROM responses WHERE user_id = ? AND survey_id = ?", [user_id, survey_id])))
    values = {a["question_id"]: json.loads(a["value"]) for a in bot.services.db.query(
        "SELECT * FROM answers WHERE response_id = ?", [row["id"]])}
    return row["status"], values


async def open_survey(bot, student, title_start: str):
    [listing] = await bot.say(student, "/khaosat")
    label = next(b for b in buttons(listing) if b.startswith(title_start))
    [consent] = await bot.tap(student, listing, label)
    assert "Ai xem câu trả lời" in consent["text"]
    [first] = await bot.tap(student, consent, messages.SURVEY_AGREE)
    return first


async def pick(bot, student, screen, label: str):
    [after] = await bot.tap(student, screen, label)
    return after


async def type_answer(bot, student, text: str):
    [after] = await bot.say(student, text)
    return after


async def test_a_lop_9_student_completes_the_needs_survey_by_tapping(bot, student, schools):
    q = await open_survey(bot, student, "Nhu cầu")
    assert "Câu 1/" in q["text"]
    q = await pick(bot, student, q, "Lớp 9")
    assert "trường" in q["text"].lower()
    [found] = await bot.say(student, "tan an")
    q = await pick(bot, student, found, "THCS Tân An")
    q = await type_answer(bot, student, "9A1")  # class
    assert "Học THPT (cấp 3)" in buttons(q) and "Học đại học" not in buttons(q)  # skip rule
    q = await pick(bot, student, q, "Học trung cấp")
    q = await pick(bot, student, q, next(b for b in buttons(q) if "Công nghệ thông tin" in b))
    q = await pick(bot, student, q, next(b for b in buttons(q) if "Cơ khí" in b))
    assert sum(b.startswith("✅") for b in buttons(q)) == 2
    q = await pick(bot, student, q, messages.SURVEY_DONE_MULTI)
    q = await pick(bot, student, q, "Có")  # abroad
    q = await pick(bot, student, q, next(b for b in buttons(q) if "Nhật Bản" in b))
    q = await pick(bot, student, q, messages.SURVEY_DONE_MULTI)
    q = await pick(bot, student, q, next(b for b in buttons(q) if "Tài chính" in b))
    q = await pick(bot, student, q, messages.SURVEY_DONE_MULTI)
    q = await pick(bot, student, q, next(b for b in buttons(q) if b.startswith("Có")))
    summary = await type_answer(bot, student, "Nguyễn Văn A, lớp 9A1")
    assert "Xem lại câu trả lời" in summary["text"] and "THCS Tân An" in summary["text"]
    [thanks] = await bot.tap(student, summary, messages.SURVEY_SEND)
    assert "Cảm ơn" in thanks["text"]
    status, values = answers_of(bot, student.id, "needs")
    assert status == "submitted"
    assert values["grade"] == "9" and values["school"] == "THCSTANAN" and values["plan"] == \
        "trung_cap"
    assert values["countries"] == ["jp"] and len(values["field"]) == 2
    assert bot.services.users.get(student.id).school_code == "THCSTANAN"


async def test_a_skipped_branch_is_not_asked_and_a_changed_answer_drops_its_branch(
        bot, student, schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 12")
    [found] = await bot.say(student, "duc hoa")
    q = await pick(bot, student, found, "THPT Đức Hòa")
    q = await pick(bot, student, q, messages.SURVEY_SKIP)  # class is optional
    assert "Học đại học" in buttons(q) and "Học THPT (cấp 3)" not in buttons(q)
    q = await pick(bot, student, q, "Học cao đẳng")
    q = await pick(bot, student, q, next(b for b in buttons(q) if "Xây dựng" in b))
    q = await pick(bot, student, q, messages.SURVEY_DONE_MULTI)
    q = await pick(bot, student, q, "Không")  # not interested in going abroad
    assert "Nhật Bản" not in " ".join(buttons(q))  # the countries question was skipped
    _, values = answers_of(bot, student.id, "needs")
    assert "countries" not in values and "class" not in values


async def test_bad_typed_answers_get_a_clear_message_and_nothing_is_stored(bot, student,
                                                                          schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    [nothing] = await bot.say(student, "zzzz qqqq")  # the school search finds nothing
    assert "chưa tìm thấy" in nothing["text"]
    [found] = await bot.say(student, "tan an")
    q = await pick(bot, student, found, "THCS Tân An")
    for bad, expected in [("😀😀", messages.SURVEY_EMPTY_TEXT),
                          ("9A" * 30, "tối đa 10")]:
        [reply] = await bot.say(student, bad)
        assert expected in reply["text"]
    _, values = answers_of(bot, student.id, "needs")
    assert "class" not in values
    q = await type_answer(bot, student, "<b>9=1</b>")  # HTML and a formula: kept as typed
    _, values = answers_of(bot, student.id, "needs")
    assert values["class"] == "<b>9=1</b>"


async def test_a_sticker_while_a_typed_answer_is_expected_is_explained(bot, api, student,
                                                                       schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    api.mark(student.id)
    await api.send_sticker(student)
    [reply] = await api.wait_for_message(student.id)
    assert reply["text"] == messages.SURVEY_NEEDS_TEXT


async def test_back_shows_the_previous_answer_and_edit_returns_to_the_summary(bot, student,
                                                                             schools):
    q = await open_survey(bot, student, "Môn học")
    q = await pick(bot, student, q, "Lớp 12")
    [found] = await bot.say(student, "duc hoa")
    q = await pick(bot, student, found, "THPT Đức Hòa")
    [back] = await bot.tap(student, q, messages.SURVEY_BACK)
    assert "Câu 2/" in back["text"] and messages.SURVEY_SCHOOL_THIS in buttons(back)
    [again] = await bot.tap(student, back, messages.SURVEY_BACK)
    assert "✅ Lớp 12" in buttons(again)
    q = await pick(bot, student, again, "✅ Lớp 12")
    assert "Câu 3/" in q["text"]  # answered questions are not asked again: on to the next
    for _ in range(4):  # the rest of the lớp 12 questions: take the first option each time
        if messages.SURVEY_DONE_MULTI in buttons(q):
            q = await pick(bot, student, q, buttons(q)[0])
            q = await pick(bot, student, q, messages.SURVEY_DONE_MULTI)
        elif messages.SURVEY_SEND in buttons(q):
            break
        else:
            q = await pick(bot, student, q, buttons(q)[0])
    assert messages.SURVEY_SEND in buttons(q)
    [menu] = await bot.tap(student, q, messages.SURVEY_EDIT)
    first = next(b for b in buttons(menu) if b.startswith("Câu 1"))
    [grade_q] = await bot.tap(student, menu, first)
    [summary] = await bot.tap(student, grade_q, "✅ Lớp 12")
    assert messages.SURVEY_SEND in buttons(summary)  # straight back to the summary


async def test_a_restart_in_the_middle_resumes_where_the_student_was(bot, student, schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    [found] = await bot.say(student, "tan an")
    q = await pick(bot, student, found, "THCS Tân An")
    await bot.restart()
    [listing] = await bot.say(student, "/khaosat")
    assert any("đang làm dở" in b for b in buttons(listing))
    [resume] = await bot.tap(student, listing, next(b for b in buttons(listing)
                                                    if b.startswith("Nhu cầu")))
    assert "làm dở" in resume["text"]
    [current] = await bot.tap(student, resume, messages.SURVEY_CONTINUE)
    assert "Câu 3/" in current["text"]  # the class question, after grade and school
    q = await type_answer(bot, student, "9A2")
    _, values = answers_of(bot, student.id, "needs")
    assert values["class"] == "9A2" and values["grade"] == "9"


async def test_an_old_button_gets_a_clear_message_and_the_current_question(bot, api, student,
                                                                          schools):
    first = await open_survey(bot, student, "Nhu cầu")
    second = await pick(bot, student, first, "Lớp 9")
    api.mark(student.id)
    await api.press(student, first, next(d for d in [
        b.get("callback_data") for row in first["reply_markup"]["inline_keyboard"] for b in row]
        if d.endswith("|12")), strict=False)
    answered = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                  and c.params.get("text") == messages.SURVEY_NOT_CURRENT)
    assert answered.ok
    _, values = answers_of(bot, student.id, "needs")
    assert values["grade"] == "9"  # the stale tap changed nothing
    assert second["message_id"] == first["message_id"]


async def test_the_interest_inventory_shows_the_top_types_with_topics(bot, student):
    q = await open_survey(bot, student, "Sở thích")
    for i in range(30):
        assert f"Câu {i + 1}/30" in q["text"]
        score = "5" if i % 6 == 1 else ("4" if i % 6 == 3 else "1")  # I highest, then S
        q = await pick(bot, student, q, score)
    [thanks] = await bot.tap(student, q, messages.SURVEY_SEND)
    text = thanks["text"]
    assert "Kết quả của bạn" in text
    assert text.index("(I") < text.index("(S")  # investigative first, social second
    assert any(b.startswith("👉") for b in buttons(thanks))


async def test_retaking_asks_before_replacing(bot, student, schools):
    q = await open_survey(bot, student, "Sở thích")
    for _ in range(30):
        q = await pick(bot, student, q, "3")
    await bot.tap(student, q, messages.SURVEY_SEND)
    [listing] = await bot.say(student, "/khaosat")
    [ask] = await bot.tap(student, listing, next(b for b in buttons(listing)
                                                 if b.startswith("Sở thích")))
    assert "thay" in ask["text"]
    [first] = await bot.tap(student, ask, messages.SURVEY_RETAKE)
    assert "Câu 1/30" in first["text"]
    status, values = answers_of(bot, student.id, "riasec")
    assert status == "in_progress" and values == {}


async def test_huy_pauses_the_survey_and_free_text_goes_back_to_the_engine(bot, student,
                                                                         schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    [paused] = await bot.say(student, "/huy")
    assert paused["text"] == messages.SURVEY_PAUSED
    [answer] = await bot.say(student, "hoc tc co mat hoc phi ko")
    assert "Nguồn:" in answer["text"]


async def test_a_tap_delivered_twice_does_not_untick_a_choice(bot, api, student, schools):
    q = await open_survey(bot, student, "Nhu cầu")
    q = await pick(bot, student, q, "Lớp 9")
    [found] = await bot.say(student, "tan an")
    q = await pick(bot, student, found, "THCS Tân An")
    q = await type_answer(bot, student, "9A1")
    q = await pick(bot, student, q, "Học trung cấp")
    label = next(b for b in buttons(q) if "Công nghệ thông tin" in b)
    data = next(b["callback_data"] for row in q["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == label)
    for _ in range(2):  # the same press, twice (Telegram redelivers after a crash)
        await api.press(student, q, data, strict=False)
        await api.wait_idle()
    _, values = answers_of(bot, student.id, "needs")
    assert values["field"] == ["cntt"]
