"""The web chat faults a new user hit (issue 21, section 3), each checked in real headless
Chromium at 360x640 against `careerbot web` in its own process: the page keeps one screen's
height, a reload or a restart brings back the pending survey question at the bottom, a widget
on a site not yet allowed says so, help and privacy describe the web, the survey counts the
questions that apply and answers typed text, a school's name is not doubled."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from bot import messages
from bot.bootstrap import build_services
from bot.config import Settings
from bot.people.schools import School
from tests.browser import chromium, static_site
from tests.test_web_browser import (
    ARTIFACTS,
    SCHOOL,
    SCHOOL_HOST,
    WAIT,
    _open_school_page,
    ask,
    bot_messages,
    console_errors,
    kinds,
    open_chat,
    settle,
    tap,
)
from tests.web_process import ROOT, WebServer

NAMED = School("THCSMY", "Trường THCS Mỹ Yên", "Xã Mỹ Yên", "Bến Lức", "Long An")
OTHER_HOST = "127.0.0.3"  # a school site nobody put in CAREERBOT_WEB_ORIGINS
QUESTIONS = ["hoc trung cap co mat hoc phi ko", "cao dang hoc may nam", "vay von di hoc",
             "di nhat ban lam viec", "hoc nghe gi de co viec lam"]
PHONE = "return [document.documentElement.scrollHeight, window.innerHeight, window.scrollY, " \
        "document.querySelector('header').getBoundingClientRect().top, " \
        "document.getElementById('log').scrollHeight, document.getElementById('log').clientHeight]"


def _seeded_db(root: Path) -> Path:
    db = root / "careerbot.db"
    services = build_services(Settings(db_path=db))
    services.schools.add(SCHOOL, NAMED)
    services.close()
    return db


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, school_page: tuple[str, Path]
           ) -> Iterator[WebServer]:
    web = WebServer(_seeded_db(tmp_path_factory.mktemp("faults")), origins=school_page[0],
                    env={"LOG_LEVEL": "INFO"}).start()
    try:
        yield web
    finally:
        assert web.stop() == 0, web.output()
        assert "Traceback" not in web.output(), web.output()


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[WebServer]:
    """A server this test may restart."""
    web = WebServer(_seeded_db(tmp_path)).start()
    try:
        yield web
    finally:
        web.stop()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    with chromium(tmp_path / "chrome-profile") as driver:
        yield driver


@pytest.fixture(scope="module")
def school_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The school's own site, listed in CAREERBOT_WEB_ORIGINS."""
    root = tmp_path_factory.mktemp("school-site")
    with static_site(SCHOOL_HOST, root) as url:
        yield url, root


