"""The staff dashboard in a real browser: Debian's headless Chromium, driven by selenium,
against `careerbot web` in its own process, signing in with links printed by
`careerbot staff login-link` (a second process on the same database, as an operator runs it)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from bot import messages
from bot.bootstrap import build_services
from bot.config import Settings
from bot.people.schools import School
from bot.reports import reporting
from bot.surveys.model import school_year
from tests.browser import chromium
from tests.cli_run import careerbot_process
from tests.seed import seed_needs_responses, seed_response
from tests.web_process import ROOT, WebServer

ARTIFACTS = ROOT / "tests" / "artifacts"
SCHOOL_A = School("THCSAL", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")
SCHOOL_B = School("THCSBD", "THCS Bình Đức", "Xã Bình Đức", "Bến Lức", "Long An")
A_NAME = "Nguyễn Văn An"  # a name only school A's rows hold
B_NAME = "Trần Thị Bích Bê"  # and one only school B's
WAIT = 30


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebServer]:
    db = tmp_path_factory.mktemp("dashboard") / "careerbot.db"
    services = build_services(Settings(db_path=db))
    services.schools.add(SCHOOL_A, SCHOOL_B)
    year = school_year(services.local_now().date())
    services.close()
    seed_needs_responses(db, 40, [SCHOOL_A.code], year, first_user=5_000_000)
    seed_needs_responses(db, 25, [SCHOOL_B.code], year, first_user=6_000_000, seed=2)
    seed_response(db, 7_000_001, "needs", year, {"grade": "9", "class": "9A1",
                                                 "counsellor": "yes", "contact": A_NAME},
                  school=SCHOOL_A.code, current="plan")
    seed_response(db, 7_000_002, "needs", year, {"grade": "9", "class": "9B7",
                                                 "counsellor": "yes", "contact": B_NAME},
                  school=SCHOOL_B.code, current="plan")
    web = WebServer(db)
    web.env.update({"CAREERBOT_PUBLIC_ORIGIN": web.url,
                    "CAREERBOT_BOT_USERNAME": "careerbot_lan_bot"})
    web.start()
    try:
        yield web
    finally:
        assert web.stop() == 0, web.output()
        assert "Traceback" not in web.output(), web.output()


def login_link(server: WebServer, school: str) -> str:
    """`careerbot staff login-link --school MÃ`, run as the operator runs it."""
    ran = careerbot_process("staff", "login-link", "--school", school, env={
        "CAREERBOT_DB": server.env["CAREERBOT_DB"], "CAREERBOT_PUBLIC_ORIGIN": server.url})
    assert ran.returncode == 0, ran.stderr
    link = ran.stdout.strip()
    assert link.startswith(f"{server.url}/quan-ly/vao?t="), ran.stdout
    return link


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """A fresh Chromium profile per test, a school PC's screen; files land in tmp_path."""
    (tmp_path / "downloads").mkdir()
    with chromium(tmp_path / "chrome-profile", 1280, 900) as driver:
        driver.execute_cdp_cmd("Browser.setDownloadBehavior", {
            "behavior": "allow", "downloadPath": str(tmp_path / "downloads")})
        yield driver


def sign_in(driver: webdriver.Chrome, link: str) -> None:
    driver.get(link)
    driver.find_element(By.ID, "enter").click()
    WebDriverWait(driver, WAIT).until(lambda d: d.find_elements(By.ID, "sign-out"))


def go(driver: webdriver.Chrome, by: str, what: str, landing: str) -> None:
    """Click a link or button and wait for the page it opens (never read the old one's rows)."""
    driver.find_element(by, what).click()
    WebDriverWait(driver, WAIT).until(lambda d: landing in d.current_url
                                      and d.execute_script("return document.readyState")
                                      == "complete")


def console_errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def downloaded(folder: Path, name: str) -> bytes:
    path = folder / name
    deadline = time.monotonic() + WAIT
    while not (path.exists() and path.stat().st_size > 0) and time.monotonic() < deadline:
        time.sleep(0.1)  # Chrome writes NAME.crdownload, then renames it
    return path.read_bytes()


def image_loaded(driver: webdriver.Chrome, css: str) -> bool:
    return bool(driver.execute_script(
        "const i = document.querySelector(arguments[0]); return i && i.complete && "
        "i.naturalWidth > 0;", css))


