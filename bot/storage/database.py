"""SQLite through sqlite-utils: one database, WAL mode, numbered migrations, one writer.

All writes happen on the bot's event-loop thread through the one connection returned by
`open_db`; each is committed before the bot acknowledges anything to the user, so a crash or a
SIGKILL never loses an acknowledged answer.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import unicodedata
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

import sqlite_utils

from bot.storage.files import create_private

Migration = Callable[[sqlite_utils.Database], None]


def _v1_core(db: sqlite_utils.Database) -> None:
    """Users, asked questions and feedback, counsellor tickets, schools."""
    db.table("schools").create({
        "code": str, "name": str, "commune": str, "former_district": str, "province": str,
    }, pk="code", not_null={"name"})
    db.table("users").create({
        "id": int, "audience": str, "school_code": str, "announcements": int, "blocked": int,
        "created_at": str, "last_seen": str,
    }, pk="id", defaults={"announcements": 1, "blocked": 0},
        foreign_keys=[("school_code", "schools", "code")])
    db.table("asks").create({
        "id": int, "user_id": int, "at": str, "source": str, "text": str, "text_key": str,
        "entry_id": str, "kind": str, "score": float,
    }, pk="id", foreign_keys=[("user_id", "users", "id")])
    db.table("asks").create_index(["user_id", "at"])
    db.table("asks").create_index(["kind", "text_key"])
    db.table("feedback").create({
        "id": int, "ask_id": int, "user_id": int, "entry_id": str, "vote": int, "at": str,
    }, pk="id", foreign_keys=[("ask_id", "asks", "id"), ("user_id", "users", "id")])
    db.table("feedback").create_index(["ask_id", "user_id"], unique=True)
    db.table("tickets").create({
        "id": int, "user_id": int, "status": str, "opened_at": str, "closed_at": str,
        "closed_by": str, "question": str,
    }, pk="id", foreign_keys=[("user_id", "users", "id")])
    db.table("tickets").create_index(["user_id", "status"])
    db.table("ticket_messages").create({
        "id": int, "ticket_id": int, "direction": str, "chat_message_id": int,
        "relay_message_id": int, "text": str, "at": str,
    }, pk="id", foreign_keys=[("ticket_id", "tickets", "id")])
    db.table("ticket_messages").create_index(["relay_message_id"])


def _v2_surveys(db: sqlite_utils.Database) -> None:
    """Survey responses (one per user, survey and school year), answers, staff and invites."""
    db.table("responses").create({
        "id": int, "survey_id": str, "survey_version": int, "user_id": int, "school_code": str,
        "school_year": str, "status": str, "current": str, "active": int, "editing": int,
        "skipped": str, "started_at": str, "updated_at": str, "submitted_at": str,
    }, pk="id", defaults={"active": 0, "editing": 0, "skipped": "[]"},
        foreign_keys=[("user_id", "users", "id"), ("school_code", "schools", "code")])
    db.table("responses").create_index(["survey_id", "user_id", "school_year"], unique=True)
    db.table("responses").create_index(["survey_id", "school_code", "status"])
    db.table("answers").create({
        "response_id": int, "question_id": str, "value": str, "answered_at": str,
    }, pk=("response_id", "question_id"), foreign_keys=[("response_id", "responses", "id")])
    db.table("staff").create({
        "user_id": int, "role": str, "school_code": str, "area": str, "created_at": str,
        "invite_code": str,
    }, pk="user_id", foreign_keys=[("school_code", "schools", "code")])
    db.table("invites").create({
        "code": str, "role": str, "school_code": str, "area": str, "created_by": str,
        "created_at": str, "expires_at": str, "used_by": int, "used_at": str,
    }, pk="code")


def _v3_announcements(db: sqlite_utils.Database) -> None:
    """Announcements and their delivery to each recipient, so a restart resumes them."""
    db.table("announcements").create({
        "id": int, "created_by": int, "chat_id": int, "text": str, "audience": str,
        "school_codes": str, "scope_name": str, "status": str, "created_at": str,
        "started_at": str, "finished_at": str,
    }, pk="id")
    db.table("deliveries").create({
        "announcement_id": int, "user_id": int, "status": str, "at": str,
    }, pk=("announcement_id", "user_id"), foreign_keys=[("announcement_id", "announcements", "id")])
    db.table("deliveries").create_index(["announcement_id", "status"])


def _exact(text: str) -> str:
    """A stored name up to Unicode form, case and spacing, accents kept."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", _exact(text).replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _legacy_area(area: str, places: list[tuple[str | None, str | None]]
                 ) -> tuple[str | None, str | None]:
    """(former_district, commune) that an old free-text area meant, or (None, None).

    The old rule compared accent-folded names with both columns; only a reading that names
    exactly one former district or one commune of one district is kept, an exact spelling first.
    """
    for key in (_exact, _folded):
        wanted = key(area)
        districts = {d for _, d in places if d and key(d) == wanted}
        if len(districts) == 1:
            return districts.pop(), None
        pairs = {(d, c) for c, d in places if c and key(c) == wanted}
        if len(pairs) == 1:
            return pairs.pop()
        if districts or pairs:
            return None, None  # ambiguous: covering either could leak the other's answers
    return None, None


