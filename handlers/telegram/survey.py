"""/khaosat: taking a survey with buttons; typed answers for text, number and school questions."""

from __future__ import annotations

import logging

from telegram import Message, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages
from bot.bootstrap import Services
from bot.surveys.flow import Step
from bot.surveys.responses import ResponseGone
from handlers.telegram.callbacks import Action
from handlers.telegram.ui import AnyApp, UserState, callback_of, edit, on, reply, services

log = logging.getLogger(__name__)


async def list_surveys(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.effective_user:
        await reply(update.message, [services(context).flow.list_screen(update.effective_user.id)])


async def _show(update: Update, step: Step) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(step.notice, show_alert=step.alert)
        if step.screens and not step.new_message:
            await edit(query, step.screens)
            return
    message = update.effective_message
    if step.screens and isinstance(message, Message):
        await reply(message, step.screens)


async def survey_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user = update.effective_user
    if user is None:
        return
    flow = services(context).flow
    cb = callback_of(update)
    op, sid, qid, code = cb.arg(0), cb.arg(1), cb.arg(2), cb.arg(3)
    actions = {
        "o": lambda: flow.open(user.id, sid),
        "c": lambda: flow.begin(user.id, sid),
        "R": lambda: flow.begin(user.id, sid, confirmed_retake=True),
        "g": lambda: flow.resume(user.id, sid),
        "a": lambda: flow.choose(user.id, sid, qid, code),
        "t": lambda: flow.toggle(user.id, sid, qid, code, cb.arg(4) == "1"),
        "x": lambda: flow.finish_multi(user.id, sid, qid),
        "b": lambda: flow.back(user.id, sid, qid),
        "k": lambda: flow.skip(user.id, sid, qid),
        "p": lambda: flow.pause(user.id),
        "l": lambda: flow.pause(user.id),
        "e": lambda: flow.edit_menu(user.id, sid),
        "E": lambda: flow.edit_question(user.id, sid, qid),
        "v": lambda: flow.summary(user.id, sid),
        "S": lambda: flow.submit(user.id, sid),
    }
    action = actions.get(op)
    try:
        step = await action() if action else Step(notice=messages.STALE_BUTTON, alert=True)
    except ResponseGone:
        log.info("survey response deleted during a step", extra={"event": "survey"})
        step = flow.vanished()
    await _show(update, step)


async def survey_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if message.text is None:
        await message.reply_text(messages.SURVEY_NEEDS_TEXT)
        return
    flow = services(context).flow
    try:
        step = await flow.typed(user.id, message.text)
    except ResponseGone:
        log.info("survey response deleted during a step", extra={"event": "survey"})
        step = flow.vanished(typed=True)
    if step is not None:
        await _show(update, step)


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("khaosat", list_surveys, filters=private))
    app.add_handler(CallbackQueryHandler(survey_pressed, pattern=on(Action.SURVEY)))
    app.add_handler(MessageHandler(
        private & filters.UpdateType.MESSAGE & ~filters.COMMAND
        & UserState("AwaitingSurveyText", svc.flow.awaits_text),
        survey_typed))
