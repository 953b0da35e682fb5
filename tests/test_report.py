"""The school report of the needs survey: figures against the former districts' targets.

Every expected figure below is worked out by hand from the responses that `seed_database` writes
(school DH01 of former district Đức Hòa, school TT01 of Tân Thạnh), not computed by the code.
The helpers here are shared with test_export.py and test_cli_data.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.answering import yamlfile
from bot.answering.knowledge import KnowledgeBase
from bot.people.schools import School, Schools
from bot.people.staff import Scope, Staff
from bot.reports.chart import chart_png
from bot.reports.report import (
    MET,
    NO_DATA,
    NO_TARGET,
    NOT_MET,
    Indicator,
    Report,
    build_report,
    report_csv,
    report_text,
    report_view,
)
from bot.storage.database import open_db
from bot.storage.writer import Writer
from bot.surveys.model import Survey
from bot.surveys.responses import load_records
from handlers.telegram.views import html as telegram_html
from tests.conftest import ROOT

SURVEYS = ROOT / "tests" / "data" / "surveys_fixture"
YEAR = "2026-2027"
SCHOOL_A = School("DH01", "Trường THCS-THPT Đức Hòa (thử)", "Xã Đức Hòa", "Đức Hòa", "Tây Ninh")
SCHOOL_B = School("TT01", "Trường THCS-THPT Tân Thạnh (thử)", "Xã Tân Thạnh", "Tân Thạnh",
                  "Tây Ninh")
SCHOOL_C = School("EMPTY1", "Trường chưa có phiếu", "Xã Mới", "Thủ Thừa", "Tây Ninh")

# School A: 10 lớp 9 (4 vocational: trung_cap x2, so_cap, tc_vanhoa) and 8 lớp 12 (3 cao_dang).
A9 = ["trung_cap", "so_cap", "tc_vanhoa", "trung_cap", "thpt", "thpt", "thpt", "thpt", "gdtx",
      "chua_biet"]
A12 = ["cao_dang", "cao_dang", "cao_dang", "dai_hoc", "dai_hoc", "dai_hoc", "dai_hoc", "di_lam"]
# Fields of interest of A's first respondents: cntt 7, dien 5, co_khi 4, du_lich 3, y_te 2, may 1
A_FIELDS = [["cntt", "dien", "co_khi"]] * 4 + [["cntt", "dien", "du_lich"]] + \
    [["cntt", "du_lich", "y_te"]] * 2 + [["may"]]
# Countries of A's respondents 0..3: jp 3, kr 2, tw 1
A_COUNTRIES = [["jp", "kr"], ["jp"], ["jp", "tw"], ["kr"]]
# School B: 5 lớp 9 (2 vocational: exactly 40 %) and 2 lớp 12 (1 cao_dang).
B9 = ["trung_cap", "so_cap", "thpt", "thpt", "thpt"]
B12 = ["cao_dang", "dai_hoc"]


def fixture_survey() -> Survey:
    raw = yamlfile.load(SURVEYS / "needs_min.yaml")
    return Survey.model_validate(raw)


def _answers(grade: str, plan: str, index: int, school: str) -> dict[str, Any]:
    answers: dict[str, Any] = {"grade": grade, "school": school, "plan": plan}
    if school == SCHOOL_A.code:
        if index < len(A_FIELDS):
            answers["field"] = A_FIELDS[index]
        if index < len(A_COUNTRIES):
            answers["abroad"], answers["countries"] = "yes", A_COUNTRIES[index]
        else:
            answers["abroad"] = "no"
        answers["counsellor"] = "yes" if index < 4 else "no"
    else:
        answers.update(abroad="maybe", countries=["de"], counsellor="yes" if index == 0 else "no",
                       field=["nong_nghiep_unknown", "cntt"])
    if school == SCHOOL_A.code and index == 0:
        answers.update({"class": "=1+1", "contact": "@Nguyễn Văn An 9A1", "hours": 2.5})
    if school == SCHOOL_A.code and index == 1:
        answers["hours"] = 3
    return answers


def _insert_response(db: Any, user_id: int, school: str, answers: dict[str, Any], *,
                     status: str = "submitted", year: str = YEAR,
                     survey_id: str = "needs") -> None:
    db.execute("INSERT INTO users (id, audience, school_code, created_at, last_seen) "
               "VALUES (?, 'student9', ?, '2026-11-01T00:00:00+00:00', "
               "'2026-11-01T00:00:00+00:00')", [user_id, school])
    at = f"2026-11-{1 + user_id % 28:02d}T03:00:00+00:00"
    cursor = db.execute(
        "INSERT INTO responses (survey_id, survey_version, user_id, school_code, school_year, "
        "status, started_at, updated_at, submitted_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?)",
        [survey_id, user_id, school, year, status, at, at,
         at if status == "submitted" else None])
    for qid, value in answers.items():
        db.execute("INSERT INTO answers (response_id, question_id, value, answered_at) "
                   "VALUES (?, ?, ?, ?)",
                   [cursor.lastrowid, qid, json.dumps(value, ensure_ascii=False), at])


def seed_database(path: Path) -> None:
    """Schools A, B, C and their responses, written through the project's Writer."""
    writer = Writer(path)
    try:
        reader = open_db(path)
        Schools(reader, writer).add(SCHOOL_A, SCHOOL_B, SCHOOL_C)
        reader.close()

        def fill(db: Any) -> None:
            user = 1000
            for school, grades in ((SCHOOL_A.code, (("9", A9), ("12", A12))),
                                   (SCHOOL_B.code, (("9", B9), ("12", B12)))):
                index = 0
                for grade, plans in grades:
                    for plan in plans:
                        user += 1
                        _insert_response(db, user, school, _answers(grade, plan, index, school))
                        index += 1
            # Never counted in 2026-2027: a response still in progress, one from last year
            # and one of another survey, all at school A and all planning trung cấp.
            for n, extra in enumerate(({"status": "in_progress"}, {"year": "2025-2026"},
                                       {"survey_id": "riasec"})):
                _insert_response(db, 2000 + n, SCHOOL_A.code,
                                 {"grade": "9", "plan": "trung_cap"}, **extra)

        writer.run(fill)
    finally:
        writer.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "careerbot.db"
    seed_database(path)
    return path


