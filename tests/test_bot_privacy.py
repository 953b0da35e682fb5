"""/dulieucuatoi, /xoadulieu, announcements opt-out, and the retention rules."""

from __future__ import annotations

import datetime as dt
import json
import re

from bot import messages
from bot.people import privacy
from bot.surveys.responses import load_records
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


async def test_the_menus_data_buttons_show_the_data_and_ask_before_erasing(bot, api, student):
    await bot.say(student, "xkld la gi")
    [menu] = await bot.say(student, "/menu")
    summary, _document = await bot.tap(student, menu, messages.MY_DATA_BUTTON, count=2)
    assert "Câu hỏi đã gửi: 1" in summary["text"]
    [(name, _, _)] = api.documents(student.id)
    assert name == messages.MY_DATA_FILE
    [confirm] = await bot.tap(student, menu, messages.ERASE_BUTTON)
    assert buttons(confirm) == [messages.ERASE_YES, messages.ERASE_NO]


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
    from bot.storage.database import open_reader
    from bot.storage.writer import Writer

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

        for days, user in [(31, 1), (2, 2)]:  # a Zalo person's numbered menu, unused or not
            db.execute("INSERT INTO users (id, created_at) VALUES (?, 'x')", [-user])
            db.execute("INSERT INTO zalo_menus (user_id, menu, at) VALUES (?, '[]', ?)",
                       [-user, (now - dt.timedelta(days=days)).timestamp()])

    writer.run(fill)
    counts = writer.run(lambda db: privacy.purge(db, now))
    writer.close()
    db = open_reader(tmp_path / "x.db")
    assert [r[0] for r in db.execute("SELECT text FROM asks")] == ["recent"]
    years = [r[0] for r in db.execute("SELECT school_year FROM responses ORDER BY school_year")]
    assert years == ["2025-2026", "2026-2027"]  # last year's answers stay for its report
    assert counts["asks"] == 1 and counts["responses"] == 1 and counts["answers"] == 1
    assert [r[0] for r in db.execute("SELECT user_id FROM zalo_menus")] == [-2]


_NAMES_A_PERSON = re.compile(r"user|_by$|chat|sender|recipient|member|account|author|owner"
                             r"|person|telegram|phone|email")


def test_every_table_and_every_column_naming_a_person_is_declared_for_erasure(tmp_path):
    from bot.storage.database import open_db

    db = open_db(tmp_path / "schema.db")
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                       "AND name NOT LIKE 'sqlite_%'")]
    declared = set(privacy.PERSON_COLUMNS) | set(privacy.OWNED_THROUGH) | set(privacy.NO_PERSON)
    assert set(tables) == declared, "declare every table in bot/privacy.py"
    for table in tables:
        columns = {c.name for c in db[table].columns}
        people = set(privacy.PERSON_COLUMNS.get(table, ()))
        assert people <= columns, table
        for column in columns:
            if _NAMES_A_PERSON.search(column):
                assert column in people or (table, column) in privacy.NOT_A_PERSON, \
                    f"{table}.{column} looks as if it names a person: declare it"
    for (table, column) in privacy.NOT_A_PERSON:
        assert column in {c.name for c in db[table].columns}


async def test_erasing_leaves_no_row_naming_the_user_in_any_table(bot, api, student):
    from bot.people.staff_sessions import StaffSessions
    from tests.test_bot_reports import NINE, A, _submit

    svc = bot.services
    svc.schools.add(A)
    other = api.private_user(700002, first_name="Minh")
    for user in (student, other):
        await bot.say(user, f"/start {A.code}", count=2)
        answer = (await bot.say(user, "hoc phi trung cap"))[0]
        await bot.tap(user, answer, messages.VOTE_UP)
        await _submit(bot, user.id, A.code, {**NINE, "school": A.code})
    await bot.say(student, "cho em hỏi về nghề thổi thủy tinh")
    await bot.say(student, "/tuvan")
    await bot.say(student, "/ketthuc")
    await bot.say(student, f"/dangky {svc.staff.invite_now('school', A.code)}")
    [confirm] = await bot.say(student, "/thongbao Họp phụ huynh")  # reaches both users
    api.mark(student.id)
    await api.press_button(student, confirm, messages.ANNOUNCE_SEND)
    await api.wait_for_message(student.id, count=3, timeout=30)  # started, itself, done
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO invites (code, role, created_by, created_at, expires_at) VALUES "
        "('BYSTUDENT', 'admin', ?, 'x', 'x')", [f"{privacy.ADMIN_TAG}{student.id}"]))
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO menu_resets (user_id, at) VALUES (?, 'x')", [student.id]))
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO inbox (user_id, channel, entry_id, text, payload, at) "
        "VALUES (?, 'web', 1, 'x', '{}', 'x')", [student.id]))
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO zalo_windows (user_id, last_message_at, sent_since) VALUES (?, 1, 0)",
        [student.id]))
    await svc.writer.write(lambda db: db.execute(
        "INSERT INTO zalo_menus (user_id, menu, welcome_owed, at) VALUES (?, '[]', 1, 1)",
        [student.id]))
    dashboard = StaffSessions(svc.db, svc.writer, svc.clock)  # a staff member's sign-ins
    await dashboard.new_link(student.id)
    await dashboard.start(student.id)
    await dashboard.record_download(student.id, "x.csv", A.name, frozenset({A.code}))
    await svc.writer.write(lambda db: db.execute(  # a relay still waiting for the group
        "INSERT INTO outbox (destination, kind, user_id, text, created_at) "
        "VALUES ('elsewhere', 'message', ?, 'x', 'x')", [student.id]))
    await svc.writer.sync()
    before = privacy.rows_about(svc.db, student.id)
    empty = [table for table, rows in before.items() if not rows]
    assert not empty, f"seed these tables with a row about the user too: {empty}"
    others = {table: len(rows) for table, rows in privacy.rows_about(svc.db, other.id).items()}

    [ask] = await bot.say(student, "/xoadulieu")
    await bot.tap(student, ask, messages.ERASE_YES)
    after = privacy.rows_about(svc.db, student.id)
    assert all(not rows for rows in after.values()), after
    for table, (_, _parent) in privacy.OWNED_THROUGH.items():
        for rowid in before[table]:  # owned rows are gone too, not left orphaned
            assert svc.db.execute(f"SELECT count(*) FROM {table} WHERE rowid = ?",  # noqa: S608
                                  [rowid]).fetchone()[0] == 0, table
    assert {t: len(r) for t, r in privacy.rows_about(svc.db, other.id).items()} == others
    assert svc.db.execute("SELECT used_at IS NOT NULL FROM invites WHERE code != 'BYSTUDENT'"
                          ).fetchone()[0] == 1  # still spent
