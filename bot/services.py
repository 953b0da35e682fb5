"""Every service the bot needs, built once from the settings (the handlers' single entry point)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import knowledge
from bot.asklog import AskLog
from bot.assistant import Assistant
from bot.config import Settings
from bot.flood import FloodGuard
from bot.retrieval import Engine
from bot.schools import Schools
from bot.storage import now_utc, open_reader
from bot.tickets import Tickets
from bot.users import Users
from bot.writer import Writer

Clock = Callable[[], dt.datetime]


@dataclass
class Services:
    settings: Settings
    assistant: Assistant
    db: sqlite_utils.Database  # reads, on the event-loop thread
    writer: Writer  # every write, committed in batches by its own thread
    users: Users
    asks: AskLog
    tickets: Tickets
    schools: Schools
    flood: FloodGuard
    clock: Clock

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        return self.assistant.kb

    def local_now(self) -> dt.datetime:
        return self.clock().astimezone(ZoneInfo(self.settings.timezone))

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def close(self) -> None:
        self.writer.close()
        self.db.close()


def build_services(settings: Settings, clock: Clock = now_utc,
                   assistant: Assistant | None = None) -> Services:
    """Wire the real adapters: the SQLite file, the knowledge folder, the clock."""
    zone = ZoneInfo(settings.timezone)
    if assistant is None:
        kb = knowledge.load(settings.knowledge_dir)
        assistant = Assistant(kb, Engine(kb), lambda: clock().astimezone(zone).date())
    writer = Writer(settings.db_path, settings.db_sync)  # opens and migrates the database
    db = open_reader(settings.db_path)
    return Services(
        settings=settings,
        assistant=assistant,
        db=db,
        writer=writer,
        users=Users(db, writer, clock),
        asks=AskLog(db, writer, clock),
        tickets=Tickets(db, writer, clock),
        schools=Schools(db, writer),
        flood=FloodGuard(settings.flood_per_minute),
        clock=clock,
    )
