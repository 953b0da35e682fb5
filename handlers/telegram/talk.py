"""Telegram as a channel of the conversation core: updates become Intents, Views become
messages (HTML, inline keyboards, edit-in-place), the same for every feature that lives in
the core (questions, topics, the menu, /start, surveys)."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Sequence
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import intents as i
from bot import messages
from bot.channels import Blocked, Limits, Uncertain
from bot.conversation import Conversation
from bot.people.accounts import TELEGRAM, Account
from bot.screens import Later
from bot.views import BECAME_STAFF, ROLE_ENDED, View, deferred, flatten
from handlers.telegram.callbacks import WIRE, decode
from handlers.telegram.menus import reset_menu, set_staff_menu
from handlers.telegram.render import TELEGRAM_LIMIT
from handlers.telegram.ui import edit, in_background, markup, reply
from handlers.telegram.views import view_screens

log = logging.getLogger(__name__)
RETRIES = 5  # sends of one message under Telegram's flood control


def conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    talk: Conversation = context.bot_data["conversation"]
    return talk


def account_of(update: Update) -> Account | None:
    """A Telegram user's account: their Telegram id is their internal id (bot/people/accounts)."""
    user = update.effective_user
    return Account(TELEGRAM, str(user.id), user.id) if user is not None else None


def intent_of(data: object) -> i.Intent | None:
    """The Intent a button carries, or None for a stale, foreign or forged one."""
    return decode(data)


def _without(markup: InlineKeyboardMarkup | None, kinds: tuple[str, ...]
             ) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [row for row in markup.inline_keyboard
            if not any((it := intent_of(b.callback_data)) is not None and it.kind in kinds
                       for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def show(update: Update, context: ContextTypes.DEFAULT_TYPE, view: View) -> None:
    """A View as Telegram messages: the notice answers the tap, a replacing view edits the
    tapped message, anything else is sent below it; follow-up work runs in the background."""
    views = flatten(view)
    first, rest = views[0], views[1:]
    query = update.callback_query
    message = update.effective_message
    user = update.effective_user
    if query is not None:
        note = first.notice
        await query.answer(note.text if note else None, show_alert=bool(note and note.alert))
        if first.strip and isinstance(query.message, Message):
            await query.edit_message_reply_markup(_without(query.message.reply_markup,
                                                           first.strip))
        if first.replace:
            await edit(query, view_screens(first))
        else:
            rest = views
    else:
        rest = views
        if first.notice and not (first.parts or first.rows) and isinstance(message, Message):
            await message.reply_text(first.notice.text)
    if not isinstance(message, Message):
        return
    if BECAME_STAFF in view.signals and user is not None:  # the staff commands, at once
        await set_staff_menu(message.get_bot(), user.id)
    await send_views(message, rest)
    if ROLE_ENDED in view.signals and user is not None:
        await reset_menu(message.get_bot(), user.id)
    for later in deferred(view):  # the user's lane is free meanwhile
        in_background(context.application, follow_up(message, later))


async def send_views(message: Message, views: Sequence[View]) -> None:
    """Views as messages below `message`: text and keyboards, then files (a chart as a photo)."""
    for shown in views:
        screens = view_screens(shown)
        if screens:
            await reply(message, screens)
        for file in shown.files:
            if file.image:
                await message.reply_photo(io.BytesIO(file.data), caption=file.caption or None)
            else:
                await message.reply_document(io.BytesIO(file.data), filename=file.filename,
                                             caption=file.caption or None)


async def follow_up(message: Message, later: Later) -> None:
    """A view's deferred part (a file built in the worker): shown when ready; if showing it
    fails, the user gets the apology and the log the traceback."""
    try:
        await send_views(message, flatten(await later()))
    except Exception:  # an upload refused, a worker gone: say so, keep the traceback
        log.exception("follow-up failed", extra={"event": "build"})
        try:
            await message.reply_text(messages.BUILD_FAILED)
        except TelegramError:
            log.warning("could not tell the user", extra={"event": "build"})


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    account, query = account_of(update), update.callback_query
    if account is None or query is None:
        return
    intent = intent_of(query.data)
    talk = conversation(context)
    if intent is None or not talk.handles(intent):
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await show(update, context, await talk.answer(account, intent))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    account, message = account_of(update), update.message
    if account is None or message is None or message.text is None:
        return
    await show(update, context, await conversation(context).answer(account, message.text))


async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A typed command, read by the core's one table (bot/intents.COMMANDS), arguments too."""
    account, message = account_of(update), update.message
    if account is None or message is None or message.text is None:
        return
    intent = i.command_intent(message.text)
    if intent is not None:
        await show(update, context, await conversation(context).answer(account, intent))


def commands(*names: str) -> CommandHandler[Any, None]:
    """The handler of commands whose answer lives in the core (private chats only)."""
    unknown = [n for n in names if n not in i.COMMANDS]
    assert not unknown, unknown  # noqa: S101 - a typo here would be a silent dead command
    return CommandHandler(list(names), on_command, filters=filters.ChatType.PRIVATE)


def is_core_button(data: object) -> bool:
    """A CallbackQueryHandler pattern: buttons whose intent the core handles (all of them)."""
    intent = intent_of(data)
    return intent is not None and type(intent) in CORE_BUTTONS


CORE_BUTTONS = frozenset(WIRE)


class TelegramChannel:
    """Telegram as a channel of the core (bot/channels.py): what the core sends on its own
    initiative (a counsellor's reply, an announcement) reaches the account's private chat."""

    name = TELEGRAM
    limits = Limits(text=TELEGRAM_LIMIT, buttons=0, button_title=0)

    def __init__(self, bot: Any) -> None:
        self.bot = bot

    async def deliver(self, account: Account, view: View) -> bool:
        try:
            for screen in (s for v in flatten(view) for s in view_screens(v)):
                await self._send(int(account.external_id), screen.text, markup(screen.keyboard))
        except Forbidden:  # the person blocked the bot
            raise Blocked from None
        except TimedOut:  # it may have arrived: never risk sending it twice
            raise Uncertain from None
        except BadRequest:  # chat not found, deactivated account...
            return False
        return True

    async def _send(self, chat_id: int, text: str, keyboard: Any) -> None:
        for _ in range(RETRIES - 1):
            try:
                await self.bot.send_message(chat_id, text, parse_mode="HTML",
                                            reply_markup=keyboard,
                                            disable_web_page_preview=True)
                return
            except RetryAfter as wait:  # Telegram's flood control: wait as told, then retry
                await asyncio.sleep(float(getattr(wait, "retry_after", 1)))
        await self.bot.send_message(chat_id, text, parse_mode="HTML", reply_markup=keyboard,
                                    disable_web_page_preview=True)
