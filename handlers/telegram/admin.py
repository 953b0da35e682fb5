"""/unanswered and /stats, for the admins named in the configuration."""

from __future__ import annotations

import html

from telegram import Update
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from handlers.telegram import render
from handlers.telegram.ui import AnyApp, reply, services


def _short_time(iso_time: str) -> str:
    return iso_time[:16].replace("T", " ")


async def _refuse_non_admin(update: Update, svc: Services) -> bool:
    user = update.effective_user
    if svc.is_admin(user.id if user else None):
        return False
    if update.message:
        await update.message.reply_text(messages.ADMIN_ONLY)
    return True


async def unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if await _refuse_non_admin(update, svc) or update.message is None:
        return
    lines = [messages.UNANSWERED_HEAD]
    rows = await svc.asks.unanswered()
    lines += [messages.UNANSWERED_ROW.format(n=i, text=html.escape(r.text or ""), count=r.count,
                                             last=_short_time(r.last_at))
              for i, r in enumerate(rows, 1)] or [messages.UNANSWERED_NONE]
    disliked = await svc.asks.disliked()
    if disliked:
        lines += ["", messages.DISLIKED_HEAD]
        lines += [messages.DISLIKED_ROW.format(entry=html.escape(d.entry_id), count=d.count,
                                               question=html.escape(d.last_question or "—"))
                  for d in disliked]
    await reply(update.message, render.screens("\n".join(lines)))


async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    if await _refuse_non_admin(update, svc) or update.message is None:
        return
    s = await svc.asks.stats()
    audiences = ", ".join(f"{messages.AUDIENCE_LABELS.get(a, messages.UNKNOWN)}: {n}"
                          for a, n in s.by_audience.items()) or messages.NONE_YET
    per_day = ", ".join(f"{d[8:10]}/{d[5:7]}: {n}" for d, n in s.per_day) or messages.NONE_YET
    top = ", ".join(f"{e} ({n})" for e, n in s.top_topics) or messages.NONE_YET
    text = messages.STATS.format(users=s.users, audiences=html.escape(audiences),
                                 per_day=per_day, rate=round(100 * s.answer_rate),
                                 questions=s.questions, top=html.escape(top))
    await reply(update.message, render.screens(text))


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("unanswered", unanswered, filters=private))
    app.add_handler(CommandHandler("stats", stats, filters=private))
