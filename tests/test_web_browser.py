"""The web chat in a real browser: Debian's headless Chromium, driven by selenium, against
`careerbot web` running in its own process on 127.0.0.1, and a plain "school" page on another
site (127.0.0.2) that pastes the widget's one line."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from bot import intents as i
from bot import messages
from bot.answering import knowledge
from bot.bootstrap import Running, build_services
from bot.config import Settings
from bot.people.schools import School
from bot.views import Block, Choice, Part, View
from handlers.web import api
from handlers.web.server import start_web
from handlers.web.sessions import session_key
from tests.browser import chromium, static_site
from tests.web_process import ROOT, WebServer, free_port

ARTIFACTS = ROOT / "tests" / "artifacts"
SCHOOL = School("THCSAL", "THCS An Lạc", "Xã An Lạc", "Bến Lức", "Long An")
SCHOOL_HOST = "127.0.0.2"  # another site than 127.0.0.1, as a school's own domain is
WAIT = 30  # seconds, an upper bound for one step on a busy 2-core machine


# --- the servers ---------------------------------------------------------------------------

def _open_school_page(browser: webdriver.Chrome, site: str, root: Path, server: Any,
                      name: str, head: str) -> WebElement:
    """A school's page with the one line pasted in, opened; the chat bubble it shows."""
    (root / name).write_text(
        f"<!doctype html>{head}<link rel=icon href=data:,></head>"
        "<body><h1>Trường THCS An Lạc</h1>"
        f'<script src="{server.url}/widget.js" data-school="{SCHOOL.code}" async></script>'
        "</body></html>", encoding="utf-8")
    browser.get(f"{site}/{'' if name == 'index.html' else name}")
    return WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "careerbot-bubble"))


@pytest.fixture(scope="module")
def school_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A plain page on the school's site; the test writes its one line into it."""
    root = tmp_path_factory.mktemp("school-site")
    with static_site(SCHOOL_HOST, root) as site:
        yield site, root


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, school_page: tuple[str, Path]
           ) -> Iterator[WebServer]:
    db = tmp_path_factory.mktemp("web") / "careerbot.db"
    services = build_services(Settings(db_path=db))  # the school a student's link names
    services.schools.add(SCHOOL)
    services.close()
    web = WebServer(db, origins=school_page[0]).start()
    try:
        yield web
    finally:
        assert web.stop() == 0, web.output()
        assert "Traceback" not in web.output(), web.output()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    """A fresh Chromium profile per test, a 360x640 phone screen."""
    with chromium(tmp_path / "chrome-profile") as driver:
        yield driver


# --- what a visitor does -------------------------------------------------------------------
def console_errors(driver: webdriver.Chrome) -> list[dict[str, Any]]:
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def settle(driver: webdriver.Chrome) -> None:
    """Until the page has its answer (the log is no longer busy)."""
    WebDriverWait(driver, WAIT).until(
        lambda d: d.find_element(By.ID, "log").get_attribute("aria-busy") == "false")


def bot_messages(driver: webdriver.Chrome) -> list[WebElement]:
    return driver.find_elements(By.CSS_SELECTOR, "#log .msg.bot")


def open_chat(driver: webdriver.Chrome, url: str) -> WebElement:
    driver.get(url)
    WebDriverWait(driver, WAIT).until(lambda d: bot_messages(d))
    settle(driver)
    return bot_messages(driver)[-1]


def ask(driver: webdriver.Chrome, text: str) -> WebElement:
    before = len(bot_messages(driver))
    box = driver.find_element(By.ID, "text")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)
    WebDriverWait(driver, WAIT).until(lambda d: len(bot_messages(d)) > before)
    settle(driver)
    return bot_messages(driver)[-1]


def tap(driver: webdriver.Chrome, label: str) -> WebElement:
    button = [b for b in driver.find_elements(By.CSS_SELECTOR, "#log button.choice")
              if b.text.startswith(label)][-1]
    button.click()
    settle(driver)
    return driver.switch_to.active_element


def title_of(message: WebElement) -> str:
    return message.find_element(By.TAG_NAME, "h2").text


