"""Fixtures for end-to-end tests: the stand-in server and a bot running against it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.answering.retrieval import Engine
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.harness import ADMIN_ID, COUNSELOR_CHAT, BotHarness
from tests.telegram.protocol import Chat, User


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as server:
        yield server


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path, counsellors: Chat, engine: Engine
              ) -> AsyncIterator[BotHarness]:
    """The bot, already a member of the counsellors' group (as the admins set it up); it shares
    the session's engine (tests/conftest.py) and keeps its own database and clock."""
    harness = BotHarness(api, tmp_path, engine=engine)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


@pytest.fixture
def student(api: FakeBotAPI) -> User:
    return api.private_user(700001, first_name="Lan")


@pytest.fixture
def admin(api: FakeBotAPI) -> User:
    return api.private_user(ADMIN_ID, first_name="Quản trị")


@pytest.fixture
def counsellors(api: FakeBotAPI) -> Chat:
    return api.group(COUNSELOR_CHAT, "Tổ tư vấn")


@pytest.fixture
def counsellor(api: FakeBotAPI) -> User:
    return api.private_user(800001, first_name="Cô Mai")
