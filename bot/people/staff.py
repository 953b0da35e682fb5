"""Staff roles and what each may see: admins everything, area staff their area, school staff
their school. Staff join with a one-time invite code (/dangky CODE)."""

from __future__ import annotations

import datetime as dt
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import sqlite_utils

from bot.people.schools import School, Schools
from bot.storage.database import iso, now_utc
from bot.storage.writer import Writer

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
class Area:
    """An area staff member's schools, named by what the schools list stores: a former
    district, or one commune of one former district. Compared exactly, never accent-folded:
    "Xã Tân Hòa" and "Xã Tân Hóa" are different places."""

    former_district: str | None
    commune: str | None = None  # None: the whole former district

    @property
    def name(self) -> str:
        if self.commune and self.former_district:
            return f"{self.commune} ({self.former_district})"
        return self.commune or self.former_district or ""

    def covers(self, school: School) -> bool:
        if self.commune is not None:
            return (school.commune, school.former_district) == \
                (self.commune, self.former_district)
        return self.former_district is not None and school.former_district == self.former_district


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    role: Role
    school_code: str | None
    area: Area | None
    since: str | None = None
    invite_code: str | None = None


class ScopeError(ValueError):
    """Why a scope cannot be given (message in Vietnamese)."""


class InviteError(ScopeError):
    """Why a code cannot be created or redeemed (message in Vietnamese)."""