# --- the tests -----------------------------------------------------------------------------
def test_the_page_loads_without_console_errors_within_60_kb(server, browser):
    welcome = open_chat(browser, server.url + "/")
    assert "Chào bạn" in welcome.text
    sizes = browser.execute_script(
        "return performance.getEntriesByType('navigation').concat("
        "performance.getEntriesByType('resource')).map(e => [e.name, e.transferSize]);")
    total = sum(size for _, size in sizes)
    assert {name.split("?")[0].replace(server.url, "") for name, _ in sizes} >= {
        "/", "/static/chat.css", "/static/chat.js", "/api/open"}
    assert 0 < total <= 60 * 1024, sizes
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "first-open.json").write_text(json.dumps({"bytes": total, "entries": sizes}))
    assert browser.execute_script(
        "return document.documentElement.lang + '|' + document.title") == \
        f"vi|{messages.WEB_TITLE}"
    assert console_errors(browser) == []


def test_a_question_without_diacritics_is_answered_with_its_sources(server, browser):
    open_chat(browser, server.url + "/")
    answer = ask(browser, "hoc trung cap co mat hoc phi ko")
    entry = knowledge.load(None).get("tuition.trung-cap-free")
    assert title_of(answer) == entry.title
    sources = answer.find_element(By.CSS_SELECTOR, ".sources").text
    assert sources.startswith("📚 Nguồn:") and len(sources) > len("📚 Nguồn: ")
    mine = browser.find_elements(By.CSS_SELECTOR, "#log .msg.you")[-1]
    assert mine.text.endswith("hoc trung cap co mat hoc phi ko")
    # The screenshot the README shows: a phone screen with an answer and its buttons.
    browser.execute_script("arguments[0].scrollIntoView({block: 'start'})", mine)
    ARTIFACTS.mkdir(exist_ok=True)
    browser.save_screenshot(str(ARTIFACTS / "web-chat-360x640.png"))
    if (ROOT / "docs").is_dir() and os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        shutil.copy(ARTIFACTS / "web-chat-360x640.png", ROOT / "docs" / "web-chat.png")
    assert console_errors(browser) == []


def test_buttons_walk_the_menu_in_place_and_take_the_focus_along(server, browser):
    open_chat(browser, server.url + "/")
    focused = tap(browser, "Học sinh lớp 9")
    assert "Học sinh lớp 9" in focused.text  # the welcome became the confirmation, focused
    assert len(bot_messages(browser)) == 1
    menu = tap(browser, messages.MENU_BUTTON)
    assert messages.MENU_TITLE in menu.text and len(bot_messages(browser)) == 1
    group_label = menu.find_elements(By.CSS_SELECTOR, "button.choice")[0].text
    group = tap(browser, group_label)
    topic_label = group.find_elements(By.CSS_SELECTOR, "button.choice")[0].text
    topic = tap(browser, topic_label)
    assert title_of(topic) == topic_label
    assert topic.find_elements(By.CSS_SELECTOR, ".sources")
    for button in topic.find_elements(By.CSS_SELECTOR, "button.choice"):
        assert button.size["height"] >= 44  # a thumb's tap target
    assert console_errors(browser) == []


def test_html_typed_into_the_chat_shows_as_text(server, browser):
    open_chat(browser, server.url + "/")
    attack = "<img src=x onerror=alert(1)>"
    ask(browser, attack)
    mine = browser.find_elements(By.CSS_SELECTOR, "#log .msg.you")[-1]
    assert mine.text.endswith(attack)
    assert browser.execute_script("return document.querySelectorAll('#log img').length") == 0
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.accept()
    browser.refresh()  # redrawn from the server's transcript: still text
    WebDriverWait(browser, WAIT).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#log .msg.you")) == 1)
    assert browser.find_element(By.CSS_SELECTOR, "#log .msg.you").text.endswith(attack)
    assert browser.execute_script("return document.querySelectorAll('#log img').length") == 0


