"""Small adapters between the screens of handlers/telegram/render.py and python-telegram-bot."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, ContextTypes, filters

from bot.services import Services
from handlers.telegram.render import Keyboard, Screen
from handlers.telegram.views import marks

log = logging.getLogger(__name__)
# python-telegram-bot's Application is generic in six types careerbot never narrows.
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    svc: Services = context.bot_data["services"]
    return svc


def in_background(app: AnyApp, work: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
    """Work that outlives its update (sending a file once built), so the user's lane is free
    meanwhile; cancelled when the bot stops (handlers/telegram/app.py)."""
    tasks: set[asyncio.Task[None]] = app.bot_data.setdefault("jobs", set())
    task = asyncio.create_task(work)
    tasks.add(task)
    task.add_done_callback(tasks.discard)
    return task


@functools.lru_cache(maxsize=4096)
def _button(text: str, data: str) -> InlineKeyboardButton:
    """Buttons are immutable once built, and most repeat (topics, details, the menu): built
    once, they are not rebuilt for every answer (PTB objects are slow to make)."""
    return InlineKeyboardButton(text, callback_data=data)


def markup(keyboard: Keyboard) -> InlineKeyboardMarkup | None:
    if not keyboard:
        return None
    return InlineKeyboardMarkup([[_button(b.text, b.data) for b in row] for row in keyboard])


async def reply(message: Message, screens: Sequence[Screen]) -> list[Message]:
    sent = []
    for screen in screens:
        sent.append(await message.reply_html(marks(screen.text),
                                             reply_markup=markup(screen.keyboard),
                                             disable_web_page_preview=True))
    return sent


async def edit(query: CallbackQuery, screens: Sequence[Screen]) -> None:
    """Replace the pressed message with the first screen; any further screens follow it."""
    first, *rest = screens
    try:
        await query.edit_message_text(marks(first.text), parse_mode=ParseMode.HTML,
                                      reply_markup=markup(first.keyboard),
                                      disable_web_page_preview=True)
    except BadRequest as exc:
        # Pressing the button that shows what is already shown: nothing to do.
        if "not modified" not in str(exc).lower():
            raise
    if rest and query.message is not None:
        for screen in rest:
            await query.message.chat.send_message(
                marks(screen.text), parse_mode=ParseMode.HTML, reply_markup=markup(screen.keyboard),
                disable_web_page_preview=True)


class UserState(filters.MessageFilter):
    """Messages from a user for whom `test(user_id)` holds (an open ticket, a survey waiting
    for a typed answer): routes their messages before the answer engine sees them."""

    def __init__(self, name: str, test: Callable[[int], bool]) -> None:
        super().__init__(name=name)
        self.test = test

    def filter(self, message: Message) -> bool:
        user = message.from_user
        return user is not None and self.test(user.id)
