"""Many submitted survey responses at once, straight into SQLite (exports, reports, benches)."""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

from bot.storage.database import open_db

PLANS = ["thpt", "trung_cap", "so_cap", "di_lam", "chua_biet"]
FIELDS = ["cntt", "co_khi", "dien", "xay_dung", "du_lich"]


def seed_needs_responses(db_path: Path | str, count: int, schools: list[str], year: str,
                         first_user: int = 5_000_000, seed: int = 1) -> None:
    """`count` submitted answers to the needs survey, spread over `schools` (which must exist
    or are created with their code as name)."""
    rng = random.Random(seed)
    open_db(db_path).close()  # created and migrated
    conn = sqlite3.connect(str(db_path))
    try:
        with conn:
            conn.executemany("INSERT OR IGNORE INTO schools (code, name) VALUES (?, ?)",
                             [(code, f"Trường {code}") for code in schools])
            conn.executemany("INSERT INTO users (id, created_at) VALUES (?, '2026-09-01')",
                             [(first_user + i,) for i in range(count)])
            for i in range(count):
                school = schools[i % len(schools)]
                cursor = conn.execute(
                    "INSERT INTO responses (survey_id, survey_version, user_id, school_code, "
                    "school_year, status, active, editing, skipped, started_at, updated_at, "
                    "submitted_at) VALUES ('needs', 1, ?, ?, ?, 'submitted', 0, 0, '[]', "
                    "'2026-10-01T08:00:00+00:00', '2026-10-01T08:05:00+00:00', "
                    "'2026-10-01T08:05:00+00:00')", [first_user + i, school, year])
                answers = {"grade": rng.choice(["9", "12"]), "school": school,
                           "class": f"9A{rng.randint(1, 9)}", "plan": rng.choice(PLANS),
                           "field": rng.sample(FIELDS, 2), "abroad": "no",
                           "barriers": ["tai_chinh"], "counsellor": rng.choice(["yes", "no"])}
                _insert_answers(conn, cursor.lastrowid, answers)
    finally:
        conn.close()


def _insert_answers(conn: sqlite3.Connection, response_id: int | None, answers: dict) -> None:
    conn.executemany(
        "INSERT INTO answers (response_id, question_id, value, answered_at) "
        "VALUES (?, ?, ?, '2026-10-01T08:04:00+00:00')",
        [(response_id, q, json.dumps(v)) for q, v in answers.items()])


def seed_response(db_path: Path | str, user_id: int, survey_id: str, year: str,
                  answers: dict, *, school: str | None = None, current: str | None = None
                  ) -> None:
    """One response in progress (at the summary when `current` is None)."""
    open_db(db_path).close()
    conn = sqlite3.connect(str(db_path))
    try:
        with conn:
            if school is not None:
                conn.execute("INSERT OR IGNORE INTO schools (code, name) VALUES (?, ?)",
                             [school, f"Trường {school}"])
            conn.execute("INSERT OR IGNORE INTO users (id, created_at) VALUES (?, '2026-09-01')",
                         [user_id])
            cursor = conn.execute(
                "INSERT INTO responses (survey_id, survey_version, user_id, school_code, "
                "school_year, status, current, active, editing, skipped, started_at, "
                "updated_at) VALUES (?, 1, ?, ?, ?, 'in_progress', ?, 1, 0, '[]', "
                "'2026-10-01T08:00:00+00:00', '2026-10-01T08:05:00+00:00')",
                [survey_id, user_id, school, year, current])
            _insert_answers(conn, cursor.lastrowid, answers)
    finally:
        conn.close()
