"""export, report, schools import/list and staff invite, run as `careerbot` commands (in this
process, tests/cli_run.py) against a real SQLite file (the survey is
tests/data/surveys_fixture/needs_min.yaml)."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import os
import shutil
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from bot.storage.database import open_db
from bot.surveys.model import school_year
from tests import cli_run
from tests.conftest import KNOWLEDGE
from tests.test_report import SURVEYS, YEAR, seed_database


@pytest.fixture(scope="module")
def knowledge_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled knowledge with the fixture survey in place of the real ones."""
    target = tmp_path_factory.mktemp("kb") / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    shutil.rmtree(target / "surveys")
    shutil.copytree(SURVEYS, target / "surveys")
    return target


@pytest.fixture
def env(tmp_path: Path, knowledge_dir: Path) -> dict[str, str]:
    return {"CAREERBOT_DB": str(tmp_path / "careerbot.db"),
            "CAREERBOT_KNOWLEDGE_DIR": str(knowledge_dir)}


@pytest.fixture
def seeded(env: dict[str, str]) -> dict[str, str]:
    seed_database(Path(env["CAREERBOT_DB"]))
    return env


def careerbot(env: dict[str, str], *args: str) -> cli_run.Ran:
    return cli_run.careerbot(*args, env=env)


def one_clear_line(out: cli_run.Ran) -> str:
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 or lines[0].startswith("Usage:"), out.stderr
    return lines[-1]


# --- export --------------------------------------------------------------------------------------
def test_export_csv_of_one_school_holds_only_its_responses(seeded, tmp_path):
    target = tmp_path / "dh01.csv"
    out = careerbot(seeded, "export", "--school", "dh01", "--survey", "needs", "--format", "csv",
                    "-o", str(target), "--year", YEAR)
    assert out.returncode == 0, out.stderr
    assert "18 phiếu" in out.stdout and str(target) in out.stdout
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert len(rows) == 18 and {r["Mã trường"] for r in rows} == {"DH01"}
    assert rows[0]["Bạn quan tâm đến ngành nghề nào?/Công nghệ thông tin"] == "1"
    assert f"Cơ sở dữ liệu: {seeded['CAREERBOT_DB']}" in out.stderr  # which file it read


def test_export_codes_gives_the_analysts_variant(seeded, tmp_path):
    target = tmp_path / "codes.csv"
    out = careerbot(seeded, "export", "--school", "DH01", "--survey", "needs", "-o",
                    str(target), "--year", YEAR, "--codes")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert rows[0]["school_code"] == "DH01" and rows[0]["field/cntt"] == "1"
    assert rows[0]["submitted_at"].endswith("+07:00")


def test_the_cli_export_is_the_file_telegram_export_sends(seeded, tmp_path):
    """One code path: the bytes /export builds in its worker are the CLI's bytes."""
    from bot.bootstrap import running
    from bot.config import Settings
    from bot.people.staff import Scope
    from bot.reports import reporting

    target = tmp_path / "all.xlsx"
    assert careerbot(seeded, "export", "--all", "-o", str(target), "--year", YEAR
                     ).returncode == 0
    settings = Settings(db_path=Path(seeded["CAREERBOT_DB"]),
                        knowledge_dir=Path(seeded["CAREERBOT_KNOWLEDGE_DIR"]))
    with running(settings, lock=False) as app:
        args = reporting.export_args(app.svc, Scope("all", "Toàn tỉnh", None, None),
                                     list(app.svc.surveys.surveys), "xlsx", YEAR)
    sent = reporting.export_file(*args)
    got, mine = openpyxl.load_workbook(target), openpyxl.load_workbook(io.BytesIO(sent.data))
    assert [[[c.value for c in r] for r in ws.iter_rows()] for ws in got.worksheets] == \
        [[[c.value for c in r] for r in ws.iter_rows()] for ws in mine.worksheets]


def test_export_where_there_is_no_database_says_so_and_creates_none(env, tmp_path):
    target = tmp_path / "x.csv"
    out = careerbot(env, "export", "--all", "--survey", "needs", "-o", str(target))
    assert out.returncode == 1
    line = one_clear_line(out)
    assert "Không có cơ sở dữ liệu" in line and env["CAREERBOT_DB"] in line
    assert "CAREERBOT_DB" in line.replace(env["CAREERBOT_DB"], "")
    assert not Path(env["CAREERBOT_DB"]).exists() and not target.exists()
    assert careerbot(env, "report", "--all").returncode == 1
    assert not Path(env["CAREERBOT_DB"]).exists()