def _v4_area_identifiers(db: sqlite_utils.Database) -> None:
    """Area staff and invites scoped by the schools' stored former district (and commune),
    compared exactly; the old free-text area, matched accent-folded, also covered namesakes."""
    places = [(r["commune"], r["former_district"]) for r in
              db.query("SELECT DISTINCT commune, former_district FROM schools")]
    for table, key in (("invites", "code"), ("staff", "user_id")):
        db.execute(f"ALTER TABLE {table} ADD COLUMN area_district TEXT")
        db.execute(f"ALTER TABLE {table} ADD COLUMN area_commune TEXT")
        rows = list(db.query(f"SELECT {key} AS k, area FROM {table} "  # noqa: S608 - fixed names
                             "WHERE role = 'area' AND area IS NOT NULL"))
        for row in rows:
            district, commune = _legacy_area(row["area"], places)
            db.execute(f"UPDATE {table} SET area_district = ?, area_commune = ? "  # noqa: S608
                       f"WHERE {key} = ?", [district, commune, row["k"]])


def _v5_menu_resets(db: sqlite_utils.Database) -> None:
    """Staff whose role was taken away where the bot could not reset their Telegram command
    menu at once (from the command line): the bot does it on their next update."""
    db.table("menu_resets").create({"user_id": int, "at": str}, pk="user_id")


def _v6_accounts(db: sqlite_utils.Database) -> None:
    """Accounts: a person on a channel (channel, external id) -> the internal user id. Telegram
    users keep their ids as internal ids, so their data stays theirs."""
    db.table("accounts").create({
        "channel": str, "external_id": str, "user_id": int, "created_at": str,
    }, pk=("channel", "external_id"), foreign_keys=[("user_id", "users", "id")])
    db.table("accounts").create_index(["user_id"])
    db.execute("INSERT INTO accounts (channel, external_id, user_id, created_at) "
               "SELECT 'telegram', CAST(id AS TEXT), id, created_at FROM users WHERE id > 0")


def _v7_inbox(db: sqlite_utils.Database) -> None:
    """What the outbox delivered to a person whose channel shows it later (a counsellor's
    reply to a web visitor with no page open), so that a restart loses none of it."""
    db.table("inbox").create({
        "id": int, "user_id": int, "channel": str, "entry_id": int, "text": str,
        "payload": str, "at": str,
    }, pk="id", not_null={"user_id", "channel", "payload", "at"},
        foreign_keys=[("user_id", "users", "id")])
    db.table("inbox").create_index(["user_id", "channel", "id"])
    db.table("inbox").create_index(["at"])


def _v8_zalo(db: sqlite_utils.Database) -> None:
    """Zalo OA: the current access/refresh token pair (the refresh token is single-use, so the
    new pair must be on disk before it is used) and each person's reply window."""
    db.table("zalo_tokens").create({
        "id": int, "access_token": str, "refresh_token": str, "expires_at": float,
        "seed_hash": str, "updated_at": str,
    }, pk="id", not_null={"refresh_token", "updated_at"})
    db.table("zalo_windows").create({
        "user_id": int, "last_message_at": float, "sent_since": int,
    }, pk="user_id", not_null={"last_message_at", "sent_since"}, defaults={"sent_since": 0},
        foreign_keys=[("user_id", "users", "id")])


