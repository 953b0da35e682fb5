"""/start: the welcome, the audience buttons, and deep links to a topic or a school."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import messages
from bot.answering import deeplinks
from bot.answering.answers import Reply
from bot.bootstrap import Services
from handlers.telegram import render
from handlers.telegram.callbacks import Action
from handlers.telegram.render import Screen, button, esc
from handlers.telegram.ui import AnyApp, callback_of, edit, on, reply, services


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message:
        await reply(update.message, [render.welcome_screen()])


async def start_with_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deep link: open the topic, or join the school, or say politely that it is not valid."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    payload = (context.args or [""])[0]
    link = deeplinks.parse(payload, {e.id for e in svc.kb.entries},
                           lambda code: svc.schools.get(code) is not None)
    if link.kind == "topic":
        shown: Reply | None = svc.assistant.topic(link.value)
        assert shown is not None  # noqa: S101 - parse() checked the topic exists
        ask_id = svc.asks.record(user.id, "deeplink", shown)
        await reply(message, render.reply_screens(shown, ask_id))
        return
    if link.kind == "school":
        school = svc.schools.get(link.value)
        assert school is not None  # noqa: S101 - parse() checked the school exists
        await svc.users.set_school(user.id, school.code)
        await message.reply_html(messages.SCHOOL_JOINED.format(name=esc(school.name)))
    else:
        await message.reply_text(messages.BAD_PAYLOAD)
    await reply(message, [render.welcome_screen()])


async def choose_audience(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    audience = callback_of(update).arg(0)
    if audience not in messages.AUDIENCE_LABELS:
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await services(context).users.set_audience(user.id, audience)
    await query.answer()
    label = messages.AUDIENCE_LABELS[audience]
    await edit(query, [Screen(messages.AUDIENCE_SAVED.format(label=esc(label)),
                              ((button(messages.MENU_BUTTON, Action.MENU),),))])


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    # The deep-link handler must come before the plain /start, which would also match.
    app.add_handler(CommandHandler("start", start_with_link, filters=private, has_args=True))
    app.add_handler(CommandHandler("start", start, filters=private))
    app.add_handler(CallbackQueryHandler(choose_audience, pattern=on(Action.AUDIENCE)))
