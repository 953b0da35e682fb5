"""Runs the real careerbot Application against the stand-in, the way `careerbot run` builds it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.answering import knowledge
from bot.answering.assistant import Assistant
from bot.answering.retrieval import Engine
from bot.bootstrap import Running, build_services
from bot.config import Settings
from bot.services import Services
from bot.storage.database import now_utc
from handlers.telegram.app import build_application
from handlers.telegram.lifecycle import Stop, start_receiving, stop_updates
from tests.telegram.botapi import FakeBotAPI
from tests.telegram.protocol import SentMessage, User

ADMIN_ID = 900001
COUNSELOR_CHAT = -1001234567890


class BotHarness:
    """One bot process (in this event loop) with its own database file.

    `engine`: the test session's engine over the bundled knowledge, used instead of loading the
    knowledge and building an engine at every start (unless the settings name another knowledge
    folder). The bot's dates still follow `clock`, as they do when it builds its own.
    """

    def __init__(self, api: FakeBotAPI, workdir: Path, env: dict[str, str | None] | None = None,
                 clock: Callable[[], dt.datetime] = now_utc, *, engine: Engine | None = None
                 ) -> None:
        self.api = api
        self.workdir = workdir
        self.env = env or {}
        self.clock = clock
        self.engine = engine
        self.app: Any = None
        self.svc: Services | None = None
        self._stop_receiving: Stop | None = None

    def settings(self) -> Settings:
        env = {
            "TELEGRAM_BOT_TOKEN": self.api.token,
            "TELEGRAM_API_BASE_URL": self.api.base_url,
            "TELEGRAM_API_FILE_URL": self.api.base_file_url,
            "CAREERBOT_DB": str(self.workdir / "careerbot.db"),
            "ADMIN_IDS": str(ADMIN_ID),
            "COUNSELOR_CHAT_ID": str(COUNSELOR_CHAT),
            # Tests tap at machine speed, far beyond any person: the flood guard is tested
            # with its own limits (test_bot_operations.py, test_bot_flood.py).
            "CAREERBOT_FLOOD_PER_MINUTE": "10000",
            **self.env,
        }
        return Settings.from_env({k: v for k, v in env.items() if v is not None})

    @property
    def services(self) -> Services:
        assert self.svc is not None
        return self.svc

    def assistant(self, settings: Settings) -> Assistant | None:
        """The shared engine with this bot's own date, if it serves the configured knowledge."""
        if self.engine is None or self.engine.kb.root is None:
            return None
        folder = settings.knowledge_dir or knowledge.default_dir()
        if folder.resolve() != self.engine.kb.root.resolve():
            return None
        zone, clock = ZoneInfo(settings.timezone), self.clock
        return Assistant(self.engine.kb, self.engine, lambda: clock().astimezone(zone).date())

    async def start(self) -> None:
        settings = self.settings()
        self.svc = build_services(settings, clock=self.clock, assistant=self.assistant(settings))
        self.app = build_application(settings, Running(self.svc))
        await self.app.initialize()
        if self.app.post_init:
            await self.app.post_init(self.app)
        # As `careerbot run` does (bot/lifecycle.py), webhook mode included, with a short poll.
        self._stop_receiving = await start_receiving(self.app, settings, poll_interval=0.0,
                                                     timeout=1)
        await self.app.start()

    async def stop(self) -> None:
        if self.app is None:
            return
        if self._stop_receiving is not None:
            await self._stop_receiving()
            self._stop_receiving = None
        if self.app.running:
            await stop_updates(self.app)
            await self.app.stop()
            if self.app.post_stop:
                await self.app.post_stop(self.app)
        await self.app.shutdown()
        self.services.close()
        self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()

    # --- a user's side of the conversation ------------------------------------------------
    async def say(self, user: User, text: str, count: int = 1, chat: Any = None,
                  timeout: float = 10.0) -> list[SentMessage]:
        """Send a message; return the next `count` messages/edits the bot makes in that chat
        (waiting up to `timeout` seconds: a file built in the worker process may take longer
        on a loaded machine)."""
        chat_id = chat.id if chat is not None else user.id
        self.api.mark(chat_id)
        await self.api.send_text(user, text, chat=chat)
        return await self.api.wait_for_message(chat_id, count, timeout=timeout)

    async def tap(self, user: User, message: SentMessage, text: str, count: int = 1
                  ) -> list[SentMessage]:
        """Press the button with this visible text; return the bot's next messages/edits."""
        chat_id = message["chat"]["id"]
        self.api.mark(chat_id)
        await self.api.press_button(user, message, text)
        return await self.api.wait_for_message(chat_id, count)


def buttons(message: SentMessage) -> list[str]:
    """Visible texts of a message's inline buttons, row by row."""
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]


def callback_datas(message: SentMessage) -> list[str]:
    markup = message.get("reply_markup") or {}
    return [b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row]
