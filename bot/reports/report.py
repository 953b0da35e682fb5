"""The school report of the needs survey: intentions of lớp 9 and lớp 12 against the targets.

It follows the indicator table of the province's report template (seed 004, Phụ lục: "Chỉ tiêu
đăng ký", "Kết quả đạt", "Đánh giá kết quả"), filled from the survey instead of enrolment data,
and compared with the 2025 targets of the former district (knowledge/data/district_targets.yaml).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.answering.knowledge import DistrictTargets
from bot.people.schools import School
from bot.people.staff import Scope
from bot.surveys.model import Survey
from bot.surveys.responses import ResponseRecord
from bot.views import Block, Part, View

TITLE = "BÁO CÁO KẾT QUẢ KHẢO SÁT NHU CẦU SAU TỐT NGHIỆP"
THCS_LABEL = "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp"
THPT_LABEL = "Tỷ lệ học sinh lớp 12 dự định học cao đẳng"
MET = "Đạt"
NOT_MET = "Chưa đạt"
NO_DATA = "Chưa có dữ liệu"
NO_TARGET = "Không có chỉ tiêu"
TOO_FEW = "chưa đủ số liệu (n = {n})"
NOT_APPLICABLE = "Không áp dụng"
MIN_RESPONSES = 20  # fewer answers of a grade than this: no Đạt / Chưa đạt (configurable)
THCS, THPT = "thcs", "thpt"
_LEVEL_WORDS = {THCS: ("thcs", "trung học cơ sở"), THPT: ("thpt", "trung học phổ thông")}
TOP_TRADES = 5
HTML_LIMIT = 3500  # Telegram allows 4096 characters; leave room for a header or a button text
_EPSILON = 1e-9  # 2/5 of 100 must meet a 40.00 target despite binary floating point
COLUMNS = ("STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký", "Kết quả khảo sát", "Đánh giá")


@dataclass(frozen=True)
class Indicator:
    label: str
    target: float | None  # percent, 0-100
    result: float | None  # percent, 0-100; None when nobody of that grade answered
    numerator: int
    denominator: int  # respondents of the grade: how many answered
    verdict: str
    applies: bool = True  # False: no such grade in the scope (lớp 12 of a THCS school)


@dataclass(frozen=True)
class Report:
    scope_name: str
    school_year: str
    district: str | None  # the former district whose targets apply; None: the province's
    respondents: dict[str, int]  # grade code -> respondents
    total: int
    indicators: list[Indicator]
    abroad: list[tuple[str, int]]  # country label, respondents who chose it
    trades: list[tuple[str, int]]  # the most chosen fields of interest
    counsellor_requests: int
    notes: list[str]
    grade_labels: dict[str, str] = field(default_factory=dict)  # grade code -> "Lớp 9"


def percent(value: float) -> str:
    """Always two decimals with a Vietnamese comma, as in the province's tables: '35,00%'.

    (knowledge.format_percent drops trailing zeros, '35', which reads oddly in a table column.)
    """
    return f"{value:.2f}".replace(".", ",") + "%"


def levels_of(schools: Sequence[School | None]) -> frozenset[str] | None:
    """The levels (THCS, THPT) the schools teach, read from their names; None: any level (no
    school named, or a name that says neither)."""
    found: set[str] = set()
    for school in schools:
        if school is None:
            continue
        name = unicodedata.normalize("NFC", school.name).casefold()
        says = {level for level, words in _LEVEL_WORDS.items() if any(w in name for w in words)}
        if not says:
            return None
        found |= says
    return frozenset(found) or None


def _verdict(result: float | None, target: float | None, answered: int, minimum: int) -> str:
    if result is None:
        return NO_DATA
    if answered < minimum:  # a handful of answers proves nothing either way
        return TOO_FEW.format(n=answered)
    if target is None:
        return NO_TARGET
    return MET if result + _EPSILON >= target else NOT_MET


def _indicator(label: str, records: Sequence[ResponseRecord], grade_q: str, grade: str,
               plan_q: str, plans: Sequence[str], target: float | None, minimum: int,
               applies: bool) -> Indicator:
    of_grade = [r for r in records if str(r.answers.get(grade_q)) == grade]
    hits = sum(1 for r in of_grade if str(r.answers.get(plan_q)) in plans)
    result = 100.0 * hits / len(of_grade) if of_grade else None
    verdict = _verdict(result, target, len(of_grade), minimum) if applies or of_grade \
        else NOT_APPLICABLE
    return Indicator(label, target, result, hits, len(of_grade), verdict, applies)


def _counts(survey: Survey, records: Sequence[ResponseRecord], qid: str
            ) -> list[tuple[str, int]]:
    """How many respondents chose each choice of a (multi) question, most chosen first."""
    question = survey.question(qid)
    counter: Counter[str] = Counter()
    for r in records:
        value = r.answers.get(qid)
        given = value if isinstance(value, list) else [] if value is None else [value]
        counter.update({str(v) for v in given})
    if question is None:
        return []
    order = [c.code for c in question.choices]
    ranked = sorted((code for code in order if counter[code]),
                    key=lambda code: (-counter[code], order.index(code)))
    labels = {c.code: c.label for c in question.choices}
    return [(labels[code], counter[code]) for code in ranked]


def build_report(survey: Survey, records: Sequence[ResponseRecord], scope: Scope,
                 targets: DistrictTargets | None, school_year: str,
                 minimum: int = MIN_RESPONSES, levels: frozenset[str] | None = None) -> Report:
    """The report of one scope and school year (responses outside them are ignored).
    `minimum`: the fewest answers of a grade judged Đạt / Chưa đạt; `levels`: the levels the
    scope's schools teach (levels_of), None for any."""
    m = survey.report
    if m is None:
        raise ValueError(f"khảo sát '{survey.id}' không có phần report")
    # The caller loads by scope already; filtering again keeps one school's report from ever
    # counting another school's students, whoever calls this.
    mine = [r for r in records if r.school_year == school_year and r.survey_id == survey.id
            and (scope.school_codes is None or r.school_code in scope.school_codes)]

    grade_q = survey.question(m.grade)
    grade_labels = {c.code: c.label for c in grade_q.choices} if grade_q else {}
    respondents = dict.fromkeys(grade_labels, 0)
    for r in mine:
        grade = r.answers.get(m.grade)
        if grade is not None:
            respondents[str(grade)] = respondents.get(str(grade), 0) + 1

    district = targets.by_name(scope.district) if targets and scope.district else None
    thcs = (district.thcs if district else targets.thcs_total) if targets else None
    thpt = (district.thpt if district else targets.thpt_total) if targets else None
    indicators = [
        _indicator(THCS_LABEL, mine, m.grade, m.thcs, m.plan, m.vocational, thcs, minimum,
                   levels is None or THCS in levels),
        _indicator(THPT_LABEL, mine, m.grade, m.thpt, m.plan, m.college, thpt, minimum,
                   levels is None or THPT in levels),
    ]
    counsellor = sum(1 for r in mine if str(r.answers.get(m.counsellor)) == m.counsellor_yes)

    notes: list[str] = []
    if targets is None:
        notes.append("Không có bảng chỉ tiêu: báo cáo chỉ nêu kết quả khảo sát.")
    else:
        whose = (f"{district.kind.lower()} {district.name} (cũ)" if district
                 else f"cả tỉnh {targets.province}")
        notes.append(f"Chỉ tiêu đăng ký là chỉ tiêu năm {targets.year} của {whose}, theo "
                     f"{targets.source.cite()}.")
        if scope.district and district is None:
            notes.append(f"Không tìm thấy chỉ tiêu của huyện cũ “{scope.district}”: "
                         "dùng chỉ tiêu chung của cả tỉnh.")
    if any(0 < ind.denominator < minimum for ind in indicators):
        notes.append(f"Chỉ đánh giá Đạt / Chưa đạt khi có ít nhất {minimum} học sinh của khối "
                     "trả lời phiếu: ít hơn thì tỷ lệ chưa nói lên điều gì.")
    notes.append("Từ 01/7/2025 không còn cấp huyện (chính quyền địa phương hai cấp): chỉ tiêu "
                 "theo huyện cũ chỉ dùng để so sánh.")
    notes.append("Kết quả khảo sát là dự định của học sinh khi trả lời phiếu, không phải kết "
                 "quả tuyển sinh hay số học sinh thực tế vào học.")
    return Report(
        scope_name=scope.name, school_year=school_year,
        district=district.name if district else None, respondents=respondents,
        total=len(mine), indicators=indicators, abroad=_counts(survey, mine, m.abroad),
        trades=_counts(survey, mine, m.trades)[:TOP_TRADES], counsellor_requests=counsellor,
        notes=notes, grade_labels=grade_labels)


