"""Staff data on the command line: export, report, schools import/list, staff invite.

Plain click commands; handlers/cli/main.py adds them to the `careerbot` group.
"""

from __future__ import annotations

import csv
import io
import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import click

from bot import bootstrap, messages
from bot.answering import knowledge
from bot.people.schools import CODE, School
from bot.people.staff import INVITE_DAYS, Role, Scope, ScopeError, StaffMember
from bot.reports import report as reports
from bot.reports import reporting
from bot.services import Services
from bot.storage.database import DatabaseCorrupt
from bot.storage.files import write_private
from bot.surveys.model import Survey, school_year
from handlers.cli.common import _settings, database_path

ALL_SCOPE_NAME = "Toàn tỉnh"
_YEAR = re.compile(r"^(\d{4})-(\d{4})$")
_COLUMNS = {  # accepted header -> field; Vietnamese headers with or without accents
    "code": "code", "ma": "code", "mã": "code",
    "name": "name", "ten": "name", "tên": "name",
    "commune": "commune", "xa": "commune", "xã": "commune",
    "former_district": "former_district", "huyen_cu": "former_district",
    "huyện_cũ": "former_district",
    "province": "province", "tinh": "province", "tỉnh": "province",
}
_HEADER_HELP = "code,name,commune,former_district,province (hoặc ma,ten,xa,huyen_cu,tinh)"


# --- shared pieces -----------------------------------------------------------------------------
@contextmanager
def _services(existing: bool = True) -> Iterator[Services]:
    """The bot's services (no Telegram token needed), closed however the command ends.
    `existing`: the command reads what the bot stored, so a missing database is a mistake
    (the wrong folder, CAREERBOT_DB unset), said as such rather than answered from an empty
    file made on the spot. Says which file it used, as `careerbot web` does."""
    settings = _settings()
    path = database_path(settings)
    if existing and str(path) != ":memory:" and not path.is_file():
        raise click.ClickException(messages.CLI_NO_DATABASE.format(path=path))
    stack = ExitStack()
    try:  # no lock: the data commands share the database with a running bot
        services = stack.enter_context(bootstrap.running(settings, lock=False)).svc
    except knowledge.KnowledgeError as exc:
        first = exc.problems[0] if exc.problems else "?"
        raise click.ClickException(f"Kiến thức hoặc khảo sát có lỗi: {first} — chạy "
                                   "`careerbot kb check` để xem hết") from exc
    except DatabaseCorrupt as exc:
        raise click.ClickException(str(exc)) from exc
    except (OSError, sqlite3.Error, RuntimeError) as exc:
        raise click.ClickException(f"Không mở được cơ sở dữ liệu {settings.db_path}: {exc}") \
            from exc
    with stack:
        yield services


def _scope_options(func: Callable[..., Any]) -> Callable[..., Any]:
    func = click.option("--all", "all_schools", is_flag=True, help="Mọi trường trong tỉnh.")(func)
    func = click.option("--area", metavar="TÊN",
                        help="Các trường của một huyện cũ hoặc một xã, phường (tên đủ dấu như "
                             "danh sách trường; xã trùng tên: “Tên xã, Huyện cũ”).")(func)
    return click.option("--school", metavar="MÃ", help="Một trường, theo mã trường.")(func)


def _scope(services: Services, school: str | None, area: str | None, all_schools: bool
           ) -> Scope:
    if sum((school is not None, area is not None, all_schools)) != 1:
        raise click.UsageError("Chọn đúng một trong --school MÃ, --area TÊN hoặc --all.")
    if school is not None:
        scope = services.staff.school_scope(school.strip())
        if scope is None:
            raise click.ClickException(f"Không có trường mã “{school}” (xem danh sách: "
                                       "careerbot schools list).")
        return scope
    if area is not None:
        try:
            return services.staff.area_scope(area)
        except ScopeError as exc:
            raise click.ClickException(str(exc)) from exc
    return Scope("all", ALL_SCOPE_NAME, None, None)


def _year(services: Services, year: str | None) -> str:
    if year is None:
        return school_year(services.local_now().date())
    match = _YEAR.match(year.strip())
    if not match or int(match[2]) != int(match[1]) + 1:
        raise click.BadParameter(f"“{year}”: năm học phải có dạng 2026-2027.",
                                 param_hint="--year")
    return match[0]


def _survey(services: Services, survey_id: str) -> Survey:
    found = services.surveys.get(survey_id.strip())
    if found is None:
        known = ", ".join(s.id for s in services.surveys.surveys) or "(chưa có)"
        raise click.ClickException(f"Không có khảo sát “{survey_id}”. Các khảo sát: {known}.")
    return found


