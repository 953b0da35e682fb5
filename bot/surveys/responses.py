"""Survey responses in SQLite: one per user, survey and school year; every answer as it arrives."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage.database import iso, now_utc, only_schools
from bot.storage.writer import Writer

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True)
class Response:
    """A respondent's progress through one survey, with every answer stored so far."""

    id: int
    survey_id: str
    user_id: int
    school_code: str | None
    school_year: str
    status: str  # "in_progress" or "submitted"
    current: str | None  # the question on screen
    active: bool  # the user is in the survey flow (their next text may be an answer)
    editing: bool  # changing one answer from the summary: return there afterwards
    skipped: frozenset[str]
    answers: dict[str, Any]
    submitted_at: str | None = None


class ResponseGone(LookupError):
    """The response was deleted after it was read (restarted, erased, purged): the step that
    read it must not write to it, and the user is told to start again."""


def _response(db: sqlite_utils.Database, row: dict[str, Any]) -> Response:
    answers = {a["question_id"]: json.loads(a["value"]) for a in db.query(
        "SELECT question_id, value FROM answers WHERE response_id = ?", [row["id"]])}
    return Response(row["id"], row["survey_id"], row["user_id"], row["school_code"],
                    row["school_year"], row["status"], row["current"], bool(row["active"]),
                    bool(row["editing"]), frozenset(json.loads(row["skipped"] or "[]")),
                    answers, row["submitted_at"])


def _reread(db: sqlite_utils.Database, response_id: int) -> Response:
    rows = list(db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
    if not rows:
        raise ResponseGone(response_id)
    return _response(db, rows[0])


def _update(db: sqlite_utils.Database, response_id: int, sql: str, params: list[Any]) -> None:
    """UPDATE responses ... WHERE id = ?; ResponseGone if the row is no longer there."""
    if db.execute(sql + " WHERE id = ?", [*params, response_id]).rowcount == 0:
        raise ResponseGone(response_id)


def _find(db: sqlite_utils.Database, user_id: int, survey_id: str, year: str
          ) -> Response | None:
    rows = list(db.query("SELECT * FROM responses WHERE user_id = ? AND survey_id = ? "
                         "AND school_year = ?", [user_id, survey_id, year]))
    return _response(db, rows[0]) if rows else None


class Responses:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, clock: Clock = now_utc
                 ) -> None:
        self.db = db
        self.writer = writer
        self.clock = clock
        # Who may have a survey waiting for typed text: every message asks, few do. Only
        # grows (start, save and move add), so a miss is certain and a hit is checked in SQL.
        self._maybe_active: set[int] = {r[0] for r in db.execute(
            "SELECT DISTINCT user_id FROM responses WHERE active = 1 "
            "AND status = 'in_progress'").fetchall()}

    # --- reads -------------------------------------------------------------------------------
    def find(self, user_id: int, survey_id: str, year: str) -> Response | None:
        return _find(self.db, user_id, survey_id, year)

    def get(self, response_id: int) -> Response | None:
        rows = list(self.db.query("SELECT * FROM responses WHERE id = ?", [response_id]))
        return _response(self.db, rows[0]) if rows else None

    def awaiting_text(self, user_id: int) -> Response | None:
        """The response whose current question waits for the user to type (if any)."""
        if user_id not in self._maybe_active:
            return None
        rows = list(self.db.query("SELECT * FROM responses WHERE user_id = ? AND active = 1 "
                                  "AND status = 'in_progress' ORDER BY updated_at DESC LIMIT 1",
                                  [user_id]))
        return _response(self.db, rows[0]) if rows else None

    def of_user(self, user_id: int) -> list[Response]:
        return [_response(self.db, r) for r in self.db.query(
            "SELECT * FROM responses WHERE user_id = ? ORDER BY id", [user_id])]

    # --- writes (each awaited before anything is acknowledged) --------------------------------
    async def start(self, user_id: int, survey_id: str, version: int, year: str,
                    school_code: str | None, first: str | None) -> Response:
        """Begin (or begin again, replacing) the user's response for this school year."""
        at = iso(self.clock())
        self._maybe_active.add(user_id)

        def start(db: sqlite_utils.Database) -> Response:
            old = _find(db, user_id, survey_id, year)
            if old is not None:
                db.execute("DELETE FROM answers WHERE response_id = ?", [old.id])
                db.execute("DELETE FROM responses WHERE id = ?", [old.id])
            db.execute(
                "INSERT INTO responses (survey_id, survey_version, user_id, school_code, "
                "school_year, status, current, active, editing, skipped, started_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, 'in_progress', ?, 1, 0, '[]', ?, ?)",
                [survey_id, version, user_id, school_code, year, first, at, at])
            found = _find(db, user_id, survey_id, year)
            assert found is not None  # noqa: S101 - inserted just above
            return found

        return await self.writer.write(start)

    async def save(self, response: Response, question_id: str, value: Any,
                   keep: Collection[str], current: str | None, editing: bool = False,
                   school_code: str | None = None) -> Response:
        """Store one answer, drop answers to questions no longer shown, move to `current`."""
        at = iso(self.clock())
        skipped = sorted((set(response.skipped) - {question_id}) & set(keep))
        self._maybe_active.add(response.user_id)

        def save(db: sqlite_utils.Database) -> Response:
            _update(db, response.id, "UPDATE responses SET current = ?, active = 1, editing = ?, "
                    "skipped = ?, updated_at = ?, school_code = coalesce(?, school_code)",
                    [current, int(editing), json.dumps(skipped), at, school_code])
            db.execute("INSERT INTO answers (response_id, question_id, value, answered_at) "
                       "VALUES (?, ?, ?, ?) ON CONFLICT(response_id, question_id) DO UPDATE "
                       "SET value = excluded.value, answered_at = excluded.answered_at",
                       [response.id, question_id, json.dumps(value, ensure_ascii=False), at])
            stale = [q for q in response.answers if q not in keep and q != question_id]
            for qid in stale:
                db.execute("DELETE FROM answers WHERE response_id = ? AND question_id = ?",
                           [response.id, qid])
            return _reread(db, response.id)

        return await self.writer.write(save)

    async def move(self, response: Response, current: str | None, *, skip: str | None = None,
                   active: bool = True, editing: bool = False) -> Response:
        """Show another question (back, skip, edit, resume) without changing any answer."""
        at = iso(self.clock())
        skipped = sorted(set(response.skipped) | ({skip} if skip else set()))
        if active:
            self._maybe_active.add(response.user_id)

        def move(db: sqlite_utils.Database) -> Response:
            _update(db, response.id, "UPDATE responses SET current = ?, active = ?, editing = ?, "
                    "skipped = ?, updated_at = ?",
                    [current, int(active), int(editing), json.dumps(skipped), at])
            return _reread(db, response.id)

        return await self.writer.write(move)

    async def submit(self, response: Response) -> None:
        at = iso(self.clock())
        await self.writer.write(lambda db: _update(
            db, response.id, "UPDATE responses SET status = 'submitted', submitted_at = ?, "
            "current = NULL, active = 0, editing = 0, updated_at = ?", [at, at]))

    async def flag_suspect(self, response_id: int) -> None:
        """A submission from an address that sent more for the school this hour than a class
        would: kept, and counted apart as "đáng ngờ" in the school's report."""
        await self.writer.write(lambda db: db.execute(
            "UPDATE responses SET suspect = 1 WHERE id = ?", [response_id]))

    async def pause_all(self, user_id: int) -> int:
        """Leave the survey flow (answers kept); returns how many surveys were paused."""
        return int(await self.writer.write(lambda db: db.execute(
            "UPDATE responses SET active = 0 WHERE user_id = ? AND active = 1",
            [user_id]).rowcount))