# --- rendering ---------------------------------------------------------------------------------
def _grade(report: Report, code: str) -> str:
    return report.grade_labels.get(code) or f"Lớp {code}"


def _target(ind: Indicator) -> str:
    return percent(ind.target) if ind.target is not None else "—"


def _result(ind: Indicator) -> str:
    if ind.result is None:
        return "—"
    return f"{percent(ind.result)} ({ind.numerator}/{ind.denominator})"


def _compared_with(report: Report) -> str:
    return f"{report.district} (cũ)" if report.district else "chỉ tiêu chung của cả tỉnh"


def indicator_rows(report: Report) -> list[list[Any]]:
    """STT, label, target, result (floats, "" when unknown), numerator, denominator, verdict."""
    return [[f"{i:02d}", ind.label, ind.target if ind.target is not None else "",
             ind.result if ind.result is not None else "", ind.numerator, ind.denominator,
             ind.verdict] for i, ind in enumerate(report.indicators, start=1)]


def _table(head: Sequence[str], body: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]

    def line(row: Sequence[str]) -> str:
        return " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()

    return [line(head), "-+-".join("-" * w for w in widths), *(line(r) for r in body)]


def report_text(report: Report) -> str:
    """Plain text for the command line, in the order of the province's template."""
    out = [TITLE, f"Đơn vị: {report.scope_name}", f"Năm học: {report.school_year}",
           f"So với: {_compared_with(report)}", "", "I. Số học sinh tham gia khảo sát"]
    out += [f"- {_grade(report, code)}: {n}" for code, n in report.respondents.items()]
    out += [f"- Tổng cộng: {report.total}", "", "II. Kết quả so với chỉ tiêu"]
    out += _table(COLUMNS, [[f"{i:02d}", ind.label, _target(ind), _result(ind), ind.verdict]
                            for i, ind in enumerate(report.indicators, start=1)])
    out += ["", "III. Nhu cầu đi làm việc ở nước ngoài"]
    out += [f"- {name}: {n}" for name, n in report.abroad] or ["- Không có học sinh nào chọn."]
    out += ["", "IV. Ngành nghề quan tâm nhiều nhất"]
    out += [f"{i}. {name}: {n}" for i, (name, n) in enumerate(report.trades, start=1)] \
        or ["- Chưa có dữ liệu."]
    out += ["", "V. Học sinh đề nghị được tư vấn",
            f"- {report.counsellor_requests} học sinh mong được thầy cô tư vấn liên hệ.",
            "", "Ghi chú"]
    out += [f"- {note}" for note in report.notes]
    return "\n".join(out) + "\n"


