"""The Zalo OA channel: a webhook event in, the conversation's View out as Zalo messages.

Each person's events are handled one after another, in the order they arrived; different
people at once. Every incoming text or tap goes to `Conversation.receive` (who, flood guard,
typed commands, the counsellor relay, then the answer); what the bot sends on its own (a
counsellor's reply, an announcement) comes through `deliver`. Zalo's window decides what may
go out: what it refuses is kept (store.py) and sent when the person writes again, and the
counsellors are told when it was their reply.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from bot import intents as i
from bot import logs, messages
from bot.answering.views import welcome_view
from bot.channels import Account, Blocked, Limits
from bot.conversation import Conversation
from bot.outreach.relays import COUNSELLORS, NOTICE
from bot.screens import text_view
from bot.services import Services
from bot.views import View, deferred, flatten
from handlers.zalo import render
from handlers.zalo.client import MAX_BUTTONS, TEXT_LIMIT, TITLE_LIMIT, ZaloClient
from handlers.zalo.store import ZaloStore
from handlers.zalo.window import WindowBook

log = logging.getLogger(__name__)
CHANNEL = "zalo"
USER_MEDIA = frozenset({"user_send_image", "user_send_sticker", "user_send_file",
                        "user_send_location", "user_send_gif", "user_send_audio",
                        "user_send_video", "user_send_link"})
# Staff work happens in Telegram and the signed-in dashboard, as on the web chat.
STAFF_INTENTS = (*i.STAFF_WORK, i.SignIn)
_SCHOOL_CODE = re.compile(r"(/truong\s+)?([A-Za-z0-9][A-Za-z0-9_-]{1,31})", re.I)
UNFOLLOWED = "zalo:-213"  # Zalo: the person does not follow the OA (any more)
STOP_GRACE = 5.0  # seconds the events in hand get at a stop
_LINK = re.compile(r"https?://[^\s<>\"]{1,2000}", re.I)
MAX_ATTACHMENTS = 10  # links passed on from one Zalo message
_NUMBER = re.compile(r"\s*(\d{1,2})\s*\.?\s*")


Incoming = str | i.Intent


class ZaloChannel:
    name = CHANNEL
    limits = Limits(TEXT_LIMIT, MAX_BUTTONS, TITLE_LIMIT)

    def __init__(self, svc: Services, conversation: Conversation, client: ZaloClient,
                 window: WindowBook) -> None:
        self.svc = svc
        self.conversation = conversation
        self.client = client
        self.window = window
        self.store = ZaloStore(svc.db, svc.writer)
        self._tails: dict[str, asyncio.Future[None]] = {}  # each person's last event in work
        self._tasks: set[asyncio.Future[None]] = set()

    # --- events in -------------------------------------------------------------------------------
    def accept(self, event: dict[str, Any]) -> None:
        """Queue a verified webhook event behind the same person's earlier ones."""
        who = _person(event)
        previous = self._tails.get(who) if who else None

        async def run() -> None:
            if previous is not None:
                await asyncio.wait({previous})
            try:
                await self.handle_event(event)
            except Exception:  # logged with its traceback; the next event still runs
                log.exception("zalo event failed", extra={"event": "zalo"})

        task = asyncio.ensure_future(run())
        self._keep(task)
        if who:
            self._tails[who] = task
            task.add_done_callback(lambda done: self._tails.pop(who, None)
                                   if self._tails.get(who) is done else None)

    def _keep(self, task: asyncio.Future[None]) -> None:
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every event received so far is handled (tests, shutdown)."""
        while self._tasks:
            await asyncio.wait(set(self._tasks))

    async def close(self, grace: float = STOP_GRACE) -> None:
        """At a stop: the events in hand get `grace` seconds (a slow Zalo is retried for
        longer), then they are cancelled; what they committed stays committed."""
        try:
            await asyncio.wait_for(self.drain(), grace)
        except TimeoutError:
            log.warning("zalo events still in hand at stop: %d cancelled", len(self._tasks),
                        extra={"event": "zalo"})
            for task in list(self._tasks):
                task.cancel()

    async def handle_event(self, event: dict[str, Any]) -> None:
        name = event.get("event_name")
        message = event.get("message")
        who = _person(event)
        msg_id = message.get("msg_id") if isinstance(message, dict) else None
        # Zalo counts what answers a message as a free reply when it names the message.
        reply_to = msg_id if isinstance(msg_id, str) and 0 < len(msg_id) <= 200 else None
        if not isinstance(msg_id, str) or not msg_id:  # follow, unfollow: no message id
            msg_id = f"{str(name)[:40]}:{who}:{str(event.get('timestamp'))[:20]}"
        if not await self.store.first_time(msg_id[:200], self.svc.clock().timestamp()):
            log.info("zalo event delivered twice: dropped", extra={"event": "zalo"})
            return
        if name == "follow" and who:
            await self._followed(await self.svc.accounts.resolve(CHANNEL, who))
        elif name == "unfollow" and who:
            account = self.svc.accounts.find(CHANNEL, who)
            if account is not None:  # no message reaches them now; a new one lifts it
                await self.svc.users.mark_blocked(account.user_id)
        elif (name == "user_send_text" or name in USER_MEDIA) and who:
            account = await self.svc.accounts.resolve(CHANNEL, who)
            await self.window.note_incoming(account.user_id, _seconds(event.get("timestamp")))
            await self._send_held(account, reply_to)
            if name == "user_send_text" and isinstance(message, dict):
                await self._text(account, str(message.get("text") or ""), reply_to)
            elif not await self._relay_media(account, message, reply_to):
                await self._show(account, text_view(messages.ZALO_TEXT_ONLY), reply_to)
        else:  # oa_send_text (our own messages echoed), user_seen_message, ...: nothing to do
            log.info("zalo event %s ignored", str(name)[:40], extra={"event": "zalo"})

    async def _followed(self, account: Account) -> None:
        await self.svc.users.touch(account.user_id)
        verdict = await self.window.verdict(account.user_id)
        if verdict.allowed:
            await self._show(account, welcome_view())
        else:  # Zalo lets an OA answer, not write first: welcome them when they write
            await self.store.owe_welcome(account.user_id, self._now())

    async def _text(self, account: Account, text: str, reply_to: str | None) -> None:
        tapped = render.read_tap(text)
        if tapped is render.STALE:
            await self._show(account, text_view(messages.STALE_BUTTON), reply_to)
            return
        incoming: Incoming = tapped if isinstance(tapped, i.Intent) else self._typed(account, text)
        # Their first message since they followed (the welcome is no longer owed either way).
        if await self.store.welcome_due(account.user_id) and isinstance(incoming, str) \
                and not incoming.strip().startswith("/"):
            await self._show(account, welcome_view(), reply_to)
        await self._show(account, await self._receive(account, incoming), reply_to)

    def _typed(self, account: Account, text: str) -> Incoming:
        """A number answering a numbered menu, a school code (`MÃ`, `/truong MÃ`), or text."""
        number = _NUMBER.fullmatch(text)
        menu = self.store.menu(account.user_id) if number is not None else ()
        if number is not None and 1 <= int(number[1]) <= len(menu):
            chosen = render.read_intent(menu[int(number[1]) - 1])
            if isinstance(chosen, i.Intent):
                return chosen
        code = _SCHOOL_CODE.fullmatch(text.strip())
        if code is not None and (code[1] or self.svc.schools.get(code[2]) is not None):
            school = self.svc.schools.get(code[2])
            return i.Start(school.code if school is not None else code[2])
        return text

    async def _relay_media(self, account: Account, message: object, reply_to: str | None
                           ) -> bool:
        """A picture or file on an open counsellor ticket goes to the counsellors as Zalo's link
        to it (nothing is downloaded here), as Telegram's relay copies a photo; False when no
        ticket is open or the event carries nothing to pass on."""
        if not self.svc.tickets.has_open(account.user_id):
            return False
        relayed = media_text(message)
        if relayed is None:
            return False
        view = await self.conversation.relay(account, relayed, None)
        if not any(render.text_of(one) for one in flatten(view)):  # closed meanwhile
            return False
        await self._show(account, view, reply_to)
        return True

    def numbered_menu(self, user_id: int) -> list[i.Intent]:
        """The choices of the numbered menu the person was shown last (typed 1..n)."""
        read = (render.read_intent(e) for e in self.store.menu(user_id))
        return [r for r in read if isinstance(r, i.Intent)]

    def _now(self) -> float:
        return self.svc.clock().timestamp()

    # --- the conversation ---------------------------------------------------------------------
    async def _receive(self, account: Account, incoming: Incoming) -> View:
        """Staff work is done elsewhere (as on the web chat); the rest is the core's."""
        intent = incoming if isinstance(incoming, i.Intent) else i.command_intent(incoming)
        if isinstance(intent, STAFF_INTENTS):
            return text_view(messages.ZALO_STAFF_ELSEWHERE)
        return await self.conversation.receive(account, incoming)

    # --- views out -------------------------------------------------------------------------------
    async def deliver(self, account: Account, view: View) -> bool:
        """The outbox's way to this person (a counsellor's reply, an announcement): False when
        Zalo's rules or Zalo itself kept it from them; Blocked when they no longer follow the
        OA."""
        failure = await self._show(account, view)
        if failure == UNFOLLOWED:
            raise Blocked
        return failure is None

    async def _show(self, account: Account, view: View, reply_to: str | None = None
                    ) -> str | None:
        """Send the view's messages in order; why the rest was not sent, or None. `reply_to`:
        the person's message (Zalo msg_id) this answers; None for what the bot sends on its own
        (a counsellor's reply, an announcement: addressed by user id)."""
        for one in flatten(view):
            text, buttons = render.text_of(one), render.buttons_of(one)
            if not text:
                continue
            delivery = await self.client.send(account, text, buttons, reply_to=reply_to)
            if buttons:  # this message's menu is the one a typed number answers
                await self.store.remember_menu(account.user_id, delivery.numbered, self._now())
            if not delivery.delivered:
                await self._undelivered(account, delivery.reason or "",
                                        [str(m.get("text", "")) for m in delivery.undelivered])
                return delivery.reason or "failed"
        for later in deferred(view):
            self._later(account, later, reply_to)
        return None

    def _later(self, account: Account, later: Callable[[], Awaitable[View]],
               reply_to: str | None) -> None:
        async def run() -> None:
            try:
                await self._show(account, await later(), reply_to)
            except Exception:
                log.exception("zalo follow-up failed", extra={"event": "zalo"})

        self._keep(asyncio.ensure_future(run()))

    async def _undelivered(self, account: Account, reason: str, texts: list[str]) -> None:
        """Zalo's window refused: keep the rest for when the person writes again, and tell the
        counsellors if it was (likely) their reply. Anything else failing is logged only."""
        log.warning("zalo reply not delivered: %s", reason,
                    extra={"event": "zalo", "user": logs.uid(account.user_id)})
        if not reason.startswith("window:"):
            return
        await self.store.hold(account.user_id, [t for t in texts if t])
        ticket = self.svc.tickets.open_for(account.user_id) \
            if self.svc.tickets.has_open(account.user_id) else None
        if ticket is not None:
            await self.svc.outbox.post(COUNSELLORS, NOTICE,
                                       messages.ZALO_REPLY_HELD.format(id=ticket.id),
                                       ticket_id=ticket.id, user_id=account.user_id)

    async def _send_held(self, account: Account, reply_to: str | None) -> None:
        """The person wrote: what Zalo's window kept from them goes first, oldest first, as
        replies to that message (free ones, for Zalo)."""
        for n, held in enumerate(self.store.held(account.user_id)):
            text = f"{messages.ZALO_HELD_HEAD}\n\n{held.text}" if n == 0 else held.text
            delivery = await self.client.send(account, text, reply_to=reply_to)
            if not delivery.delivered:
                return
            await self.store.sent(held)


