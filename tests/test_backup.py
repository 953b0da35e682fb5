"""Backups taken while the bot writes, restores, and the health check."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import load_surveys
from bot.storage.backup import BackupError, backup, check_backup, restore
from bot.storage.database import MIGRATIONS, open_db, open_reader
from bot.storage.writer import Writer
from tests.cli_run import careerbot, careerbot_process
from tests.telegram.process import bot_env, start_bot, stop_bot


def _add(i: int):
    return lambda db: db.execute("INSERT INTO schools (code, name) VALUES (?, ?)",
                                 [f"S{i:05}", f"Trường {i}"])


def test_a_backup_taken_while_writing_is_consistent_and_restorable(tmp_path):
    db_path = tmp_path / "live.db"
    writer = Writer(db_path)
    for i in range(200):
        writer.run(_add(i))
    stop = threading.Event()

    def keep_writing() -> None:
        i = 200
        while not stop.is_set():
            writer.run(_add(i))
            i += 1

    thread = threading.Thread(target=keep_writing)
    thread.start()
    try:
        backup(db_path, tmp_path / "copy.db")
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert check_backup(tmp_path / "copy.db") == len(MIGRATIONS)
    copied = sqlite3.connect(tmp_path / "copy.db").execute("SELECT count(*) FROM schools")
    assert copied.fetchone()[0] >= 200
    target = tmp_path / "restored" / "bot.db"
    assert restore(tmp_path / "copy.db", target) == len(MIGRATIONS)
    restored = open_reader(target).execute("SELECT count(*) FROM schools").fetchone()[0]
    assert restored >= 200


def test_restore_replaces_the_current_data(tmp_path):
    old = open_db(tmp_path / "old.db")
    old.execute("INSERT INTO schools (code, name) VALUES ('OLD1', 'cũ')")
    old.close()
    backup(tmp_path / "old.db", tmp_path / "b.db")
    current = open_db(tmp_path / "cur.db")
    current.execute("INSERT INTO schools (code, name) VALUES ('NEW1', 'mới')")
    current.close()
    restore(tmp_path / "b.db", tmp_path / "cur.db")
    codes = [r[0] for r in open_reader(tmp_path / "cur.db").execute("SELECT code FROM schools")]
    assert codes == ["OLD1"]


@pytest.mark.parametrize(("content", "message"), [
    (b"not a database at all" * 100, "không phải"),
    (None, "không phải bản sao lưu"),
])
def test_restore_refuses_files_that_are_not_careerbot_backups(tmp_path, content, message):
    path = tmp_path / "x.db"
    if content is None:
        sqlite3.connect(path).execute("CREATE TABLE other (id)").connection.commit()
    else:
        path.write_bytes(content)
    with pytest.raises(BackupError, match=message):
        restore(path, tmp_path / "target.db")
    assert not (tmp_path / "target.db").exists()


def test_restore_refuses_a_backup_from_a_newer_careerbot(tmp_path):
    db = open_db(tmp_path / "new.db")
    db.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    db.close()
    with pytest.raises(BackupError, match="mới hơn"):
        check_backup(tmp_path / "new.db")


def test_backup_and_restore_from_the_command_line(tmp_path):
    env = {"CAREERBOT_DB": str(tmp_path / "bot.db")}
    open_db(tmp_path / "bot.db").close()
    out = careerbot("backup", str(tmp_path / "b.db"), env=env)
    assert out.returncode == 0 and "Đã sao lưu" in out.stdout
    out = careerbot("restore", str(tmp_path / "b.db"), "--yes", env=env)
    assert out.returncode == 0 and "Đã khôi phục" in out.stdout
    out = careerbot("restore", str(tmp_path / "missing.db"), "--yes", env=env)
    assert out.returncode == 1 and "Không có tệp" in out.stderr


def test_health_passes_on_a_sound_installation_and_fails_with_a_reason(tmp_path, kb):
    ok = careerbot("health", env={"CAREERBOT_DB": str(tmp_path / "bot.db")})
    surveys = len(load_surveys(kb).surveys)
    assert ok.returncode == 0
    assert f"OK  kiến thức: {len(kb)} chủ đề, {surveys} khảo sát" in ok.stdout
    bad = careerbot("health", env={"CAREERBOT_DB": str(tmp_path / "nowhere" / "bot.db")})
    assert bad.returncode == 1 and "LỖI" in bad.stdout
    broken = careerbot("health", env={"WEBHOOK_PORT": "x"})
    assert broken.returncode == 1 and "WEBHOOK_PORT" in broken.stdout


def test_a_backup_in_a_read_only_folder_can_be_restored(tmp_path):
    open_db(tmp_path / "bot.db").close()
    folder = tmp_path / "usb"
    folder.mkdir()
    backup(tmp_path / "bot.db", folder / "b.db")
    assert sqlite3.connect(folder / "b.db").execute("PRAGMA journal_mode").fetchone()[0] \
        == "delete"
    folder.chmod(0o555)
    try:
        assert restore(folder / "b.db", tmp_path / "restored.db") == len(MIGRATIONS)
    finally:
        folder.chmod(0o755)


async def test_restore_is_refused_while_the_bot_runs_and_works_once_it_stopped(api, student,
                                                                             tmp_path):
    db_path = tmp_path / "live.db"
    old = open_db(db_path)
    old.execute("INSERT INTO schools (code, name) VALUES ('OLD1', 'cũ')")
    old.close()
    backup(db_path, tmp_path / "b.db")
    env = {"CAREERBOT_DB": str(db_path)}
    proc = await start_bot(api, bot_env(api, db_path, LOG_LEVEL="WARNING"), timeout=60)
    try:
        api.mark(student.id)
        await api.send_text(student, "/start")
        await api.wait_for_message(student.id, timeout=30)
        out = await asyncio.to_thread(careerbot_process, "restore", str(tmp_path / "b.db"),
                                      "--yes", env=env)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        [line] = out.stderr.strip().splitlines()
        assert "dừng bot" in line and str(db_path) in line
        assert Path(f"{db_path}-wal").exists() and Path(f"{db_path}-shm").exists()
        second = await asyncio.to_thread(
            careerbot_process, "run", env={**env, "TELEGRAM_BOT_TOKEN": api.token,
                                           "TELEGRAM_API_BASE_URL": api.base_url})
        assert second.returncode == 1 and "một bot khác" in second.stderr  # one bot per file
        api.mark(student.id)  # and the running bot carries on, on its own data
        await api.send_text(student, "xkld la gi")
        await api.wait_for_message(student.id, timeout=30)
    finally:
        await stop_bot(proc)
    restored = careerbot("restore", str(tmp_path / "b.db"), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    db = open_reader(db_path)
    try:
        assert [r[0] for r in db.execute("SELECT code FROM schools")] == ["OLD1"]
        assert db.execute("SELECT count(*) FROM users").fetchone()[0] == 0  # the backup's
    finally:
        db.close()


def _damage(path: Path, where: str) -> None:
    db = open_db(path)
    db.conn.executemany("INSERT INTO schools (code, name) VALUES (?, ?)",
                        [(f"S{i:05}", "Trường " * 30) for i in range(400)])
    db.conn.commit()
    db.close()  # checkpointed: every page is in the main file now
    page = 4096
    with path.open("r+b") as f:
        if where == "header":
            f.write(b"\xff" * 100)
        else:  # scribble over a few b-tree pages, keep the header and the schema page
            f.seek(page * 3)
            f.write(bytes(range(256)) * (page * 3 // 256))


@pytest.mark.parametrize("where", ["pages", "header"])
def test_a_corrupt_database_fails_the_health_check_and_every_start_in_one_line(tmp_path, where):
    path = tmp_path / "bot.db"
    _damage(path, where)
    env = {"CAREERBOT_DB": str(path)}
    health = careerbot("health", env=env)
    assert health.returncode == 1
    [bad] = [line for line in health.stdout.splitlines() if "cơ sở dữ liệu" in line]
    assert bad.startswith("LỖI") and "bị hỏng" in bad and "careerbot restore" in bad
    token = {"TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJ", "TELEGRAM_API_BASE_URL":
             "http://127.0.0.1:9/bot"}
    starts: list[Any] = [
        careerbot_process("run", env={**env, **token}),  # the bot: a process of its own
        careerbot("export", "--all", "-o", str(tmp_path / "x.xlsx"), env=env),
        careerbot("backup", str(tmp_path / "b.db"), env=env)]
    for out in starts:
        assert out.returncode == 1 and "Traceback" not in out.stderr, out
        [line] = out.stderr.strip().splitlines()
        assert str(path) in line and "careerbot restore FILE" in line, out


def test_a_corrupt_database_can_be_restored_over(tmp_path):
    open_db(tmp_path / "good.db").close()
    backup(tmp_path / "good.db", tmp_path / "b.db")
    _damage(tmp_path / "bot.db", "pages")
    assert restore(tmp_path / "b.db", tmp_path / "bot.db") == len(MIGRATIONS)
    ok = careerbot("health", env={"CAREERBOT_DB": str(tmp_path / "bot.db")})
    assert ok.returncode == 0, ok.stdout