def test_the_chat_is_labelled_and_usable_with_the_keyboard(server, browser):
    open_chat(browser, server.url + "/")
    log = browser.find_element(By.ID, "log")
    assert log.get_attribute("aria-live") == "polite" and log.get_attribute("role") == "log"
    label = browser.find_element(By.CSS_SELECTOR, "label[for=text]")
    assert label.get_attribute("textContent") == messages.WEB_INPUT_LABEL
    for element in (browser.find_element(By.ID, "text"), browser.find_element(By.ID, "send")):
        assert element.size["height"] >= 44
    browser.find_element(By.ID, "text").click()
    browser.switch_to.active_element.send_keys("hoc cao dang mat may nam", Keys.ENTER)
    settle(browser)
    assert len(bot_messages(browser)) == 2
    assert browser.switch_to.active_element.get_attribute("id") == "text"  # ready for more
    # Shift+Tab walks back into the answer's buttons; Enter presses one.
    browser.switch_to.active_element.send_keys(Keys.SHIFT, Keys.TAB)
    pressed = browser.switch_to.active_element
    assert pressed.tag_name == "button" and "choice" in pressed.get_attribute("class")
    pressed.send_keys(Keys.ENTER)
    settle(browser)
    assert console_errors(browser) == []


def test_the_widget_opens_the_chat_on_a_school_page_with_its_school(server, school_page,
                                                                     browser):
    site, root = school_page
    bubble = _open_school_page(browser, site, root, server, "index.html",
                               '<html lang=vi><head><meta charset=utf-8><title>THCS An Lạc</title>'
                               '<meta name="viewport" content="width=device-width, '
                               'initial-scale=1">')
    assert bubble.get_attribute("aria-label") == messages.WEB_OPEN_CHAT
    assert not browser.find_elements(By.ID, "careerbot-frame")  # nothing loaded before a tap
    bubble.click()  # the widget asks whether this site may frame the chat, then opens it
    frame = WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "careerbot-frame"))
    assert bubble.get_attribute("aria-expanded") == "true"
    browser.switch_to.frame(frame)
    WebDriverWait(browser, WAIT).until(lambda d: len(bot_messages(d)) >= 2)
    settle(browser)
    assert SCHOOL.name in bot_messages(browser)[0].text  # joined, as a deep link does
    answer = ask(browser, "hoc trung cap co mat hoc phi ko")
    assert answer.find_elements(By.CSS_SELECTOR, ".sources")
    assert console_errors(browser) == []
    # The chat's Escape closes the panel and gives the focus back to the bubble.
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)
    browser.switch_to.default_content()
    WebDriverWait(browser, WAIT).until(
        lambda d: not d.find_element(By.ID, "careerbot-frame").is_displayed())
    assert browser.switch_to.active_element.get_attribute("id") == "careerbot-bubble"
    # The same visitor next time: the partitioned cookie kept the session in the iframe.
    browser.refresh()
    WebDriverWait(browser, WAIT).until(lambda d: d.find_element(By.ID, "careerbot-bubble")
                                       ).click()
    browser.switch_to.frame(WebDriverWait(browser, WAIT).until(
        lambda d: d.find_element(By.ID, "careerbot-frame")))
    WebDriverWait(browser, WAIT).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#log .msg.you"))
    assert browser.find_element(By.CSS_SELECTOR, "#log .msg.you").text.endswith(
        "hoc trung cap co mat hoc phi ko")
    assert console_errors(browser) == []


# --- what the outbox delivers, in an open page -------------------------------------------------
class ThreadServer:
    """The web chat on its own event loop in a thread (start_web, as `careerbot run` starts it
    beside Telegram), so the test can hand its outbox a View as a counsellor's reply would."""

    def __init__(self, db: Path, **settings: Any) -> None:
        self.db = db
        self.settings = settings
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    def call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT)

    def start(self) -> ThreadServer:
        self.thread.start()

        async def up() -> None:
            # on the loop's thread
            self.svc = build_services(Settings(db_path=self.db, **self.settings))
            self.runner = await start_web(Running(self.svc), "127.0.0.1", self.port)

        self.call(up())
        return self

    def stop(self) -> None:
        async def down() -> None:
            await self.runner.cleanup()
            self.svc.close()

        self.call(down())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)


