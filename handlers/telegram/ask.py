"""Free text -> the engine -> short answer with sources, details, related topics, feedback."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot import logs, messages
from bot.bootstrap import Services
from handlers.telegram import render
from handlers.telegram.callbacks import Action, decode
from handlers.telegram.ui import AnyApp, callback_of, on, reply, services

log = logging.getLogger(__name__)


async def answer_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    # A follow-up ("còn Đức thì sao") is read against the topic this user saw last.
    answer, ms = svc.assistant.timed_answer(message.text, svc.asks.last_topic(user.id))
    ask_id = svc.asks.record(user.id, "text", answer, message.text)
    log.info("question answered", extra={"event": "ask", "user": logs.uid(user.id),
                                         "ms": round(ms, 2)})
    await reply(message, render.reply_screens(answer, ask_id))


async def details_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not isinstance(query.message, Message):
        return
    shown = services(context).assistant.topic(callback_of(update).arg(0))
    if shown is None:
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await reply(query.message, render.details_screens(shown))


def _without_votes(markup: InlineKeyboardMarkup | None) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [row for row in markup.inline_keyboard
            if not any((c := decode(b.callback_data if isinstance(b.callback_data, str)
                                    else None)) and c.action is Action.VOTE for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def vote_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    callback = callback_of(update)
    vote = {"+": 1, "-": -1}.get(callback.arg(1))
    ask_id = callback.id_arg(0)
    svc = services(context)
    if vote is None or ask_id is None or not await svc.asks.vote(ask_id, user.id, vote):
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await query.answer(messages.VOTE_THANKS if vote > 0 else messages.VOTE_SORRY)
    if isinstance(query.message, Message):
        await query.edit_message_reply_markup(_without_votes(query.message.reply_markup))


def register(app: AnyApp, svc: Services) -> None:
    text = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & filters.TEXT \
        & ~filters.COMMAND
    app.add_handler(MessageHandler(text, answer_question))
    app.add_handler(CallbackQueryHandler(details_pressed, pattern=on(Action.DETAILS)))
    app.add_handler(CallbackQueryHandler(vote_pressed, pattern=on(Action.VOTE)))
