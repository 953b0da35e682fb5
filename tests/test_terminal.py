"""The terminal chat as a channel: the same conversation core, numbered choices, wrapped text,
and only what the terminal can do."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from bot.bootstrap import build_conversation
from handlers.terminal.chat import TerminalChat
from handlers.terminal.render import WIDTH
from tests.cli_run import ROOT


@pytest.fixture
def chat_run(svc):
    """Run the terminal chat on `lines` with a fresh database; return what it printed."""

    async def run(*lines: str) -> str:
        out = io.StringIO()
        account = await svc.accounts.resolve("terminal", "local")
        chat = TerminalChat(build_conversation(svc), account, io.StringIO("\n".join(lines) + "\n"),
                            out)
        await chat.run()
        return out.getvalue()

    return run


async def test_the_menu_lists_each_group_once(chat_run, kb):
    text = await chat_run("/menu")
    for group in kb.menu:
        assert text.count(group.title) == 1, group.title
    assert not any(kb.get(t).title in text for g in kb.menu for t in g.topics)


async def test_a_number_opens_that_choice_and_a_group_then_a_topic(chat_run, kb):
    first = kb.menu[0]
    topic = kb.get(first.topics[0])
    text = await chat_run("/menu", "1", "1")
    assert topic.title in text and "Nguồn:" in text


async def test_an_answer_offers_details_and_related_topics_as_numbers(chat_run, kb):
    text = await chat_run("hoc tc co mat hp ko", "chi tiết")
    entry = kb.get("tuition.trung-cap-free")
    assert entry.title in text and "Nguồn:" in text
    assert re.search(r"^\s+1\. 📖", text, re.M)
    assert entry.details.split("\n")[0][:40] in " ".join(text.split())


async def test_a_follow_up_is_read_against_the_last_topic_shown(chat_run, kb):
    text = await chat_run("đi xkld nước nào phổ biến", "còn Đài Loan thì sao")
    assert text.count(kb.get("overseas.markets").title) >= 2


async def test_without_a_counsellor_the_fallback_offers_none_and_no_telegram_command(chat_run):
    text = await chat_run("asdf qwerty zxcv")
    for command in ("/tuvan", "/khaosat", "/dulieucuatoi", "/xoadulieu"):
        assert command not in text
    assert "Hỏi người tư vấn" not in text


async def test_long_lines_are_wrapped_between_words(chat_run):
    text = await chat_run("xuat khau lao dong la gi")
    for line in text.splitlines():
        if len(line) > WIDTH:
            assert " " not in line.strip(), line  # only an unbreakable word may overflow


async def test_an_unknown_command_is_not_taken_for_a_question(chat_run):
    text = await chat_run("/khongcolenhnay")
    assert "Lệnh này không dùng được ở đây" in text and "Nguồn:" not in text


async def test_a_line_with_a_lone_surrogate_is_cleaned_where_it_is_read(svc):
    """Bad bytes read with surrogateescape (a C locale) or a pasted broken character: cleaned
    at the terminal's boundary, so a typed survey answer or a question can always be stored."""
    account = await svc.accounts.resolve("terminal", "local")
    chat = TerminalChat(build_conversation(svc), account, io.StringIO("9A\udc81 \ud800x\n"),
                        io.StringIO())
    line = chat.read()
    assert ascii(line) == ascii("9A\ufffd \ufffdx")  # ascii(): a report can show it


def test_bad_bytes_on_the_terminal_chats_stdin_are_not_a_crash(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    ran = subprocess.run([sys.executable, "-m", "bot", "chat"], input=b"hoc ph\xe1i ko\n",
                         capture_output=True, timeout=120, cwd=ROOT, env={
                             **env, "CAREERBOT_DB": str(tmp_path / "t.db"),
                             "PYTHONIOENCODING": "utf-8:strict"})
    assert ran.returncode == 0, ran.stderr.decode("utf-8", "replace")
    assert b"Traceback" not in ran.stderr