@pytest.fixture
def db(db_path: Path) -> Iterator[Any]:
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def staff(db: Any) -> Iterator[Staff]:
    writer = Writer(":memory:")  # reads only: scopes never write
    yield Staff(db, writer, Schools(db, writer))
    writer.close()


@pytest.fixture
def survey() -> Survey:
    return fixture_survey()


def _report(db: Any, survey: Survey, scope: Scope, kb: KnowledgeBase,
            year: str = YEAR, minimum: int = 1) -> Report:
    """The report; `minimum` 1 judges every grade however few answered (the fixture is small)."""
    records = load_records(db, survey.id, scope.school_codes, year)
    return build_report(survey, records, scope, kb.districts, year, minimum)


# --- figures -------------------------------------------------------------------------------------
def test_a_school_report_counts_its_own_students_against_its_former_district(db, staff, survey,
                                                                              kb):
    scope = staff.school_scope("DH01")
    assert scope is not None and scope.district == "Đức Hòa"
    report = _report(db, survey, scope, kb)
    assert report.scope_name == SCHOOL_A.name and report.school_year == YEAR
    assert report.district == "Đức Hòa"
    assert report.respondents == {"9": 10, "12": 8} and report.total == 18
    thcs, thpt = report.indicators
    # 4 of 10 = 40,00 % < 40,39 % (Đức Hòa's target)
    assert thcs == Indicator("Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp", 40.39,
                             pytest.approx(40.0), 4, 10, NOT_MET)  # type: ignore[arg-type]
    # 3 of 8 = 37,50 % < 44,95 %
    assert thpt == Indicator("Tỷ lệ học sinh lớp 12 dự định học cao đẳng", 44.95,
                             pytest.approx(37.5), 3, 8, NOT_MET)  # type: ignore[arg-type]


def test_a_result_equal_to_the_target_is_met(db, staff, survey, kb):
    report = _report(db, survey, staff.school_scope("TT01"), kb)
    thcs, thpt = report.indicators
    # Tân Thạnh: 2 of 5 = 40,00 % against exactly 40,00 % -> Đạt; 1 of 2 = 50 % < 65,22 %
    assert (thcs.numerator, thcs.denominator, thcs.target, thcs.verdict) == (2, 5, 40.0, MET)
    assert thcs.result == pytest.approx(40.0)
    assert (thpt.numerator, thpt.denominator, thpt.target, thpt.verdict) == \
        (1, 2, 65.22, NOT_MET)


