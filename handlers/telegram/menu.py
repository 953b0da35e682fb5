"""/menu: groups -> topics -> answer, each step editing the same message."""

from __future__ import annotations

from telegram import Message, Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from handlers.telegram import render
from handlers.telegram.callbacks import Action
from handlers.telegram.ui import AnyApp, callback_of, edit, on, reply, services


async def show_menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message:
        await reply(update.message, [render.menu_screen(services(context).kb)])


async def menu_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    await query.answer()
    await edit(query, [render.menu_screen(services(context).kb)])


async def group_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    kb = services(context).kb
    group = next((g for g in kb.menu if g.id == callback_of(update).arg(0)), None)
    if group is None:
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    await edit(query, [render.group_screen(kb, group)])


async def topic_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A topic button (menu, related topic, did-you-mean): show its answer."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    callback = callback_of(update)
    shown = svc.assistant.topic(callback.arg(0))
    if shown is None:
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await query.answer()
    back = callback.arg(1)
    ask_id = svc.asks.record(user.id, "menu" if back else "related", shown)
    screens = render.reply_screens(shown, ask_id, back if any(g.id == back for g in svc.kb.menu)
                                   else "")
    if back:
        await edit(query, screens)  # walking the menu: stay in one message
    elif isinstance(query.message, Message):
        await reply(query.message, screens)  # a related topic: keep the answer above


def register(app: AnyApp, svc: Services) -> None:
    app.add_handler(CommandHandler("menu", show_menu, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(menu_pressed, pattern=on(Action.MENU)))
    app.add_handler(CallbackQueryHandler(group_pressed, pattern=on(Action.GROUP)))
    app.add_handler(CallbackQueryHandler(topic_pressed, pattern=on(Action.TOPIC)))
