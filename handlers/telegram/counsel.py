"""Counsellor handoff: /tuvan opens a ticket; messages go back and forth through the group."""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

from telegram import Bot, Message, MessageId, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages
from bot.outreach.relays import COUNSELLORS, HEADER, Parcel, Unavailable, Undeliverable
from bot.outreach.tickets import Ticket
from bot.people.accounts import TELEGRAM
from bot.services import Services
from bot.views import Block, Part, View
from handlers.telegram.callbacks import row_id
from handlers.telegram.outcomes import expected
from handlers.telegram.render import TELEGRAM_LIMIT
from handlers.telegram.talk import account_of, commands, conversation, show
from handlers.telegram.ui import AnyApp, UserState, services
from handlers.telegram.views import inline

log = logging.getLogger(__name__)


async def relay_to_counsellors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user's message while their ticket is open: into the outbox for the counsellors' group
    (bot/outreach/relays.py), and the user is told at once. The update never waits for the
    group's budget; a photo or a file is copied from this chat when its turn comes."""
    message, account = update.message, account_of(update)
    if message is None or account is None:
        return
    source = {"chat": message.chat_id, "message": message.message_id,
              "copy": message.text is None}  # a photo, a file: copied from here
    view = await conversation(context).relay(account, message.text or message.caption or "",
                                             source)
    await show(update, context, view)


async def _copy(message: Message, chat_id: int, ticket: Ticket, **options: Any
                ) -> MessageId | None:
    """Copy a message across (media included); a kind Telegram will not copy gets a note."""
    try:
        return await message.copy(chat_id, **options)
    except BadRequest as error:
        if not expected(error):
            raise
        log.debug("not relayed: %s", error, extra={"event": "ticket", "ticket": ticket.id})
        await message.reply_text(messages.TICKET_CANT_RELAY)
        return None


_TICKET_NUMBER = re.compile(r"\s*#(\d+)\b[\s:.,-]*")


async def _which(message: Message, tickets: list[Ticket]) -> tuple[Ticket | None, str | None]:
    """The ticket a counsellor's reply is for, and its text without the "#N" it starts with.
    A reply to a message carrying several tickets must name one; else they are asked to."""
    text = message.text or message.caption
    if len(tickets) <= 1:
        return (tickets[0] if tickets else None), None
    named = _TICKET_NUMBER.match(text or "")
    chosen = next((t for t in tickets if named and t.id == int(named.group(1))), None)
    if chosen is None or named is None:
        await message.reply_text(messages.TICKET_WHICH.format(
            ids=", ".join(f"#{t.id}" for t in tickets), example=tickets[0].id))
        return None, None
    return chosen, (text or "")[named.end():]


async def relay_to_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A counsellor replies, in the group, to a relayed message: send it to the user. Only
    replies to the bot's own messages are its business."""
    message = update.message
    if message is None or message.reply_to_message is None:
        return
    author = message.reply_to_message.from_user
    if author is None or author.id != context.bot.id:
        return  # counsellors replying to each other: not the bot's business
    svc = services(context)
    found = await svc.tickets.all_by_relay(message.reply_to_message.message_id)
    ticket, stripped = await _which(message, found)
    if ticket is None:
        if not found:
            await message.reply_text(messages.TICKET_UNKNOWN)
        return
    if ticket.status != "open":
        await message.reply_text(messages.TICKET_UNKNOWN)
        return
    text = stripped if stripped is not None else message.text or message.caption
    on_telegram = any(a.channel == TELEGRAM for a in svc.accounts.of_user(ticket.user_id))
    if not on_telegram or stripped is not None:  # another channel's person, or a "#N ..." reply
        if not text or not await svc.outbox.send(ticket.user_id, View((Part(Block.TEXT, text),))):
            await message.reply_text(messages.TICKET_REPLY_FAILED)
            return
        await svc.tickets.log(ticket, "out", None, message.message_id, text)
        return
    try:
        copied = await _copy(message, ticket.user_id, ticket)
    except Forbidden:
        await message.reply_text(messages.TICKET_REPLY_FAILED)
        return
    if copied is not None:
        await svc.tickets.log(ticket, "out", copied.message_id, message.message_id,
                              message.text or message.caption)