def test_the_whole_province_is_compared_with_the_province_totals(db, survey, kb):
    report = _report(db, survey, Scope("all", "Toàn tỉnh", None, None), kb)
    assert report.district is None and report.total == 25
    assert report.respondents == {"9": 15, "12": 10}
    thcs, thpt = report.indicators
    # 6 of 15 = 40,00 % < 40,12 %; 4 of 10 = 40,00 % < 45,81 %
    assert (thcs.numerator, thcs.denominator, thcs.target, thcs.verdict) == \
        (6, 15, 40.12, NOT_MET)
    assert (thpt.numerator, thpt.denominator, thpt.target, thpt.verdict) == \
        (4, 10, 45.81, NOT_MET)
    assert thcs.result == pytest.approx(40.0) and thpt.result == pytest.approx(40.0)


def test_a_scope_of_school_a_never_includes_school_b_responses(db, staff, survey, kb):
    scope = staff.school_scope("DH01")
    records = load_records(db, survey.id, scope.school_codes, YEAR)
    assert len(records) == 18 and {r.school_code for r in records} == {"DH01"}
    everyone = load_records(db, survey.id, None, YEAR)
    assert {r.school_code for r in everyone} == {"DH01", "TT01"}
    # Even when handed every school's responses, the report keeps to its scope.
    report = build_report(survey, everyone, scope, kb.districts, YEAR)
    assert report.total == 18 and report.respondents == {"9": 10, "12": 8}
    assert "Đức" not in dict(report.abroad)  # only school B's students chose Germany


def test_an_area_scope_takes_the_targets_of_its_former_district(db, staff, survey, kb):
    scope = staff.area_scope("Đức Hòa")
    assert scope.school_codes == frozenset({"DH01"}) and scope.district == "Đức Hòa"
    report = _report(db, survey, scope, kb)
    assert report.total == 18 and report.indicators[0].target == 40.39


def test_in_progress_other_years_and_other_surveys_are_not_counted(db, staff, survey, kb):
    scope = staff.school_scope("DH01")
    assert _report(db, survey, scope, kb).indicators[0].numerator == 4
    last_year = _report(db, survey, scope, kb, "2025-2026")
    assert last_year.total == 1 and last_year.indicators[0].numerator == 1


def test_a_grade_without_respondents_has_no_result_and_no_verdict(db, staff, survey, kb):
    report = _report(db, survey, staff.school_scope("EMPTY1"), kb)
    assert report.total == 0 and report.respondents == {"9": 0, "12": 0}
    for indicator in report.indicators:
        assert indicator.result is None and indicator.verdict == NO_DATA
        assert (indicator.numerator, indicator.denominator) == (0, 0)
    assert report.indicators[0].target == 40.01  # Thủ Thừa


def test_abroad_trades_and_counsellor_requests_are_counted(db, staff, survey, kb):
    report = _report(db, survey, staff.school_scope("DH01"), kb)
    assert report.abroad == [("Nhật Bản", 3), ("Hàn Quốc", 2), ("Đài Loan", 1)]
    assert report.trades == [("Công nghệ thông tin", 7), ("Điện - điện tử", 5),
                             ("Cơ khí - ô tô", 4), ("Du lịch - nhà hàng - khách sạn", 3),
                             ("Y tế - chăm sóc sức khỏe", 2)]  # top 5: "May" (1) left out
    assert report.counsellor_requests == 4
    other = _report(db, survey, staff.school_scope("TT01"), kb)
    # a code no longer in the survey ("nong_nghiep_unknown") is not reported
    assert other.abroad == [("Đức", 7)] and other.trades == [("Công nghệ thông tin", 7)]
    assert other.counsellor_requests == 1


def test_the_notes_give_the_source_the_end_of_districts_and_that_intentions_are_not_enrolment(
        db, staff, survey, kb):
    notes = " ".join(_report(db, survey, staff.school_scope("DH01"), kb).notes)
    assert "chỉ tiêu năm 2025 của huyện Đức Hòa (cũ)" in notes
    assert "Phụ lục bảng chỉ tiêu đăng ký năm 2025" in notes and "UBND tỉnh Long An" in notes
    assert "01/7/2025" in notes
    assert "không phải kết quả tuyển sinh" in notes


