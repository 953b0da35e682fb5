"""Backups with SQLite's online backup API: consistent even while the bot is writing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.storage import MIGRATIONS, open_db


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why, in Vietnamese."""


def backup(db_path: Path, dest: Path) -> int:
    """Copy the live database to `dest` (safe while the bot runs); returns the page count."""
    if not db_path.exists():
        raise BackupError(f"Không có cơ sở dữ liệu {db_path}.")
    if dest.exists() and dest.resolve() == db_path.resolve():
        raise BackupError("Tệp sao lưu phải khác tệp cơ sở dữ liệu.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    target = sqlite3.connect(dest)
    try:
        source.backup(target, pages=256)  # in steps, so the bot's writes are not held up
        # A backup is a single self-contained file: no WAL, so it can be read from anywhere,
        # even a read-only folder (a WAL database needs its -shm file beside it to be read).
        target.execute("PRAGMA journal_mode = DELETE")
        pages = int(target.execute("PRAGMA page_count").fetchone()[0])
    finally:
        target.close()
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
    """Replace the database with a backup (stop the bot first), then migrate it to this
    version; returns the schema version afterwards."""
    check_backup(src)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        leftover.unlink(missing_ok=True)  # stale WAL pages must not be replayed over it
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    target = sqlite3.connect(db_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    db = open_db(db_path)
    try:
        return int(db.execute("PRAGMA user_version").fetchone()[0])
    finally:
        db.close()
