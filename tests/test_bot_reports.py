"""/export and /baocao in Telegram: the right files, and only the staff member's own school."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from bot import intents as i
from bot import messages
from bot.people.schools import School
from bot.surveys.model import school_year
from handlers.telegram.callbacks import encode
from tests.telegram.harness import buttons

A = School("THCSA", "THCS A", "Xã Một", "Đức Hòa", "Long An")
B = School("THCSB", "THCS B", "Xã Hai", "Tân Thạnh", "Long An")
# Files are built in a worker process that starts on first use: an upper bound for a loaded
# machine, not a timing check.
BUILD_WAIT = 60.0


async def _submit(bot, user_id: int, school: str, answers: dict) -> None:
    svc = bot.services
    await svc.users.touch(user_id)
    year = school_year(svc.local_now().date())
    response = await svc.responses.start(user_id, "needs", 1, year, school, None)
    for qid, value in answers.items():
        response = await svc.responses.save(response, qid, value, list(answers), None)
    await svc.responses.submit(response)


NINE = {"grade": "9", "plan": "trung_cap", "field": ["cntt"], "abroad": "yes",
        "countries": ["jp", "kr"], "barriers": ["tai_chinh"], "counsellor": "yes"}


@pytest.fixture
async def data(bot):
    bot.services.schools.add(A, B)
    await _submit(bot, 1001, "THCSA", {**NINE, "school": "THCSA", "class": "=1+1"})
    await _submit(bot, 1002, "THCSA", {**NINE, "school": "THCSA", "plan": "thpt",
                                       "abroad": "no", "counsellor": "no"})
    await _submit(bot, 1003, "THCSB", {**NINE, "school": "THCSB", "class": "9B"})
    return bot


async def _staff_of(bot, user, school_code: str) -> None:
    code = bot.services.staff.invite_now("school", school_code)
    await bot.say(user, f"/dangky {code}")


async def test_school_staff_export_their_schools_answers_as_csv(data, api, student):
    bot = data
    await _staff_of(bot, student, "THCSA")
    [choose] = await bot.say(student, "/export")
    assert "THCS A" in choose["text"]
    csv_button = next(b for b in buttons(choose) if b.startswith("CSV · Nhu cầu"))
    api.mark(student.id)
    await api.press_button(student, choose, csv_button)
    await api.wait_for_message(student.id, timeout=BUILD_WAIT)
    [(name, payload, caption)] = api.documents(student.id)
    assert name.endswith(".csv") and "2 phiếu" in caption
    text = payload.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header, body = rows[0], rows[1:]
    assert len(body) == 2 and {r[header.index("Mã trường")] for r in body} == {"THCSA"}
    class_col = header.index(next(h for h in header if h.startswith("Bạn học lớp nào?")))
    assert "'=1+1" in [r[class_col] for r in body]  # the formula stays text
    plan_col = header.index("Sau khi tốt nghiệp, bạn dự định làm gì?")
    assert {r[plan_col] for r in body} == {"Học trung cấp", "Học THPT (cấp 3)"}


async def test_the_excel_export_has_one_sheet_per_survey_and_a_summary(data, api, student):
    bot = data
    await _staff_of(bot, student, "THCSA")
    [choose] = await bot.say(student, "/export")
    api.mark(student.id)
    await api.press_button(student, choose, messages.EXPORT_XLSX)
    await api.wait_for_message(student.id, timeout=BUILD_WAIT)
    [(name, payload, _)] = api.documents(student.id)
    book = openpyxl.load_workbook(io.BytesIO(payload))
    assert name.endswith(".xlsx")
    assert book.sheetnames[0] == "Tổng hợp" and len(book.sheetnames) == 1 + 3
    sheet = next(book[n] for n in book.sheetnames[1:] if "Nhu cầu" in n or "needs" in n)
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert sheet.max_row == 3  # header + the two answers of school A


async def test_staff_naming_another_school_are_told_it_is_not_theirs_and_get_nothing(
        data, api, student):
    bot = data
    await _staff_of(bot, student, "THCSA")
    refusal = messages.NOT_YOUR_SCHOOL.format(code="THCSB", scope="THCS A")
    for command in ["/export THCSB", "/baocao THCSB"]:
        [refused] = await bot.say(student, command)
        assert refused["text"] == refusal, command
    [choose] = await bot.say(student, "/export")
    assert "THCS A" in choose["text"] and "THCS B" not in choose["text"]
    forged = encode(i.Export("csv", "needs", "THCSB"))
    await api.press(student, choose, forged, strict=False)
    answered = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                  and c.params.get("text") == refusal)
    assert answered.ok and api.documents(student.id) == []


async def test_students_cannot_export_or_read_reports(data, api, student):
    bot = data
    for command in ["/export", "/baocao"]:
        [refused] = await bot.say(student, command)
        assert refused["text"] == messages.STAFF_ONLY
    [answer] = await bot.say(student, "xkld la gi")
    await api.press(student, answer, encode(i.Export("csv", "needs", "")), strict=False)
    refused = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                 and c.params.get("text") == messages.STAFF_ONLY)
    assert refused.ok and api.documents(student.id) == []


async def test_the_report_compares_intentions_with_the_districts_targets_and_has_a_chart(
        data, api, student):
    bot = data
    await _staff_of(bot, student, "THCSA")
    report, photo = await bot.say(student, "/baocao", count=2, timeout=BUILD_WAIT)
    text = report["text"]
    assert "40,39%" in text and "44,95%" in text  # Đức Hòa's targets
    assert "50,00% (1/2)" in text and "Đạt" in text  # 1 of 2 lớp 9 students plans trung cấp
    assert "Nhật Bản" in text
    file_id = photo["photo"][-1]["file_id"]
    assert api.files[file_id].data.startswith(b"\x89PNG\r\n\x1a\n")


async def test_an_admin_can_report_on_any_school(data, api, admin):
    bot = data
    await bot.say(admin, "/start")
    report, _ = await bot.say(admin, "/baocao THCSB", count=2, timeout=BUILD_WAIT)
    assert "THCS B" in report["text"] and "65,22%" in report["text"]  # Tân Thạnh's target


async def test_erased_answers_disappear_from_later_exports(data, api, student):
    bot = data
    from bot.people import privacy

    await bot.services.writer.write(lambda db: privacy.erase(db, 1001))
    await _staff_of(bot, student, "THCSA")
    [choose] = await bot.say(student, "/export")
    api.mark(student.id)
    await api.press_button(student, choose, next(b for b in buttons(choose)
                                                 if b.startswith("CSV · Nhu cầu")))
    await api.wait_for_message(student.id, timeout=BUILD_WAIT)
    [(_, payload, caption)] = api.documents(student.id)
    assert "1 phiếu" in caption and "=1+1" not in payload.decode("utf-8")


async def test_a_revoked_staff_members_old_export_button_and_commands_are_refused(data, api,
                                                                                  student):
    bot = data
    await _staff_of(bot, student, "THCSA")
    [choose] = await bot.say(student, "/export")
    assert bot.services.staff.revoke_now(student.id) is not None
    await api.press_button(student, choose, messages.EXPORT_XLSX)
    refused = await api.wait_for(lambda c: c.method == "answerCallbackQuery"
                                 and c.params.get("text") == messages.STAFF_ONLY)
    assert refused.ok and api.documents(student.id) == []
    for command in ["/export", "/baocao"]:
        [no] = await bot.say(student, command)
        assert no["text"] == messages.STAFF_ONLY
