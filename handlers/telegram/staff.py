"""The staff and admin commands on Telegram: /dangky, /dangnhap, /moi, /export, /baocao,
/unanswered, /stats. Their screens live in the core (bot/people/staff_screens.py,
bot/reports/screens.py, bot/answering/admin_screens.py); the role's command menu is
handlers/telegram/menus.py."""

from __future__ import annotations

from bot.services import Services
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp


def register(app: AnyApp, svc: Services) -> None:
    app.add_handler(commands("dangky", "dangnhap", "moi", "export", "baocao", "unanswered",
                             "stats"))
