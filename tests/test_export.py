"""Exports: CSV with a BOM and XLSX, read back with the csv module and openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bot.people.schools import School
from bot.people.staff import Scope
from bot.reports.export import csv_bytes, header, neutralize, sheet_title, xlsx_bytes
from bot.reports.report import build_report
from bot.storage.database import open_db
from bot.surveys.model import Survey
from bot.surveys.responses import ResponseRecord, load_records
from tests.test_report import SCHOOL_A, SCHOOL_B, YEAR, fixture_survey, seed_database

SCHOOLS = {s.code: s for s in (SCHOOL_A, SCHOOL_B)}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Any]:
    """School A (18 responses) and school B (7), as test_report.py describes them."""
    seed_database(tmp_path / "careerbot.db")
    database = open_db(tmp_path / "careerbot.db")
    yield database
    database.close()


@pytest.fixture
def survey() -> Survey:
    return fixture_survey()


def _read_csv(data: bytes) -> tuple[list[str], list[dict[str, str]]]:
    """The header row and the rows keyed by it."""
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))
    head = rows[0]
    return head, [dict(zip(head, row, strict=True)) for row in rows[1:]]


def _codes_csv(survey: Survey, records: Any, schools: Any = None
               ) -> tuple[list[str], list[dict[str, str]]]:
    """The analysts' variant: question ids and choice codes as headers."""
    return _read_csv(csv_bytes(survey, records, SCHOOLS if schools is None else schools,
                               codes=True))


