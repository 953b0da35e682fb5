"""Backups with SQLite's online backup API: consistent even while the bot is writing."""

from __future__ import annotations

import itertools
import os
import sqlite3
from pathlib import Path

from bot.storage.database import MIGRATIONS, DatabaseCorrupt, is_corruption, open_db, soundness
from bot.storage.dblock import hold
from bot.storage.files import create_private, private_dir


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, in Vietnamese."""


def _temporary(beside: Path) -> Path:
    """A new, empty 0600 file in the folder of `beside`, to be renamed over it when complete."""
    private_dir(beside.parent)
    for n in itertools.count():
        candidate = beside.with_name(f".{beside.name}.{os.getpid()}.{n}.tmp")
        if create_private(candidate):
            return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _discard(path: Path) -> None:
    for leftover in (path, Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


def backup(db_path: Path, dest: Path) -> int:
    """Copy the live database to `dest` (safe while the bot runs); returns the page count.
    The copy is written beside `dest` and renamed when complete: a failed backup leaves any
    older file at `dest` untouched, and a new file is readable by its owner only."""
    if not db_path.exists():
        raise BackupError(f"Không có cơ sở dữ liệu {db_path}.")
    if dest.exists() and dest.resolve() == db_path.resolve():
        raise BackupError("Tệp sao lưu phải khác tệp cơ sở dữ liệu.")
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        problem = soundness(source)
        if problem is not None:  # a copy of a damaged file is no backup
            raise BackupError(str(DatabaseCorrupt(db_path, problem)))
        temporary = _temporary(dest)
        target = sqlite3.connect(temporary)
        try:
            source.backup(target, pages=256)  # in steps, so the bot's writes are not held up
            # A backup is a single self-contained file: no WAL, so it can be read from
            # anywhere, even a read-only folder (a WAL database needs its -shm beside it).
            target.execute("PRAGMA journal_mode = DELETE")
            pages = int(target.execute("PRAGMA page_count").fetchone()[0])
        except BaseException:
            target.close()
            _discard(temporary)
            raise
        target.close()
        os.replace(temporary, dest)
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            raise BackupError(str(DatabaseCorrupt(db_path, str(exc)))) from exc
        raise
    finally:
        source.close()
    return pages


def check_backup(path: Path) -> int:
    """The schema version of a backup file, after checking it is a sound careerbot database."""
    if not path.exists():
        raise BackupError(f"Không có tệp sao lưu {path}.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"Tệp {path} bị hỏng (integrity_check thất bại).")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Tệp {path} không phải cơ sở dữ liệu SQLite: {exc}") from exc
    if "users" not in tables or version < 1:
        raise BackupError(f"Tệp {path} không phải bản sao lưu của careerbot.")
    if version > len(MIGRATIONS):
        raise BackupError(f"Bản sao lưu (lược đồ v{version}) mới hơn phiên bản careerbot này.")
    return version


def restore(src: Path, db_path: Path) -> int:
    """Replace the database with a backup, then migrate it to this version; returns the schema
    version afterwards. Refused (DatabaseBusy) while a bot runs on the database.

    The backup is copied beside the database and renamed over it, so the database is never
    half-written, and a damaged database can be replaced too."""
    check_backup(src)
    with hold(db_path, restoring=True):
        temporary = _temporary(db_path)
        source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        target = sqlite3.connect(temporary)
        try:
            source.backup(target)
        except BaseException:
            target.close()
            _discard(temporary)
            raise
        finally:
            source.close()
        target.close()
        for leftover in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            leftover.unlink(missing_ok=True)  # stale WAL pages must not be replayed over it
        os.replace(temporary, db_path)
        db = open_db(db_path)
        try:
            return int(db.execute("PRAGMA user_version").fetchone()[0])
        finally:
            db.close()
