"""Who may run a staff or admin screen, asked each time one runs (a button proves nothing:
roles are revoked, scopes change). The one rule for naming a school is Staff.scope_for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot import messages
from bot.people.accounts import Account
from bot.people.staff import Scope

if TYPE_CHECKING:
    from bot.services import Services


def scope_of(svc: Services, account: Account, school: str = "") -> Scope:
    """The account's scope, or the school it names if that is within it. Raises ScopeError
    with the Vietnamese reason (not staff, no such school, not theirs)."""
    user = account.user_id
    return svc.staff.scope_for(user, svc.is_admin(user), school)


def may_send(svc: Services, user_id: int | None, school_codes: frozenset[str] | None) -> bool:
    """May this user (still) announce to these schools? Asked on confirm and per batch."""
    return svc.staff.may_send(user_id, svc.is_admin(user_id), school_codes)


def admin_refusal(svc: Services, account: Account) -> str | None:
    """Why the account may not run an admin command, or None for an admin."""
    return None if svc.is_admin(account.user_id) else messages.ADMIN_ONLY
