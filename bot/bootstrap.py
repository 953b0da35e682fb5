"""Every service the bot needs, built once from the settings (the handlers' single entry point)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import sqlite_utils

from bot import logs
from bot.answering import knowledge
from bot.answering.asklog import AskLog
from bot.answering.assistant import REPLY_CACHE, Assistant
from bot.answering.retrieval import Engine
from bot.config import Settings
from bot.outreach.announcements import Announcements
from bot.outreach.inbox import Inbox
from bot.outreach.outbox import Outbox
from bot.outreach.relays import RelayQueue
from bot.outreach.tickets import Tickets
from bot.people.accounts import Accounts
from bot.people.flood import FloodGuard
from bot.people.schools import Schools
from bot.people.staff import Staff
from bot.people.users import Users
from bot.reports.builds import Builds
from bot.storage.database import now_utc, open_reader
from bot.storage.writer import Writer
from bot.surveys.flow import SurveyFlow
from bot.surveys.model import SurveySet
from bot.surveys.model import check as survey_check
from bot.surveys.responses import Responses

Clock = Callable[[], dt.datetime]

if TYPE_CHECKING:
    from bot.conversation import Conversation


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
    surveys: SurveySet
    responses: Responses
    staff: Staff
    flow: SurveyFlow
    announcements: Announcements
    flood: FloodGuard
    clock: Clock
    accounts: Accounts
    outbox: Outbox
    inbox: Inbox  # what the outbox delivered for a channel to show later (web visitors)
    builds: Builds = field(default_factory=Builds)  # exports and charts, off the event loop

    @property
    def kb(self) -> knowledge.KnowledgeBase:
        return self.assistant.kb

    def local_now(self) -> dt.datetime:
        return self.clock().astimezone(ZoneInfo(self.settings.timezone))

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.settings.admin_ids

    def forget_user(self, user_id: int) -> None:
        """After /xoadulieu: drop what memory still holds about the user."""
        self.users.forget(user_id)
        self.tickets.forget(user_id)
        self.asks.forget(user_id)
        self.accounts.forget(user_id)

    def close(self) -> None:
        self.builds.close()
        self.writer.close()
        self.db.close()


def load_surveys(kb: knowledge.KnowledgeBase) -> SurveySet:
    """The surveys beside the knowledge base; an invalid survey stops the start, like the KB."""
    root = kb.root or knowledge.default_dir()
    surveys, problems = survey_check(root, {e.id for e in kb.entries})
    if problems:
        raise knowledge.KnowledgeError(problems)
    return surveys


def load_assistant(knowledge_dir: Path | None = None, today: Callable[[], dt.date] = dt.date.today,
                   cache_size: int = REPLY_CACHE) -> Assistant:
    """The knowledge base and its engine (raises KnowledgeError listing every problem)."""
    kb = knowledge.load(knowledge_dir)
    return Assistant(kb, Engine(kb), today, cache_size)


def build_services(settings: Settings, clock: Clock = now_utc,
                   assistant: Assistant | None = None) -> Services:
    """Wire the real adapters: the SQLite file, the knowledge folder, the clock. Every entry
    point builds through here: `careerbot run`, the web and terminal chats, the CLI, tests."""
    zone = ZoneInfo(settings.timezone)
    def today() -> dt.date:
        return clock().astimezone(zone).date()

    if assistant is None:
        assistant = load_assistant(settings.knowledge_dir, today, settings.answer_cache)
    surveys = load_surveys(assistant.kb)
    writer = Writer(settings.db_path, settings.db_sync)  # opens and migrates the database
    # One salt for every entry point (`careerbot web` alone too): user ids in logs are the
    # same pseudonyms whichever process wrote the line, and no public default is ever used.
    logs.set_salt(settings.log_salt or writer.run(_stored_salt))
    db = open_reader(settings.db_path)
    users = Users(db, writer, clock)
    schools = Schools(db, writer)
    responses = Responses(db, writer, clock)
    titles = {e.id: e.title for e in assistant.kb.entries}
    accounts = Accounts(db, writer, clock)
    tickets = Tickets(db, writer, clock)
    return Services(
        settings=settings,
        assistant=assistant,
        db=db,
        writer=writer,
        users=users,
        asks=AskLog(db, writer, clock),
        tickets=tickets,
        schools=schools,
        surveys=surveys,
        responses=responses,
        staff=Staff(db, writer, schools, clock),
        flow=SurveyFlow(surveys, responses, schools, users, today, titles),
        announcements=Announcements(db, writer, clock),
        flood=FloodGuard(settings.flood_per_minute),
        clock=clock,
        accounts=accounts,
        outbox=Outbox(accounts, RelayQueue(db, writer, clock), tickets.header_of, clock),
        inbox=Inbox(db, writer, clock),
    )


def _stored_salt(db: sqlite_utils.Database) -> str:
    """This installation's random log salt, made on its first start."""
    db.execute("INSERT INTO instance (name, value) VALUES ('log_salt', ?) "
               "ON CONFLICT(name) DO NOTHING", [secrets.token_hex(32)])
    return str(db.execute("SELECT value FROM instance WHERE name = 'log_salt'").fetchone()[0])


@contextmanager
def services(settings: Settings, clock: Clock = now_utc,
             assistant: Assistant | None = None) -> Iterator[Services]:
    """The services, closed however the caller ends."""
    built = build_services(settings, clock, assistant)
    try:
        yield built
    finally:
        built.close()


def build_conversation(svc: Services) -> Conversation:
    """The one core every channel talks to."""
    from bot.conversation import Conversation  # conversation imports Services from here

    return Conversation(svc)