def test_an_unknown_former_district_falls_back_to_the_province_total(db, survey, kb):
    scope = Scope("school", "Trường A", frozenset({"DH01"}), "Huyện Không Có")
    report = _report(db, survey, scope, kb)
    assert report.district is None
    assert [i.target for i in report.indicators] == [40.12, 45.81]
    assert any("Huyện Không Có" in n and "cả tỉnh" in n for n in report.notes)


def test_without_a_target_table_the_report_has_results_but_no_verdict_against_targets(
        db, staff, survey):
    records = load_records(db, survey.id, {"DH01"}, YEAR)
    report = build_report(survey, records, staff.school_scope("DH01"), None, YEAR, 1)
    assert [i.target for i in report.indicators] == [None, None]
    assert [i.verdict for i in report.indicators] == [NO_TARGET, NO_TARGET]
    assert report.indicators[0].result == pytest.approx(40.0)
    assert any("Không có bảng chỉ tiêu" in n for n in report.notes)


def test_a_survey_without_a_report_section_is_refused(survey):
    with pytest.raises(ValueError, match="report"):
        build_report(survey.model_copy(update={"report": None}), [],
                     Scope("all", "Toàn tỉnh", None, None), None, YEAR)


# --- rendering -----------------------------------------------------------------------------------
def test_the_text_report_follows_the_template_with_decimal_commas(db, staff, survey, kb):
    text = report_text(_report(db, survey, staff.school_scope("DH01"), kb))
    order = ["BÁO CÁO KẾT QUẢ KHẢO SÁT NHU CẦU SAU TỐT NGHIỆP", SCHOOL_A.name, YEAR,
             "I. Số học sinh tham gia khảo sát", "Lớp 9: 10", "Lớp 12: 8", "Tổng cộng: 18",
             "II. Kết quả so với chỉ tiêu", "STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký",
             "Kết quả khảo sát", "Đánh giá", "40,39%", "40,00% (4/10)", "Chưa đạt", "44,95%",
             "37,50% (3/8)", "III. Nhu cầu đi làm việc ở nước ngoài", "Nhật Bản: 3",
             "IV. Ngành nghề quan tâm nhiều nhất", "1. Công nghệ thông tin: 7",
             "V. Học sinh đề nghị được tư vấn", "4 học sinh", "Ghi chú", "01/7/2025"]
    at = 0
    for piece in order:
        found = text.find(piece, at)
        assert found >= 0, f"{piece!r} missing or out of order"
        at = found
    row = next(line for line in text.splitlines() if line.startswith("01"))
    assert [c.strip() for c in row.split("|")] == [
        "01", "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp", "40,39%", "40,00% (4/10)",
        "Chưa đạt"]


def test_the_text_report_of_a_met_target_says_dat(db, staff, survey, kb):
    text = report_text(_report(db, survey, staff.school_scope("TT01"), kb))
    row = next(line for line in text.splitlines() if line.startswith("01"))
    assert [c.strip() for c in row.split("|")[2:]] == ["40,00%", "40,00% (2/5)", "Đạt"]


_TAG = re.compile(r"</?([a-zA-Z0-9]+)[^>]*>")


def _balanced(line: str) -> bool:
    stack: list[str] = []
    for match in _TAG.finditer(line):
        if match[0].startswith("</"):
            if not stack or stack.pop() != match[1]:
                return False
        else:
            stack.append(match[1])
    return not stack


def report_html(report: Report) -> str:
    """The report as Telegram shows it: its View rendered as HTML."""
    return telegram_html(report_view(report))


def test_the_html_report_uses_only_b_and_i_escapes_the_rest_and_balances_every_line(
        db, survey, kb):
    scope = Scope("school", "Trường <A> & \"B\"", frozenset({"DH01"}), "Đức Hòa")
    page = report_html(_report(db, survey, scope, kb))
    assert "Trường &lt;A&gt; &amp; \"B\"" in page  # text needs no quote escaping
    assert {m[1] for m in _TAG.finditer(page)} <= {"b", "i", "pre"}
    assert all(_balanced(line) for line in page.splitlines())
    assert "40,00% (4/10)" in page and "<b>Chưa đạt</b>" in page and len(page) < 3500


def test_a_long_html_report_is_cut_at_whole_lines_under_the_limit(db, staff, survey, kb):
    report = _report(db, survey, staff.school_scope("DH01"), kb)
    long = Report(**{**report.__dict__, "notes": [f"Ghi chú <số> {n} " + "x" * 80
                                                  for n in range(100)]})
    page = report_html(long)
    assert len(page) <= 4096 and page.endswith("…")  # one Telegram message
    assert all(_balanced(line) for line in page.splitlines())
    assert "<b>II. Kết quả so với chỉ tiêu</b>" in page


