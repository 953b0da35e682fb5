"""`careerbot health`: can this installation run? Configuration, knowledge, surveys, database
(sound: PRAGMA quick_check reads every page).

Used by the container's HEALTHCHECK: it touches no network, so it says whether *this* side is
sound, not whether Telegram answers.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from bot.answering import knowledge
from bot.bootstrap import load_surveys
from bot.config import ConfigError, Settings
from bot.storage.database import MIGRATIONS, DatabaseCorrupt, is_corruption, soundness


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def run_checks(env: dict[str, str] | None = None) -> list[Check]:
    checks: list[Check] = []
    try:
        settings = Settings.from_env(env)
    except ConfigError as exc:
        return [Check("cấu hình", False, str(exc))]
    mode = "webhook" if settings.webhook_url else "polling"
    checks.append(Check("cấu hình", True, f"token: {'có' if settings.token else 'không'}, "
                                          f"chế độ {mode}"))
    try:
        kb = knowledge.load(settings.knowledge_dir)
        surveys = load_surveys(kb)
        checks.append(Check("kiến thức", True,
                            f"{len(kb)} chủ đề, {len(surveys.surveys)} khảo sát"))
    except knowledge.KnowledgeError as exc:
        checks.append(Check("kiến thức", False, str(exc.problems[0]) if exc.problems else "?"))
    checks.append(_database(settings))
    return checks


def _database(settings: Settings) -> Check:
    path = settings.db_path
    if not path.exists():
        writable = path.parent.exists() and path.parent.is_dir()
        return Check("cơ sở dữ liệu", writable,
                     f"{path} chưa có, sẽ được tạo khi bot chạy" if writable
                     else f"thư mục {path.parent} không tồn tại")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            problem = soundness(conn)  # reads every page: a damaged one fails the check
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if is_corruption(exc):
            return Check("cơ sở dữ liệu", False, str(DatabaseCorrupt(path, str(exc))))
        return Check("cơ sở dữ liệu", False, f"{path}: {exc}")
    if problem is not None:
        return Check("cơ sở dữ liệu", False, str(DatabaseCorrupt(path, problem)))
    if version > len(MIGRATIONS):
        return Check("cơ sở dữ liệu", False, f"lược đồ v{version} mới hơn phần mềm")
    return Check("cơ sở dữ liệu", True, f"{path}, lược đồ v{version}/{len(MIGRATIONS)}, {mode}")
