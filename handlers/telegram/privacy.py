"""/dulieucuatoi and /xoadulieu (in the conversation core); /tatthongbao and /batthongbao
switch announcements."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import messages
from bot.services import Services
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp, services


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
    app.add_handler(commands("dulieucuatoi", "xoadulieu"))
    app.add_handler(CommandHandler("tatthongbao", announcements_off, filters=private))
    app.add_handler(CommandHandler("batthongbao", announcements_on, filters=private))
