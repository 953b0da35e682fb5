"""Counsellor handoff: /tuvan opens a ticket; messages go back and forth through the group."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, Message, MessageId, ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages
from bot.bootstrap import Services
from bot.outreach.tickets import Ticket
from bot.views import Block, Part, View
from handlers.telegram.callbacks import row_id
from handlers.telegram.outcomes import expected
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp, UserState, services
from handlers.telegram.views import inline

log = logging.getLogger(__name__)


async def relay_to_counsellors(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user's message while their ticket is open: copy it into the counsellors' chat."""
    message, user = update.message, update.effective_user
    svc = services(context)
    counsellors = svc.settings.counselor_chat_id
    if message is None or user is None or counsellors is None:
        return
    ticket = svc.tickets.open_for(user.id)
    if ticket is None:
        return
    header = svc.tickets.header_message(ticket)
    copied = await _copy(message, counsellors, ticket, reply_parameters=ReplyParameters(
        header, allow_sending_without_reply=True) if header else None)
    if copied is not None:
        await svc.tickets.log(ticket, "in", message.message_id, copied.message_id,
                              message.text or message.caption)


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
    ticket = await svc.tickets.by_relay(message.reply_to_message.message_id)
    if ticket is None or ticket.status != "open":
        await message.reply_text(messages.TICKET_UNKNOWN)
        return
    if ticket.user_id < 0:  # a web visitor: through their channel's outbox
        text = message.text or message.caption
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


async def _tell_counsellors(context: ContextTypes.DEFAULT_TYPE, svc: Services, text: str) -> None:
    if svc.settings.counselor_chat_id is None:
        return
    try:
        await context.bot.send_message(svc.settings.counselor_chat_id, text)
    except TelegramError:
        log.warning("counsellors' chat unreachable", extra={"event": "ticket"})


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
        ticket = await svc.tickets.by_relay(message.reply_to_message.message_id)
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


class TelegramCounsellors:
    """The counsellors' desk of bot/outreach/outbox.py: their Telegram group."""

    def __init__(self, bot: Bot, chat_id: int | None) -> None:
        self.bot = bot
        self.chat_id = chat_id

    async def opened(self, header: str) -> int | None:
        if self.chat_id is None:
            return None
        sent = await self.bot.send_message(self.chat_id, inline(header),
                                           parse_mode=ParseMode.HTML)
        return sent.message_id

    async def relay(self, header_message: int | None, text: str) -> int | None:
        if self.chat_id is None:
            return None
        sent = await self.bot.send_message(
            self.chat_id, text, reply_parameters=ReplyParameters(
                header_message, allow_sending_without_reply=True) if header_message else None)
        return sent.message_id

    async def notify(self, text: str) -> None:
        if self.chat_id is None:
            return
        try:
            await self.bot.send_message(self.chat_id, text)
        except TelegramError:
            log.warning("counsellors' chat unreachable", extra={"event": "ticket"})


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    svc.outbox.counsellors = TelegramCounsellors(app.bot, svc.settings.counselor_chat_id)
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