def _exact(text: str) -> str:
    """Up to Unicode form, case and spacing; accents and tones kept."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _exact(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def find_area(text: str, schools: list[School]) -> Area:
    """The area a typed name means: a stored former district, a stored commune found in one
    former district, or "commune, former district". Raises ScopeError saying why not (with
    the stored spellings when the name matches some only without accents)."""
    from bot import messages

    wanted = _exact(text)
    if not any(c.isalnum() for c in wanted):
        raise ScopeError(messages.AREA_EMPTY)
    districts = {s.former_district for s in schools
                 if s.former_district and _exact(s.former_district) == wanted}
    if len(districts) == 1:
        return Area(districts.pop())
    head, comma, tail = wanted.rpartition(",")
    pairs = {(s.former_district, s.commune) for s in schools if s.commune and (
        _exact(s.commune) == wanted
        or (comma and _exact(s.commune) == head.strip()
            and _exact(s.former_district or "") == tail.strip()))}
    if len(pairs) == 1:
        district, commune = pairs.pop()
        return Area(district, commune)
    if len(pairs) > 1:
        names = "; ".join(sorted(f"{c}, {d}" for d, c in pairs))
        raise ScopeError(messages.AREA_AMBIGUOUS.format(name=text.strip(), names=names))
    key = _folded(head if comma else wanted)
    similar = sorted({s.former_district for s in schools if s.former_district
                      and _folded(s.former_district) == key}
                     | {f"{s.commune}, {s.former_district}" if s.former_district else s.commune
                        for s in schools if s.commune and _folded(s.commune) == key})
    hint = messages.AREA_SIMILAR.format(names="; ".join(similar[:5])) if similar else ""
    raise ScopeError(messages.AREA_UNKNOWN.format(name=text.strip()) + hint)


def _member(row: dict[str, Any]) -> StaffMember:
    area = Area(row["area_district"], row["area_commune"]) \
        if row["area_district"] or row["area_commune"] else None
    return StaffMember(row["user_id"], row["role"], row["school_code"], area,
                       row.get("created_at"), row.get("invite_code"))


class Staff:
    def __init__(self, db: sqlite_utils.Database, writer: Writer, schools: Schools,
                 clock: Clock = now_utc) -> None:
        self.db = db
        self.writer = writer
        self.schools = schools
        self.clock = clock
        # Who may have the staff command menu: asked on every update, and only they can
        # need it reset, so nobody else costs a query. Invites are redeemed in the bot only.
        self._menu_holders: set[int] | None = None

    def member(self, user_id: int) -> StaffMember | None:
        rows = list(self.db.query("SELECT * FROM staff WHERE user_id = ?", [user_id]))
        if not rows:
            return None
        return _member(rows[0])

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
        if member.role == "area":
            # An area the migration could not resolve (its old name was ambiguous) covers
            # nothing until an admin sends a new invite.
            return self.area_scope(member.area) if member.area else \
                Scope("area", "", frozenset(), None)
        return None

    def scope_for(self, user_id: int, is_admin: bool, school: str | None = None) -> Scope:
        """The one rule every staff action applies, at the moment it runs: admins may name any
        school, staff only a school of their own scope, students nothing. Raises ScopeError
        with the Vietnamese reason; nothing ever falls back silently to another scope."""
        from bot import messages

        own = self.scope(user_id, is_admin)
        if own is None:
            raise ScopeError(messages.STAFF_ONLY)
        if not school:
            return own
        named = self.school_scope(school)
        if own.school_codes is None:
            if named is None:
                raise ScopeError(messages.EXPORT_NO_SCHOOL.format(code=school))
            return named
        if named is None or named.school_codes is None \
                or not named.school_codes <= own.school_codes:
            raise ScopeError(messages.NOT_YOUR_SCHOOL.format(code=school, scope=own.name))
        return named

    def may_send(self, user_id: int | None, is_admin: bool,
                 school_codes: frozenset[str] | None) -> bool:
        """May this user (still) announce to these schools (None: every school)? Asked again
        when a draft is confirmed and before each batch of its delivery."""
        scope = self.scope(user_id, is_admin) if user_id is not None else None
        if scope is None:
            return False
        if scope.school_codes is None:
            return True
        return school_codes is not None and school_codes <= scope.school_codes

    def members(self) -> list[StaffMember]:
        return [_member(r) for r in self.db.query("SELECT * FROM staff ORDER BY created_at")]

    # --- revocation ----------------------------------------------------------------------------
    def revoke_now(self, user_id: int) -> StaffMember | None:
        """Take the role away (command line); None if they had none. Every later action of
        theirs is refused, and the bot resets their command menu on their next update."""
        at = iso(self.clock())

        def revoke(db: sqlite_utils.Database) -> StaffMember | None:
            rows = list(db.query("SELECT * FROM staff WHERE user_id = ?", [user_id]))
            if not rows:
                return None
            db.execute("DELETE FROM staff WHERE user_id = ?", [user_id])
            db.execute("INSERT INTO menu_resets (user_id, at) VALUES (?, ?) "
                       "ON CONFLICT(user_id) DO NOTHING", [user_id, at])
            return _member(rows[0])

        return self.writer.run(revoke)

    def _holders(self) -> set[int]:
        if self._menu_holders is None:
            self._menu_holders = {r["user_id"] for r in self.db.query(
                "SELECT user_id FROM staff UNION SELECT user_id FROM menu_resets")}
        return self._menu_holders

    def menu_reset_due(self, user_id: int) -> bool:
        if user_id not in self._holders():  # a student: never had the staff menu
            return False
        return bool(list(self.db.query("SELECT 1 FROM menu_resets WHERE user_id = ?",
                                       [user_id])))

    async def menu_reset_done(self, user_id: int) -> None:
        await self.writer.write(lambda db: db.execute(
            "DELETE FROM menu_resets WHERE user_id = ?", [user_id]))
        if self.member(user_id) is None:
            self._holders().discard(user_id)

    def find_area(self, text: str) -> Area:
        return find_area(text, self.schools.all())

    def area_scope(self, area: Area | str) -> Scope:
        """The schools of an area (or of the area a typed name means: see find_area)."""
        if isinstance(area, str):
            area = self.find_area(area)
        codes = frozenset(s.code for s in self.schools.all() if area.covers(s))
        return Scope("area", area.name, codes, area.former_district)

    def school_scope(self, code: str) -> Scope | None:
        school = self.schools.get(code)
        if school is None:
            return None
        return Scope("school", school.name, frozenset({school.code}), school.former_district)

    # --- invites -----------------------------------------------------------------------------
    def _new_invite(self, role: Role, school_code: str | None, area: Area | str | None,
                    created_by: str) -> tuple[str, Callable[[sqlite_utils.Database], str]]:
        if role == "school" and (not school_code or self.schools.get(school_code) is None):
            raise InviteError(f"Không có trường mã {school_code!r}.")
        place: Area | None = None
        if role == "area":
            from bot import messages

            if area is None:
                raise InviteError(messages.AREA_EMPTY)
            place = self.find_area(area) if isinstance(area, str) else area
        code = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        now = self.clock()
        row = [code, role, school_code, place.name if place else None,
               place.former_district if place else None, place.commune if place else None,
               created_by, iso(now), iso(now + dt.timedelta(days=INVITE_DAYS))]

        def insert(db: sqlite_utils.Database) -> str:
            db.execute("INSERT INTO invites (code, role, school_code, area, area_district, "
                       "area_commune, created_by, created_at, expires_at) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            return code

        return code, insert

    def invite_now(self, role: Role, school_code: str | None = None,
                   area: Area | str | None = None, created_by: str = "cli") -> str:
        """Create a one-time invite (command line): waits for the commit."""
        _, insert = self._new_invite(role, school_code, area, created_by)
        return self.writer.run(insert)

    async def invite(self, role: Role, school_code: str | None = None,
                     area: Area | str | None = None, created_by: str = "bot") -> str:
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
            if invite["role"] == "area" and not (invite["area_district"]
                                                 or invite["area_commune"]):
                raise InviteError(messages.INVITE_AREA_UNKNOWN)  # an old, ambiguous name
            db.execute("UPDATE invites SET used_by = ?, used_at = ? WHERE code = ?",
                       [user_id, now, clean])
            db.execute("INSERT INTO staff (user_id, role, school_code, area, area_district, "
                       "area_commune, created_at, invite_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                       "ON CONFLICT(user_id) DO UPDATE SET role = excluded.role, "
                       "school_code = excluded.school_code, area = excluded.area, "
                       "area_district = excluded.area_district, "
                       "area_commune = excluded.area_commune, created_at = excluded.created_at, "
                       "invite_code = excluded.invite_code",
                       [user_id, invite["role"], invite["school_code"], invite["area"],
                        invite["area_district"], invite["area_commune"], now, clean])
            # Joining again cancels a menu reset still pending from an earlier revocation.
            db.execute("DELETE FROM menu_resets WHERE user_id = ?", [user_id])
            return _member({**invite, "user_id": user_id, "created_at": now,
                            "invite_code": clean})

        member = await self.writer.write(redeem)
        self._holders().add(user_id)
        return member
