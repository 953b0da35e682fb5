"""How a survey is going in a scope, for the staff dashboard: responses per class and per day,
started against submitted, the last answer; the respondents one a row; each school's counts.

Every query takes the scope's school codes (None: every school) and nothing else decides which
rows are read, so a page can only show what the caller's scope covers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.answering.knowledge import DistrictTargets
from bot.answering.text import fold
from bot.people.staff import Scope
from bot.reports import report as reports
from bot.storage.database import only_schools, open_reader
from bot.surveys.model import Survey
from bot.surveys.responses import load_records

CLASS_QUESTIONS = ("class",)  # a typed class ("9A1")
GRADE_QUESTIONS = ("grade",)  # else the grade chosen ("Lớp 9")
NAME_QUESTIONS = ("name", "contact")  # a name the student chose to give
NO_CLASS = "Chưa ghi lớp"
PAGE_SIZE = 50


@dataclass(frozen=True)
class Respondent:
    response_id: int
    school_code: str | None
    klass: str
    name: str
    status: str  # "in_progress" or "submitted"
    started_at: str
    updated_at: str
    submitted_at: str | None


@dataclass
class SurveyProgress:
    survey: Survey
    started: int = 0
    submitted: int = 0
    last_at: str | None = None  # local time, "2026-10-01 15:05"
    per_class: list[tuple[str, int, int]] = field(default_factory=list)  # class, started, sent
    per_day: list[tuple[str, int, int]] = field(default_factory=list)  # day, started, sent


def _first(answers: dict[str, Any], ids: tuple[str, ...]) -> Any:
    return next((answers[q] for q in ids if answers.get(q) not in (None, "")), None)


def _class_of(survey: Survey, answers: dict[str, Any]) -> str:
    typed = _first(answers, CLASS_QUESTIONS)
    if isinstance(typed, str) and typed.strip():
        return " ".join(typed.split()).upper()
    grade = _first(answers, GRADE_QUESTIONS)
    if grade is not None:
        question = next((survey.question(q) for q in GRADE_QUESTIONS if survey.question(q)), None)
        choice = next((c for c in (question.choices if question else ()) if c.code == grade),
                      None)
        return choice.label if choice else str(grade)
    return NO_CLASS


def respondents(db: sqlite_utils.Database, survey: Survey,
                school_codes: Collection[str] | None, year: str) -> list[Respondent]:
    """Everyone who started this survey this school year in these schools, newest first."""
    wanted = (*CLASS_QUESTIONS, *GRADE_QUESTIONS, *NAME_QUESTIONS)
    sql = ("SELECT id, school_code, status, started_at, updated_at, submitted_at "
           "FROM responses WHERE survey_id = ? AND school_year = ?")
    query = only_schools(sql, [survey.id, year], school_codes)
    if query is None:
        return []
    rows = list(db.query(query[0] + " ORDER BY updated_at DESC, id DESC", query[1]))
    answers: dict[int, dict[str, Any]] = {r["id"]: {} for r in rows}
    if rows:
        marks = ", ".join("?" * len(wanted))
        # The few questions a row shows, for the responses just read: one indexed scan.
        inner = query[0].replace("SELECT id, school_code, status, started_at, updated_at, "
                                 "submitted_at", "SELECT id", 1)
        for a in db.query(f"SELECT response_id, question_id, value FROM answers "  # noqa: S608
                          f"WHERE question_id IN ({marks}) AND response_id IN ({inner})",
                          [*wanted, *query[1]]):
            answers[a["response_id"]][a["question_id"]] = json.loads(a["value"])
    out = []
    for r in rows:
        given = answers[r["id"]]
        name = _first(given, NAME_QUESTIONS)
        out.append(Respondent(r["id"], r["school_code"], _class_of(survey, given),
                              name if isinstance(name, str) else "", r["status"],
                              r["started_at"] or "", r["updated_at"] or "", r["submitted_at"]))
    return out


def local(stamp: str | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if not stamp:
        return ""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone(zone).strftime(fmt)
    except ValueError:
        return stamp[:16]


def progress(survey: Survey, people: list[Respondent], zone: ZoneInfo) -> SurveyProgress:
    out = SurveyProgress(survey, len(people), sum(p.status == "submitted" for p in people))
    out.last_at = local(max((p.updated_at for p in people), default=None), zone) or None
    classes: Counter[str] = Counter(p.klass for p in people)
    sent: Counter[str] = Counter(p.klass for p in people if p.status == "submitted")
    out.per_class = [(k, classes[k], sent[k]) for k in sorted(classes, key=_class_key)]
    days: Counter[str] = Counter(local(p.started_at, zone, "%Y-%m-%d") for p in people)
    sent_days: Counter[str] = Counter(local(p.submitted_at, zone, "%Y-%m-%d")
                                      for p in people if p.submitted_at)
    out.per_day = [(d, days[d], sent_days[d]) for d in sorted(set(days) | set(sent_days),
                                                              reverse=True)]
    return out


def _class_key(name: str) -> tuple[bool, str]:
    """9A2 before 9A10 before 12C1 (numbers compared as numbers); "Chưa ghi lớp" last."""
    return name == NO_CLASS, re.sub(r"\d+", lambda m: m.group().zfill(6), name)


@dataclass(frozen=True)
class Page:
    rows: list[Respondent]
    number: int
    pages: int
    total: int
    classes: list[str]


def page_of(people: list[Respondent], klass: str, search: str, number: int) -> Page:
    """The class filter, then the search (class or name, accents optional), then one page."""
    classes = sorted({p.klass for p in people}, key=_class_key)
    chosen = [p for p in people if not klass or p.klass == klass]
    needle = fold(search).strip().lower()
    if needle:
        chosen = [p for p in chosen if needle in fold(f"{p.klass} {p.name}").lower()]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    number = min(max(1, number), pages)
    start = (number - 1) * PAGE_SIZE
    return Page(chosen[start:start + PAGE_SIZE], number, pages, len(chosen), classes)


def school_counts(db: sqlite_utils.Database, school_codes: Collection[str] | None, year: str
                  ) -> list[tuple[str, str, int, int]]:
    """(code, name, started, submitted) of each school in the scope, this school year."""
    sql = ("SELECT s.code AS code, s.name AS name, count(r.id) AS started, "
           "coalesce(sum(r.status = 'submitted'), 0) AS submitted FROM schools s "
           "LEFT JOIN responses r ON r.school_code = s.code AND r.school_year = ? WHERE 1")
    if school_codes is not None:
        codes = sorted(school_codes)
        if not codes:
            return []
        sql += f" AND s.code IN ({', '.join('?' * len(codes))})"
        params: list[Any] = [year, *codes]
    else:
        params = [year]
    return [(r["code"], r["name"], int(r["started"]), int(r["submitted"]))
            for r in db.query(sql + " GROUP BY s.code ORDER BY s.name", params)]


def report_table(db_path: str, survey: Survey, scope: Scope, districts: DistrictTargets | None,
                 year: str) -> reports.Report:
    """The report against the targets (no chart), in the worker process for the report page:
    the same records and rules as `careerbot report` and /baocao."""
    db = open_reader(db_path)
    try:
        records = load_records(db, survey.id, scope.school_codes, year)
    finally:
        db.close()
    return reports.build_report(survey, records, scope, districts, year)