def screenshot(driver: webdriver.Chrome, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / name))
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copy(ARTIFACTS / name, ROOT / "docs" / name)


def test_sign_in_see_the_own_school_download_everything_sign_out(
        server: WebServer, browser: webdriver.Chrome, tmp_path: Path) -> None:
    sign_in(browser, login_link(server, SCHOOL_A.code))
    page = browser.find_element(By.TAG_NAME, "body").text
    assert SCHOOL_A.name in page and "41\nđã bắt đầu" in page and "40\nđã gửi" in page
    assert SCHOOL_B.name not in page and "9B7" not in page
    assert f"t.me/careerbot_lan_bot?start={SCHOOL_A.code}" in page
    WebDriverWait(browser, WAIT).until(lambda d: image_loaded(d, ".links img"))
    screenshot(browser, "dashboard-overview.png")

    go(browser, By.LINK_TEXT, "Câu trả lời", "/quan-ly/tra-loi")
    assert "41 người trả lời" in browser.find_element(By.ID, "count").text
    assert A_NAME in browser.page_source and B_NAME not in browser.page_source
    Select(browser.find_element(By.ID, "lop")).select_by_visible_text("9A1")
    go(browser, By.CSS_SELECTOR, "form.filters button", "lop=9A1")
    classes = {row.find_elements(By.TAG_NAME, "td")[1].text
               for row in browser.find_elements(By.CSS_SELECTOR, "tbody tr")}
    assert classes == {"9A1"}
    screenshot(browser, "dashboard-responses.png")

    go(browser, By.LINK_TEXT, "Tải về", "/quan-ly/tai-ve")
    folder = tmp_path / "downloads"
    services = build_services(Settings(db_path=Path(server.env["CAREERBOT_DB"])))
    try:
        scope = services.staff.school_scope(SCHOOL_A.code)
        assert scope is not None
        year = school_year(services.local_now().date())
        for survey in services.surveys.surveys:
            expected = reporting.export_document(services, scope, [survey], "csv", year)
            browser.find_element(By.ID, f"csv-{survey.id}").click()
            assert downloaded(folder, expected.filename) == expected.data
        needs = reporting.export_document(services, scope, [services.surveys.surveys[0]],
                                          "csv", year)
        book = reporting.export_document(services, scope, list(services.surveys.surveys),
                                         "xlsx", year)
    finally:
        services.close()
    rows = list(csv.reader(io.StringIO(needs.data.decode("utf-8-sig"))))
    assert len(rows) == 41  # the header and school A's 40 submitted answers
    browser.find_element(By.ID, "xlsx").click()
    sheets = openpyxl.load_workbook(io.BytesIO(downloaded(folder, book.filename)))
    assert sheets.sheetnames == openpyxl.load_workbook(io.BytesIO(book.data)).sheetnames
    browser.find_element(By.ID, "chart").click()
    assert downloaded(folder, f"bao-cao-{year}.png").startswith(b"\x89PNG")
    go(browser, By.ID, "report", "/quan-ly/bao-cao")
    WebDriverWait(browser, WAIT).until(lambda d: image_loaded(d, "#chart-img"))
    assert "BÁO CÁO KẾT QUẢ KHẢO SÁT" in browser.find_element(By.TAG_NAME, "main").text

    browser.find_element(By.ID, "sign-out").click()
    WebDriverWait(browser, WAIT).until(lambda d: messages.DASH_SIGNED_OUT in d.page_source)
    browser.get(server.url + "/quan-ly/tra-loi")
    assert "/quan-ly/dang-nhap" in browser.current_url and A_NAME not in browser.page_source
    assert console_errors(browser) == []


