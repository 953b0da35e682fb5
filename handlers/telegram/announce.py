"""/thongbao on Telegram: the draft and decision are the core's
(bot/outreach/announce_screens.py), and so is the paced delivery (bot/jobs.py), which reaches
Telegram users through the Telegram channel's deliver."""

from __future__ import annotations

from bot.services import Services
from handlers.telegram.talk import commands
from handlers.telegram.ui import AnyApp


def register(app: AnyApp, svc: Services) -> None:
    app.add_handler(commands("thongbao"))