def test_a_command_run_below_the_bots_folder_finds_the_database_its_env_names(
        seeded, tmp_path, monkeypatch):
    """The server and the CLI read the same .env, found upwards from where they run, and a
    relative CAREERBOT_DB in it is the file beside the .env."""
    from handlers.cli.common import _settings, database_path, load_configuration

    home = Path(seeded["CAREERBOT_DB"]).parent
    (home / ".env").write_text("CAREERBOT_DB=careerbot.db\n"
                               f"CAREERBOT_KNOWLEDGE_DIR={seeded['CAREERBOT_KNOWLEDGE_DIR']}\n",
                               encoding="utf-8")
    below = home / "bao-cao" / "2026"
    below.mkdir(parents=True)
    for name in ("CAREERBOT_DB", "CAREERBOT_KNOWLEDGE_DIR"):
        # Set, then removed: monkeypatch records the variable, so what load_configuration
        # writes into os.environ is undone after this test (it leaked into later bot processes).
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.chdir(below)
    assert load_configuration() == home / ".env"
    assert database_path(_settings()) == Path(seeded["CAREERBOT_DB"])


def test_export_xlsx_of_every_survey_for_the_whole_province(seeded, tmp_path):
    target = tmp_path / "all.xlsx"
    out = careerbot(seeded, "export", "--all", "-o", str(target), "--year", YEAR)
    assert out.returncode == 0, out.stderr
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames == ["Tổng hợp", "Nhu cầu sau tốt nghiệp (thử)"]
    assert wb.worksheets[1].max_row == 26 and wb.worksheets[1].freeze_panes == "A2"
    summary = [[c.value for c in row] for row in wb["Tổng hợp"].iter_rows()]
    assert summary[1][:3] == ["Nhu cầu sau tốt nghiệp (thử)", "needs", 25]
    assert any(row[:2] == ["01", "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp"]
               for row in summary)


def test_export_of_an_area_covers_the_schools_of_that_former_district(seeded, tmp_path):
    target = tmp_path / "area.csv"
    out = careerbot(seeded, "export", "--area", "Tân Thạnh", "--survey", "needs", "-o",
                    str(target), "--year", YEAR)
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert len(rows) == 1 + 7 and {r[1] for r in rows[1:]} == {"TT01"}


