"""/thongbao: admins and staff announce to users who opted in (staff: their own school only).

Delivery runs in the background, paced below Telegram's bulk limit; every recipient's progress is
in SQLite, so a restart resumes an announcement without sending anything twice.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Update
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError, TimedOut
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from bot.outreach import announcements as announce
from bot.outreach.announcements import Announcement
from bot.people.staff import ScopeError
from bot.views import Block, Part, View
from handlers.telegram.callbacks import Action
from handlers.telegram.render import Screen, button, esc
from handlers.telegram.ui import AnyApp, callback_of, edit, on, reply, services

log = logging.getLogger(__name__)


async def compose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None or message.text is None:
        return
    svc = services(context)
    school, audience_word, text = announce.parse_command(message.text)
    try:
        scope = svc.staff.scope_for(user.id, svc.is_admin(user.id), school)
    except ScopeError as refused:
        await message.reply_text(str(refused))
        return
    if not text:
        await message.reply_text(messages.ANNOUNCE_USAGE)
        return
    audience = announce.AUDIENCE_WORDS.get(audience_word or "tatca")
    count = svc.announcements.count_recipients(audience, scope.school_codes)
    if count == 0:
        await message.reply_text(messages.ANNOUNCE_NOBODY)
        return
    who = messages.ANNOUNCE_WHO[audience]
    limit = announce.text_limit(scope.name, count, who)
    if announce.length(text) > limit:  # refused whole, never cut: the sender decides what goes
        await message.reply_text(messages.ANNOUNCE_TOO_LONG.format(
            length=announce.length(text), limit=limit))
        return
    draft = await svc.announcements.draft(user.id, message.chat_id, text, audience,
                                          scope.school_codes, scope.name)
    await reply(message, [Screen(
        messages.ANNOUNCE_CONFIRM.format(count=count, who=who,
                                         scope=esc(scope.name), text=esc(draft.text)),
        ((button(messages.ANNOUNCE_SEND, Action.ANNOUNCE, "send", draft.id),
          button(messages.ANNOUNCE_DROP, Action.ANNOUNCE, "drop", draft.id)),))])


async def confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    svc = services(context)
    cb = callback_of(update)
    draft_id = cb.id_arg(1)
    found = svc.announcements.get(draft_id) if draft_id is not None else None
    if found is None or found.created_by != user.id or found.status != "draft":
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    if cb.arg(0) == "send" and not svc.staff.may_send(user.id, svc.is_admin(user.id),
                                                      found.school_codes):
        # The role is checked now, not when the draft was written: it may have been revoked.
        await svc.announcements.drop(found)
        await query.answer(messages.ANNOUNCE_NOT_ALLOWED, show_alert=True)
        await edit(query, [Screen(esc(messages.ANNOUNCE_NOT_ALLOWED))])
        return
    await query.answer()
    if cb.arg(0) != "send":
        await svc.announcements.drop(found)
        await edit(query, [Screen(messages.ANNOUNCE_DROPPED)])
        return
    count = await svc.announcements.start(found)
    await edit(query, [Screen(messages.ANNOUNCE_STARTED.format(count=count))])
    start_delivery(context.application, svc, found)


def start_delivery(app: AnyApp, svc: Services, item: Announcement) -> None:
    task = asyncio.create_task(deliver(app.bot, svc, item))
    app.bot_data.setdefault("background", []).append(task)


async def deliver(bot: Bot, svc: Services, item: Announcement) -> None:
    """Send to every pending recipient, paced, recording each outcome; then tell the sender."""
    pause = 1.0 / svc.settings.announce_per_second
    text = messages.ANNOUNCE_HEADER.format(scope=item.scope_name, text=item.text)
    while batch := svc.announcements.pending(item):
        if not svc.staff.may_send(item.created_by, svc.is_admin(item.created_by),
                                  item.school_codes):
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
    try:
        await bot.send_message(item.chat_id, messages.ANNOUNCE_DONE.format(
            id=item.id, sent=tally["sent"], blocked=tally["blocked"], failed=tally["failed"],
            unknown=tally["unknown"]))
    except TelegramError:
        log.warning("could not send the delivery summary", extra={"event": "announce"})


async def _send_one(bot: Bot, svc: Services, user_id: int, text: str) -> str:
    if user_id < 0:  # not a Telegram user (bot/people/accounts): through their own channel
        sent = await svc.outbox.send(user_id, View((Part(Block.TEXT, text),)))
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
    app.add_handler(CommandHandler("thongbao", compose, filters=filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(confirm, pattern=on(Action.ANNOUNCE)))