def _write(output: Path, data: bytes) -> None:
    if str(output) == "-":
        click.echo(data, nl=False)  # bytes go to the binary stream unchanged
        return
    try:
        write_private(output, data)  # answers of students: readable by the owner only
    except OSError as exc:
        raise click.ClickException(f"Không ghi được tệp {output}: {exc.strerror or exc}") \
            from exc


def _done(message: str, data_on_stdout: bool) -> None:
    """Status lines go to stderr when stdout carries the data itself."""
    click.echo(message, err=data_on_stdout)


# --- export ------------------------------------------------------------------------------------
@click.command("export")
@_scope_options
@click.option("--survey", "survey_ids", multiple=True, metavar="ID",
              help="Mã khảo sát; xlsx nhận nhiều --survey (không ghi: mọi khảo sát).")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx"]),
              help="Định dạng (mặc định: theo đuôi tệp -o).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp kết quả ('-': in ra stdout).")
@click.option("--year", metavar="NĂM", help="Năm học, ví dụ 2026-2027 (mặc định: năm học này).")
@click.option("--codes", is_flag=True,
              help="Cho người phân tích số liệu: tiêu đề cột là mã câu hỏi, ô là mã lựa chọn.")
def export_command(school: str | None, area: str | None, all_schools: bool,
                   survey_ids: tuple[str, ...], fmt: str | None, output: Path,
                   year: str | None, codes: bool) -> None:
    """Xuất các phiếu đã gửi ra CSV (một khảo sát) hoặc Excel (nhiều khảo sát)."""
    fmt = fmt or {".csv": "csv", ".xlsx": "xlsx"}.get(output.suffix.lower())
    if fmt is None:
        raise click.UsageError("Cho biết --format csv hoặc --format xlsx.")
    if fmt == "csv" and len(survey_ids) != 1:
        raise click.UsageError("Xuất CSV cần đúng một --survey (mỗi tệp CSV một khảo sát).")
    with _services() as services:
        scope = _scope(services, school, area, all_schools)
        the_year = _year(services, year)
        surveys = [_survey(services, s) for s in dict.fromkeys(survey_ids)] \
            or list(services.surveys.surveys)
        if not surveys:
            raise click.ClickException("Chưa có khảo sát nào để xuất.")
        # export_file() with export_args(), as /export hands them to its worker: the same file
        document = reporting.export_document(services, scope, surveys, fmt, the_year, codes)
    _write(output, document.data)
    count = document.count
    names = ", ".join(s.id for s in surveys)
    _done(f"Đã xuất {count} phiếu (khảo sát {names}; {scope.name}; năm học {the_year}) "
          f"vào {output}.", str(output) == "-")
    click.echo(messages.CLI_DATABASE.format(path=database_path(_settings())), err=True)
    if count == 0:
        click.echo("Lưu ý: chưa có phiếu nào đã gửi trong phạm vi này.", err=True)


# --- report ------------------------------------------------------------------------------------
@click.command("report")
@_scope_options
@click.option("--year", metavar="NĂM", help="Năm học, ví dụ 2026-2027 (mặc định: năm học này).")
@click.option("--format", "fmt", type=click.Choice(["text", "csv"]), default="text",
              show_default=True, help="text: báo cáo đầy đủ; csv: bảng chỉ tiêu.")
@click.option("--chart", "chart_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Lưu thêm biểu đồ PNG vào tệp này.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp kết quả (mặc định: in ra màn hình).")
def report_command(school: str | None, area: str | None, all_schools: bool, year: str | None,
                   fmt: str, chart_path: Path | None, output: Path | None) -> None:
    """Báo cáo khảo sát nhu cầu sau tốt nghiệp so với chỉ tiêu đăng ký."""
    with _services() as services:
        scope = _scope(services, school, area, all_schools)
        the_year = _year(services, year)
        report = reporting.build_report(services, scope, the_year)
        if report is None:
            raise click.ClickException("Chưa có khảo sát nào có phần báo cáo (report) "
                                       "trong knowledge/surveys.")
    if chart_path is not None:
        from bot.reports.chart import chart_png

        _write(chart_path, chart_png(report))
    to_stdout = output is None or str(output) == "-"
    if to_stdout and fmt == "text":
        click.echo(reports.report_text(report), nl=False)
    else:
        data = reports.report_csv(report) if fmt == "csv" \
            else reports.report_text(report).encode("utf-8")
        _write(output or Path("-"), data)
    if not to_stdout:
        _done(f"Đã ghi báo cáo ({report.total} phiếu) vào {output}.", False)
    if chart_path is not None:
        _done(f"Đã lưu biểu đồ vào {chart_path}.", to_stdout)
    click.echo(messages.CLI_DATABASE.format(path=database_path(_settings())), err=True)


