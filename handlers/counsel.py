"""Counsellor handoff: /tuvan opens a ticket; messages go back and forth through the group."""

from __future__ import annotations

import html
import logging

from telegram import ReplyParameters, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import logs, messages
from bot.callbacks import Action, row_id
from bot.services import Services
from bot.tickets import Ticket
from handlers.outcomes import expected
from handlers.ui import UserState, on, services

log = logging.getLogger(__name__)


def _header(svc: Services, ticket: Ticket) -> str:
    user = svc.users.get(ticket.user_id)
    audience = messages.AUDIENCE_LABELS.get(user.audience or "", messages.UNKNOWN) \
        if user else messages.UNKNOWN
    school = svc.schools.get(user.school_code) if user and user.school_code else None
    return messages.TICKET_HEADER.format(
        id=ticket.id, audience=html.escape(audience),
        school=html.escape(school.name if school else messages.UNKNOWN),
        question=html.escape(ticket.question or messages.UNKNOWN))


async def open_ticket(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/tuvan, or the fallback's "Hỏi người tư vấn" button."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return
    if update.callback_query:
        await update.callback_query.answer()
    svc = services(context)
    counsellors = svc.settings.counselor_chat_id
    if counsellors is None:
        await context.bot.send_message(chat.id, messages.NO_COUNSELOR)
        return
    ticket, new = await svc.tickets.open(user.id, await svc.asks.last_unanswered(user.id))
    if not new:
        await context.bot.send_message(chat.id, messages.TICKET_ALREADY.format(id=ticket.id),
                                       parse_mode=ParseMode.HTML)
        return
    header = await context.bot.send_message(counsellors, _header(svc, ticket),
                                            parse_mode=ParseMode.HTML)
    await svc.tickets.log(ticket, "header", None, header.message_id, None)
    log.info("ticket opened", extra={"event": "ticket", "ticket": ticket.id,
                                     "user": logs.uid(user.id)})
    await context.bot.send_message(chat.id, messages.TICKET_OPENED.format(id=ticket.id),
                                   parse_mode=ParseMode.HTML)


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
    try:
        copied = await message.copy(
            counsellors, reply_parameters=ReplyParameters(header, allow_sending_without_reply=True)
            if header else None)
    except BadRequest as error:
        if not expected(error):
            raise
        log.debug("not relayed: %s", error, extra={"event": "ticket", "ticket": ticket.id})
        await message.reply_text(messages.TICKET_CANT_RELAY)
        return
    await svc.tickets.log(ticket, "in", message.message_id, copied.message_id,
                    message.text or message.caption)


async def relay_to_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A counsellor replies, in the group, to a relayed message: send it to the user. Only
    replies to the bot's own messages are its business."""
    message = update.message
    replied = message.reply_to_message if message is not None else None
    if message is None or replied is None or replied.from_user is None \
            or replied.from_user.id != context.bot.id:
        return  # counsellors answering each other: not meant for the bot
    svc = services(context)
    ticket = await svc.tickets.by_relay(replied.message_id)
    if ticket is None or ticket.status != "open":
        await message.reply_html(messages.TICKET_UNKNOWN)
        return
    try:
        copied = await message.copy(ticket.user_id)
    except Forbidden:
        await message.reply_text(messages.TICKET_REPLY_FAILED)
        return
    except BadRequest as error:
        if not expected(error):
            raise
        log.debug("not relayed: %s", error, extra={"event": "ticket", "ticket": ticket.id})
        await message.reply_text(messages.TICKET_CANT_RELAY)
        return
    await svc.tickets.log(ticket, "out", copied.message_id, message.message_id,
                    message.text or message.caption)


async def close_own_ticket(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Close the user's open ticket, if any (also used by /huy); True if one was closed."""
    user, chat = update.effective_user, update.effective_chat
    if user is None or chat is None:
        return False
    svc = services(context)
    ticket = svc.tickets.open_for(user.id)
    if ticket is None or not await svc.tickets.close(ticket, "user"):
        return False
    await context.bot.send_message(chat.id, messages.TICKET_CLOSED_USER.format(id=ticket.id),
                                   parse_mode=ParseMode.HTML)
    await _tell_counsellors(context, svc, messages.TICKET_CLOSED_GROUP.format(
        id=ticket.id, by=messages.BY_USER))
    return True


async def _tell_counsellors(context: ContextTypes.DEFAULT_TYPE, svc: Services, text: str) -> None:
    if svc.settings.counselor_chat_id is None:
        return
    try:
        await context.bot.send_message(svc.settings.counselor_chat_id, text)
    except TelegramError:
        log.warning("counsellors' chat unreachable", extra={"event": "ticket"})


async def end_ticket_by_user(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not await close_own_ticket(update, context) and update.message:
        await update.message.reply_text(messages.TICKET_NONE)


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
        await message.reply_html(messages.TICKET_UNKNOWN)
        return
    await message.reply_text(messages.TICKET_CLOSED_GROUP.format(id=ticket.id,
                                                                  by=messages.BY_COUNSELOR))
    try:
        await context.bot.send_message(ticket.user_id, messages.TICKET_CLOSED_BY_COUNSELOR.format(
            id=ticket.id), parse_mode=ParseMode.HTML)
    except Forbidden:
        log.info("user blocked the bot", extra={"event": "ticket", "ticket": ticket.id})


def register(app: Application, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("tuvan", open_ticket, filters=private))
    app.add_handler(CommandHandler("ketthuc", end_ticket_by_user, filters=private))
    app.add_handler(CallbackQueryHandler(open_ticket, pattern=on(Action.COUNSEL)))
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