@pytest.mark.parametrize("text", ["=1+1", "+84 912 345 678", "-5", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://x\")", " =1", "  -1"])
def test_text_that_would_start_a_formula_gets_a_leading_apostrophe(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", [
    "＝1+1", "＋1", "－1", "＠SUM(A1)", "﹦1+1",  # full-width and small forms: "=" under NFKC
    "\u00ad=1+1", "\u180e=1+1", "\u200b=1+1", "\u2060=1", "\ufeff+1", "\u200e-1",  # format
    "\u0301=1+1", "\u034f=1",  # a combining mark with nothing to combine with
    "\u3000=1", "\u00a0=1", "\u2028=1", "\x1f=1", "\u3164=1",  # spaces, controls, a filler
    "\u200b\u00ad ＝HYPERLINK(\"http://x\")",
])
def test_invisible_or_full_width_prefixes_do_not_hide_a_formula(text):
    assert neutralize(text) == "'" + text


@pytest.mark.parametrize("text", ["", "Trường A", "1=1", "'=1", "9A1", "Đức Hòa", "e\u0301=1",
                                  "\u200b'=1", "１２", "Ａ=1"])
def test_other_text_is_left_unchanged(text):
    assert neutralize(text) == text


def test_csv_headers_are_the_full_question_labels_as_kobo_exports_them(db, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    head, rows = _read_csv(csv_bytes(survey, records, SCHOOLS))
    assert head[:6] == ["Mã phiếu", "Mã trường", "Tên trường", "Năm học", "Thời điểm gửi",
                        "Kênh"]
    abroad = "Bạn có quan tâm đến việc đi làm việc hoặc học tập ở nước ngoài không?"
    assert abroad in head  # whole, not cut at 40 characters
    assert "Sau khi tốt nghiệp, bạn dự định làm gì?" in head
    field = "Bạn quan tâm đến ngành nghề nào?"
    at = head.index(field)  # a multiple choice: the chosen labels, then one 0/1 per choice
    assert head[at + 1:at + 3] == [f"{field}/Công nghệ thông tin", f"{field}/Điện - điện tử"]
    assert "Bạn quan tâm đến nước nào?/Nhật Bản" in head
    assert head == header(survey) and len(rows) == 18 and len(set(head)) == len(head)
    first = rows[0]
    assert first["Năm học này bạn học lớp mấy?"] == "Lớp 9"
    assert first["Sau khi tốt nghiệp, bạn dự định làm gì?"] == "Học trung cấp"
    assert first[field] == "Công nghệ thông tin, Điện - điện tử, Cơ khí - ô tô"
    assert (first[f"{field}/Công nghệ thông tin"], first[f"{field}/May - thời trang"]) == \
        ("1", "0")


def test_the_codes_variant_has_ids_and_codes_for_analysts(db, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    head, rows = _codes_csv(survey, records)
    assert head[:6] == ["response_id", "school_code", "school_name", "school_year",
                        "submitted_at", "channel"]
    assert head[head.index("field"):head.index("field") + 3] == ["field", "field/cntt",
                                                                 "field/dien"]
    assert rows[0]["field"] == "cntt dien co_khi" and rows[0]["plan"] == "trung_cap"
    assert head == header(survey, codes=True) and len(set(head)) == len(head)


def test_times_are_in_the_schools_time_zone_with_the_offset(db, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    stored = records[0].submitted_at
    assert stored is not None and stored.endswith("+00:00")
    _, rows = _codes_csv(survey, records)
    shown = rows[0]["submitted_at"]
    assert shown.endswith("+07:00")
    assert dt.datetime.fromisoformat(shown) == dt.datetime.fromisoformat(stored)
    _, elsewhere = _read_csv(csv_bytes(survey, records, SCHOOLS, codes=True, zone="UTC"))
    assert elsewhere[0]["submitted_at"].endswith("+00:00")
    ws = _workbook(xlsx_bytes([(survey, records)], SCHOOLS, None)).worksheets[1]
    assert ws.cell(2, 5).value == rows[0]["submitted_at"]


def test_csv_cells_hold_labels_codes_zero_one_numbers_and_neutralized_text(db, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    _, rows = _codes_csv(survey, records)
    first, second, last = rows[0], rows[1], rows[-1]
    assert first["response_id"] == str(records[0].id) and first["school_code"] == "DH01"
    assert first["school_name"] == SCHOOL_A.name and first["school_year"] == YEAR
    assert first["submitted_at"].startswith("2026-11-")
    assert first["grade"] == "9" and first["plan"] == "trung_cap"
    assert first["school"] == "DH01"
    assert first["class"] == "'=1+1"  # typed by a student: must never run as a formula
    assert first["contact"] == "'@Nguyễn Văn An 9A1"
    assert (first["hours"], second["hours"]) == ("2.5", "3")
    assert [first[f"field/{c}"] for c in ("cntt", "dien", "co_khi", "du_lich", "y_te", "may",
                                          "chua_biet")] == ["1", "1", "1", "0", "0", "0", "0"]
    assert (first["countries/jp"], first["countries/kr"], first["countries/tw"]) == \
        ("1", "1", "0")
    # not asked (countries hidden after "no"), skipped (field, class): empty, never 0
    assert last["abroad"] == "no" and last["countries/jp"] == "" and last["field/cntt"] == ""
    assert last["countries"] == "" and last["field"] == ""
    assert last["class"] == "" and last["hours"] == "" and last["contact"] == ""


@pytest.mark.parametrize("separator", [",", ";", "\t"])
def test_a_separator_inside_an_answer_never_makes_a_formula_cell(survey, separator):
    """Vietnamese Excel reads CSV with ";": "Lan 9A1;=cmd|..." must stay one text cell, and
    stay text even read by a tool that splits on every separator regardless of quotes."""
    typed = f"Lan 9A1{separator}=cmd|' /C calc'!A0"
    record = ResponseRecord(7, "needs", "DH01", YEAR, None, {"class": typed, "hours": 2})
    raw = csv_bytes(survey, [record], SCHOOLS).decode("utf-8-sig")
    line = raw.splitlines()[1]
    assert line.startswith('"') and line.count('"') >= 2 * len(header(survey))  # all quoted
    for sep in (",", ";", "\t"):
        for read in csv.reader(io.StringIO(raw, newline=""), delimiter=sep):
            assert not any(cell.lstrip().startswith(("=", "+", "-", "@")) for cell in read)
        for naive in raw.split(sep):  # no quotes honoured at all
            assert not naive.strip().strip('"').lstrip().startswith(("=", "+", "@")), naive
    _, rows = _codes_csv(survey, [record])
    assert rows[0]["class"] == f"Lan 9A1{separator}'=cmd|' /C calc'!A0"  # still readable


def test_the_csv_of_school_a_holds_no_response_of_school_b(db, survey):
    _, rows = _codes_csv(survey, load_records(db, survey.id, {"DH01"}, YEAR))
    assert {r["school_code"] for r in rows} == {"DH01"}
    _, everyone = _codes_csv(survey, load_records(db, survey.id, None, YEAR))
    assert {r["school_code"] for r in everyone} == {"DH01", "TT01"} and len(everyone) == 25


def test_school_names_and_unknown_schools_are_exported_safely(survey):
    record = ResponseRecord(7, "needs", "X1", YEAR, None, {"grade": "12"})
    schools = {"X1": School("X1", "=cmd|' /C calc'!A0", None, None, None)}
    _, rows = _codes_csv(survey, [record], schools)
    assert rows[0]["school_name"] == "'=cmd|' /C calc'!A0" and rows[0]["submitted_at"] == ""
    _, rows = _codes_csv(survey, [record], {})
    assert rows[0]["school_name"] == "" and rows[0]["plan"] == ""


# --- XLSX ----------------------------------------------------------------------------------------
def _workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_xlsx_has_a_summary_and_one_sheet_per_survey_with_a_bold_frozen_header(db, survey):
    other = survey.model_copy(update={"id": "needs2"})  # same title: the sheet names differ
    records = load_records(db, survey.id, None, YEAR)
    wb = _workbook(xlsx_bytes([(survey, records), (other, [])], SCHOOLS, None))
    # 31 characters at most: the second copy of the title is shortened to fit its number
    assert wb.sheetnames == ["Tổng hợp", "Nhu cầu sau tốt nghiệp (thử)",
                             "Nhu cầu sau tốt nghiệp (thử (2)"]
    for name in wb.sheetnames[1:]:
        ws = wb[name]
        assert [c.value for c in ws[1]] == header(survey)
        assert all(c.font.bold for c in ws[1]) and ws.freeze_panes == "A2"
    ws = wb[wb.sheetnames[1]]
    assert ws.max_row == 26
    summary = wb["Tổng hợp"]
    assert [c.value for c in summary[1]] == ["Khảo sát", "Mã khảo sát", "Số phiếu đã gửi"]
    assert [c.value for c in summary[2]] == ["Nhu cầu sau tốt nghiệp (thử)", "needs", 25]
    assert [c.value for c in summary[3]] == ["Nhu cầu sau tốt nghiệp (thử)", "needs2", 0]
    assert summary.max_row == 3  # no report given: no indicator table


def test_xlsx_cells_are_typed_and_formula_looking_text_stays_text(db, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    ws = _workbook(xlsx_bytes([(survey, records)], SCHOOLS, None, codes=True)).worksheets[1]
    column = {c.value: c.column for c in ws[1]}
    first = {key: ws.cell(2, col) for key, col in column.items()}
    assert first["class"].value == "'=1+1" and first["class"].data_type == "s"
    assert first["contact"].value == "'@Nguyễn Văn An 9A1"
    assert first["response_id"].value == records[0].id
    assert first["hours"].value == 2.5 and first["field/cntt"].value == 1
    assert first["field/may"].value == 0 and first["plan"].value == "trung_cap"
    assert not any(c.data_type == "f" for row in ws.iter_rows() for c in row)


def test_xlsx_column_widths_follow_the_content_and_are_capped(db, survey):
    records = load_records(db, survey.id, None, YEAR)
    ws = _workbook(xlsx_bytes([(survey, records)], SCHOOLS, None)).worksheets[1]
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert all(6 <= w <= 50 for w in widths)
    assert widths[0] < widths[2]  # "response_id Mã phiếu" is narrower than the school names


def test_the_xlsx_summary_carries_the_report_when_given(db, survey, kb):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    scope = Scope("school", SCHOOL_A.name, frozenset({"DH01"}), "Đức Hòa")
    report = build_report(survey, records, scope, kb.districts, YEAR, minimum=5)
    summary = _workbook(xlsx_bytes([(survey, records)], SCHOOLS, report))["Tổng hợp"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    head = values.index(["STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký (%)", "Kết quả khảo sát (%)",
                         "Số học sinh", "Tổng số học sinh", "Đánh giá"])
    assert values[head + 1] == ["01", "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp",
                                40.39, 40.0, 4, 10, "Chưa đạt"]
    assert values[head + 2] == ["02", "Tỷ lệ học sinh lớp 12 dự định học cao đẳng", 44.95,
                                37.5, 3, 8, "Chưa đạt"]
    assert any(row[0] == f"Đơn vị: {SCHOOL_A.name}" for row in values)


@pytest.mark.parametrize("title", ["Khảo sát [lớp 9]: sở thích / năng lực * ? \\ rất dài dòng",
                                   "'Trích'", "::::", "Tổng hợp"])
def test_sheet_titles_are_short_valid_and_unique(title):
    taken = {"Tổng hợp"}
    first, second = sheet_title(title, taken), sheet_title(title, taken)
    for name in (first, second):
        assert 1 <= len(name) <= 31 and not set(name) & set("[]:*?/\\")
        assert not name.startswith("'")
    assert first != second and first.casefold() != "tổng hợp"