def _person(event: dict[str, Any]) -> str:
    """The Zalo user id an event is about (the sender, or the follower)."""
    for key in ("sender", "follower"):
        part = event.get(key)
        if isinstance(part, dict) and isinstance(part.get("id"), str | int):
            return str(part["id"])[:64]
    return ""


def media_text(message: object) -> str | None:
    """What the counsellors read for a Zalo picture or file: its caption, then a line per
    attachment with Zalo's link (an http(s) address only); None if there is none."""
    if not isinstance(message, dict) or not isinstance(message.get("attachments"), list):
        return None
    lines = []
    for attachment in message["attachments"][:MAX_ATTACHMENTS]:
        if not isinstance(attachment, dict) or not isinstance(attachment.get("payload"), dict):
            continue
        line = messages.ZALO_RELAY_MEDIA.get(str(attachment.get("type")))
        url, name = attachment["payload"].get("url"), attachment["payload"].get("name")
        if line is None or not isinstance(url, str) or not _LINK.fullmatch(url):
            continue
        lines.append(line.format(url=url, name=" ".join(str(name or "").split())[:100] or "?"))
    if not lines:
        return None
    caption = message.get("text")
    if isinstance(caption, str) and caption.strip():
        lines.insert(0, caption.strip()[:TEXT_LIMIT])
    return "\n".join(lines)


def _seconds(stamp: object) -> float | None:
    text = str(stamp)
    return int(text) / 1000 if text.isascii() and text.isdigit() and len(text) <= 16 else None
