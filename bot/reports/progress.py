"""How a survey is going in a scope, for the staff dashboard: responses per class and per day,
started against submitted, the last answer; the respondents one a row; each school's counts.

Every query takes the scope's school codes (None: every school) and nothing else decides which
rows are read, so a page can only show what the caller's scope covers."""

from __future__ import annotations

import datetime as dt
import functools
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


def _picked(ids: tuple[str, ...], alias: str) -> tuple[str, str]:
    """A LEFT JOIN per question (the answers' primary key finds each) and the first answer
    given among them, decoded from JSON by SQLite."""
    joins = "".join(f" LEFT JOIN answers {alias}{n} ON {alias}{n}.response_id = r.id AND "
                    f"{alias}{n}.question_id = '{qid}'" for n, qid in enumerate(ids))
    value = "coalesce(" + ", ".join(f"json_extract({alias}{n}.value, '$')"
                                    for n in range(len(ids))) + ", NULL)"
    return joins, value


_CLASS = _picked(CLASS_QUESTIONS, "c")
_GRADE = _picked(GRADE_QUESTIONS, "g")
_NAME = _picked(NAME_QUESTIONS, "n")
# Built from the fixed question ids above, never from input.
_SELECT = (
    "SELECT r.id, r.school_code, r.status, r.started_at, r.updated_at, r.submitted_at, "  # noqa: S608
    f"{_CLASS[1]}, {_GRADE[1]}, {_NAME[1]} FROM responses r{_CLASS[0]}{_GRADE[0]}"
    f"{_NAME[0]} WHERE r.survey_id = ? AND r.school_year = ?")


def _class_name(survey: Survey, typed: Any, grade: Any) -> str:
    if isinstance(typed, str) and typed.strip():
        return " ".join(typed.split()).upper()
    if grade is None:
        return NO_CLASS
    question = next((survey.question(q) for q in GRADE_QUESTIONS if survey.question(q)), None)
    choice = next((c for c in (question.choices if question else ()) if c.code == str(grade)),
                  None)
    return choice.label if choice else str(grade)


def respondents(db: sqlite_utils.Database, survey: Survey,
                school_codes: Collection[str] | None, year: str) -> list[Respondent]:
    """Everyone who started this survey this school year in these schools, newest first:
    one query, the few answers a row shows picked by SQLite."""
    query = only_schools(_SELECT, [survey.id, year], school_codes)
    if query is None:
        return []
    sql = query[0].replace(" AND school_code IN", " AND r.school_code IN", 1)
    rows = db.execute(sql + " ORDER BY r.updated_at DESC, r.id DESC", query[1]).fetchall()
    classes: dict[tuple[Any, Any], str] = {}
    out = []
    for rid, school, status, started, updated, submitted, typed, grade, name in rows:
        klass = classes.get((typed, grade))
        if klass is None:
            klass = classes[(typed, grade)] = _class_name(survey, typed, grade)
        out.append(Respondent(rid, school, klass, name if isinstance(name, str) else "",
                              status, started or "", updated or "", submitted))
    return out


def local(stamp: str | None, zone: ZoneInfo) -> str:
    """"2026-10-01 15:05" in the school's time zone."""
    if not stamp:
        return ""
    offset = stamp[-6:] if len(stamp) > 21 and stamp[-6] in "+-" else ""
    return _local_minute(stamp[:16] + offset, zone)


@functools.lru_cache(maxsize=65_536)  # thousands of rows, far fewer distinct minutes
def _local_minute(minute: str, zone: ZoneInfo) -> str:
    try:
        return dt.datetime.fromisoformat(minute).astimezone(zone).isoformat(" ")[:16]
    except ValueError:
        return minute[:16]


def progress(survey: Survey, people: list[Respondent], zone: ZoneInfo) -> SurveyProgress:
    out = SurveyProgress(survey, len(people), sum(p.status == "submitted" for p in people))
    out.last_at = local(max((p.updated_at for p in people), default=None), zone) or None
    classes: Counter[str] = Counter(p.klass for p in people)
    sent: Counter[str] = Counter(p.klass for p in people if p.status == "submitted")
    out.per_class = [(k, classes[k], sent[k]) for k in sorted(classes, key=_class_key)]
    days: Counter[str] = Counter(local(p.started_at, zone)[:10] for p in people)
    sent_days: Counter[str] = Counter(local(p.submitted_at, zone)[:10]
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
