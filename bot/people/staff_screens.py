"""Joining the staff (/dangky MÃ), a sign-in link to the dashboard (/dangnhap) and, for
admins, creating the codes that let people join (/moi truong MÃ | khuvuc Tên | admin)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from bot import intents as i
from bot import messages
from bot.people.access import admin_refusal, scope_of
from bot.people.accounts import Account
from bot.people.privacy import ADMIN_TAG
from bot.people.staff import INVITE_DAYS, InviteError, Role, ScopeError, StaffMember
from bot.people.staff_sessions import LINK_MINUTES, SESSION_HOURS, StaffSessions, TooManyLinks
from bot.screens import Handlers, Screens, text_view
from bot.views import BECAME_STAFF, Block, Part, View

if TYPE_CHECKING:
    from bot.services import Services


def describe_scope(svc: Services, member: StaffMember) -> str:
    """"trường THCS A", "khu vực Xã Một (Đức Hòa)", "toàn tỉnh": what a member covers."""
    if member.role == "school" and member.school_code:
        school = svc.schools.get(member.school_code)
        return messages.school_named(school.name if school else member.school_code or "?",
                                     bold=False)
    if member.role == "area":
        return messages.SCOPE_AREA.format(name=member.area.name if member.area
                                          else messages.UNKNOWN)
    return messages.SCOPE_ALL


class StaffScreens(Screens):
    def handlers(self) -> Handlers:
        return {i.Redeem: self.redeem, i.Invite: self.invite, i.SignIn: self.sign_in}

    async def redeem(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Redeem)  # noqa: S101 - dispatched by type
        svc = self.svc
        if not intent.code:
            return text_view(messages.STAFF_USAGE)
        try:
            member = await svc.staff.redeem(intent.code, account.user_id)
        except InviteError as refused:
            return text_view(str(refused))
        joined = text_view(messages.STAFF_JOINED.format(scope=describe_scope(svc, member)))
        return dataclasses.replace(joined, signals=frozenset({BECAME_STAFF}))

    async def sign_in(self, account: Account, intent: i.Intent) -> View:
        """A single-use link to the dashboard, for staff only (the scope is asked again on
        every page: the link only says who is signing in)."""
        svc = self.svc
        try:
            scope_of(svc, account)
        except ScopeError as refused:
            return text_view(str(refused))
        base = svc.settings.public_origin
        if base is None:
            return text_view(messages.SIGNIN_NO_URL)
        try:
            token = await StaffSessions(svc.db, svc.writer, svc.clock).new_link(
                account.user_id, created_by="bot")
        except TooManyLinks:
            return text_view(messages.SIGNIN_TOO_MANY.format(minutes=LINK_MINUTES))
        return View((
            Part(Block.TEXT, messages.SIGNIN_LINK.format(minutes=LINK_MINUTES)),
            Part(Block.TEXT, sign_in_url(base, token)),
            Part(Block.HINT, messages.SIGNIN_LINK_HINT.format(hours=SESSION_HOURS))))

    async def invite(self, account: Account, intent: i.Intent) -> View:
        assert isinstance(intent, i.Invite)  # noqa: S101
        svc = self.svc
        refusal = admin_refusal(svc, account)
        if refusal is not None:
            return text_view(refusal)
        try:
            member = _invited(svc, intent)
            if member is None:
                return text_view(messages.INVITE_USAGE)
            code = await svc.staff.invite(member.role, member.school_code, member.area,
                                          created_by=f"{ADMIN_TAG}{account.user_id}")
        except ScopeError as refused:
            return text_view(str(refused))
        return View((
            Part(Block.TEXT, messages.INVITE_CREATED.format(
                days=INVITE_DAYS, scope=describe_scope(svc, member))),
            Part(Block.CODE, code),
            Part(Block.TEXT, messages.INVITE_FORWARD),
            Part(Block.CODE, f"/dangky {code}")))


def _invited(svc: Services, intent: i.Invite) -> StaffMember | None:
    """Whom the invite is for, or None when the words say nothing usable (usage shown).
    Raises ScopeError for an area name that matches no place, or more than one."""
    role: Role
    if intent.role == "truong" and intent.target:
        role, school, area = "school", intent.target, None
    elif intent.role == "khuvuc" and intent.target:
        role, school, area = "area", None, svc.staff.find_area(intent.target)
    elif intent.role == "admin":
        role, school, area = "admin", None, None
    else:
        return None
    return StaffMember(0, role, school, area)


def sign_in_url(base: str, token: str) -> str:
    """Where a sign-in link points (handlers/web/dashboard serves it)."""
    return f"{base.rstrip('/')}/quan-ly/vao?t={token}"
