"""The services every part of the bot uses, as one object (built by bot/bootstrap.py).

Lower modules import `Services` from here for their types; only bootstrap builds it, so no
module imports its way back through the wiring point.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import sqlite_utils

from bot.answering import knowledge
from bot.answering.asklog import AskLog
from bot.answering.assistant import Assistant
from bot.channels import Channels
from bot.config import Settings
from bot.outreach.announcements import Announcements
from bot.outreach.inbox import Inbox
from bot.outreach.outbox import Outbox
from bot.outreach.tickets import Tickets
from bot.people.accounts import Accounts
from bot.people.flood import FloodGuard
from bot.people.schools import Schools
from bot.people.staff import Staff
from bot.people.users import Users
from bot.reports.builds import Builds
from bot.storage.writer import Writer
from bot.surveys.flow import SurveyFlow
from bot.surveys.model import SurveySet
from bot.surveys.responses import Responses

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
    surveys: SurveySet
    responses: Responses
    staff: Staff
    flow: SurveyFlow
    announcements: Announcements
    flood: FloodGuard
    clock: Clock
    accounts: Accounts
    channels: Channels  # the registry of channels (bot/channels.py)
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
