"""Survey responses as spreadsheets: CSV (UTF-8 with BOM) and XLSX, the same columns in both.

The headers read as KoBo/ODK exports read, so a school secretary and a province's analyst find
what they know: by default the full question text (never cut), in the analysts' variant
(`codes=True`) the question ids and the choices' codes. The columns are

    Mã phiếu | Mã trường | Tên trường | Năm học | Thời điểm gửi | Kênh
    (codes: response_id | school_code | school_name | school_year | submitted_at | channel)

then, per question in the survey's order:

- single: the chosen choice's label (codes: its code);
- multi: the chosen labels in one column (codes: the codes, space separated), then one column
  per choice named "question/choice", 1 if chosen, 0 if not;
- scale, number: the number; text, school: the text (school: the school's code).

Times are in the school's time zone with their offset ("2026-10-01 15:05:00+07:00").
A question the respondent did not answer (skipped, or hidden by a skip rule) leaves its cells
empty, multi columns included, so an empty cell never reads as "not chosen". Text that a
spreadsheet would run as a formula (=, +, -, @, tab, carriage return first, also behind
invisible or spacing characters, also in their full-width forms) gets a leading apostrophe:
answers are typed by students, and a cell like =HYPERLINK(...) must stay text. In the CSV every
field is quoted, and a formula character after a separator a spreadsheet may split on (comma,
semicolon, tab, line break) gets one too: Vietnamese Excel reads CSV with ";".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot.people.schools import School
from bot.reports.report import Report, indicator_rows
from bot.surveys.kinds import Cell, kind
from bot.surveys.model import Question, Survey
from bot.surveys.responses import ResponseRecord

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HANGUL_FILLERS = "\u115f\u1160\u3164\uffa0"  # letters by category, blank on screen
DEFAULT_ZONE = "Asia/Ho_Chi_Minh"
_SPLIT_ON = re.compile(r"[,;\t\r\n]")  # what a spreadsheet may split a CSV line on
_MAX_WIDTH = 50  # XLSX column width cap (characters)
_MIN_WIDTH = 6
SUMMARY_TITLE = "Tổng hợp"
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})



def _unseen(char: str) -> bool:
    """Characters nobody sees at the start of a cell, which a spreadsheet may drop before it
    decides whether the cell is a formula: format (soft hyphen, zero-width, U+180E...),
    control, separators (spaces of every width), combining marks with nothing to combine
    with, Hangul fillers. Tab and carriage return count as formula characters themselves."""
    if char in "\t\r":
        return False
    return unicodedata.category(char)[0] in "CZM" or char in _HANGUL_FILLERS


def _reads_as_formula(text: str) -> bool:
    for char in text:
        # NFKC, as a spreadsheet may fold "＝" (full-width) or "﹦" (small) into "="
        shown = unicodedata.normalize("NFKC", char)
        if all(_unseen(c) for c in shown):
            continue
        return shown.startswith(_FORMULA_START)
    return False


def neutralize(text: str) -> str:
    """Text a spreadsheet would read as a formula, made plain text with a leading apostrophe
    (the rest of the text unchanged, so it stays readable).

    Invisible, spacing or full-width characters in front do not hide a formula: some tools
    drop or fold them before deciding.
    """
    risky = text.startswith(_FORMULA_START) or _reads_as_formula(text)
    return "'" + text if risky else text


def neutralize_parts(text: str) -> str:
    """neutralize() for the text and for every piece of it after a character a spreadsheet
    may split a CSV line on: "Lan 9A1;=cmd|..." read with ";" must not hold a formula."""
    text = neutralize(text)  # first the whole: a tab or CR first is a formula character itself
    pieces = _SPLIT_ON.split(text)
    if len(pieces) == 1:
        return text
    seps = _SPLIT_ON.findall(text)
    out = [pieces[0]]
    for sep, piece in zip(seps, pieces[1:], strict=True):
        out += [sep, neutralize(piece)]
    return "".join(out)


FIXED = (("response_id", "Mã phiếu"), ("school_code", "Mã trường"),
         ("school_name", "Tên trường"), ("school_year", "Năm học"),
         ("submitted_at", "Thời điểm gửi"), ("channel", "Kênh"))


def header(survey: Survey, codes: bool = False) -> list[str]:
    """The header row shared by the CSV and every XLSX survey sheet (each name once)."""
    cells = [key if codes else label for key, label in FIXED]
    for q in survey.questions:  # each question type says which columns it fills
        cells += kind(q.type).columns(q, codes)
    seen: dict[str, int] = {}
    unique = []
    for cell in cells:  # two questions with the same text: the second is numbered
        n = seen[cell] = seen.get(cell, 0) + 1
        unique.append(cell if n == 1 else f"{cell} ({n})")
    return unique


def local_time(stamp: str | None, zone: str = DEFAULT_ZONE) -> str:
    """A stored UTC time in the school's time zone, with its offset."""
    if not stamp:
        return ""
    try:
        when = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return neutralize(stamp)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(ZoneInfo(zone)).isoformat(sep=" ", timespec="seconds")


