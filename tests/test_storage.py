"""SQLite storage: WAL, migrations, and the one writer's group commit."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlite_utils

from bot.storage import database as storage
from bot.storage.database import MIGRATIONS, migrate, open_db, open_reader, schema_version
from bot.storage.writer import DEFER_MAX, MAX_SQL_VARIABLES, Writer, WriterClosed


def test_a_new_database_is_in_wal_mode_and_fully_migrated(tmp_path):
    db = open_db(tmp_path / "x.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert schema_version(db) == len(MIGRATIONS)
    assert {"users", "asks", "feedback", "tickets", "schools"} <= set(db.table_names())


def test_migrations_apply_only_what_is_missing(tmp_path):
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "old.db"))
    migrate(db, MIGRATIONS[:1])
    assert schema_version(db) == 1
    db.execute("INSERT INTO users (id, created_at) VALUES (1, 'then')")
    migrate(db)
    assert schema_version(db) == len(MIGRATIONS)
    assert db.execute("SELECT created_at FROM users WHERE id = 1").fetchone()[0] == "then"


async def test_a_database_of_the_previous_release_gains_accounts_and_keeps_its_data(tmp_path):
    # v5 is the schema the release before accounts shipped with.
    path = tmp_path / "v5.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, MIGRATIONS[:5])
    db.execute("INSERT INTO users (id, audience, created_at) VALUES (4242, 'parent', 'then')")
    db.execute("INSERT INTO asks (id, user_id, at, source, kind) VALUES (1, 4242, 't', 'text', "
               "'answer')")
    db.conn.commit()
    db.close()
    db = open_db(path)
    assert schema_version(db) == len(MIGRATIONS)
    assert list(db.query("SELECT channel, external_id, user_id FROM accounts")) == [
        {"channel": "telegram", "external_id": "4242", "user_id": 4242}]
    writer = Writer(path)
    try:
        from bot.bootstrap import CHANNELS
        from bot.channels import Channels
        from bot.people.accounts import Accounts

        accounts = Accounts(open_reader(path), writer, Channels(CHANNELS))
        telegram = await accounts.resolve("telegram", "4242")
        assert telegram.user_id == 4242  # the Telegram user keeps their data
        web = await accounts.resolve("web", "s3ss10n")
        again = await accounts.resolve("web", "s3ss10n")
        assert web.user_id < 0 and again.user_id == web.user_id  # never a Telegram id
        other = await accounts.resolve("web", "another")
        assert other.user_id not in (web.user_id, 4242)
    finally:
        writer.close()
    assert db.execute("SELECT audience FROM users WHERE id = 4242").fetchone()[0] == "parent"


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    db = sqlite_utils.Database(sqlite3.connect(tmp_path / "x.db"))

    def broken(d: sqlite_utils.Database) -> None:
        d.table("half").create({"id": int}, pk="id")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(db, [*MIGRATIONS, broken])
    assert schema_version(db) == len(MIGRATIONS)
    assert "half" not in db.table_names()


def test_a_database_from_a_newer_careerbot_is_refused(tmp_path):
    db = open_db(tmp_path / "x.db")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 5}")
    with pytest.raises(RuntimeError, match="newer"):
        migrate(db)


def test_the_reader_cannot_write(tmp_path):
    open_db(tmp_path / "x.db").close()
    reader = open_reader(tmp_path / "x.db")
    with pytest.raises(sqlite3.OperationalError):
        reader.execute("INSERT INTO schools (code, name) VALUES ('A1', 'x')")


def _insert(code: str):
    return lambda db: db.execute("INSERT INTO schools (code, name) VALUES (?, ?)", [code, code])


async def test_concurrent_writes_are_committed_together_and_all_acknowledged(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        await asyncio.gather(*(writer.write(_insert(f"S{i:03}")) for i in range(200)))
        reader = open_reader(tmp_path / "x.db")
        assert reader.execute("SELECT count(*) FROM schools").fetchone()[0] == 200
        assert writer.batches < 200  # several writes shared a commit
    finally:
        writer.close()


async def test_a_failing_write_is_rolled_back_alone(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        results = await asyncio.gather(writer.write(_insert("OK1")), writer.write(_insert("OK1")),
                                       writer.write(_insert("OK2")), return_exceptions=True)
        assert isinstance(results[1], sqlite3.IntegrityError)
        reader = open_reader(tmp_path / "x.db")
        codes = [r[0] for r in reader.execute("SELECT code FROM schools ORDER BY code")]
        assert codes == ["OK1", "OK2"]
    finally:
        writer.close()


def test_closing_commits_what_was_queued_and_refuses_more(tmp_path):
    writer = Writer(tmp_path / "x.db")
    futures = [writer.submit(_insert(f"Q{i}")) for i in range(50)]
    writer.close()
    assert all(f.result() is not None for f in futures)
    assert open_reader(tmp_path / "x.db").execute("SELECT count(*) FROM schools").fetchone()[0] \
        == 50
    with pytest.raises(WriterClosed):
        writer.submit(_insert("late"))


def test_a_writer_that_cannot_open_the_database_says_why(tmp_path):
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(sqlite3.OperationalError):
        Writer(tmp_path / "dir.db")


def test_iso_times_are_utc():
    assert storage.iso(storage.now_utc()).endswith("+00:00")


async def test_a_cancelled_caller_does_not_stop_the_writer(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        slow = writer.submit(lambda db: __import__("time").sleep(0.2))  # keep the thread busy
        waiting = asyncio.ensure_future(writer.write(_insert("GONE")))
        await asyncio.sleep(0.01)
        waiting.cancel()  # the caller gives up while its write is still queued
        await asyncio.wait_for(writer.write(_insert("NEXT")), 5)  # the writer still works
        slow.result()
        codes = [r[0] for r in open_reader(tmp_path / "x.db").execute("SELECT code FROM schools")]
        assert codes == ["NEXT"]
    finally:
        writer.close()


# --- deferred rows (the question log) ---------------------------------------------------------
SCHOOL = ("code", "name")


def _codes(path) -> list[str]:
    return [r[0] for r in open_reader(path).execute("SELECT code FROM schools ORDER BY code")]


async def test_deferred_rows_wait_for_company_then_commit_on_their_own(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        for i in range(5):
            writer.defer_insert("schools", SCHOOL, (f"D{i}", "x"))
        assert _codes(tmp_path / "x.db") == []  # not yet handed to the writer thread
        for _ in range(500):  # with no other write coming, the timer hands them over
            # The thread counts its batch just after the commit readers can already see.
            if _codes(tmp_path / "x.db") and writer.batches:
                break
            await asyncio.sleep(0.01)
        assert _codes(tmp_path / "x.db") == [f"D{i}" for i in range(5)]
        assert writer.batches == 1  # all five in one transaction
    finally:
        writer.close()


async def test_an_awaited_write_sees_every_row_deferred_before_it(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        writer.defer_insert("schools", SCHOOL, ("A1", "x"))
        writer.defer_insert("schools", SCHOOL, ("A2", "x"))
        seen = await writer.write(lambda db: [r[0] for r in db.execute(
            "SELECT code FROM schools ORDER BY code")])
        assert seen == ["A1", "A2"]
        writer.defer_insert("schools", SCHOOL, ("A3", "x"))
        await writer.sync()
        assert _codes(tmp_path / "x.db") == ["A1", "A2", "A3"]
    finally:
        writer.close()


async def test_a_deferred_row_that_breaks_a_constraint_is_dropped_alone_and_logged(
        tmp_path, caplog):
    writer = Writer(tmp_path / "x.db")
    try:
        for code in ("B1", "B1", "B2"):  # the second B1 breaks the primary key
            writer.defer_insert("schools", SCHOOL, (code, "x"))
        await writer.sync()
        assert _codes(tmp_path / "x.db") == ["B1", "B2"]
        assert "could not be inserted" in caplog.text
    finally:
        writer.close()


def test_closing_commits_deferred_rows_and_without_a_loop_they_go_at_once(tmp_path):
    writer = Writer(tmp_path / "x.db")
    writer.defer_insert("schools", SCHOOL, ("C1", "x"))  # no event loop: handed over now
    assert writer.run(lambda db: db.execute("SELECT count(*) FROM schools").fetchone()[0]) == 1

    async def defer_then_stop() -> None:
        writer.defer_insert("schools", SCHOOL, ("C2", "x"))
        writer.close()  # before the timer fires

    asyncio.run(defer_then_stop())
    assert _codes(tmp_path / "x.db") == ["C1", "C2"]
    with pytest.raises(WriterClosed):
        writer.defer_insert("schools", SCHOOL, ("C3", "x"))


def test_deferred_rows_refuse_anything_but_plain_identifiers_and_whole_rows(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        with pytest.raises(ValueError, match="identifier"):
            writer.defer_insert("schools; DROP TABLE users", SCHOOL, ("X", "x"))
        with pytest.raises(ValueError, match="identifier"):
            writer.defer_insert("schools", ("code", "name) --"), ("X", "x"))
        with pytest.raises(ValueError, match="2 columns but 1 values"):
            writer.defer_insert("schools", SCHOOL, ("X",))
    finally:
        writer.close()


async def test_a_burst_of_deferred_rows_is_handed_over_in_bounded_statements(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        codes = [f"M{i:05}" for i in range(3 * DEFER_MAX + 7)]
        for code in codes:
            writer.defer_insert("schools", SCHOOL, (code, "x"))
        await writer.sync()
        assert _codes(tmp_path / "x.db") == codes
        with pytest.raises(ValueError, match="too many columns"):
            wide = tuple(f"c{i}" for i in range(MAX_SQL_VARIABLES // DEFER_MAX + 1))
            writer.defer_insert("schools", wide, tuple(range(len(wide))))
    finally:
        writer.close()


def test_legacy_area_scopes_are_migrated_to_the_stored_commune_and_district(tmp_path):
    from bot.people.schools import Schools
    from bot.people.staff import InviteError, Staff

    path = tmp_path / "old.db"
    db = sqlite_utils.Database(sqlite3.connect(path))
    migrate(db, MIGRATIONS[:3])  # the schema before area identifiers
    db.conn.executemany("INSERT INTO schools (code, name, commune, former_district) "
                        "VALUES (?, ?, ?, ?)", [("A", "A", "Xã Tân Hòa", "Châu Thành"),
                                                ("B", "B", "Xã Tân Hóa", "Gò Công"),
                                                ("C", "C", "Xã Một", "Đức Hòa")])
    db.conn.executemany("INSERT INTO invites (code, role, area, expires_at) "
                        "VALUES (?, 'area', ?, '2999-01-01')",
                        [("DISTRICT", "Đức Hòa"), ("COMMUNE", "Xã Tân Hòa"),
                         ("FOLDED", "duc hoa"), ("AMBIGUOUS", "xa tan hoa")])
    db.execute("INSERT INTO staff (user_id, role, area) VALUES (7, 'area', 'Xã Tân Hóa')")
    db.conn.commit()
    migrate(db)
    found = {r["code"]: (r["area_district"], r["area_commune"])
             for r in db.query("SELECT * FROM invites")}
    assert found == {"DISTRICT": ("Đức Hòa", None), "COMMUNE": ("Châu Thành", "Xã Tân Hòa"),
                     "FOLDED": ("Đức Hòa", None), "AMBIGUOUS": (None, None)}
    db.close()
    writer = Writer(path)
    reader = open_reader(path)
    try:
        staff = Staff(reader, writer, Schools(reader, writer))
        scope = staff.scope(7, is_admin=False)
        assert scope is not None and scope.school_codes == frozenset({"B"})
        with pytest.raises(InviteError, match="trùng tên"):  # which Tân Hòa? nobody can say
            asyncio.run(staff.redeem("AMBIGUOUS", 8))
        asyncio.run(staff.redeem("FOLDED", 9))
        assert staff.scope(9, is_admin=False).school_codes == frozenset({"C"})
    finally:
        writer.close()
        reader.close()