def report_view(report: Report) -> View:
    """The same as a View: headings as titles, the verdicts in **bold**, the notes in __italic__
    (a chat shows it; a long report is cut at whole lines, never inside a mark)."""
    name = report.scope_name if len(report.scope_name) <= 120 else report.scope_name[:119] + "…"
    out = [f"Đơn vị: **{name}**",
           f"Năm học: {report.school_year} · so với {_compared_with(report)}", "",
           "**I. Số học sinh tham gia khảo sát**"]
    out += [f"• {_grade(report, code)}: {n}" for code, n in report.respondents.items()]
    out += [f"• Tổng cộng: {report.total}", "", "**II. Kết quả so với chỉ tiêu**"]
    for i, ind in enumerate(report.indicators, start=1):
        out += [f"{i}. {ind.label}",
                f"Chỉ tiêu đăng ký: {_target(ind)} · Kết quả khảo sát: {_result(ind)} "
                f"· **{ind.verdict}**"]
    out += ["", "**III. Nhu cầu đi làm việc ở nước ngoài**"]
    out += [f"• {n}: {c}" for n, c in report.abroad] or ["• Không có học sinh nào chọn."]
    out += ["", "**IV. Ngành nghề quan tâm nhiều nhất**"]
    out += [f"{i}. {n}: {c}" for i, (n, c) in enumerate(report.trades, start=1)] \
        or ["• Chưa có dữ liệu."]
    out += ["", "**V. Học sinh đề nghị được tư vấn**",
            f"• {report.counsellor_requests} học sinh mong được thầy cô tư vấn liên hệ.", "",
            "**Ghi chú**"]
    out += [f"__• {note}__" for note in report.notes]
    while len("\n".join(out)) > HTML_LIMIT and len(out) > 1:  # whole lines: marks stay paired
        out = [*out[:-2], "…"]
    return View((Part(Block.TITLE, TITLE), Part(Block.TEXT, "\n".join(out))))


def report_csv(report: Report) -> bytes:
    """The indicator table (UTF-8 with BOM, for Excel), to paste into the province's template."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["STT", "Các chỉ tiêu", "Chỉ tiêu đăng ký", "Kết quả khảo sát",
                     "Số học sinh", "Đánh giá"])
    for i, ind in enumerate(report.indicators, start=1):
        writer.writerow([f"{i:02d}", ind.label, _target(ind),
                         percent(ind.result) if ind.result is not None else "—",
                         f"{ind.numerator}/{ind.denominator}", ind.verdict])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