@pytest.fixture
def live(tmp_path: Path) -> Iterator[ThreadServer]:
    server = ThreadServer(tmp_path / "live.db").start()
    try:
        yield server
    finally:
        server.stop()


def test_a_view_the_outbox_delivers_appears_in_the_open_page(live, browser):
    open_chat(browser, live.url + "/")
    sid = next(c["value"] for c in browser.get_cookies() if c["name"] == "careerbot")
    assert next(c for c in browser.get_cookies() if c["name"] == "careerbot")["httpOnly"]
    user = live.svc.accounts.find("web", session_key(sid)).user_id
    reply = View((Part(Block.TEXT, "Cô Mai (tư vấn): em cứ học **trung cấp** nhé"),),
                 ((Choice(messages.MENU_BUTTON, i.Menu()),),))
    assert live.call(live.svc.outbox.send(user, reply))
    WebDriverWait(browser, WAIT).until(lambda d: len(bot_messages(d)) == 2)
    pushed = bot_messages(browser)[-1]
    assert pushed.find_element(By.TAG_NAME, "strong").text == "trung cấp"
    assert "Cô Mai (tư vấn): em cứ học trung cấp nhé" in pushed.text
    menu = tap(browser, messages.MENU_BUTTON)  # its buttons work like any other
    assert messages.MENU_TITLE in menu.text
    browser.refresh()  # and it stays in the redrawn chat
    WebDriverWait(browser, WAIT).until(lambda d: len(bot_messages(d)) == 2)
    assert console_errors(browser) == []


def test_a_page_refused_a_live_stream_polls_and_keeps_working(tmp_path, browser, monkeypatch):
    monkeypatch.setattr(api, "POLL_EVERY", 1)
    live = ThreadServer(tmp_path / "capped.db", web_streams_per_address=1).start()
    try:
        open_chat(browser, live.url + "/")  # the first tab holds this address's one stream
        first = browser.current_window_handle
        browser.switch_to.new_window("tab")
        open_chat(browser, live.url + "/")  # the second is refused one: it polls
        WebDriverWait(browser, WAIT).until(lambda d: d.execute_script(
            "return performance.getEntriesByType('resource')"
            ".some(function (e) { return e.name.indexOf('/api/poll') >= 0; })"))
        sid = next(c["value"] for c in browser.get_cookies() if c["name"] == "careerbot")
        user = live.svc.accounts.find("web", session_key(sid)).user_id
        reply = View((Part(Block.TEXT, "Cô Mai (tư vấn): em xem lại **học phí** nhé"),))
        assert live.call(live.svc.outbox.send(user, reply))
        WebDriverWait(browser, WAIT).until(
            lambda d: "em xem lại học phí nhé" in bot_messages(d)[-1].text)  # by polling
        answer = ask(browser, "hoc trung cap co mat hoc phi ko")  # and the chat still works
        assert answer.find_elements(By.TAG_NAME, "h2")
        browser.switch_to.window(first)  # the tab with the stream got it live
        WebDriverWait(browser, WAIT).until(
            lambda d: any("em xem lại học phí nhé" in m.text for m in bot_messages(d)))
        assert [e for e in console_errors(browser) if "/api/events" not in e["message"]] == []
    finally:
        live.stop()


def test_on_a_phone_a_page_made_for_desktops_opens_the_chat_in_its_own_tab(server, school_page,
                                                                            browser):
    site, root = school_page
    # No viewport tag: the phone zooms the page out.
    bubble = _open_school_page(browser, site, root, server, "old.html",
                               "<html><head><meta charset=utf-8><title>Trang cũ</title>")
    # Scaled back up to a thumb's size on screen, once the page's zoom is known.
    WebDriverWait(browser, WAIT).until(lambda d: bubble.size["width"] > 100)
    bubble.click()
    WebDriverWait(browser, WAIT).until(lambda d: len(d.window_handles) == 2)
    assert not browser.find_elements(By.ID, "careerbot-frame")
    browser.switch_to.window(browser.window_handles[1])
    WebDriverWait(browser, WAIT).until(lambda d: len(bot_messages(d)) >= 2)
    assert browser.current_url == f"{server.url}/?truong={SCHOOL.code}"
    assert SCHOOL.name in bot_messages(browser)[0].text
    assert console_errors(browser) == []


