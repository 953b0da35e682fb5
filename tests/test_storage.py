"""SQLite storage: WAL, migrations, and the one writer's group commit."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
import sqlite_utils

from bot import storage
from bot.storage import MIGRATIONS, migrate, open_db, open_reader, schema_version
from bot.writer import Writer, WriterClosed


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
