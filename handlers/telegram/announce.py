"""Announcements on Telegram: /thongbao's draft and decision are the core's
(bot/outreach/announce_screens.py); here the delivery to every recipient, paced below
Telegram's bulk limit. Every recipient's progress is in SQLite, so a restart resumes an
announcement without sending anything twice.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut

from bot import messages
from bot.bootstrap import Services
from bot.outreach.announcements import Announcement
from bot.people.access import may_send
from bot.screens import text_view
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp

log = logging.getLogger(__name__)


def start_delivery(app: AnyApp, svc: Services, item: Announcement) -> None:
    task = asyncio.create_task(deliver(app.bot, svc, item))
    app.bot_data.setdefault("background", []).append(task)


async def deliver(bot: Bot, svc: Services, item: Announcement) -> None:
    """Send to every pending recipient, paced, recording each outcome; then tell the sender."""
    pause = 1.0 / svc.settings.announce_per_second
    text = messages.ANNOUNCE_HEADER.format(scope=item.scope_name, text=item.text)
    while batch := svc.announcements.pending(item):
        if not may_send(svc, item.created_by, item.school_codes):
            left = await svc.announcements.cancel(item)
            log.warning("announcement %d stopped, its sender may no longer send it: %d not sent",
                        item.id, left, extra={"event": "announce"})
            return
        for user_id in batch:
            await svc.announcements.mark(item, user_id, "sending")  # before: never send twice
            await svc.announcements.mark(item, user_id, await _send_one(bot, svc, user_id, text))
            await asyncio.sleep(pause)
    tally = await svc.announcements.finish(item)
    log.info("announcement delivered", extra={"event": "announce"})
    if item.chat_id is None:  # the sender erased their data meanwhile
        return
    done = messages.ANNOUNCE_DONE.format(id=item.id, sent=tally["sent"],
                                         blocked=tally["blocked"], failed=tally["failed"],
                                         unknown=tally["unknown"])
    try:
        if item.chat_id < 0:  # a sender on another channel (bot/people/accounts)
            await svc.outbox.send(item.chat_id, text_view(done))
        else:
            await bot.send_message(item.chat_id, done)
    except TelegramError:
        log.warning("could not send the delivery summary", extra={"event": "announce"})


async def _send_one(bot: Bot, svc: Services, user_id: int, text: str) -> str:
    if user_id < 0:  # not a Telegram user (bot/people/accounts): through their own channel
        sent = await svc.outbox.send(user_id, text_view(text))
        return "sent" if sent else "failed"
    for _ in range(5):
        try:
            await bot.send_message(user_id, text)
            return "sent"
        except RetryAfter as wait:  # Telegram's flood control: wait as told, then retry
            await asyncio.sleep(float(getattr(wait, "retry_after", 1)))
        except Forbidden:  # the user blocked the bot: remember, never try again
            await svc.users.mark_blocked(user_id)
            return "blocked"
        except TimedOut:  # it may have arrived: do not risk sending it twice
            return "unknown"
        except BadRequest:  # chat not found, deactivated account...
            return "failed"
        except TelegramError:
            await asyncio.sleep(1.0)
    return "failed"


async def resume_all(app: AnyApp) -> None:
    """At start: finish announcements a restart interrupted."""
    svc: Services = app.bot_data["services"]
    for item in svc.announcements.unfinished():
        await svc.announcements.recover(item)
        start_delivery(app, svc, item)


def register(app: AnyApp, svc: Services) -> None:
    svc.outbox.announcer = lambda item: start_delivery(app, svc, item)
    app.add_handler(commands("thongbao"))
