"""What a school gets: survey exports and the report against targets, for one scope.

One implementation for the command line (`careerbot export`, `careerbot report`) and the bot's
/export and /baocao, so that both always produce the same files.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot import export as exports
from bot import report as reports
from bot.responses import load_records
from bot.services import Services
from bot.staff import Scope
from bot.survey import Survey
from bot.text import fold


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


def build_report(services: Services, scope: Scope, year: str) -> reports.Report | None:
    survey = report_survey(services)
    if survey is None:
        return None
    records = load_records(services.db, survey.id, scope.school_codes, year)
    return reports.build_report(survey, records, scope, services.kb.districts, year)


def export_document(services: Services, scope: Scope, surveys: Sequence[Survey], fmt: str,
                    year: str) -> Document:
    """CSV of one survey, or an XLSX workbook of several with a summary sheet."""
    schools = {s.code: s for s in services.schools.all()}
    sheets = [(s, load_records(services.db, s.id, scope.school_codes, year)) for s in surveys]
    count = sum(len(records) for _, records in sheets)
    if fmt == "csv":
        survey, records = sheets[0]
        return Document(f"khaosat-{survey.id}-{_slug(scope.name)}-{year}.csv",
                        exports.csv_bytes(survey, records, schools), count)
    report = build_report(services, scope, year)
    return Document(f"khaosat-{_slug(scope.name)}-{year}.xlsx",
                    exports.xlsx_bytes(sheets, schools, report), count)
