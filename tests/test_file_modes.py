"""People's data on disk is readable by its owner only, whatever the umask (0600 / 0700)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.storage import dblock
from bot.storage.backup import backup, restore
from bot.storage.database import open_db


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def lax_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(old)


def test_the_database_its_wal_and_shm_are_created_0600_in_a_0700_folder(tmp_path, lax_umask):
    path = tmp_path / "data" / "sub" / "careerbot.db"
    db = open_db(path)
    try:
        db.execute("INSERT INTO schools (code, name) VALUES ('A1', 'Trường A')")
        db.conn.commit()
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert all(f.exists() for f in files)  # SQLite made the WAL and SHM files itself
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    finally:
        db.close()


def test_backups_restored_databases_and_the_lock_file_are_created_0600(tmp_path, lax_umask):
    open_db(tmp_path / "bot.db").close()
    backup(tmp_path / "bot.db", tmp_path / "backups" / "b.db")
    assert mode(tmp_path / "backups" / "b.db") == 0o600
    assert mode(tmp_path / "backups") == 0o700
    restore(tmp_path / "backups" / "b.db", tmp_path / "restored" / "bot.db")
    assert mode(tmp_path / "restored" / "bot.db") == 0o600
    assert mode(tmp_path / "restored") == 0o700
    assert mode(dblock.lock_path(tmp_path / "restored" / "bot.db")) == 0o600
    assert sorted(p.name for p in (tmp_path / "restored").iterdir()) == \
        ["bot.db", "bot.db.lock"]  # no temporary file left


def test_a_folder_that_exists_keeps_the_mode_its_owner_gave_it(tmp_path, lax_umask):
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o750)
    open_db(shared / "bot.db").close()
    assert mode(shared) == 0o750 and mode(shared / "bot.db") == 0o600