async def end_ticket_by_counsellor(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/ketthuc in the counsellors' chat: as a reply to a ticket's message, or /ketthuc <id>."""
    message = update.message
    if message is None:
        return
    svc = services(context)
    ticket = None
    number = row_id(context.args[0].lstrip("#")) if context.args else None
    if number is not None:
        ticket = svc.tickets.get(number)
    elif message.reply_to_message is not None:
        found = await svc.tickets.all_by_relay(message.reply_to_message.message_id)
        if len(found) > 1:  # a message carrying several tickets: /ketthuc <number>
            await message.reply_text(messages.TICKET_WHICH_CLOSE.format(
                ids=", ".join(f"#{t.id}" for t in found), example=found[0].id))
            return
        ticket = found[0] if found else None
    if ticket is None or not await svc.tickets.close(ticket, "counsellor"):
        await message.reply_text(messages.TICKET_UNKNOWN)
        return
    await message.reply_text(messages.TICKET_CLOSED_GROUP.format(id=ticket.id,
                                                                  by=messages.BY_COUNSELOR))
    closed = View((Part(Block.TEXT, messages.TICKET_CLOSED_BY_COUNSELOR.format(id=ticket.id)),))
    try:
        await svc.outbox.send(ticket.user_id, closed)
    except Forbidden:
        log.info("user blocked the bot", extra={"event": "ticket", "ticket": ticket.id})


class TelegramDesk:
    """The counsellors' desk of bot/outreach/relays.py: their Telegram group. The courier calls
    it one parcel at a time, within the group's budget; the errors say whether to try again."""

    limit = TELEGRAM_LIMIT

    def __init__(self, bot: Bot, chat_id: int) -> None:
        self.bot = bot
        self.chat_id = chat_id

    async def deliver(self, parcel: Parcel) -> int:
        reply = ReplyParameters(parcel.reply_to, allow_sending_without_reply=True) \
            if parcel.reply_to else None
        try:
            if parcel.source is not None and parcel.source.get("copy"):  # a photo, a file
                copied = await self.bot.copy_message(
                    self.chat_id, parcel.source["chat"], parcel.source["message"],
                    reply_parameters=reply)
                return copied.message_id
            if parcel.kind == HEADER:
                sent = await self.bot.send_message(self.chat_id, inline(parcel.text),
                                                   parse_mode=ParseMode.HTML)
            else:
                sent = await self.bot.send_message(self.chat_id, parcel.text,
                                                   reply_parameters=reply)
        except RetryAfter as error:
            raise Unavailable(retry_after=_seconds(error.retry_after)) from error
        except TimedOut as error:  # it may have arrived
            raise Unavailable(maybe_sent=True) from error
        except BadRequest as error:
            if any(p in str(error).lower() for p in _GROUP_BROKEN):
                raise Unavailable from error  # the group, not this message: the operator fixes it
            log.log(logging.DEBUG if expected(error) else logging.WARNING, "relay refused: %s",
                    error, extra={"event": "relay"})
            raise Undeliverable from error
        except TelegramError as error:  # the bot left the group, the network is down
            raise Unavailable from error
        if parcel.pin:
            await self._pin(sent.message_id)
        return sent.message_id

    async def _pin(self, message_id: int) -> None:
        """Pin a crisis ticket's header so the group sees it first, with a notification. The
        header is delivered already: a pin that fails (the bot is no administrator, Telegram
        is busy) is logged for the operator, never a reason to post the header again."""
        try:
            await self.bot.pin_chat_message(self.chat_id, message_id, disable_notification=False)
        except TelegramError as error:
            log.warning("urgent ticket not pinned: %s", error, extra={"event": "relay"})


_GROUP_BROKEN = ("chat not found", "not enough rights", "have no rights", "chat_write_forbidden")


def _seconds(value: object) -> float:
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(str(value))


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    if svc.settings.counselor_chat_id is not None:
        svc.outbox.attach(COUNSELLORS, TelegramDesk(app.bot, svc.settings.counselor_chat_id),
                          svc.settings.group_rate_per_minute)
    app.add_handler(commands("tuvan", "ketthuc"))
    app.add_handler(MessageHandler(
        private & filters.UpdateType.MESSAGE & ~filters.COMMAND
        & UserState("HasOpenTicket", svc.tickets.has_open),
        relay_to_counsellors))
    if svc.settings.counselor_chat_id is not None:
        group = filters.Chat(svc.settings.counselor_chat_id)
        app.add_handler(CommandHandler("ketthuc", end_ticket_by_counsellor, filters=group))
        app.add_handler(MessageHandler(
            group & filters.UpdateType.MESSAGE & filters.REPLY & ~filters.COMMAND,
            relay_to_user))
