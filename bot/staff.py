"""Staff roles and what each may see: admins everything, area staff their area, school staff
their school. Staff join with a one-time invite code (/dangky CODE)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import sqlite_utils

from bot.schools import School, Schools
from bot.storage import iso, now_utc
from bot.text import canonical
from bot.writer import Writer

Clock = Callable[[], dt.datetime]
Role = Literal["admin", "area", "school"]
INVITE_DAYS = 14
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed


@dataclass(frozen=True)
class Scope:
    """The schools a staff member's exports and reports cover."""

    kind: Literal["all", "area", "school"]
    name: str
    school_codes: frozenset[str] | None  # None: every school (admins)
    district: str | None  # the former district whose targets apply, when there is one


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    role: Role
    school_code: str | None
    area: str | None


class InviteError(ValueError):
    """Why a code cannot be redeemed (message in Vietnamese)."""


def _in_area(school: School, area: str) -> bool:
    key = canonical(area)
    return key in (canonical(school.former_district or ""), canonical(school.commune or ""))


class Staff:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, schools: Schools,
                 clock: Clock = now_utc) -> None:
        self.db = db
        self.writer = writer
        self.schools = schools
        self.clock = clock

    def member(self, user_id: int) -> StaffMember | None:
        rows = list(self.db.query("SELECT * FROM staff WHERE user_id = ?", [user_id]))
        if not rows:
            return None
        r = rows[0]
        return StaffMember(r["user_id"], r["role"], r["school_code"], r["area"])

    def scope(self, user_id: int, is_admin: bool) -> Scope | None:
        """What this user may export and report on; None for students and parents."""
        member = self.member(user_id)
        if is_admin or (member and member.role == "admin"):
            return Scope("all", "Toàn tỉnh", None, None)
        if member is None:
            return None
        if member.role == "school" and member.school_code:
            school = self.schools.get(member.school_code)
            if school is None:
                return None
            return Scope("school", school.name, frozenset({school.code}), school.former_district)
        if member.role == "area" and member.area:
            return self.area_scope(member.area)
        return None

    def area_scope(self, area: str) -> Scope:
        codes = frozenset(s.code for s in self.schools.all() if _in_area(s, area))
        districts = {s.former_district for s in self.schools.all() if s.code in codes}
        district = next(iter(districts)) if len(districts) == 1 else None
        return Scope("area", area, codes, district)

    def school_scope(self, code: str) -> Scope | None:
        school = self.schools.get(code)
        if school is None:
            return None
        return Scope("school", school.name, frozenset({school.code}), school.former_district)

    # --- invites -----------------------------------------------------------------------------
    def _new_invite(self, role: Role, school_code: str | None, area: str | None,
                    created_by: str) -> tuple[str, Callable[[sqlite_utils.Database], str]]:
        if role == "school" and (not school_code or self.schools.get(school_code) is None):
            raise InviteError(f"Không có trường mã {school_code!r}.")
        if role == "area" and not (area and area.strip()):
            raise InviteError("Cần tên khu vực (xã, phường hoặc huyện cũ).")
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        now = self.clock()
        row = [code, role, school_code, area, created_by, iso(now),
               iso(now + dt.timedelta(days=INVITE_DAYS))]

        def insert(db: sqlite_utils.Database) -> str:
            db.execute("INSERT INTO invites (code, role, school_code, area, created_by, "
                       "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)", row)
            return code

        return code, insert

    def invite_now(self, role: Role, school_code: str | None = None, area: str | None = None,
                   created_by: str = "cli") -> str:
        """Create a one-time invite (command line): waits for the commit."""
        _, insert = self._new_invite(role, school_code, area, created_by)
        return self.writer.run(insert)

    async def invite(self, role: Role, school_code: str | None = None, area: str | None = None,
                     created_by: str = "bot") -> str:
        _, insert = self._new_invite(role, school_code, area, created_by)
        return await self.writer.write(insert)

    async def redeem(self, code: str, user_id: int) -> StaffMember:
        """Use an invite: the user becomes staff of its school or area."""
        from bot import messages

        now = iso(self.clock())
        clean = code.strip().upper()

        def redeem(db: sqlite_utils.Database) -> StaffMember:
            rows: list[dict[str, Any]] = list(db.query("SELECT * FROM invites WHERE code = ?",
                                                       [clean]))
            if not rows:
                raise InviteError(messages.INVITE_UNKNOWN)
            invite = rows[0]
            # used_at, not used_by: erasing the redeemer's data clears used_by, and the code
            # must stay spent whatever happens to the account that spent it.
            if invite["used_at"] is not None or invite["used_by"] is not None:
                raise InviteError(messages.INVITE_USED)
            if invite["expires_at"] < now:
                raise InviteError(messages.INVITE_EXPIRED)
            db.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                       [user_id, now, clean])
            db.execute("INSERT INTO staff (user_id, role, school_code, area, created_at, "
                       "invite_code) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE "
                       "SET role = excluded.role, school_code = excluded.school_code, "
                       "area = excluded.area, invite_code = excluded.invite_code",
                       [user_id, invite["role"], invite["school_code"], invite["area"], now,
                        clean])
            return StaffMember(user_id, invite["role"], invite["school_code"], invite["area"])

        return await self.writer.write(redeem)
