"""The command menu that follows a person's role: the staff commands once they join, the
student menu again once the role ends (Telegram's own side of the core's signals)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeChat
from telegram.error import TelegramError

from bot import messages
from bot.services import Services

log = logging.getLogger(__name__)


async def set_staff_menu(bot: Bot, user_id: int) -> None:
    """Became staff: the chat's own command list gains the staff commands."""
    await bot.set_my_commands(
        [BotCommand(c, d) for c, d in messages.COMMANDS + messages.STAFF_COMMANDS],
        scope=BotCommandScopeChat(user_id))


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
