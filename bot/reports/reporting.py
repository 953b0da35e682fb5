"""What a school gets: survey exports and the report against targets, for one scope.

One implementation for the command line (`careerbot export`, `careerbot report`) and the bot's
/export and /baocao, so that both always produce the same files: both call export_file() and
report_with_chart() with the arguments export_args() and report_args() make.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlite_utils

from bot import messages
from bot.answering.knowledge import DistrictTargets
from bot.answering.text import fold
from bot.people.schools import School
from bot.people.staff import Scope
from bot.reports import export as exports
from bot.reports import report as reports
from bot.storage.database import open_reader
from bot.surveys.model import Survey
from bot.surveys.responses import load_records, suspect_count

if TYPE_CHECKING:  # the worker process needs none of the services
    from bot.config import Settings
    from bot.services import Services


@dataclass(frozen=True)
class Layout:
    """How a file reads: the time zone of its times, codes or labels in its headers, the fewest
    responses an indicator needs before the report judges it."""

    zone: str = exports.DEFAULT_ZONE
    codes: bool = False
    minimum: int = reports.MIN_RESPONSES


def layout(settings: Settings, codes: bool = False) -> Layout:
    return Layout(settings.timezone, codes, settings.report_min_responses)


@dataclass(frozen=True)
class Document:
    filename: str
    data: bytes
    count: int  # submitted responses in it


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text).lower()).strip("-") or "tat-ca"


def report_survey(services: Services) -> Survey | None:
    """The survey whose answers feed the report (the one with a `report:` mapping)."""
    return next((s for s in services.surveys.surveys if s.report is not None), None)


def _schools(db: sqlite_utils.Database) -> dict[str, School]:
    return {row["code"]: School.from_row(row) for row in db.query("SELECT * FROM schools")}


def _report(db: sqlite_utils.Database, survey: Survey | None, scope: Scope,
            districts: DistrictTargets | None, year: str, how: Layout) -> reports.Report | None:
    if survey is None:
        return None
    records = load_records(db, survey.id, scope.school_codes, year)
    levels = reports.levels_of(list(_schools(db).get(c) for c in scope.school_codes or ()))
    report = reports.build_report(survey, records, scope, districts, year, how.minimum, levels)
    suspect = suspect_count(db, survey.id, scope.school_codes, year)
    if suspect:  # counted, but staff must see that some came in a burst from one address
        report.notes.insert(0, messages.REPORT_SUSPECT.format(count=suspect))
    return report


def _export(db: sqlite_utils.Database, scope: Scope, surveys: Sequence[Survey], fmt: str,
            year: str, with_report: Survey | None, districts: DistrictTargets | None,
            how: Layout) -> Document:
    schools = _schools(db)
    sheets = [(s, load_records(db, s.id, scope.school_codes, year)) for s in surveys]
    count = sum(len(records) for _, records in sheets)
    variant = "-ma" if how.codes else ""
    if fmt == "csv":
        survey, records = sheets[0]
        return Document(f"khaosat-{survey.id}-{_slug(scope.name)}-{year}{variant}.csv",
                        exports.csv_bytes(survey, records, schools, how.codes, how.zone), count)
    report = _report(db, with_report, scope, districts, year, how)
    return Document(f"khaosat-{_slug(scope.name)}-{year}{variant}.xlsx",
                    exports.xlsx_bytes(sheets, schools, report, how.codes, how.zone), count)


def export_args(services: Services, scope: Scope, surveys: Sequence[Survey], fmt: str,
                year: str, codes: bool = False) -> tuple[Any, ...]:
    """export_file()'s arguments, for /export (in the worker) and `careerbot export` alike."""
    return (str(services.settings.db_path), scope, list(surveys), fmt, year,
            report_survey(services), services.kb.districts, layout(services.settings, codes))


def report_args(services: Services, scope: Scope, year: str) -> tuple[Any, ...]:
    """report_with_chart()'s arguments, for /baocao and `careerbot report` alike."""
    return (str(services.settings.db_path), report_survey(services), scope,
            services.kb.districts, year, layout(services.settings))


def export_document(services: Services, scope: Scope, surveys: Sequence[Survey], fmt: str,
                    year: str, codes: bool = False) -> Document:
    """The file `careerbot export` writes and /export sends, built here and now."""
    return export_file(*export_args(services, scope, surveys, fmt, year, codes))


def build_report(services: Services, scope: Scope, year: str) -> reports.Report | None:
    return _report(services.db, report_survey(services), scope, services.kb.districts, year,
                   layout(services.settings))


# --- in a worker process (bot/builds.py) or the command line: plain arguments, its own
# read-only connection ------------------------------------------------------------------------
def export_file(db_path: str, scope: Scope, surveys: Sequence[Survey], fmt: str, year: str,
                with_report: Survey | None, districts: DistrictTargets | None,
                how: Layout = Layout()) -> Document:
    """CSV of one survey, or an XLSX workbook of several with a summary sheet."""
    db = open_reader(db_path)
    try:
        return _export(db, scope, surveys, fmt, year, with_report, districts, how)
    finally:
        db.close()


def report_with_chart(db_path: str, survey: Survey | None, scope: Scope,
                      districts: DistrictTargets | None, year: str, how: Layout = Layout()
                      ) -> tuple[reports.Report, bytes] | None:
    """The report and its bar chart (PNG), or None when no survey has a report."""
    from bot.reports.chart import chart_png  # matplotlib: only where a chart is drawn

    db = open_reader(db_path)
    try:
        report = _report(db, survey, scope, districts, year, how)
    finally:
        db.close()
    return None if report is None else (report, chart_png(report))
