"""Every update first: who is it, are they flooding; then /help, /huy and the error handler."""

from __future__ import annotations

import html
import logging
import time

from telegram import Bot, BotCommand, BotCommandScopeChat, ChatMember, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import messages
from bot.people.flood import Verdict
from bot.services import Services
from handlers.telegram.menus import reset_revoked_menu
from handlers.telegram.outcomes import expected
from handlers.telegram.talk import account_of, commands, conversation
from handlers.telegram.ui import AnyApp, services

log = logging.getLogger(__name__)
ADMIN_NOTICE_EVERY = 60.0  # seconds: at most one error report a minute to the admin chat


async def note_user_and_guard_flood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Group -1: the first half of the core's `receive` (note the user, the flood guard) for
    every update of a private chat, before any feature's handler runs."""
    chat, account = update.effective_chat, account_of(update)
    if chat is None or account is None or chat.type != ChatType.PRIVATE:
        return
    svc, user_id = services(context), account.user_id
    query = update.callback_query
    counted = update.message is not None or query is not None  # edits and the like: no work
    if counted:
        verdict = await conversation(context).admit(account)  # a tap costs what a message does
    else:
        await svc.users.touch(user_id, (account.channel, account.external_id))
        verdict = Verdict.ALLOW
    await reset_revoked_menu(context.bot, svc, user_id)
    if svc.is_admin(user_id) and user_id not in context.bot_data.setdefault("admin_menus", set()):
        await _set_admin_commands(context.bot, user_id)
        context.bot_data["admin_menus"].add(user_id)
    if verdict is Verdict.ALLOW:
        return
    if query is not None:
        await query.answer(messages.SLOW_DOWN)  # every tap is answered: no spinner left turning
    elif verdict is Verdict.WARN and update.message is not None:
        await update.message.reply_text(messages.SLOW_DOWN)
    raise ApplicationHandlerStop


async def only_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice in a private chat with no open ticket."""
    if update.message:
        await update.message.reply_text(messages.ONLY_TEXT)


async def bot_status_changed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A user blocked (or unblocked) the bot: stop (or resume) sending them announcements."""
    change, user = update.my_chat_member, update.effective_user
    if change is None or user is None or change.chat.type != ChatType.PRIVATE:
        return  # being added to or removed from a group needs nothing from us
    if change.new_chat_member.status == ChatMember.BANNED:
        await services(context).users.mark_blocked(user.id)


async def stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Any button no other handler understood: from an older message or an older bot."""
    if update.callback_query:
        await update.callback_query.answer(messages.STALE_BUTTON, show_alert=True)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the traceback, apologise to the user, tell the admin chat (at most once a minute);
    for an expected outcome (handlers/outcomes.py) only answer the tap and log at DEBUG."""
    if expected(context.error):
        log.debug("expected Bot API outcome: %s", context.error, extra={"event": "telegram"})
        query = update.callback_query if isinstance(update, Update) else None
        if query is not None:
            try:
                await context.bot.answer_callback_query(query.id)  # too old: CareerBot says False
            except TelegramError:
                log.debug("could not answer the callback", extra={"event": "telegram"})
        return
    log.error("error while handling an update", exc_info=context.error,
              extra={"event": "error"})
    svc: Services | None = context.bot_data.get("services")
    if isinstance(update, Update) and update.effective_chat is not None \
            and update.effective_chat.type == ChatType.PRIVATE:
        try:
            await context.bot.send_message(update.effective_chat.id, messages.ERROR_APOLOGY)
        except TelegramError:
            log.warning("could not send the apology", extra={"event": "error"})
    if svc is None or svc.settings.admin_chat_id is None:
        return
    now = time.monotonic()
    last = context.bot_data.get("last_admin_notice", -ADMIN_NOTICE_EVERY)
    if now - last < ADMIN_NOTICE_EVERY:
        return
    context.bot_data["last_admin_notice"] = now
    error = html.escape(type(context.error).__name__ if context.error else "?")
    try:
        await context.bot.send_message(svc.settings.admin_chat_id,
                                       messages.ADMIN_ERROR.format(error=error))
    except TelegramError:
        log.warning("could not notify the admin chat", extra={"event": "error"})


async def _set_admin_commands(bot: Bot, admin_id: int) -> bool:
    commands = [BotCommand(c, d) for c, d in
                messages.COMMANDS + messages.STAFF_COMMANDS + messages.ADMIN_COMMANDS]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(admin_id))
    except TelegramError:
        # Telegram knows an admin's chat only once they have written to the bot; the
        # first update from them sets it then.
        return False
    return True


async def set_commands(app: AnyApp) -> None:
    """post_init: the command menu in Vietnamese; admins also see theirs."""
    svc: Services = app.bot_data["services"]
    await app.bot.set_my_commands([BotCommand(c, d) for c, d in messages.COMMANDS])
    done = {a for a in sorted(svc.settings.admin_ids) if await _set_admin_commands(app.bot, a)}
    app.bot_data["admin_menus"] = done


def register(app: AnyApp, svc: Services) -> None:
    app.add_handler(TypeHandler(Update, note_user_and_guard_flood), group=-1)
    app.add_handler(commands("help", "trogiup", "huy"))
    app.add_handler(ChatMemberHandler(bot_status_changed, ChatMemberHandler.MY_CHAT_MEMBER))


def register_last(app: AnyApp, svc: Services) -> None:
    """Catch-alls, registered after every feature's handlers."""
    new_private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(new_private & ~filters.TEXT & ~filters.COMMAND, only_text))
    app.add_handler(CallbackQueryHandler(stale_button))
    app.add_error_handler(on_error)