def _v9_outbox(db: sqlite_utils.Database) -> None:
    """Messages waiting for a paced destination (the counsellors' group): written when they
    arrive, deleted in the transaction that records their delivery (bot/outreach/relays.py)."""
    db.table("outbox").create({
        "id": int, "destination": str, "kind": str, "ticket_id": int, "user_id": int,
        "text": str, "source": str, "state": str, "attempts": int, "created_at": str,
        "urgent": int,
    }, pk="id", not_null={"destination", "kind", "state", "attempts", "created_at", "urgent"},
        defaults={"state": "pending", "attempts": 0, "urgent": 0},
        foreign_keys=[("user_id", "users", "id")])
    db.table("outbox").create_index(["destination", "id"])
    # A message received twice is relayed once: looked up among the ticket's relayed ones.
    db.table("ticket_messages").create_index(["ticket_id", "chat_message_id"])


def _v10_web_sessions_hashed(db: sqlite_utils.Database) -> None:
    """Web sessions are kept as the SHA-256 of the cookie's id (a backup holds no live cookie);
    `instance` keeps per-installation values: the lowest user id ever given (an id freed by
    /xoadulieu is never given again) and the log salt; survey submissions past the
    per-address hourly cap are kept but marked `suspect`."""
    import hashlib

    for external_id, in db.execute(
            "SELECT external_id FROM accounts WHERE channel = 'web'").fetchall():
        db.execute("UPDATE accounts SET external_id = ? WHERE channel = 'web' AND "
                   "external_id = ?", [hashlib.sha256(external_id.encode()).hexdigest(),
                                       external_id])
    db.table("instance").create({"name": str, "value": str}, pk="name")
    lowest = db.execute("SELECT min(coalesce((SELECT min(id) FROM users), 0), "
                        "coalesce((SELECT min(user_id) FROM accounts), 0), 0)").fetchone()[0]
    db.execute("INSERT INTO instance (name, value) VALUES ('lowest_user_id', ?)", [str(lowest)])
    db.execute("ALTER TABLE responses ADD COLUMN suspect INTEGER NOT NULL DEFAULT 0")


def _v11_staff_sessions(db: sqlite_utils.Database) -> None:
    """The staff dashboard: single-use sign-in links and 8-hour sessions, both stored as
    SHA-256 hashes (a copy of the database opens nobody's session), and an audit row for
    each file a staff member downloads there."""
    db.table("staff_links").create({
        "token_hash": str, "user_id": int, "created_by": str, "created_at": str,
        "expires_at": str, "used_at": str,
    }, pk="token_hash", not_null={"user_id", "created_at", "expires_at"})
    db.table("staff_links").create_index(["user_id", "created_at"])
    db.table("staff_sessions").create({
        "id_hash": str, "user_id": int, "created_at": str, "expires_at": str,
    }, pk="id_hash", not_null={"user_id", "created_at", "expires_at"})
    db.table("staff_sessions").create_index(["user_id"])
    db.table("staff_downloads").create({
        "id": int, "user_id": int, "what": str, "scope": str, "school_codes": str, "at": str,
    }, pk="id", not_null={"user_id", "what", "at"})
    db.table("staff_downloads").create_index(["at"])


def _v12_zalo_events(db: sqlite_utils.Database) -> None:
    """Zalo webhook events already handled, by Zalo's msg_id: an event Zalo delivers twice,
    before or after a restart, is handled once. Rows older than a few days are pruned."""
    db.table("zalo_events").create({"msg_id": str, "at": float}, pk="msg_id",
                                   not_null={"at"})
    db.table("zalo_events").create_index(["at"])


