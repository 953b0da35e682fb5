"""/export and /baocao for staff: the same files and report as `careerbot export` and `report`,
limited to the staff member's own school or area (admins may name a school)."""

from __future__ import annotations

import asyncio
import io
import logging

from telegram import Message, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from bot.people.staff import Scope, ScopeError
from bot.reports import reporting
from bot.reports.builds import BuildBusy
from bot.reports.report import Report, report_view
from bot.surveys.model import school_year
from handlers.telegram.callbacks import Action
from handlers.telegram.render import Screen, button, esc
from handlers.telegram.ui import AnyApp, callback_of, in_background, on, reply, services
from handlers.telegram.views import view_screens

log = logging.getLogger(__name__)


async def _staff_command(update: Update, context: ContextTypes.DEFAULT_TYPE
                         ) -> tuple[Message, Services, Scope, str] | None:
    """The message, services, scope and school argument of a staff command, or None once the
    caller has been told why not (not staff, or a school they may not name)."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return None
    svc = services(context)
    school = (context.args or [""])[0]
    try:
        scope = svc.staff.scope_for(user.id, svc.is_admin(user.id), school)
    except ScopeError as refused:
        await message.reply_text(str(refused))
        return None
    return message, svc, scope, school


async def choose_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _staff_command(update, context)
    if found is None:
        return
    message, svc, scope, school = found
    year = school_year(svc.local_now().date())
    code = school if scope.kind == "school" and school else ""
    rows = [(button(messages.EXPORT_CSV.format(title=s.title), Action.EXPORT, "csv", s.id, code),)
            for s in svc.surveys.surveys]
    rows.append((button(messages.EXPORT_XLSX, Action.EXPORT, "xlsx", "all", code),))
    await reply(message, [Screen(messages.EXPORT_CHOOSE.format(scope=esc(scope.name), year=year),
                                 tuple(rows))])


async def send_export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query, user = update.callback_query, update.effective_user
    if query is None or user is None or not isinstance(query.message, Message):
        return
    svc = services(context)
    cb = callback_of(update)
    fmt, survey_id, school = cb.arg(0), cb.arg(1), cb.arg(2)
    try:  # checked again, now: a button proves nothing, and roles can be revoked
        scope = svc.staff.scope_for(user.id, svc.is_admin(user.id), school)
    except ScopeError as refused:
        await query.answer(str(refused), show_alert=True)
        return
    surveys = list(svc.surveys.surveys) if survey_id == "all" \
        else [s for s in svc.surveys.surveys if s.id == survey_id]
    if fmt not in ("csv", "xlsx") or not surveys:
        await query.answer(messages.STALE_BUTTON, show_alert=True)
        return
    year = school_year(svc.local_now().date())
    try:  # built in the worker process; the bot keeps answering everyone meanwhile
        job = svc.builds.start(user.id, reporting.export_file, str(svc.settings.db_path), scope,
                               surveys, fmt, year, reporting.report_survey(svc),
                               svc.kb.districts)
    except BuildBusy:
        await query.answer(messages.BUILD_BUSY, show_alert=True)
        return
    await query.answer(messages.WORKING)
    in_background(context.application, _send_document(query.message, job, scope, year))


async def _send_document(message: Message, job: asyncio.Future[reporting.Document],
                         scope: Scope, year: str) -> None:
    try:
        document = await job
        await message.reply_document(
            io.BytesIO(document.data), filename=document.filename,
            caption=messages.EXPORT_SENT.format(count=document.count, scope=scope.name,
                                                year=year))
    except Exception:  # the build or the upload failed: say so, keep the traceback
        log.exception("export failed", extra={"event": "build"})
        await _apologise(message)


async def show_report(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    found = await _staff_command(update, context)
    user = update.effective_user
    if found is None or user is None:
        return
    message, svc, scope, _ = found
    survey = reporting.report_survey(svc)
    if survey is None:
        await message.reply_text(messages.REPORT_NONE)
        return
    try:
        job = svc.builds.start(user.id, reporting.report_with_chart, str(svc.settings.db_path),
                               survey, scope, svc.kb.districts,
                               school_year(svc.local_now().date()))
    except BuildBusy:
        await message.reply_text(messages.BUILD_BUSY)
        return
    in_background(context.application, _send_report(message, job, scope))


async def _send_report(message: Message, job: asyncio.Future[tuple[Report, bytes] | None],
                       scope: Scope) -> None:
    try:
        built = await job
        if built is None:
            await message.reply_text(messages.REPORT_NONE)
            return
        report, png = built
        await reply(message, view_screens(report_view(report)))
        await message.reply_photo(io.BytesIO(png), caption=messages.REPORT_CAPTION.format(
            scope=scope.name))
    except Exception:  # the build or a send failed: say so, keep the traceback
        log.exception("report failed", extra={"event": "build"})
        await _apologise(message)


async def _apologise(message: Message) -> None:
    try:
        await message.reply_text(messages.BUILD_FAILED)
    except TelegramError:
        log.warning("could not tell the staff member", extra={"event": "build"})


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("export", choose_export, filters=private))
    app.add_handler(CommandHandler("baocao", show_report, filters=private))
    app.add_handler(CallbackQueryHandler(send_export, pattern=on(Action.EXPORT)))
