"""Schools: the codes students join with (deep links) and staff are attached to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlite_utils

from bot.storage.writer import Writer

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


def _upsert(db: sqlite_utils.Database, schools: list[School]) -> int:
    db.table("schools").upsert_all([{
        "code": s.code, "name": s.name, "commune": s.commune,
        "former_district": s.former_district, "province": s.province,
    } for s in schools], pk="code")
    return len(schools)


class Schools:
    def __init__(self, db: sqlite_utils.Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def get(self, code: str) -> School | None:
        if not CODE.match(code):
            return None
        rows = list(self.db.query("SELECT * FROM schools WHERE code = ? COLLATE NOCASE", [code]))
        return School.from_row(rows[0]) if rows else None

    def add(self, *schools: School) -> int:
        """Add or update schools (command line and tests: waits for the commit)."""
        for school in schools:
            if not CODE.match(school.code):
                raise ValueError(f"mã trường không hợp lệ: {school.code!r}")
        return self.writer.run(lambda db: _upsert(db, list(schools)))

    def all(self) -> list[School]:
        return [School.from_row(r) for r in self.db.query("SELECT * FROM schools ORDER BY name")]