def _answer_cells(q: Question, answers: Mapping[str, Any], codes: bool) -> list[Cell]:
    kind_of = kind(q.type)
    if q.id not in answers or answers[q.id] is None:
        return [""] * len(kind_of.columns(q, codes))
    return [neutralize(c) if isinstance(c, str) else c
            for c in kind_of.cells(q, answers[q.id], codes)]


def rows(survey: Survey, records: Sequence[ResponseRecord], schools: Mapping[str, School],
         codes: bool = False, zone: str = DEFAULT_ZONE) -> list[list[Cell]]:
    """One row per response, in the header's column order (values typed: str, int, float)."""
    out: list[list[Cell]] = []
    for r in records:
        school = schools.get(r.school_code) if r.school_code else None
        row: list[Cell] = [r.id, neutralize(r.school_code or ""),
                           neutralize(school.name if school else ""), r.school_year,
                           local_time(r.submitted_at, zone), r.channel]
        for q in survey.questions:
            row += _answer_cells(q, r.answers, codes)
        out.append(row)
    return out


def csv_bytes(survey: Survey, records: Sequence[ResponseRecord],
              schools: Mapping[str, School], codes: bool = False,
              zone: str = DEFAULT_ZONE) -> bytes:
    """The responses as CSV; the BOM makes Excel read UTF-8 (Vietnamese) correctly. Every
    field is quoted, so a separator inside an answer never starts a new cell."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([neutralize_parts(h) for h in header(survey, codes)])
    writer.writerows([[neutralize_parts(c) if isinstance(c, str) else c for c in row]
                      for row in rows(survey, records, schools, codes, zone)])
    return (BOM + buffer.getvalue()).encode("utf-8")


# --- XLSX --------------------------------------------------------------------------------------
def sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unused sheet title: at most 31 characters, none of []:*?/\\ ."""
    base = " ".join(text.translate(_BAD_TITLE).split()).strip("'") or "Khảo sát"
    title = base[:31].rstrip(" '")
    n = 2
    while title.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)].rstrip(" '") + suffix
        n += 1
    taken.add(title)
    return title


# openpyxl is imported where used: the bot loads this module, but few users ever export
def _cell(value: Cell) -> Cell:
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

        # openpyxl refuses control characters; a school name pasted from elsewhere may hold one
        return neutralize(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def _fill(ws: Any, head: Sequence[str], body: Sequence[Sequence[Cell]],
          autofilter: bool = True) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws.append([_cell(h) for h in head])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in body:
        ws.append([_cell(v) for v in row])
    ws.freeze_panes = "A2"
    if body and autofilter:
        ws.auto_filter.ref = ws.dimensions
    for i, title in enumerate(head, start=1):
        longest = max([len(str(title))] + [len(str(row[i - 1])) for row in body
                                            if i - 1 < len(row)])
        ws.column_dimensions[get_column_letter(i)].width = \
            min(_MAX_WIDTH, max(_MIN_WIDTH, longest + 2))


def _summary(ws: Any, sheets: Sequence[tuple[Survey, Sequence[ResponseRecord]]],
             report: Report | None) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    _fill(ws, ["Khảo sát", "Mã khảo sát", "Số phiếu đã gửi"],
          [[s.title, s.id, len(records)] for s, records in sheets], autofilter=False)
    if report is None:
        return
    ws.append([])
    ws.append([_cell("Báo cáo so với chỉ tiêu")])
    ws.cell(ws.max_row, 1).font = bold
    ws.append([_cell(f"Đơn vị: {report.scope_name}")])
    ws.append([_cell(f"Năm học: {report.school_year}")])
    ws.append([_cell(f"Số học sinh tham gia khảo sát: {report.total}")])
    ws.append([])
    ws.append(["STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký (%)", "Kết quả khảo sát (%)",
               "Số học sinh", "Tổng số học sinh", "Đánh giá"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    for row in indicator_rows(report):
        ws.append([_cell(v) if not isinstance(v, float) else round(v, 2) for v in row])
        for cell in ws[ws.max_row][2:4]:
            cell.number_format = "0.00"
    ws.column_dimensions["B"].width = _MAX_WIDTH
    for letter in "CDEFG":
        ws.column_dimensions[letter].width = 18


def xlsx_bytes(sheets: Sequence[tuple[Survey, Sequence[ResponseRecord]]],
               schools: Mapping[str, School], report: Report | None = None,
               codes: bool = False, zone: str = DEFAULT_ZONE) -> bytes:
    """A workbook: "Tổng hợp" (counts, and the report's indicators) then one sheet per survey."""
    from openpyxl import Workbook

    wb = Workbook()
    summary = wb.active
    summary.title = SUMMARY_TITLE
    taken = {SUMMARY_TITLE}
    _summary(summary, sheets, report)
    for survey, records in sheets:
        ws = wb.create_sheet(sheet_title(survey.title, taken))
        _fill(ws, header(survey, codes), rows(survey, records, schools, codes, zone))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
