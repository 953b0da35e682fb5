"""`careerbot staff login-link`: a sign-in link to the staff dashboard, printed for the
operator to hand over (a colleague without Telegram, or the operator themself)."""

from __future__ import annotations

import asyncio
import secrets

import click

from bot.config import DEFAULT_WEB_PORT
from bot.people.access import scope_of
from bot.people.accounts import Account
from bot.people.staff import ScopeError
from bot.people.staff_screens import sign_in_url
from bot.people.staff_sessions import (
    DASHBOARD_CHANNEL,
    LINK_MINUTES,
    SESSION_HOURS,
    StaffSessions,
    TooManyLinks,
)
from bot.services import Services
from handlers.cli.data import _services, staff_group


def _base(services: Services) -> str:
    settings = services.settings
    return settings.public_origin or \
        f"http://{settings.web_host}:{settings.web_port or DEFAULT_WEB_PORT}"


def _new_school_member(services: Services, school: str) -> int:
    """A staff member of the school with a dashboard account of their own, registered the way
    /dangky registers (a one-time code, spent at once), so `staff list` and `revoke` see them."""
    found = services.schools.get(school.strip())
    if found is None:
        raise click.ClickException(f"Không có trường mã “{school}” (xem danh sách: "
                                   "careerbot schools list).")
    code = services.staff.invite_now("school", found.code, created_by="cli")

    async def register() -> int:
        account = await services.accounts.resolve(DASHBOARD_CHANNEL, secrets.token_hex(16))
        await services.staff.redeem(code, account.user_id)
        return account.user_id

    return asyncio.run(register())


@staff_group.command("login-link")
@click.option("--school", metavar="MÃ", help="Tạo một cán bộ mới của trường (không cần "
              "Telegram) và in đường liên kết đăng nhập cho họ.")
@click.option("--user", "user_id", type=int, metavar="ID",
              help="Đường liên kết cho cán bộ đã có (id trong careerbot staff list).")
def staff_login_link(school: str | None, user_id: int | None) -> None:
    """In đường liên kết đăng nhập trang quản lý (/quan-ly), dùng một lần."""
    if (school is None) == (user_id is None):
        raise click.UsageError("Chọn đúng một trong --school MÃ hoặc --user ID.")
    with _services() as services:
        if user_id is None:
            user_id = _new_school_member(services, school or "")
        try:
            scope = scope_of(services, Account(DASHBOARD_CHANNEL, str(user_id), user_id))
        except ScopeError as exc:
            raise click.ClickException(f"{user_id}: {exc}") from exc
        try:
            token = StaffSessions(services.db, services.writer, services.clock).new_link_now(
                user_id, created_by="cli")
        except TooManyLinks as exc:
            raise click.ClickException(f"Đã tạo quá nhiều đường liên kết cho {user_id}; đợi "
                                       f"{LINK_MINUTES} phút.") from exc
        url = sign_in_url(_base(services), token)
    click.echo(url)
    click.echo(f"Cán bộ {user_id}, phạm vi: {scope.name}. Dùng một lần, hết hạn sau "
               f"{LINK_MINUTES} phút; phiên làm việc {SESSION_HOURS} giờ. Thu hồi: careerbot "
               f"staff revoke {user_id}.", err=True)