def _v13_zalo_menus(db: sqlite_utils.Database) -> None:
    """Zalo: what a typed number means (the numbered menu a person was shown last, as the
    Intents' JSON) and a welcome owed since a follow Zalo did not let the OA answer, so both
    survive a restart. One row a person; rows unused for a month go with the retention purge."""
    db.table("zalo_menus").create({
        "user_id": int, "menu": str, "welcome_owed": int, "at": float,
    }, pk="user_id", not_null={"welcome_owed", "at"}, defaults={"welcome_owed": 0},
        foreign_keys=[("user_id", "users", "id")])
    db.table("zalo_menus").create_index(["at"])


MIGRATIONS: list[Migration] = [_v1_core, _v2_surveys, _v3_announcements, _v4_area_identifiers,
                               _v5_menu_resets, _v6_accounts, _v7_inbox, _v8_zalo, _v9_outbox,
                               _v10_web_sessions_hashed, _v11_staff_sessions,
                               _v12_zalo_events, _v13_zalo_menus]


def schema_version(db: sqlite_utils.Database) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite_utils.Database, migrations: list[Migration] | None = None) -> int:
    """Apply every migration newer than the database, each in its own transaction."""
    steps = MIGRATIONS if migrations is None else migrations
    version = schema_version(db)
    if version > len(steps):
        raise RuntimeError(f"database schema v{version} is newer than this careerbot "
                           f"(v{len(steps)}): upgrade careerbot")
    for number, step in enumerate(steps[version:], start=version + 1):
        with db.atomic():
            step(db)
            db.conn.execute(f"PRAGMA user_version = {number:d}")
    return schema_version(db)


SYNC_MODES = ("OFF", "NORMAL", "FULL", "EXTRA")


class DatabaseCorrupt(Exception):
    """The database file is damaged: the message (one line, Vietnamese) names the file and
    the command that restores a backup."""

    def __init__(self, path: Path | str, detail: str) -> None:
        from bot import messages

        detail = " ".join(detail.split())
        super().__init__(messages.DB_CORRUPT.format(
            path=path, detail=detail if len(detail) <= 120 else detail[:119] + "…"))


def is_corruption(exc: sqlite3.Error) -> bool:
    return getattr(exc, "sqlite_errorname", "").startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB"))


def soundness(conn: sqlite3.Connection) -> str | None:
    """None when PRAGMA quick_check finds the file sound, else its first complaint."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        if is_corruption(exc):
            return str(exc)
        raise
    return None if rows == [("ok",)] else str(rows[0][0])


def open_db(path: Path | str, *, synchronous: str = "FULL") -> sqlite_utils.Database:
    """Open (creating if needed, 0600 in a 0700 folder), check and migrate the database;
    ":memory:" works for tests. A damaged file raises DatabaseCorrupt: the bot must not run
    on it, nor make it worse."""
    if synchronous not in SYNC_MODES:
        raise ValueError(f"synchronous must be one of {SYNC_MODES}")
    memory = str(path) == ":memory:"
    if not memory:
        create_private(Path(path))  # 0600 in a 0700 folder; SQLite gives its WAL/SHM the same
    db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=30))
    try:
        if not memory:
            db.enable_wal()
        db.execute(f"PRAGMA synchronous = {synchronous}")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 30000")
        problem = None if memory else soundness(db.conn)
        if problem is not None:
            raise DatabaseCorrupt(path, problem)
        migrate(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        if is_corruption(exc):
            raise DatabaseCorrupt(path, str(exc)) from exc
        raise
    except DatabaseCorrupt:
        db.close()
        raise
    return db


def only_schools(sql: str, params: list[Any], school_codes: Collection[str] | None
                 ) -> tuple[str, list[Any]] | None:
    """Add "AND school_code IN (...)" to a query; None when no school is allowed at all
    (the query could only return nothing). `school_codes` None means every school."""
    if school_codes is None:
        return sql, params
    codes = sorted(school_codes)
    if not codes:
        return None
    return f"{sql} AND school_code IN ({', '.join('?' * len(codes))})", [*params, *codes]


def open_reader(path: Path | str) -> sqlite_utils.Database:
    """A read-only connection for the event-loop thread (the Writer owns all writes)."""
    db = sqlite_utils.Database(sqlite3.connect(str(path), timeout=30))
    db.execute("PRAGMA query_only = ON")
    db.execute("PRAGMA busy_timeout = 30000")
    return db


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")