@pytest.mark.parametrize("args, message", [
    (["--all", "--format", "csv"], "đúng một --survey"),
    (["--all", "--school", "DH01", "--survey", "needs"], "đúng một trong"),
    (["--survey", "needs"], "đúng một trong"),
    (["--all", "--survey", "needs", "--year", "2026"], "2026-2027"),
])
def test_export_usage_mistakes_are_explained_in_one_line(seeded, tmp_path, args, message):
    out = careerbot(seeded, "export", *args, "-o", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and message in one_clear_line(out)
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize("args, message", [
    (["--school", "KHONGCO", "--survey", "needs"], "Không có trường mã “KHONGCO”"),
    (["--area", "Nơi Không Có", "--survey", "needs"], "Không có xã, phường hay huyện cũ nào"),
    (["--area", "!!!", "--survey", "needs"], "Cần tên khu vực"),
    (["--all", "--survey", "riasec"], "Không có khảo sát “riasec”"),
])
def test_export_errors_are_one_clear_line(seeded, tmp_path, args, message):
    out = careerbot(seeded, "export", *args, "-o", str(tmp_path / "x.csv"))
    assert out.returncode == 1 and message in one_clear_line(out)


# --- report --------------------------------------------------------------------------------------
def test_report_prints_the_text_report_and_saves_the_chart(seeded, tmp_path):
    chart = tmp_path / "chart.png"
    out = careerbot(seeded, "report", "--school", "DH01", "--year", YEAR, "--chart", str(chart))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("BÁO CÁO KẾT QUẢ KHẢO SÁT NHU CẦU SAU TỐT NGHIỆP")
    assert "40,00% (4/10)" in out.stdout and "37,50% (3/8)" in out.stdout
    assert "40,39%" in out.stdout and "Chưa đạt" in out.stdout
    assert "Đã lưu biểu đồ" in out.stderr  # stdout carries only the report
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_report_csv_to_a_file(seeded, tmp_path):
    target = tmp_path / "report.csv"
    out = careerbot(seeded, "report", "--school", "TT01", "--year", YEAR, "--format", "csv",
                    "-o", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    # 5 answers of lớp 9: below the minimum of 20, no verdict
    assert rows[1] == ["01", "Tỷ lệ học sinh lớp 9 dự định học sơ cấp, trung cấp", "40,00%",
                       "40,00%", "2/5", "chưa đủ số liệu (n = 5)"]
    out = careerbot({**seeded, "CAREERBOT_REPORT_MIN_RESPONSES": "5"}, "report", "--school",
                    "TT01", "--year", YEAR, "--format", "csv", "-o", str(target))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8-sig"))))
    assert rows[1][-1] == "Đạt"


def test_report_defaults_to_this_school_year(seeded):
    out = careerbot(seeded, "report", "--all")
    assert out.returncode == 0, out.stderr
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    assert f"Năm học: {school_year(today)}" in out.stdout


def test_report_of_an_unknown_school_is_one_clear_line(seeded):
    out = careerbot(seeded, "report", "--school", "KHONGCO")
    assert out.returncode == 1 and "KHONGCO" in one_clear_line(out)


# --- schools import ------------------------------------------------------------------------------
def _codes(env: dict[str, str]) -> list[str]:
    db = open_db(env["CAREERBOT_DB"])
    try:
        return [r["code"] for r in db.query("SELECT code FROM schools ORDER BY code")]
    finally:
        db.close()


def test_a_bad_school_file_imports_nothing_and_names_each_bad_line(env, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,commune,former_district,province\n"
                   "A01,Trường A,Xã A,Đức Hòa,Tây Ninh\n"
                   "B 02,Trường B,Xã B,Đức Hòa,Tây Ninh\n"
                   "C03,,Xã C,Tân Thạnh,Tây Ninh\n"
                   "a01,Trường A trùng,Xã A,Đức Hòa,Tây Ninh\n"
                   "D04,Trường D\n", encoding="utf-8")
    out = careerbot(env, "schools", "import", str(bad))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    lines = out.stderr.splitlines()
    assert lines[0].startswith(f"{bad}:3: mã trường “B 02” không hợp lệ")
    assert lines[1] == f"{bad}:4: thiếu tên trường"
    assert lines[2] == f"{bad}:5: mã trường “a01” trùng với dòng 2"
    assert lines[3].startswith(f"{bad}:6: có 2 cột")
    assert "Không nhập trường nào" in lines[4]
    assert _codes(env) == []


def test_an_unknown_column_is_reported_on_line_one(env, tmp_path):
    bad = tmp_path / "cols.csv"
    bad.write_text("code,name,huyen\nA01,Trường A,Đức Hòa\n", encoding="utf-8")
    out = careerbot(env, "schools", "import", str(bad))
    assert out.returncode == 1 and out.stderr.startswith(f"{bad}:1: cột không rõ “huyen”")


def test_a_good_school_file_with_vietnamese_headers_and_a_bom_is_imported(env, tmp_path):
    good = tmp_path / "truong.csv"
    good.write_bytes("\ufeffma,ten,xa,huyen_cu,tinh\r\n"
                     "DH01,Trường THCS Đức Hòa,Xã Đức Hòa,Đức Hòa,Tây Ninh\r\n"
                     "\r\n"
                     "TT01,\"Trường THPT Tân Thạnh, cơ sở 2\",Xã Tân Thạnh,Tân Thạnh,Tây Ninh\r\n"
                     .encode())
    out = careerbot(env, "schools", "import", str(good))
    assert out.returncode == 0, out.stderr
    assert "Đã nhập 2 trường (2 mới, 0 cập nhật)." in out.stdout
    assert _codes(env) == ["DH01", "TT01"]
    listed = careerbot(env, "schools", "list")
    assert "Trường THPT Tân Thạnh, cơ sở 2" in listed.stdout and "Đức Hòa" in listed.stdout
    again = careerbot(env, "schools", "import", str(good))
    assert "(0 mới, 2 cập nhật)" in again.stdout


def test_english_headers_semicolons_and_an_unknown_district_warning(env, tmp_path):
    good = tmp_path / "schools.csv"
    good.write_text("code;name;former_district\nX01;Trường X;Huyện Lạ\n", encoding="utf-8")
    out = careerbot(env, "schools", "import", str(good))
    assert out.returncode == 0, out.stderr
    assert "Đã nhập 1 trường" in out.stdout and "Huyện Lạ" in out.stderr
    assert _codes(env) == ["X01"]


# --- staff invite --------------------------------------------------------------------------------
def test_staff_invites_print_a_one_time_code_and_how_to_use_it(seeded):
    out = careerbot(seeded, "staff", "invite", "--school", "dh01")
    assert out.returncode == 0, out.stderr
    code = out.stdout.splitlines()[0].removeprefix("Mã mời: ")
    assert len(code) == 10 and f"/dangky {code}" in out.stdout
    area = careerbot(seeded, "staff", "invite", "--area", "Đức Hòa")
    admin = careerbot(seeded, "staff", "invite", "--admin")
    assert area.returncode == 0 and admin.returncode == 0
    db = open_db(seeded["CAREERBOT_DB"])
    try:
        rows = {r["code"]: r for r in db.query("SELECT * FROM invites")}
    finally:
        db.close()
    assert (rows[code]["role"], rows[code]["school_code"]) == ("school", "DH01")
    assert sorted(r["role"] for r in rows.values()) == ["admin", "area", "school"]


def test_an_invite_for_an_unknown_school_or_two_roles_is_refused(seeded):
    out = careerbot(seeded, "staff", "invite", "--school", "KHONGCO")
    assert out.returncode == 1 and "KHONGCO" in one_clear_line(out)
    nowhere = careerbot(seeded, "staff", "invite", "--area", "!!!")
    assert nowhere.returncode == 1 and "Cần tên khu vực" in one_clear_line(nowhere)
    both = careerbot(seeded, "staff", "invite", "--admin", "--area", "Đức Hòa")
    assert both.returncode == 2 and "đúng một trong" in one_clear_line(both)


def test_staff_list_shows_roles_and_scopes_and_revoke_takes_the_role_away(seeded):
    from bot.people.schools import Schools
    from bot.people.staff import Staff
    from bot.storage.database import open_reader
    from bot.storage.writer import Writer

    path = seeded["CAREERBOT_DB"]
    writer, reader = Writer(path), open_reader(path)
    try:
        staff = Staff(reader, writer, Schools(reader, writer))
        code = staff.invite_now("school", "DH01")
        asyncio.run(staff.redeem(code, 4242))
    finally:
        writer.close()
        reader.close()
    listing = careerbot(seeded, "staff", "list")
    assert listing.returncode == 0, listing.stderr
    [row] = [line for line in listing.stdout.splitlines() if "4242" in line]
    assert code in row and "cán bộ trường" in row and "DH01" in row and "20" in row
    out = careerbot(seeded, "staff", "revoke", "4242")
    assert out.returncode == 0 and "4242" in out.stdout
    assert "4242" not in careerbot(seeded, "staff", "list").stdout
    again = careerbot(seeded, "staff", "revoke", "4242")
    assert again.returncode == 1 and "4242" in one_clear_line(again)
    db = open_db(path)
    try:
        assert db.execute("SELECT count(*) FROM staff").fetchone()[0] == 0
        assert db.execute("SELECT used_at IS NOT NULL FROM invites").fetchone()[0] == 1
    finally:
        db.close()


def test_exports_reports_and_charts_are_written_0600_whatever_the_umask(seeded, tmp_path):
    import stat

    old = os.umask(0o022)
    try:
        out = careerbot(seeded, "export", "--all", "-o", str(tmp_path / "all.xlsx"))
        report = careerbot(seeded, "report", "--all", "--format", "csv", "-o",
                           str(tmp_path / "r.csv"), "--chart", str(tmp_path / "c.png"))
    finally:
        os.umask(old)
    assert out.returncode == 0 and report.returncode == 0, out.stderr + report.stderr
    for name in ["all.xlsx", "r.csv", "c.png"]:
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600, name
    db = Path(seeded["CAREERBOT_DB"])
    for path in [db, Path(f"{db}-wal"), Path(f"{db}-shm")]:
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