def test_another_schools_staff_see_none_of_its_rows(server: WebServer,
                                                     browser: webdriver.Chrome) -> None:
    sign_in(browser, login_link(server, SCHOOL_B.code))
    pages = ["/quan-ly", "/quan-ly/tra-loi", "/quan-ly/tra-loi?khaosat=needs&q=an",
             "/quan-ly/tra-loi?lop=9A1", "/quan-ly/tai-ve", "/quan-ly/bao-cao",
             f"/quan-ly?truong={SCHOOL_A.code}", f"/quan-ly/tra-loi?truong={SCHOOL_A.code}",
             f"/quan-ly/tai-ve/csv/needs?truong={SCHOOL_A.code}"]
    for path in pages:
        browser.get(server.url + path)
        text = browser.find_element(By.TAG_NAME, "body").text
        assert A_NAME not in browser.page_source and SCHOOL_A.name not in text, path
        assert "Đăng xuất" in text or "không thuộc phạm vi" in text, (path, text[:300])
    browser.get(server.url + "/quan-ly/tra-loi")
    assert B_NAME in browser.page_source and "26 người trả lời" in browser.page_source


def test_a_form_without_its_token_is_refused(server: WebServer,
                                             browser: webdriver.Chrome) -> None:
    sign_in(browser, login_link(server, SCHOOL_A.code))
    browser.execute_script(
        "const f = document.createElement('form'); f.method = 'post';"
        "f.action = '/quan-ly/dang-xuat'; const i = document.createElement('input');"
        "i.name = 'csrf'; i.value = 'forged'; f.appendChild(i); document.body.appendChild(f);"
        "f.submit();")
    WebDriverWait(browser, WAIT).until(lambda d: messages.DASH_FORM_EXPIRED in d.page_source)
    browser.get(server.url + "/quan-ly")
    assert browser.find_elements(By.ID, "sign-out")  # the forged form ended nothing


def test_pages_fit_a_phone_and_print_without_the_menu(server: WebServer,
                                                      browser: webdriver.Chrome) -> None:
    sign_in(browser, login_link(server, SCHOOL_A.code))
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 360, "height": 640, "deviceScaleFactor": 1, "mobile": True})
    for path in ("/quan-ly", "/quan-ly/tra-loi", "/quan-ly/tai-ve", "/quan-ly/bao-cao"):
        browser.get(server.url + path)
        width = browser.execute_script("return document.documentElement.scrollWidth")
        assert width <= 360, (path, width)  # wide tables scroll inside their box, not the page
    browser.get(server.url + "/quan-ly/tra-loi")
    menu = "return getComputedStyle(document.querySelector('nav')).display"
    assert browser.execute_script(menu) != "none"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script(menu) == "none"
    assert browser.find_element(By.CSS_SELECTOR, "tbody tr").is_displayed()


def test_an_admin_makes_a_colleague_a_link_in_the_browser(server: WebServer,
                                                          browser: webdriver.Chrome) -> None:
    login_link(server, SCHOOL_B.code)  # registers a school B member (this link goes unused)
    services = build_services(Settings(db_path=Path(server.env["CAREERBOT_DB"])))

    async def register_admin() -> int:
        code = await services.staff.invite("admin")
        made = await services.accounts.resolve("dashboard", "admin-in-the-browser")
        await services.staff.redeem(code, made.user_id)
        return made.user_id

    try:
        member = next(m for m in reversed(services.staff.members()) if m.role == "school")
        admin = asyncio.run(register_admin())
    finally:
        services.close()
    ran = careerbot_process("staff", "login-link", "--user", str(admin), env={
        "CAREERBOT_DB": server.env["CAREERBOT_DB"], "CAREERBOT_PUBLIC_ORIGIN": server.url})
    assert ran.returncode == 0, ran.stderr
    sign_in(browser, ran.stdout.strip())
    go(browser, By.LINK_TEXT, "Cán bộ", "/quan-ly/can-bo")
    go(browser, By.ID, f"link-{member.user_id}", "/quan-ly/can-bo/lien-ket")
    link = browser.find_element(By.ID, "link").get_attribute("value") or ""
    assert link.startswith(f"{server.url}/quan-ly/vao?t="), link
    assert "10 phút" in browser.find_element(By.TAG_NAME, "body").text
    assert not console_errors(browser)
    browser.delete_all_cookies()  # the colleague, on their own PC
    sign_in(browser, link)
    assert SCHOOL_B.name in browser.find_element(By.TAG_NAME, "body").text
    browser.delete_all_cookies()
    browser.get(link)
    browser.find_element(By.ID, "enter").click()
    WebDriverWait(browser, WAIT).until(lambda d: messages.DASH_LINK_USED in d.page_source)
