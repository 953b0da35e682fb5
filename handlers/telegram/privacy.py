"""/dulieucuatoi shows everything stored about the user; /xoadulieu deletes it after asking;
/tatthongbao and /batthongbao switch announcements."""

from __future__ import annotations

import io
import json

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from bot.people import privacy
from handlers.telegram.callbacks import Action
from handlers.telegram.render import Screen, button, esc
from handlers.telegram.staff import reset_menu
from handlers.telegram.ui import AnyApp, callback_of, edit, on, reply, services


async def show_my_data(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    await svc.writer.sync()  # the question just asked is in the log too
    data = privacy.my_data(svc.db, user.id)
    if data["user"] is None:
        await message.reply_text(messages.MY_DATA_NONE)
        return
    text = privacy.describe(data, svc.surveys, lambda code: (
        school.name if (school := svc.schools.get(code)) else None))
    await reply(message, [Screen(text)])
    payload = json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    await message.reply_document(io.BytesIO(payload), filename=messages.MY_DATA_FILE)


async def ask_to_erase(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message:
        await reply(update.message, [Screen(messages.ERASE_CONFIRM, (
            (button(messages.ERASE_YES, Action.PRIVACY, "del"),),
            (button(messages.ERASE_NO, Action.PRIVACY, "keep"),)))])


async def erase_pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    await query.answer()
    if callback_of(update).arg(0) != "del":
        await edit(query, [Screen(messages.ERASE_KEPT)])
        return
    svc = services(context)
    was_staff = svc.staff.member(user.id) is not None
    counts = await svc.writer.write(lambda db: privacy.erase(db, user.id))
    svc.forget_user(user.id)
    if was_staff and not svc.is_admin(user.id):  # erasing yourself ends your staff role too
        await reset_menu(context.bot, user.id)
    await edit(query, [Screen(esc(messages.ERASED.format(rows=sum(counts.values()))))])


async def announcements_off(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.effective_user:
        await services(context).users.set_announcements(update.effective_user.id, False)
        await update.message.reply_text(messages.ANNOUNCE_OFF)


async def announcements_on(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message and update.effective_user:
        await services(context).users.set_announcements(update.effective_user.id, True)
        await update.message.reply_text(messages.ANNOUNCE_ON)


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("dulieucuatoi", show_my_data, filters=private))
    app.add_handler(CommandHandler("xoadulieu", ask_to_erase, filters=private))
    app.add_handler(CallbackQueryHandler(erase_pressed, pattern=on(Action.PRIVACY)))
    app.add_handler(CommandHandler("tatthongbao", announcements_off, filters=private))
    app.add_handler(CommandHandler("batthongbao", announcements_on, filters=private))