# --- schools -----------------------------------------------------------------------------------
def _key(header: str) -> str:
    return unicodedata.normalize("NFC", header).strip().lower().replace(" ", "_")


def _clean(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFC", value or "").split())


def _read_text(path: Path, name: str) -> tuple[str | None, list[str]]:
    """The file as text, or why it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [f"{name}: không tìm thấy tệp"]
    except OSError as exc:
        return None, [f"{name}: không đọc được tệp: {exc.strerror or exc}"]
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [f"{name}:{line}: tệp phải lưu dạng UTF-8 (Excel: CSV UTF-8)"]


def _fields(header: list[str], name: str) -> tuple[list[str], list[str]]:
    """The column of each header cell, and the problems with the header."""
    problems: list[str] = []
    fields: list[str] = []
    for h in header:
        field = _COLUMNS.get(_key(h))
        if field is None:
            problems.append(f"{name}:1: cột không rõ “{h.strip()}”, dùng {_HEADER_HELP}")
        elif field in fields:
            problems.append(f"{name}:1: cột “{h.strip()}” lặp lại")
        fields.append(field or "")
    for needed in ("code", "name"):
        if needed not in fields:
            problems.append(f"{name}:1: thiếu cột {needed} ({'ma' if needed == 'code' else 'ten'})")
    return fields, problems


def _row_problems(values: dict[str, str], where: str, start: int, seen: dict[str, int]
                  ) -> list[str]:
    code, school_name = values["code"], values["name"]
    problems: list[str] = []
    if not CODE.match(code):
        problems.append(f"{where}: mã trường “{code}” không hợp lệ (2–32 ký tự: chữ "
                        "không dấu, số, _ hoặc -, bắt đầu bằng chữ hoặc số)")
    elif code.upper() in seen:
        problems.append(f"{where}: mã trường “{code}” trùng với dòng {seen[code.upper()]}")
    else:
        seen[code.upper()] = start
    if not school_name:
        problems.append(f"{where}: thiếu tên trường")
    return problems


def parse_schools(path: Path, shown: str | None = None) -> tuple[list[School], list[str]]:
    """Schools from a CSV file, and every problem as "FILE:LINE: message" (nothing if good)."""
    name = shown or str(path)
    text, problems = _read_text(path, name)
    if text is None:
        return [], problems
    first = text.split("\n", 1)[0]
    # Excel with Vietnamese regional settings saves CSV separated by semicolons
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        return [], [f"{name}:1: tệp trống, cần dòng tiêu đề {_HEADER_HELP}"]
    fields, problems = _fields(header, name)
    if problems:
        return [], problems
    schools: list[School] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for row in reader:
        start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        where = f"{name}:{start}"
        if len(row) != len(fields):
            problems.append(f"{where}: có {len(row)} cột, dòng tiêu đề có {len(fields)} cột")
            continue
        values = {f: _clean(v) for f, v in zip(fields, row, strict=True)}
        problems.extend(_row_problems(values, where, start, seen))
        schools.append(School(values["code"], values["name"], values.get("commune") or None,
                              values.get("former_district") or None,
                              values.get("province") or None))
    if not schools and not problems:
        problems.append(f"{name}:2: không có dòng dữ liệu nào")
    return ([] if problems else schools), problems


@click.group("schools")
def schools_group() -> None:
    """Danh sách trường: nhập từ CSV, liệt kê."""


@schools_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def schools_import(file: Path) -> None:
    """Nhập (hoặc cập nhật) trường từ FILE.csv: code,name,commune,former_district,province."""
    schools, problems = parse_schools(file, click.format_filename(file))
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(f"Không nhập trường nào: {len(problems)} lỗi.", err=True)
        raise SystemExit(1)
    with _services(existing=False) as services:  # the first step on a new server
        targets = services.kb.districts
        for s in schools:
            if targets and s.former_district and targets.by_name(s.former_district) is None:
                click.echo(f"Lưu ý: {s.code}: huyện cũ “{s.former_district}” không có trong "
                           "bảng chỉ tiêu, báo cáo sẽ dùng chỉ tiêu chung của tỉnh.", err=True)
        existing = {s.code.upper() for s in services.schools.all()}
        services.schools.add(*schools)
    new = sum(1 for s in schools if s.code.upper() not in existing)
    click.echo(f"Đã nhập {len(schools)} trường ({new} mới, {len(schools) - new} cập nhật).")


@schools_group.command("list")
def schools_list() -> None:
    """Liệt kê các trường: mã, tên, xã/phường, huyện cũ."""
    with _services() as services:
        schools = services.schools.all()
    for s in schools:
        click.echo(f"{s.code:14} {s.name}  ({s.commune or '—'}; "
                   f"huyện cũ {s.former_district or '—'})")
    if not schools:
        click.echo("Chưa có trường nào: careerbot schools import FILE.csv", err=True)


# --- staff -------------------------------------------------------------------------------------
@click.group("staff")
def staff_group() -> None:
    """Cán bộ nhà trường và quản lý: mã mời, danh sách, thu hồi quyền."""


def _describe(services: Services, member: StaffMember) -> str:
    if member.role == "school" and member.school_code:
        school = services.schools.get(member.school_code)
        return f"{messages.school_named(school.name if school else '?', bold=False)} " \
               f"({member.school_code})"
    if member.role == "area":
        return f"khu vực {member.area.name}" if member.area \
            else "khu vực chưa rõ (cần mã mời mới)"
    return "toàn tỉnh"


@staff_group.command("list")
def staff_list() -> None:
    """Liệt kê cán bộ: id, vai trò, phạm vi, ngày bắt đầu, mã mời đã dùng."""
    with _services() as services:
        members = services.staff.members()
        lines = [f"{m.user_id:>12}  {messages.ROLE_LABELS.get(m.role, m.role):15}  "
                 f"{(m.since or '')[:10]:10}  {m.invite_code or '—':10}  "
                 f"{_describe(services, m)}" for m in members]
        admins = sorted(services.settings.admin_ids)
    for line in lines:
        click.echo(line)
    if not lines:
        click.echo("Chưa có cán bộ nào (tạo mã mời: careerbot staff invite).", err=True)
    if admins:
        click.echo(f"Quản trị viên theo CAREERBOT_ADMIN_IDS: {', '.join(map(str, admins))}",
                   err=True)


@staff_group.command("revoke")
@click.argument("user_id", type=int)
def staff_revoke(user_id: int) -> None:
    """Thu hồi quyền cán bộ của USER_ID (xem id bằng careerbot staff list)."""
    with _services() as services:
        member = services.staff.revoke_now(user_id)
        admin = services.is_admin(user_id)
        what = _describe(services, member) if member else ""
    if member is None:
        raise click.ClickException(
            f"{user_id} là quản trị viên theo CAREERBOT_ADMIN_IDS: bỏ id khỏi biến đó rồi khởi "
            "động lại bot." if admin else
            f"Không có cán bộ nào có id {user_id} (xem: careerbot staff list).")
    click.echo(f"Đã thu hồi quyền cán bộ của {user_id} ({what}). Mọi thao tác sau đó của họ "
               "bị từ chối, kể cả thông báo đang soạn; menu lệnh trở về menu học sinh ở tin "
               "nhắn kế tiếp của họ.")
    if admin:
        click.echo(f"Lưu ý: {user_id} vẫn là quản trị viên theo CAREERBOT_ADMIN_IDS.", err=True)


@staff_group.command("invite")
@click.option("--school", metavar="MÃ", help="Cán bộ của một trường.")
@click.option("--area", metavar="TÊN", help="Cán bộ quản lý một huyện cũ hoặc một xã, phường "
              "(tên đủ dấu như danh sách trường; xã trùng tên: “Tên xã, Huyện cũ”).")
@click.option("--admin", is_flag=True, help="Quản trị: xem được toàn tỉnh.")
def staff_invite(school: str | None, area: str | None, admin: bool) -> None:
    """Tạo mã mời dùng một lần; người được mời gửi /dangky MÃ cho bot."""
    if sum((school is not None, area is not None, admin)) != 1:
        raise click.UsageError("Chọn đúng một trong --school MÃ, --area TÊN hoặc --admin.")
    role: Role = "school" if school is not None else "area" if area is not None else "admin"
    with _services(existing=False) as services:  # an admin's invite may come before any data
        what = "quản trị (toàn tỉnh)"
        if school is not None:
            found = services.schools.get(school.strip())
            if found is None:
                raise click.ClickException(f"Không có trường mã “{school}” (xem danh sách: "
                                           "careerbot schools list).")
            school, what = found.code, \
                f"cán bộ {messages.school_named(found.name, bold=False)} ({found.code})"
        try:
            place = services.staff.find_area(area) if area is not None else None
            if place is not None:
                what = f"cán bộ khu vực {place.name}"
            code = services.staff.invite_now(role, school, place, created_by="cli")
        except ScopeError as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"Mã mời: {code}")
    click.echo(f"Người được mời mở bot trên Telegram và gửi: /dangky {code}")
    click.echo(f"Quyền: {what}. Mã dùng được một lần, hết hạn sau {INVITE_DAYS} ngày.")