# --- a survey --------------------------------------------------------------------------------
def kinds(message: WebElement) -> list[str]:
    return [b.get_attribute("data-kind") or "" for b in
            message.find_elements(By.CSS_SELECTOR, "button.choice")]


def answer_one(driver: webdriver.Chrome, typed: list[str]) -> WebElement:
    """Answer the question on screen: the first choice, two of a multiple choice then Xong, or
    a typed answer; the message shown next."""
    question = bot_messages(driver)[-1]
    buttons = question.find_elements(By.CSS_SELECTOR, "button.choice")
    present = kinds(question)
    if "survey_answer" in present:
        tap(driver, buttons[present.index("survey_answer")].text)
    elif "survey_toggle" in present:
        for n in range(2):
            toggles = [b for b in bot_messages(driver)[-1].find_elements(
                By.CSS_SELECTOR, "button.choice") if b.get_attribute("data-kind") ==
                "survey_toggle"]
            toggles[n].click()
            settle(driver)
        tap(driver, "✔️")
    else:
        text = "9A1" if "lớp nào" in question.text else "Lan, 0900000000"
        typed.append(text)
        ask(driver, text)
    return bot_messages(driver)[-1]


def test_a_whole_survey_with_a_reload_midway_lands_in_the_schools_csv_export(
        server, browser, tmp_path):
    open_chat(browser, f"{server.url}/?truong={SCHOOL.code}")
    tap(browser, "Học sinh lớp 9")
    listing = ask(browser, "/khaosat")
    assert "Nhu cầu sau tốt nghiệp" in listing.text
    tap(browser, "Nhu cầu sau tốt nghiệp")
    question = tap(browser, "✅")  # consent given: the first question, focused
    assert "Câu 1/" in question.text
    typed: list[str] = []
    question = answer_one(browser, typed)
    question = answer_one(browser, typed)
    on_screen = question.text
    browser.refresh()  # a reload mid-survey: the same question, ready to answer
    WebDriverWait(browser, WAIT).until(lambda d: bot_messages(d) and
                                       bot_messages(d)[-1].text == on_screen)
    for _ in range(20):  # bounded: the needs survey has at most 10 questions and a review
        if "survey_submit" in kinds(bot_messages(browser)[-1]):
            break
        answer_one(browser, typed)
    review = bot_messages(browser)[-1]
    assert "Xem lại câu trả lời" in review.text and "9A1" in review.text
    thanks = tap(browser, "✅ Gửi")
    assert "Cảm ơn" in thanks.text
    assert console_errors(browser) == []
    # The school's export, with the same command staff use, while the chat keeps running.
    out = tmp_path / "needs.csv"
    done = subprocess.run([sys.executable, "-m", "bot", "export", "--school", SCHOOL.code,
                           "--survey", "needs", "--format", "csv", "--codes", "-o", str(out)],
                          cwd=ROOT, env=server.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert row["channel"] == "web" and row["school_code"] == SCHOOL.code
    assert row["grade"] == "9" and row["class"] == "9A1"
    assert sum(int(v) for k, v in row.items() if k.startswith("field/")) == 2


def test_a_vote_is_thanked_and_its_buttons_leave_the_answer(server, browser):
    open_chat(browser, server.url + "/")
    answer = ask(browser, "hoc cao dang mat may nam")
    assert "vote" in kinds(answer)
    focused = tap(browser, messages.VOTE_UP)
    toast = browser.find_element(By.ID, "toast")
    assert toast.is_displayed() and toast.text == messages.VOTE_THANKS
    assert "vote" not in kinds(bot_messages(browser)[-1]) and "details" in kinds(answer)
    assert focused == answer  # the keyboard stays on the answer whose button went away
    assert console_errors(browser) == []
