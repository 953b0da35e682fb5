"""/dangnhap on Telegram, end to end through the Bot API stand-in: a staff member gets a
single-use sign-in link to the dashboard in a message; a student gets nothing of the kind."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot import messages
from bot.answering.retrieval import Engine
from bot.people.schools import School
from bot.people.staff_sessions import digest
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.harness import BotHarness

SCHOOL = School("THCSA", "THCS A", "Xã Một", "Đức Hòa", "Long An")
BASE = "https://tuvan.example.vn"


@pytest.fixture
async def web_bot(api: FakeBotAPI, tmp_path: Path, engine: Engine
                  ) -> AsyncIterator[BotHarness]:
    harness = BotHarness(api, tmp_path, env={"CAREERBOT_PUBLIC_ORIGIN": BASE}, engine=engine)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def test_staff_get_a_single_use_link_and_students_do_not(web_bot: BotHarness,
                                                               api: FakeBotAPI) -> None:
    svc = web_bot.services
    svc.schools.add(SCHOOL)
    teacher, student = api.private_user(700101), api.private_user(700102)
    code = svc.staff.invite_now("school", SCHOOL.code)
    await web_bot.say(teacher, f"/dangky {code}")
    # The staff menu is set after the reply: wait for it rather than race it.
    await api.wait_for(lambda c: "dangnhap" in {
        m["command"] for m in api.commands_for(f"chat:{teacher.id}")}, timeout=20)
    [sent] = await web_bot.say(teacher, "/dangnhap")
    found = re.search(rf"{re.escape(BASE)}/quan-ly/vao\?t=([A-Za-z0-9_-]{{43}})", sent["text"])
    assert found, sent["text"]
    rows = list(svc.db.query("SELECT user_id, expires_at, used_at FROM staff_links "
                             "WHERE token_hash = ?", [digest(found[1])]))
    assert [(r["user_id"], r["used_at"]) for r in rows] == [(teacher.id, None)]
    [refused] = await web_bot.say(student, "/dangnhap")
    assert refused["text"] == messages.STAFF_ONLY and "quan-ly" not in refused["text"]
