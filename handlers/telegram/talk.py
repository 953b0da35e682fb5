"""Telegram as a channel of the conversation core: updates become Intents, Views become
messages (HTML, inline keyboards, edit-in-place), the same for every feature that lives in
the core (questions, topics, the menu, /start, surveys)."""

from __future__ import annotations

import io
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import InlineKeyboardMarkup, Message, Update
from telegram.ext import ContextTypes

from bot import intents as i
from bot import messages
from bot.conversation import Conversation
from bot.people.accounts import TELEGRAM, Account
from bot.views import ROLE_ENDED, View, flatten
from handlers.telegram.callbacks import decode
from handlers.telegram.staff import reset_menu
from handlers.telegram.ui import edit, markup, reply
from handlers.telegram.views import view_screens


def conversation(context: ContextTypes.DEFAULT_TYPE) -> Conversation:
    talk: Conversation = context.bot_data["conversation"]
    return talk


def account_of(update: Update) -> Account | None:
    """A Telegram user's account: their Telegram id is their internal id (bot/people/accounts)."""
    user = update.effective_user
    return Account(TELEGRAM, str(user.id), user.id) if user is not None else None


def intent_of(data: object) -> i.Intent | None:
    """The Intent a button carries, or None for a stale, foreign or forged one."""
    callback = decode(data) if isinstance(data, str) else None
    return i.from_wire((callback.action.value, *callback.args)) if callback else None


def _without(markup: InlineKeyboardMarkup | None, kinds: tuple[str, ...]
             ) -> InlineKeyboardMarkup | None:
    if markup is None:
        return None
    rows = [row for row in markup.inline_keyboard
            if not any((it := intent_of(b.callback_data)) is not None and it.kind in kinds
                       for b in row)]
    return InlineKeyboardMarkup(rows) if rows else None


async def show(update: Update, view: View) -> None:
    """A View as Telegram messages: the notice answers the tap, a replacing view edits the
    tapped message, anything else is sent below it."""
    views = flatten(view)
    first, rest = views[0], views[1:]
    query = update.callback_query
    message = update.effective_message
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
    for later in rest:
        screens = view_screens(later)
        if screens:
            await reply(message, screens)
        for file in later.files:
            await message.reply_document(io.BytesIO(file.data), filename=file.filename,
                                         caption=file.caption or None)
    if ROLE_ENDED in view.signals and update.effective_user is not None:
        await reset_menu(message.get_bot(), update.effective_user.id)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    account, query = account_of(update), update.callback_query
    if account is None or query is None:
        return
    intent = intent_of(query.data)
    talk = conversation(context)
    if intent is None or not talk.handles(intent):
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    await show(update, await talk.handle(account, intent))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    account, message = account_of(update), update.message
    if account is None or message is None or message.text is None:
        return
    await show(update, await conversation(context).handle_text(account, message.text))


Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


def on_command(make: type[i.Intent]) -> Callback:
    """A CommandHandler callback sending that command's Intent (/start's payload included)."""
    async def command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        account = account_of(update)
        if account is None or update.message is None:
            return
        intent = i.Start((context.args or [""])[0]) if make is i.Start else make()
        await show(update, await conversation(context).handle(account, intent))
    return command


def is_core_button(data: object) -> bool:
    """A CallbackQueryHandler pattern: buttons whose intent the core handles."""
    intent = intent_of(data)
    return intent is not None and type(intent) in CORE_BUTTONS


CORE_BUTTONS = frozenset({i.ChooseAudience, i.Menu, i.Group, i.Topic, i.Details, i.Vote,
                          i.Noop, i.CounselOpen, i.PrivacyConfirm,
                          *(k for k in i.INTENTS if k.kind.startswith("survey_"))})


async def deliver(bot: Any, account: Account, view: View) -> bool:
    """The outbox's Telegram channel: a View sent to the account's private chat."""
    for screen in (s for v in flatten(view) for s in view_screens(v)):
        await bot.send_message(int(account.external_id), screen.text, parse_mode="HTML",
                               reply_markup=markup(screen.keyboard),
                               disable_web_page_preview=True)
    return True