# --- for exports and reports ---------------------------------------------------------------------
@dataclass(frozen=True)
class ResponseRecord:
    """A submitted response as exports and reports see it."""

    id: int
    survey_id: str
    school_code: str | None
    school_year: str
    submitted_at: str | None
    answers: dict[str, Any]
    channel: str = "telegram"  # where the respondent answered: telegram, web, terminal


def load_records(db: sqlite_utils.Database, survey_id: str,
                 school_codes: Collection[str] | None, school_year: str | None = None
                 ) -> list[ResponseRecord]:
    """Submitted responses of a survey, limited to the given schools (None: every school)."""
    sql = ("SELECT *, (SELECT channel FROM accounts WHERE accounts.user_id = responses.user_id "
           "ORDER BY channel DESC LIMIT 1) AS channel FROM responses "
           "WHERE survey_id = ? AND status = 'submitted'")
    params: list[Any] = [survey_id]
    if school_year:
        sql += " AND school_year = ?"
        params.append(school_year)
    query = only_schools(sql, params, school_codes)
    if query is None:
        return []
    rows = list(db.query(query[0] + " ORDER BY id", query[1]))
    answers: dict[int, dict[str, Any]] = {r["id"]: {} for r in rows}
    if rows:
        marks = ", ".join("?" * len(rows))
        for a in db.query(f"SELECT response_id, question_id, value FROM answers "  # noqa: S608
                          f"WHERE response_id IN ({marks})", [r["id"] for r in rows]):
            answers[a["response_id"]][a["question_id"]] = json.loads(a["value"])
    return [ResponseRecord(r["id"], r["survey_id"], r["school_code"], r["school_year"],
                           r["submitted_at"], answers[r["id"]], r["channel"] or "telegram")
            for r in rows]


def suspect_count(db: sqlite_utils.Database, survey_id: str, school_codes: Collection[str] | None,
                  year: str) -> int:
    """Submitted responses marked suspect (Responses.flag_suspect), for these schools (None:
    every school) and school year."""
    sql = ("SELECT count(*) FROM responses WHERE survey_id = ? AND school_year = ? "
           "AND status = 'submitted' AND suspect = 1")
    params: list[Any] = [survey_id, year]
    if school_codes is not None:
        sql += f" AND school_code IN ({', '.join('?' * len(school_codes))})"
        params += list(school_codes)
    return int(db.execute(sql, params).fetchone()[0])
