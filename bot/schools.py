"""Schools: the codes students join with (deep links) and staff are attached to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")


@dataclass(frozen=True)
class School:
    code: str
    name: str
    commune: str | None
    former_district: str | None
    province: str | None

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> School:
        return cls(row["code"], row["name"], row["commune"], row["former_district"],
                   row["province"])


class Schools:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, code: str) -> School | None:
        if not CODE.match(code):
            return None
        rows = list(self.db.query("SELECT * FROM schools WHERE code = ? COLLATE NOCASE", [code]))
        return School.from_row(rows[0]) if rows else None

    def add(self, school: School) -> None:
        if not CODE.match(school.code):
            raise ValueError(f"mã trường không hợp lệ: {school.code!r}")
        self.db.table("schools").upsert({
            "code": school.code, "name": school.name, "commune": school.commune,
            "former_district": school.former_district, "province": school.province,
        }, pk="code")

    def all(self) -> list[School]:
        return [School.from_row(r) for r in self.db.query("SELECT * FROM schools ORDER BY name")]
