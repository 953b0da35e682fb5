"""Staff: /dangky redeems an invite; admins create invites with /moi. Exports and reports live in
handlers/reports.py."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, ContextTypes, filters

from bot import messages
from bot.bootstrap import Services
from bot.people.privacy import ADMIN_TAG
from bot.people.staff import INVITE_DAYS, InviteError, Role, ScopeError, StaffMember
from handlers.telegram.render import esc
from handlers.telegram.ui import AnyApp, services

log = logging.getLogger(__name__)


async def reset_menu(bot: Bot, user_id: int) -> bool:
    """Back to the student command menu: the chat's own list goes, the default one shows."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(user_id))
    except TelegramError:
        log.warning("could not reset a command menu", extra={"event": "staff"})
        return False
    return True


async def reset_revoked_menu(bot: Bot, svc: Services, user_id: int) -> None:
    """On any update: a staff member revoked where the bot could not reset their menu at once
    (from the command line) gets the student menu back now."""
    if not svc.staff.menu_reset_due(user_id):
        return
    if svc.is_admin(user_id) or await reset_menu(bot, user_id):  # admins keep their menu
        await svc.staff.menu_reset_done(user_id)


def describe_scope(svc: Services, member: StaffMember) -> str:
    if member.role == "school" and member.school_code:
        school = svc.schools.get(member.school_code)
        return messages.SCOPE_SCHOOL.format(name=esc(school.name if school else member.school_code))
    if member.role == "area":
        return messages.SCOPE_AREA.format(name=esc(member.area.name if member.area
                                                   else messages.UNKNOWN))
    return messages.SCOPE_ALL


async def redeem(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    if not context.args:
        await message.reply_text(messages.STAFF_USAGE)
        return
    svc = services(context)
    try:
        member = await svc.staff.redeem(context.args[0], user.id)
    except InviteError as refused:
        await message.reply_text(str(refused))
        return
    await context.bot.set_my_commands(
        [BotCommand(c, d) for c, d in messages.COMMANDS + messages.STAFF_COMMANDS],
        scope=BotCommandScopeChat(user.id))
    await message.reply_html(messages.STAFF_JOINED.format(scope=describe_scope(svc, member)))


async def invite(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/moi truong CODE | /moi khuvuc <name> | /moi admin (admins only)."""
    message, user = update.message, update.effective_user
    if message is None or user is None:
        return
    svc = services(context)
    if not svc.is_admin(user.id):
        await message.reply_text(messages.ADMIN_ONLY)
        return
    args = context.args or []
    kind = args[0].lower() if args else ""
    rest = " ".join(args[1:]).strip()
    role: Role
    try:
        if kind == "truong" and rest:
            role, member = "school", StaffMember(0, "school", rest, None)
        elif kind == "khuvuc" and rest:
            role, member = "area", StaffMember(0, "area", None, svc.staff.find_area(rest))
        elif kind == "admin":
            role, member = "admin", StaffMember(0, "admin", None, None)
        else:
            await message.reply_text(messages.INVITE_USAGE)
            return
        code = await svc.staff.invite(role, member.school_code, member.area,
                                      created_by=f"{ADMIN_TAG}{user.id}")
    except ScopeError as refused:
        await message.reply_text(str(refused))
        return
    await message.reply_html(messages.INVITE_CREATED.format(
        code=code, days=INVITE_DAYS, scope=describe_scope(svc, member)))


def register(app: AnyApp, svc: Services) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(CommandHandler("dangky", redeem, filters=private))
    app.add_handler(CommandHandler("moi", invite, filters=private))
