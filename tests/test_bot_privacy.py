"""/dulieucuatoi, /xoadulieu, announcements opt-out, and the retention rules."""

from __future__ import annotations

import datetime as dt
import json

from bot import messages, privacy
from bot.responses import load_records
from tests.telegram.harness import buttons


async def _take_riasec(bot, student, score="4"):
    [listing] = await bot.say(student, "/khaosat")
    [consent] = await bot.tap(student, listing, next(b for b in buttons(listing)
                                                     if b.startswith("Sở thích")))
    [q] = await bot.tap(student, consent, messages.SURVEY_AGREE)
    for _ in range(30):
        [q] = await bot.tap(student, q, score)
    await bot.tap(student, q, messages.SURVEY_SEND)


async def test_my_data_shows_everything_kept_with_a_full_json_file(bot, api, student):
    await bot.say(student, "hoc phi trung cap")
    await _take_riasec(bot, student)
    summary, _document = await bot.say(student, "/dulieucuatoi", count=2)
    assert "Câu hỏi đã gửi: 1" in summary["text"]
    assert "Sở thích nghề nghiệp" in summary["text"]
    [(name, data, _)] = api.documents(student.id)
    assert name == messages.MY_DATA_FILE
    stored = json.loads(data.decode("utf-8"))
    assert stored["questions"][0]["text"] == "hoc phi trung cap"
    assert len(stored["surveys"][0]["answers"]) == 30


async def test_erasing_removes_every_row_and_the_answers_leave_later_reports(bot, api, student):
    other = api.private_user(700002, first_name="Minh")
    await _take_riasec(bot, student)
    await _take_riasec(bot, other, "2")
    assert len(load_records(bot.services.db, "riasec", None)) == 2
    [confirm] = await bot.say(student, "/xoadulieu")
    [done] = await bot.tap(student, confirm, messages.ERASE_YES)
    assert "Đã xoá" in done["text"]
    db = bot.services.db
    for table, column in [("users", "id"), ("asks", "user_id"), ("responses", "user_id"),
                          ("feedback", "user_id"), ("tickets", "user_id")]:
        assert db.execute(f"SELECT count(*) FROM {table} WHERE {column} = ?",  # noqa: S608
                          [student.id]).fetchone()[0] == 0
    records = load_records(db, "riasec", None)
    assert len(records) == 1 and set(records[0].answers.values()) == {2}  # the other's
    assert db.execute("SELECT count(*) FROM answers").fetchone()[0] == 30  # only the other's


async def test_declining_the_erasure_keeps_the_data(bot, student):
    await bot.say(student, "xkld la gi")
    [confirm] = await bot.say(student, "/xoadulieu")
    [kept] = await bot.tap(student, confirm, messages.ERASE_NO)
    assert kept["text"] == messages.ERASE_KEPT
    await bot.services.writer.sync()
    assert bot.services.db.execute("SELECT count(*) FROM asks").fetchone()[0] == 1


async def test_announcements_can_be_switched_off_and_on(bot, student):
    [off] = await bot.say(student, "/tatthongbao")
    assert off["text"] == messages.ANNOUNCE_OFF
    assert bot.services.users.get(student.id).announcements is False
    await bot.say(student, "/batthongbao")
    assert bot.services.users.get(student.id).announcements is True


def test_retention_forgets_old_questions_and_surveys_past_the_next_school_year(tmp_path):
    from bot.storage import open_reader
    from bot.writer import Writer

    writer = Writer(tmp_path / "x.db")
    now = dt.datetime(2026, 11, 23, tzinfo=dt.UTC)

    def fill(db):
        db.execute("INSERT INTO users (id, created_at) VALUES (1, 'x')")
        for days, text in [(400, "old"), (10, "recent")]:
            at = (now - dt.timedelta(days=days)).isoformat()
            db.execute("INSERT INTO asks (user_id, at, source, text, kind) "
                       "VALUES (1, ?, 'text', ?, 'answer')", [at, text])
        for year in ["2024-2025", "2025-2026", "2026-2027"]:
            rid = db.execute("INSERT INTO responses (survey_id, survey_version, user_id, "
                             "school_year, status) VALUES ('needs', 1, 1, ?, 'submitted')",
                             [year]).lastrowid
            db.execute("INSERT INTO answers (response_id, question_id, value) "
                       "VALUES (?, 'grade', '\"9\"')", [rid])

    writer.run(fill)
    counts = writer.run(lambda db: privacy.purge(db, now))
    writer.close()
    db = open_reader(tmp_path / "x.db")
    assert [r[0] for r in db.execute("SELECT text FROM asks")] == ["recent"]
    years = [r[0] for r in db.execute("SELECT school_year FROM responses ORDER BY school_year")]
    assert years == ["2025-2026", "2026-2027"]  # last year's answers stay for its report
    assert counts["asks"] == 1 and counts["responses"] == 1 and counts["answers"] == 1
