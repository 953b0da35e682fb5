"""The one entry every channel calls: who did what -> what to show.

`receive(account, text_or_intent)` is what a channel calls with what a person sent: it does
what every channel needs (note the person, the flood guard, typed "/lenh args" commands, the
counsellor relay) and returns a View. `admit` and `answer` are its two halves, for a channel
whose framework dispatches in between (Telegram guards every update before its handlers run);
`handle(account, intent)` and `handle_text(account, text)` return a View. One user's intents
run one at a time whatever the channel (a survey answer is stored before the next question is
computed; a double tap cannot race with itself). The core knows nothing of Telegram, the web
or the terminal: a channel parses its input into an Intent and renders the View.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

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
from bot.channel_text import view_for_channel
from bot.lanes import Lanes
from bot.outreach.relays import COUNSELLORS, HEADER, LONG_WAIT, MESSAGE, NOTICE
from bot.outreach.tickets import Ticket
from bot.people import privacy
from bot.people.accounts import Account
from bot.people.flood import Verdict
from bot.screens import Handler, Handlers, text_view
from bot.services import Services
from bot.surveys.responses import ResponseGone
from bot.views import FLOODED, ROLE_ENDED, Attachment, Block, Choice, Part, View, notice_only

log = logging.getLogger(__name__)
SURVEY_INTENTS = (
    i.SurveyList, i.SurveyOpen, i.SurveyConsent, i.SurveyRetake, i.SurveyResume,
    i.SurveyAnswer, i.SurveyToggle, i.SurveyDone, i.SurveyBack, i.SurveySkip, i.SurveyPause,
    i.SurveyLater, i.SurveyEditMenu, i.SurveyEdit, i.SurveySummary, i.SurveySubmit,
)


def flooded(verdict: Verdict) -> View:
    """What the flood guard's verdict shows: "slow down" once, then nothing; the signal tells
    a channel that refuses such a request outright (the web's 429)."""
    shown = notice_only(messages.SLOW_DOWN) if verdict is Verdict.WARN else View()
    return dataclasses.replace(shown, signals=frozenset({FLOODED}))


def _field(intent: i.Intent, name: str) -> str:
    return str(getattr(intent, name))


class Conversation:
    def __init__(self, svc: Services, screens: Handlers) -> None:
        """`screens`: the staff and admin screens' handlers (bot/bootstrap.py builds them)."""
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
            **{kind: self._survey for kind in SURVEY_INTENTS},
            i.CounselOpen: self._counsel_open,
            i.CounselClose: self._counsel_close,
            i.Cancel: self._cancel,
            i.PrivacyView: self._my_data,
            i.PrivacyErase: self._ask_to_erase,
            i.PrivacyConfirm: self._erase,
            **screens,  # staff and admin screens, one module per capability
        }

    # --- the entry points ----------------------------------------------------------------------
    async def receive(self, account: Account, said: str | i.Intent) -> View:
        """What a person sent on any channel: a typed text (a command, an answer, a question,
        a message to the counsellor) or the Intent of a tapped choice."""
        verdict = await self.admit(account)
        if verdict is not Verdict.ALLOW:
            return flooded(verdict)
        return await self.answer(account, said)

    async def admit(self, account: Account) -> Verdict:
        """Note the person (created on first contact, last seen) and count the message or tap
        against the flood guard: a tap costs what a message costs."""
        await self.svc.users.touch(account.user_id, (account.channel, account.external_id))
        verdict = self.svc.flood.check(account.user_id)
        if verdict is Verdict.WARN:
            log.info("flood guard", extra={"event": "flood", "user": logs.uid(account.user_id)})
        return verdict

    async def answer(self, account: Account, said: str | i.Intent) -> View:
        """A typed "/lenh args" the core knows is its Intent (bot/intents.COMMANDS); any other
        text is read by `handle_text`, which relays it on an open counsellor ticket."""
        if isinstance(said, str):
            command = i.command_intent(said)
            if command is None or not self.handles(command):
                return await self.handle_text(account, said)
            said = command
        return await self.handle(account, said)

    async def handle(self, account: Account, intent: i.Intent) -> View:
        handler = self._handlers.get(type(intent))
        if handler is None:
            return notice_only(messages.STALE_BUTTON, alert=True)
        shown = await self.lanes.run(account.user_id, lambda: handler(account, intent))
        return view_for_channel(shown, account.channel)  # help, privacy: this channel's lines

    async def handle_text(self, account: Account, text: str) -> View:
        """A typed message: the answer to a survey question waiting for text, else a question
        for the answer engine."""
        shown = await self.lanes.run(account.user_id, lambda: self._typed(account, text))
        return view_for_channel(shown, account.channel)

    async def _typed(self, account: Account, text: str) -> View:
        tickets = self.svc.tickets
        # has_open is a memory lookup: most messages come with no ticket open.
        ticket = tickets.open_for(account.user_id) if tickets.has_open(account.user_id) else None
        # First of all: a child in danger gets help, whatever else waits (a survey question
        # keeps waiting, the message is not an answer to it; an open ticket still gets the
        # message, ahead of the group's queue).
        start = time.perf_counter()
        safe = self.svc.assistant.screen(text)
        if ticket is not None:
            return await self._relay(account, ticket, text, safe=safe)
        if safe is not None:
            return self._answered(account, text, safe, (time.perf_counter() - start) * 1000,
                                  False)
        flow = self.svc.flow
        try:
            typed = await flow.typed(account.user_id, text)  # None: no question waits for text
        except ResponseGone:
            log.info("survey response deleted during a step", extra={"event": "survey"})
            return flow.vanished(typed=True)
        if typed is not None:
            return typed
        choice = flow.typed_choice(account.user_id, text)  # "lớp 9" typed for the button
        if choice is not None:
            chosen = await self._survey(account, i.SurveyAnswer(*choice))
            return dataclasses.replace(chosen, replace=False)  # typed: a new message
        answer = await self._ask(account, i.Ask(text), screened=True)
        # A survey question with buttons waits: after the answer, say how to go on with it.
        waiting = flow.reminder(account.user_id)
        return answer if waiting is None else dataclasses.replace(
            answer, more=(*answer.more, waiting))

    def handles(self, intent: i.Intent) -> bool:
        return type(intent) in self._handlers

    @property
    def counsel_available(self) -> bool:
        """Whether someone can take a counsellor ticket (else none is offered)."""
        return self.svc.outbox.counsellors is not None

    # --- questions and topics ------------------------------------------------------------------
    async def _ask(self, account: Account, intent: i.Intent, screened: bool = False) -> View:
        assert isinstance(intent, i.Ask)  # noqa: S101 - dispatched by type
        svc = self.svc
        # A follow-up ("còn Đức thì sao", "học ở đâu") is read against this user's
        # conversation: the topic shown last and the country, district, level named so far.
        answer, ms, cached = svc.assistant.timed_answer(
            intent.text, svc.asks.context(account.user_id), screened=screened)
        return self._answered(account, intent.text, answer, ms, cached)

    def _answered(self, account: Account, text: str, answer: Reply, ms: float,
                  cached: bool) -> View:
        """Log the question (its text under the question log's retention, never in the
        process log) and show the reply."""
        user = account.user_id
        ask_id = self.svc.asks.record(user, "text", answer, text)
        log.info("question answered", extra={"event": "ask", "user": logs.uid(user),
                                             "ms": round(ms, 3), "cached": cached,
                                             "kind": answer.kind.value})
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
        thanks = notice_only(messages.VOTE_THANKS if vote > 0 else messages.VOTE_SORRY)
        return dataclasses.replace(thanks, strip=(i.Vote.kind,))  # one vote per answer

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

    # --- surveys -----------------------------------------------------------------------------
    async def _survey(self, account: Account, intent: i.Intent) -> View:
        """Every survey intent goes to the flow; each answer is stored before it returns."""
        flow, user = self.svc.flow, account.user_id
        steps: dict[type[i.Intent], Callable[[], Awaitable[View]]] = {
            i.SurveyOpen: lambda: flow.open(user, _field(intent, "survey")),
            i.SurveyConsent: lambda: flow.begin(user, _field(intent, "survey")),
            i.SurveyRetake: lambda: flow.begin(user, _field(intent, "survey"),
                                               confirmed_retake=True),
            i.SurveyResume: lambda: flow.resume(user, _field(intent, "survey")),
            i.SurveyAnswer: lambda: flow.choose(user, _field(intent, "survey"),
                                                _field(intent, "question"),
                                                _field(intent, "code")),
            i.SurveyToggle: lambda: flow.toggle(user, _field(intent, "survey"),
                                                _field(intent, "question"),
                                                _field(intent, "code"),
                                                bool(getattr(intent, "on", True))),
            i.SurveyDone: lambda: flow.finish_multi(user, _field(intent, "survey"),
                                                    _field(intent, "question")),
            i.SurveyBack: lambda: flow.back(user, _field(intent, "survey"),
                                            _field(intent, "question")),
            i.SurveySkip: lambda: flow.skip(user, _field(intent, "survey"),
                                            _field(intent, "question")),
            i.SurveyPause: lambda: flow.pause(user),
            i.SurveyLater: lambda: flow.pause(user),
            i.SurveyEditMenu: lambda: flow.edit_menu(user, _field(intent, "survey")),
            i.SurveyEdit: lambda: flow.edit_question(user, _field(intent, "survey"),
                                                     _field(intent, "question")),
            i.SurveySummary: lambda: flow.summary(user, _field(intent, "survey")),
            i.SurveySubmit: lambda: flow.submit(user, _field(intent, "survey")),
        }
        if isinstance(intent, i.SurveyList):
            return flow.list_screen(user)
        try:
            return await steps[type(intent)]()
        except ResponseGone:
            log.info("survey response deleted during a step", extra={"event": "survey"})
            return flow.vanished()

    # --- counsellor handoff -------------------------------------------------------------------
    def _header(self, ticket: Ticket, concern: str | None = None) -> str:
        svc = self.svc
        user = svc.users.get(ticket.user_id)
        audience = messages.AUDIENCE_LABELS.get(user.audience or "", messages.UNKNOWN) \
            if user else messages.UNKNOWN
        school = svc.schools.get(user.school_code) if user and user.school_code else None
        if concern is not None:  # marked so that the group sees it first
            return messages.TICKET_URGENT_HEADER.format(
                id=ticket.id, audience=audience,
                school=school.name if school else messages.UNKNOWN,
                concern=messages.SAFETY_CONCERN_LABELS[concern])
        return messages.TICKET_HEADER.format(
            id=ticket.id, audience=audience, school=school.name if school else messages.UNKNOWN,
            question=ticket.question or messages.UNKNOWN)

    async def _counsel_open(self, account: Account, intent: i.Intent) -> View:
        """/tuvan, or "Hỏi người tư vấn": a ticket to the counsellors; the bot stays quiet."""
        svc = self.svc
        if svc.outbox.counsellors is None or svc.settings.counselor_chat_id is None:
            return text_view(messages.NO_COUNSELOR)
        assert isinstance(intent, i.CounselOpen)  # noqa: S101
        urgent = intent.concern in messages.SAFETY_CONCERN_LABELS
        # An urgent ticket carries no text of the person's: only what they write next.
        question = None if urgent else await svc.asks.last_unanswered(account.user_id)
        ticket, new = await svc.tickets.open(account.user_id, question)
        if not new:
            return text_view(messages.TICKET_ALREADY.format(id=ticket.id))
        await svc.outbox.post(COUNSELLORS, HEADER, self._header(ticket, intent.concern if urgent
                                                                 else None),
                              ticket_id=ticket.id, user_id=account.user_id, urgent=urgent)
        log.info("ticket opened", extra={"event": "ticket", "ticket": ticket.id,
                                         "user": logs.uid(account.user_id)})
        return text_view((messages.TICKET_URGENT_OPENED if urgent else messages.TICKET_OPENED)
                         .format(id=ticket.id))

    async def relay(self, account: Account, text: str, source: dict[str, Any] | None) -> View:
        """A message on an open ticket that a channel reads itself (Telegram: a photo too);
        `source` is the channel's reference to it (bot/outreach/relays.Item). An empty View if
        no ticket is open."""
        async def relay() -> View:
            ticket = self.svc.tickets.open_for(account.user_id)
            if ticket is None:
                return View()
            return await self._relay(account, ticket, text, source,
                                     self.svc.assistant.screen(text) if text else None)

        return await self.lanes.run(account.user_id, relay)

    async def _relay(self, account: Account, ticket: Ticket, text: str,
                     source: dict[str, Any] | None = None, safe: Reply | None = None) -> View:
        """A message while a ticket is open goes to the counsellors, not to the engine: into
        the outbox (committed), and the person is told at once; the courier delivers it
        within the group's budget (bot/outreach/relays.py). No update waits for the group."""
        wait = await self.svc.outbox.post(COUNSELLORS, MESSAGE, text, ticket_id=ticket.id,
                                          user_id=ticket.user_id, source=source,
                                          urgent=safe is not None)
        ack = text_view(f"{messages.RELAY_ACK} {messages.RELAY_QUEUE_LONG}"
                        if wait >= LONG_WAIT else messages.RELAY_ACK)
        if safe is None:
            return ack
        # A crisis on an open ticket: the help (111, a trusted adult) comes first all the same.
        shown = self._answered(account, text, safe, 0.0, False)
        return dataclasses.replace(shown, more=(*shown.more, ack))

    async def close_ticket(self, user_id: int) -> Ticket | None:
        """Close the user's open ticket, telling the counsellors; the ticket closed, if any."""
        svc = self.svc
        ticket = svc.tickets.open_for(user_id)
        if ticket is None or not await svc.tickets.close(ticket, "user"):
            return None
        await svc.outbox.post(COUNSELLORS, NOTICE, messages.TICKET_CLOSED_GROUP.format(
            id=ticket.id, by=messages.BY_USER), ticket_id=ticket.id, user_id=user_id)
        return ticket

    async def _counsel_close(self, account: Account, intent: i.Intent) -> View:
        closed = await self.close_ticket(account.user_id)
        if closed is None:
            return text_view(messages.TICKET_NONE)
        return text_view(messages.TICKET_CLOSED_USER.format(id=closed.id))

    async def _cancel(self, account: Account, intent: i.Intent) -> View:
        """/huy: stop whatever is in progress (an open counsellor ticket, a survey)."""
        closed = await self.close_ticket(account.user_id)
        paused = await self.svc.responses.pause_all(account.user_id)
        said = [messages.TICKET_CLOSED_USER.format(id=closed.id)] if closed else []
        if paused:
            said.append(messages.SURVEY_PAUSED)
        elif not closed:
            said.append(messages.NOTHING_TO_CANCEL)
        first, *rest = [text_view(t) for t in said]
        return dataclasses.replace(first, more=tuple(rest))

    # --- privacy -------------------------------------------------------------------------------
    async def _my_data(self, account: Account, intent: i.Intent) -> View:
        """Everything stored about the person: a summary and the whole of it as a file."""
        svc = self.svc
        await svc.writer.sync()  # the question just asked is in the log too
        data = privacy.my_data(svc.db, account.user_id)
        if data["user"] is None:
            return text_view(messages.MY_DATA_NONE)
        summary = privacy.describe(data, svc.surveys, lambda code: (
            school.name if (school := svc.schools.get(code)) else None))
        return View((Part(Block.TEXT, summary),),
                    files=(Attachment(messages.MY_DATA_FILE, privacy.data_file(data)),))

    async def _ask_to_erase(self, account: Account, intent: i.Intent) -> View:
        return View((Part(Block.TEXT, messages.ERASE_CONFIRM),),
                    ((Choice(messages.ERASE_YES, i.PrivacyConfirm(True)),),
                     (Choice(messages.ERASE_NO, i.PrivacyConfirm(False)),)))

    async def _erase(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.PrivacyConfirm)  # noqa: S101
        if not intent.erase:
            return View((Part(Block.TEXT, messages.ERASE_KEPT),), replace=True)
        svc, user = self.svc, account.user_id
        was_staff = svc.staff.member(user) is not None
        counts = await svc.writer.write(lambda db: privacy.erase(db, user))
        svc.forget_user(user)
        erased = View((Part(Block.TEXT, messages.ERASED.format(rows=sum(counts.values()))),),
                      replace=True)
        if was_staff and not svc.is_admin(user):  # erasing yourself ends your staff role too
            return dataclasses.replace(erased, signals=frozenset({ROLE_ENDED}))
        return erased

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
            joined = messages.SCHOOL_JOINED.format(school=messages.school_named(school.name))
            head = View((Part(Block.TEXT, joined),))
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
