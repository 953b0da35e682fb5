"""The one entry every channel calls: who did what -> what to show.

`handle(account, intent)` and `handle_text(account, text)` return a View. One user's intents
run one at a time whatever the channel (a survey answer is stored before the next question is
computed; a double tap cannot race with itself). The core knows nothing of Telegram, the web
or the terminal: a channel parses its input into an Intent and renders the View.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from bot import intents as i
from bot import logs, messages
from bot.answering import deeplinks
from bot.answering.answers import Reply
from bot.answering.views import (
    details_view,
    group_view,
    menu_view,
    reply_view,
    welcome_view,
)
from bot.bootstrap import Services
from bot.people.accounts import Account
from bot.views import Block, Choice, Part, View, notice_only

log = logging.getLogger(__name__)
T = TypeVar("T")


class Lanes:
    """One lock per user that stays in the table while anyone holds or waits for it, so a
    later intent never runs beside an earlier one; released on every path."""

    def __init__(self) -> None:
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}

    async def run(self, user_id: int, work: Callable[[], Awaitable[T]]) -> T:
        lock, users = self._locks.get(user_id, (asyncio.Lock(), 0))
        self._locks[user_id] = (lock, users + 1)
        try:
            async with lock:
                return await work()
        finally:
            lock_now, left = self._locks[user_id]
            if left <= 1:
                del self._locks[user_id]
            else:
                self._locks[user_id] = (lock_now, left - 1)

    def __len__(self) -> int:
        return len(self._locks)


Handler = Callable[[Account, i.Intent], Awaitable[View]]


class Conversation:
    def __init__(self, svc: Services) -> None:
        self.svc = svc
        self.lanes = Lanes()
        self._handlers: dict[type[i.Intent], Handler] = {
            i.Ask: self._ask,
            i.Start: self._start,
            i.Help: self._help,
            i.ChooseAudience: self._audience,
            i.Menu: self._menu,
            i.Group: self._group,
            i.Topic: self._topic,
            i.Details: self._details,
            i.Vote: self._vote,
            i.Noop: self._noop,
        }

    # --- the entry points ----------------------------------------------------------------------
    async def handle(self, account: Account, intent: i.Intent) -> View:
        handler = self._handlers.get(type(intent))
        if handler is None:
            return notice_only(messages.STALE_BUTTON, alert=True)
        return await self.lanes.run(account.user_id, lambda: handler(account, intent))

    async def handle_text(self, account: Account, text: str) -> View:
        """A typed message: a question for the answer engine."""
        return await self.handle(account, i.Ask(text))

    def handles(self, intent: i.Intent) -> bool:
        return type(intent) in self._handlers

    @property
    def counsel_available(self) -> bool:
        """Whether someone can take a counsellor ticket (else none is offered)."""
        return self.svc.outbox.counsellors is not None

    # --- questions and topics ------------------------------------------------------------------
    async def _ask(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Ask)  # noqa: S101 - dispatched by type
        svc = self.svc
        user = account.user_id
        # A follow-up ("còn Đức thì sao") is read against the topic this user saw last.
        answer, ms = svc.assistant.timed_answer(intent.text, svc.asks.last_topic(user))
        ask_id = svc.asks.record(user, "text", answer, intent.text)
        log.info("question answered", extra={"event": "ask", "user": logs.uid(user),
                                             "ms": round(ms, 2)})
        return reply_view(answer, ask_id, counsel=self.counsel_available)

    async def _topic(self, account: Account, intent: i.Intent) -> View:
        """A topic choice (menu, related topic, did-you-mean): its answer."""
        assert isinstance(intent, i.Topic)  # noqa: S101
        shown = self.svc.assistant.topic(intent.id)
        if shown is None:
            return notice_only(messages.STALE_BUTTON, alert=True)
        back = intent.back if any(g.id == intent.back for g in self.svc.kb.menu) else ""
        ask_id = self.svc.asks.record(account.user_id, "menu" if intent.back else "related",
                                      shown)
        # Walking the menu stays in one screen; a related topic keeps the answer above it.
        return reply_view(shown, ask_id, back, replace=bool(intent.back))

    async def _details(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Details)  # noqa: S101
        shown = self.svc.assistant.topic(intent.id)
        if shown is None:
            return notice_only(messages.STALE_BUTTON, alert=True)
        return details_view(shown)

    async def _vote(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Vote)  # noqa: S101
        vote = 1 if intent.up else -1
        if not await self.svc.asks.vote(intent.ask_id, account.user_id, vote):
            return notice_only(messages.STALE_BUTTON, alert=True)
        return notice_only(messages.VOTE_THANKS if vote > 0 else messages.VOTE_SORRY)

    async def _menu(self, account: Account, intent: i.Intent) -> View:
        return menu_view(self.svc.kb, replace=True)

    async def _group(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Group)  # noqa: S101
        group = next((g for g in self.svc.kb.menu if g.id == intent.id), None)
        if group is None:
            return notice_only(messages.STALE_BUTTON, alert=True)
        return group_view(self.svc.kb, group)

    async def _noop(self, account: Account, intent: i.Intent) -> View:
        return View()

    # --- welcome -------------------------------------------------------------------------------
    async def _start(self, account: Account, intent: i.Intent) -> View:
        """/start, with or without a deep link (a topic to open or a school to join)."""
        assert isinstance(intent, i.Start)  # noqa: S101
        svc = self.svc
        if not intent.payload:
            return welcome_view()
        link = deeplinks.parse(intent.payload, {e.id for e in svc.kb.entries},
                               lambda code: svc.schools.get(code) is not None)
        if link.kind == "topic":
            shown: Reply | None = svc.assistant.topic(link.value)
            assert shown is not None  # noqa: S101 - parse() checked the topic exists
            ask_id = svc.asks.record(account.user_id, "deeplink", shown)
            return reply_view(shown, ask_id)
        if link.kind == "school":
            school = svc.schools.get(link.value)
            assert school is not None  # noqa: S101 - parse() checked the school exists
            await svc.users.set_school(account.user_id, school.code)
            head = View((Part(Block.TEXT, messages.SCHOOL_JOINED.format(name=school.name)),))
        else:
            head = View((Part(Block.TEXT, messages.BAD_PAYLOAD),))
        return View(head.parts, more=(welcome_view(),))

    async def _audience(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.ChooseAudience)  # noqa: S101
        if intent.code not in messages.AUDIENCE_LABELS:
            return notice_only(messages.STALE_BUTTON, alert=True)
        await self.svc.users.set_audience(account.user_id, intent.code)
        label = messages.AUDIENCE_LABELS[intent.code]
        return View((Part(Block.TEXT, messages.AUDIENCE_SAVED.format(label=label)),),
                    ((Choice(messages.MENU_BUTTON, i.Menu()),),), replace=True)

    async def _help(self, account: Account, intent: i.Intent) -> View:
        return View((Part(Block.TEXT, messages.HELP),))
