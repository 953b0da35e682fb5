"""Simulated students taking the needs survey through the local Bot API stand-in.

Shared by bench/survey_load.py and bench/crash.py. A student always acts on what the bot shows
last in their chat (as a person does), so they carry on correctly after a bot restart, when
Telegram redelivers taps the dead process never confirmed. An answer counts as acknowledged
when the bot has moved past its question: the bot only does that after the answer is committed.
"""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import messages  # noqa: E402
from bot.surveys.model import check  # noqa: E402
from tests.telegram.botapi import FakeBotAPI  # noqa: E402
from tests.telegram.process import UNLIMITED, bot_env, kill_bot, start_bot, stop_bot  # noqa: E402
from tests.telegram.protocol import SentMessage  # noqa: E402

_QUESTION = re.compile(r"Câu (\d+)/(\d+)")
NAV = {messages.SURVEY_BACK, messages.SURVEY_SKIP, messages.SURVEY_PAUSE,
       messages.SURVEY_DONE_MULTI}


def buttons(message: SentMessage) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def question_texts() -> dict[str, str]:
    """Question text -> id, to check acknowledged answers against the database."""
    surveys, _ = check(ROOT / "knowledge")
    needs = surveys.get("needs")
    assert needs is not None
    return {q.text: q.id for q in needs.questions}


def shown_question(message: SentMessage, texts: dict[str, str]) -> str | None:
    """The id of the question a survey screen shows (None for other screens)."""
    if not _QUESTION.search(message.get("text", "")):
        return None
    return next((qid for text, qid in texts.items() if text in message["text"]), None)


@dataclass
class Student:
    api: FakeBotAPI
    user_id: int
    school: str
    rng: random.Random
    texts: dict[str, str]
    step_timeout: float = 120.0
    acknowledged: set[str] = field(default_factory=set)
    latencies: list[float] = field(default_factory=list)
    submitted: bool = False

    def __post_init__(self) -> None:
        self.user = self.api.private_user(self.user_id, first_name=f"HS{self.user_id}")

    def latest(self) -> SentMessage | None:
        sent = self.api.sent(self.user_id)
        return sent[-1] if sent else None

    async def _act(self, coro: object, count: int = 1) -> bool:
        """Do something and wait for the bot; False if it did not answer in time (a crashed
        bot can lose an update it had already fetched: a person would just try again)."""
        self.api.mark(self.user_id)
        await coro  # type: ignore[misc]
        try:
            await self.api.wait_for_message(self.user_id, count, timeout=self.step_timeout)
        except AssertionError:
            return False
        return True

    async def _answer(self, action: object, before: str) -> None:
        """Send an answer and wait for the bot; record latency and whether it moved on."""
        started = time.perf_counter()
        await self._act(action)
        screen = self.latest()
        if screen is None:
            return
        moved_on = shown_question(screen, self.texts) not in (None, before) \
            or messages.SURVEY_SEND in buttons(screen)  # the next question, or the summary
        if moved_on:
            self.acknowledged.add(before)
            self.latencies.append(time.perf_counter() - started)

    async def run(self) -> None:
        """Act on whatever the bot shows last, until the survey is submitted."""
        await self._act(self.api.send_text(self.user, f"/start {self.school}"), count=2)
        for _ in range(200):  # far more than the survey needs: a guard, not a plan
            if await self._one_step():
                return

    async def _press(self, screen: SentMessage, label: str) -> None:
        await self._act(self.api.press_button(self.user, screen, label))

    async def _one_step(self) -> bool:
        screen = self.latest()
        text = screen.get("text", "") if screen else ""
        labels = buttons(screen) if screen else []
        qid = shown_question(screen, self.texts) if screen else None
        if screen is None or "Cảm ơn bạn đã gửi" in text or messages.SURVEY_RETAKE in labels:
            self.submitted = screen is not None
            return self.submitted
        if qid is not None:
            await self._answer_question(screen, labels, qid)
        elif messages.SURVEY_SEND in labels:
            await self._press(screen, messages.SURVEY_SEND)
        elif messages.SURVEY_AGREE in labels:
            await self._press(screen, messages.SURVEY_AGREE)
        elif messages.SURVEY_CONTINUE in labels:
            await self._press(screen, messages.SURVEY_CONTINUE)
        elif any(b.startswith("Nhu cầu") for b in labels):
            await self._press(screen, next(b for b in labels if b.startswith("Nhu cầu")))
        elif labels and text.startswith(messages.SURVEY_SCHOOL_PICK[:20]):
            await self._press(screen, labels[0])  # the school found by the search
        else:  # any other screen (welcome, an answer, a notice): open the surveys
            await self._act(self.api.send_text(self.user, "/khaosat"))
        return False

    async def _answer_question(self, screen: SentMessage, labels: list[str], qid: str) -> None:
        api, user = self.api, self.user
        if messages.SURVEY_SCHOOL_THIS in labels:
            await self._answer(api.press_button(user, screen, messages.SURVEY_SCHOOL_THIS), qid)
        elif messages.SURVEY_DONE_MULTI in labels:
            options = [b for b in labels if b.startswith("▫️")]
            chosen = [b for b in labels if b.startswith("✅")]
            if not chosen:
                for choice in self.rng.sample(options, k=min(len(options), self.rng.randint(1, 2))):
                    await self._press(self.latest() or screen, choice)
            await self._answer(api.press_button(user, self.latest() or screen,
                                                messages.SURVEY_DONE_MULTI), qid)
        else:
            choices = [b for b in labels if b not in NAV]
            if choices:
                await self._answer(api.press_button(user, screen, self.rng.choice(choices)), qid)
            elif qid == "school":
                await self._act(api.send_text(user, f"Trường {self.school}"))
            else:  # a question to type: class or contact
                await self._answer(api.send_text(user, f"9A{self.rng.randint(1, 9)}"), qid)


def stored_answers(db_path: Path) -> dict[int, set[str]]:
    conn = sqlite3.connect(db_path)
    try:
        result: dict[int, set[str]] = {}
        for user_id, qid in conn.execute(
                "SELECT r.user_id, a.question_id FROM answers a JOIN responses r "
                "ON r.id = a.response_id WHERE r.survey_id = 'needs'"):
            result.setdefault(user_id, set()).add(qid)
        return result
    finally:
        conn.close()


def prepare_database(db_path: Path, schools: int) -> list[str]:
    """A fresh database with schools, so students can join through a school link."""
    from bot.storage.database import open_db

    db = open_db(db_path)
    codes = [f"S{i:03}" for i in range(schools)]
    db.table("schools").insert_all([{"code": c, "name": f"Trường {c}", "former_district": d}
                                    for c, d in zip(codes, ["Tân An", "Đức Hòa", "Bến Lức"]
                                                    * schools, strict=False)])
    db.close()
    return codes


class BotProcess:
    """`careerbot run` as a subprocess polling the stand-in, Telegram's limits switched off."""

    def __init__(self, api: FakeBotAPI, db_path: Path) -> None:
        self.api = api
        self.db_path = db_path
        self.env = bot_env(api, db_path, **UNLIMITED)
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        self.proc = await start_bot(self.api, self.env)

    async def kill(self) -> None:
        if self.proc:
            await kill_bot(self.proc)

    async def stop(self) -> None:
        if self.proc:
            await stop_bot(self.proc)


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0