def test_the_report_csv_is_the_indicator_table_with_a_bom(db, staff, survey, kb):
    data = report_csv(_report(db, survey, staff.school_scope("DH01"), kb))
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký", "Kết quả khảo sát", "Số học sinh",
         "Đánh giá"],
        ["01", "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp", "40,39%", "40,00%",
         "4/10", "Chưa đạt"],
        ["02", "Tỷ lệ học sinh lớp 12 dự định học cao đẳng", "44,95%", "37,50%", "3/8",
         "Chưa đạt"],
    ]


# --- chart ---------------------------------------------------------------------------------------
def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_the_chart_is_a_png_of_about_900_by_500_pixels(db, staff, survey, kb):
    data = chart_png(_report(db, survey, staff.school_scope("DH01"), kb))
    width, height = _png_size(data)
    assert 800 <= width <= 1000 and 400 <= height <= 600
    assert len(data) > 5000  # bars, labels and text, not a blank image


def test_the_chart_draws_a_grade_without_respondents_and_leaves_no_figure_open(db, staff,
                                                                               survey, kb):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for _ in range(3):
        _png_size(chart_png(_report(db, survey, staff.school_scope("EMPTY1"), kb)))
    assert plt.get_fignums() == before



# --- too few answers, levels a school does not teach ---------------------------------------------
def test_fewer_answers_than_the_minimum_get_no_verdict_but_their_count(db, staff, survey, kb):
    report = _report(db, survey, staff.school_scope("DH01"), kb, minimum=20)
    assert [i.verdict for i in report.indicators] == ["chưa đủ số liệu (n = 10)",
                                                      "chưa đủ số liệu (n = 8)"]
    assert report.indicators[0].result == pytest.approx(40.0)  # the figure is still shown
    text = report_text(report)
    table = text.split("II. Kết quả so với chỉ tiêu")[1].split("III.")[0]
    assert "Đạt" not in table and "Chưa đạt" not in table
    assert "chưa đủ số liệu (n = 10)" in text and "ít nhất 20 học sinh" in text
    assert "chưa đủ số liệu (n = 8)" in report_html(report)
    # 18 answers with a minimum of 10: lớp 9 (10) is judged, lớp 12 (8) is not
    mixed = _report(db, survey, staff.school_scope("DH01"), kb, minimum=10)
    assert [i.verdict for i in mixed.indicators] == [NOT_MET, "chưa đủ số liệu (n = 8)"]


@pytest.mark.parametrize(("name", "levels"), [
    ("Trường THCS An Lạc", {"thcs"}), ("Trường THPT Cần Giuộc", {"thpt"}),
    ("Trường Trung học cơ sở Mỹ Yên", {"thcs"}),
    ("Trường THCS-THPT Đức Hòa (thử)", {"thcs", "thpt"}),
    ("Trường chưa rõ cấp", None)])
def test_the_levels_a_school_teaches_are_read_from_its_name(name, levels):
    from bot.reports.report import levels_of

    found = levels_of([School("X1", name, None, None, None)])
    assert found == (None if levels is None else frozenset(levels))


def test_a_thcs_school_has_no_lop_12_indicator_bar(db, survey, kb):
    from bot.reports.chart import drawn
    from bot.reports.report import NOT_APPLICABLE, levels_of

    thcs = School("DH01", "Trường THCS Đức Hòa", None, "Đức Hòa", None)
    records = [r for r in load_records(db, survey.id, {"DH01"}, YEAR)
               if r.answers.get("grade") == "9"]
    scope = Scope("school", thcs.name, frozenset({"DH01"}), "Đức Hòa")
    report = build_report(survey, records, scope, kb.districts, YEAR, 1, levels_of([thcs]))
    thcs_row, thpt_row = report.indicators
    assert thcs_row.applies and not thpt_row.applies and thpt_row.verdict == NOT_APPLICABLE
    assert drawn(report) == [thcs_row]
    _png_size(chart_png(report))  # one group of bars draws
    both = build_report(survey, records, scope, kb.districts, YEAR, 1)  # level unknown
    assert len(drawn(both)) == 2