@pytest.fixture(scope="module")
def other_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A school site nobody put in CAREERBOT_WEB_ORIGINS yet."""
    root = tmp_path_factory.mktemp("other-site")
    with static_site(OTHER_HOST, root) as url:
        yield url, root


def _one_screen(driver: webdriver.Chrome) -> None:
    """The page is exactly the viewport, not scrolled, its header on screen, and the message
    list is what scrolls."""
    page, viewport, scrolled, header_top, log_height, log_box = driver.execute_script(PHONE)
    assert (page, scrolled, header_top) == (viewport, 0, 0), (page, viewport, scrolled,
                                                               header_top)
    assert log_height > log_box  # the list holds more than it shows: it scrolls, not the page
    bottom = driver.execute_script(
        "return document.getElementById('ask').getBoundingClientRect().bottom")
    assert bottom == pytest.approx(viewport, abs=1)  # the input sits at the bottom, no band


def _five_answers(driver: webdriver.Chrome) -> None:
    for question in QUESTIONS:
        ask(driver, question)


def _newest_in_view(driver: webdriver.Chrome) -> None:
    """The last message's top is inside the message list's visible box."""
    top, log_top, log_bottom = driver.execute_script(
        "var log = document.getElementById('log'), box = log.getBoundingClientRect();"
        "var last = log.lastElementChild.getBoundingClientRect();"
        "return [last.top, box.top, box.bottom];")
    assert log_top - 1 <= top < log_bottom, (top, log_top, log_bottom)


# --- one screen high ---------------------------------------------------------------------------
def test_at_360x640_the_page_stays_one_screen_after_five_answers(server, browser):
    open_chat(browser, server.url + "/")
    _five_answers(browser)
    _one_screen(browser)
    assert console_errors(browser) == []


def test_in_the_widget_the_chat_stays_one_frame_high_with_one_scrollbar(server, school_page,
                                                                        browser):
    site, root = school_page
    _open_school_page(browser, site, root, server, "layout.html",
                      '<html lang=vi><head><meta charset=utf-8><title>THCS An Lạc</title>'
                      '<meta name="viewport" content="width=device-width, initial-scale=1">'
                      ).click()
    browser.switch_to.frame(WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "careerbot-frame")))
    WebDriverWait(browser, WAIT).until(lambda d: bot_messages(d))
    settle(browser)
    _five_answers(browser)
    _one_screen(browser)
    browser.switch_to.default_content()
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "widget-360x640.png"))
    assert browser.execute_script(
        "return document.documentElement.scrollHeight <= window.innerHeight")


def test_the_phone_screenshot_shows_header_answer_and_input(server, browser):
    """docs/web-chat-mobile.png, for the README: a phone after a few answers."""
    open_chat(browser, server.url + "/")
    for question in QUESTIONS[:3]:
        ask(browser, question)
    _one_screen(browser)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "web-chat-mobile.png"))
    if (ROOT / "docs").is_dir() and os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        (ROOT / "docs" / "web-chat-mobile.png").write_bytes(
            (ARTIFACTS / "web-chat-mobile.png").read_bytes())


# --- a reload, a restart -----------------------------------------------------------------------
def _into_the_survey(driver: webdriver.Chrome, url: str) -> str:
    open_chat(driver, url)
    tap(driver, "Học sinh lớp 9")
    ask(driver, "/khaosat")
    tap(driver, "Nhu cầu sau tốt nghiệp")
    tap(driver, "✅")
    question = bot_messages(driver)[-1]
    tap(driver, question.find_elements(By.CSS_SELECTOR, "button.choice")[0].text)  # lớp 9
    return bot_messages(driver)[-1].text


def test_a_restart_then_the_school_link_shows_the_pending_survey_question(own_server,
                                                                          browser):
    url = f"{own_server.url}/?truong={SCHOOL.code}"
    pending = _into_the_survey(browser, url)
    assert "Câu 3/" in pending and "Bạn học lớp nào?" in pending  # the school came with the link
    own_server.stop()
    own_server.start()  # the transcript is gone; the answers are in the database
    browser.get(url)
    WebDriverWait(browser, WAIT).until(lambda d: bot_messages(d))
    settle(browser)
    last = bot_messages(browser)[-1]
    assert "Câu 3/" in last.text and "Bạn học lớp nào?" in last.text
    assert "survey_pause" in kinds(last)
    assert messages.WELCOME.split("\n")[0] not in browser.find_element(By.ID, "log").text
    _newest_in_view(browser)
    # the old page's event stream failed while the server was down, as it should
    assert [e for e in console_errors(browser) if "ERR_CONNECTION_REFUSED" not in e["message"]
            ] == []


def test_every_reload_shows_the_newest_message_not_the_oldest(server, browser):
    open_chat(browser, server.url + "/")
    _five_answers(browser)
    browser.refresh()
    WebDriverWait(browser, WAIT).until(lambda d: len(bot_messages(d)) == 6)
    settle(browser)
    _newest_in_view(browser)
    _one_screen(browser)


# --- a site not yet allowed ------------------------------------------------------------------
def test_a_widget_on_a_site_not_allowed_says_so_in_vietnamese_and_the_server_logs_it(
        server, other_site, browser):
    site, root = other_site
    bubble = _open_school_page(browser, site, root, server, "index.html",
                               '<html lang=vi><head><meta charset=utf-8><title>Trường</title>'
                               '<meta name="viewport" content="width=device-width, '
                               'initial-scale=1">')
    bubble.click()
    note = WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "careerbot-refused"))
    assert note.text == messages.WEB_SITE_NOT_ALLOWED and note.is_displayed()
    assert not browser.find_elements(By.ID, "careerbot-frame")  # no broken page
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "widget-site-not-allowed.png"))
    WebDriverWait(browser, WAIT).until(lambda d: site in server.output())
    assert "CAREERBOT_WEB_ORIGINS" in server.output()
    # and, as every command does, it said which database it opened
    assert f"Cơ sở dữ liệu: {server.env['CAREERBOT_DB']}" in server.output()


# --- help, privacy and the menu describe the web ------------------------------------------------
def test_help_privacy_and_menu_describe_the_web_chat(server, browser):
    open_chat(browser, server.url + "/")
    helped = ask(browser, "/help")
    assert "/tatthongbao" not in helped.text and "Telegram" not in helped.text
    assert "/xoadulieu" in helped.text and "/khaosat" in helped.text
    privacy = ask(browser, "bot lưu những thông tin gì của tôi")
    assert "Telegram" not in privacy.text and "cookie" in privacy.text
    assert "/tatthongbao" not in privacy.text
    menu = ask(browser, "/menu")
    labels = [b.text for b in menu.find_elements(By.CSS_SELECTOR, "button.choice")]
    assert messages.MY_DATA_BUTTON in labels and messages.ERASE_BUTTON in labels
    mine = tap(browser, messages.MY_DATA_BUTTON)
    assert "Dữ liệu bot đang lưu về bạn" in bot_messages(browser)[-1].text, mine.text
    assert console_errors(browser) == []


# --- the survey's count and typed text -----------------------------------------------------------
def test_the_survey_intro_says_about_n_questions_and_the_count_never_passes_its_total(
        server, browser):
    open_chat(browser, f"{server.url}/?truong={SCHOOL.code}")
    tap(browser, "Học sinh lớp 9")
    ask(browser, "/khaosat")
    intro = tap(browser, "Nhu cầu sau tốt nghiệp")
    assert "khoảng 10 câu" in bot_messages(browser)[-1].text, intro.text
    first = tap(browser, "✅")
    assert "Câu 1/10" in bot_messages(browser)[-1].text, first.text
    # a question with buttons open, and the student types: told how, the question shown again
    reply = ask(browser, "học trung cấp có mất học phí không")
    last = bot_messages(browser)[-1]
    assert "Câu 1/10" in last.text and "survey_answer" in kinds(last)
    assert messages.SURVEY_USE_BUTTONS in browser.find_element(By.ID, "log").text, reply.text
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "survey-typed-at-a-button-question.png"))
    # typing a choice's label answers it
    ask(browser, "lớp 9")
    assert "Câu 3/10" in bot_messages(browser)[-1].text  # the school came with the link


def test_joining_a_school_named_truong_does_not_repeat_the_word(server, browser):
    welcome = open_chat(browser, f"{server.url}/?truong={NAMED.code}")
    text = browser.find_element(By.ID, "log").text
    assert "Bạn đã tham gia Trường THCS Mỹ Yên" in text, welcome.text
    assert "trường Trường" not in text
