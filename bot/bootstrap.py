"""The one wiring point: every service built once from the settings, the conversation with
its screens, the channels this installation knows, and `running`, which every entry point
(`careerbot run`, `careerbot web`, `careerbot chat`, the data commands, tests) goes through:
it holds the database lock, sets the log salt, and owns the process's background jobs."""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlite_utils

import bot
from bot import logs
from bot.answering import knowledge
from bot.answering.asklog import AskLog
from bot.answering.assistant import REPLY_CACHE, Assistant
from bot.answering.cold_start import ready_engine
from bot.channels import Channels, Known
from bot.config import Settings
from bot.conversation import Conversation
from bot.jobs import Jobs
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
from bot.screens import Handlers, Screens
from bot.services import Clock, Services
from bot.storage.database import now_utc, open_reader
from bot.storage.dblock import hold
from bot.storage.writer import Writer
from bot.surveys.flow import SurveyFlow
from bot.surveys.model import SurveySet
from bot.surveys.model import check as survey_check
from bot.surveys.responses import Responses

# The channels people have accounts on: registering a channel is one line here (its adapter in
# handlers/<name>/ adds its `deliver` to svc.channels when it starts).
CHANNELS = (
    Known("telegram", keeps_ids=True),  # Telegram ids were the user ids before accounts
    Known("web"),
    Known("terminal"),
    Known("dashboard"),  # staff signed in to /quan-ly without Telegram
    Known("zalo"),
)


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
    return Assistant(kb, ready_engine(kb), today, cache_size)


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
    channels = Channels(CHANNELS)
    accounts = Accounts(db, writer, channels, clock)
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
        channels=channels,
        outbox=Outbox(accounts, RelayQueue(db, writer, clock), tickets.header_of, clock),
        inbox=Inbox(db, writer, clock),
    )


def _stored_salt(db: sqlite_utils.Database) -> str:
    """This installation's random log salt, made on its first start."""
    db.execute("INSERT INTO instance (name, value) VALUES ('log_salt', ?) "
               "ON CONFLICT(name) DO NOTHING", [secrets.token_hex(32)])
    return str(db.execute("SELECT value FROM instance WHERE name = 'log_salt'").fetchone()[0])


def screen_modules() -> list[str]:
    """Every `*screens` module of the core: a new staff screen is one module, found here."""
    return sorted(m.name for m in pkgutil.walk_packages(bot.__path__, "bot.")
                  if m.name.rsplit(".", 1)[-1].endswith("screens") and m.name != "bot.screens")


def screen_table(svc: Services) -> Handlers:
    """What each screen module handles, one table (two modules claiming one intent: an error)."""
    for name in screen_modules():
        importlib.import_module(name)
    table: Handlers = {}
    for kind in Screens.registry:
        for intent, handler in kind(svc).handlers().items():
            if intent in table:
                raise ValueError(f"{intent.__name__} is handled by two screens")
            table[intent] = handler
    return table


def build_conversation(svc: Services) -> Conversation:
    """The one core every channel talks to, with every screen's handlers."""
    return Conversation(svc, screen_table(svc))


class Running:
    """One process's core: its services, its conversation, its background jobs."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.conversation = build_conversation(svc)
        self.jobs = Jobs(svc)

    async def start(self) -> None:
        """Start the background jobs; a second call (another channel of the process) does
        nothing."""
        await self.jobs.start()

    async def stop(self) -> None:
        await self.jobs.stop()


@contextmanager
def running(settings: Settings, *, lock: bool = True, clock: Clock = now_utc,
            assistant: Assistant | None = None) -> Iterator[Running]:
    """The process's core, for a `with` block: the database lock held (lock=False: a command
    that shares the database with a running bot), the services built (log salt set), closed
    however the block ends. Channels add themselves to `svc.channels`; the jobs start when the
    event loop does (`await app.start()`)."""
    with hold(settings.db_path) if lock else nullcontext():
        built = build_services(settings, clock, assistant)
        try:
            yield Running(built)
        finally:
            built.close()
