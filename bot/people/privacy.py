"""What the bot keeps about a person: show it all, delete it all, and forget old data on time.

The retention rules here are the ones bot.privacy (knowledge/bot.yaml) promises users.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import sqlite_utils

from bot import messages
from bot.storage.database import iso
from bot.surveys.model import SurveySet, school_year

KEEP_QUESTIONS = dt.timedelta(days=365)  # questions, votes and counsellor messages: 12 months
# Messages kept for a web visitor to read later: as long as their session cookie lasts at most.
KEEP_INBOX = dt.timedelta(days=180)
# A web session that left nothing (no question, survey, ticket, setting): its account and user
# row go after this long unused, so sessions opened and abandoned do not pile up.
KEEP_EMPTY_WEB = dt.timedelta(days=30)
# A Zalo person's numbered menu and owed welcome: unused this long, a typed number is text again.
KEEP_ZALO_MENU = dt.timedelta(days=30)

# Every table, and how its rows name a person. erase() clears all of it; a test walks the
# schema (sqlite_master) and fails on a table not declared here, or on a column that looks as
# if it names someone and is neither declared nor explained in NOT_A_PERSON.
PERSON_COLUMNS: dict[str, tuple[str, ...]] = {  # columns holding a user id
    "users": ("id",),
    "asks": ("user_id",),
    "feedback": ("user_id",),
    "tickets": ("user_id",),
    "responses": ("user_id",),
    "staff": ("user_id",),
    "invites": ("used_by", "created_by"),  # created_by: "admin:<id>", "cli" or "bot"
    "announcements": ("created_by", "chat_id"),
    "deliveries": ("user_id",),
    "menu_resets": ("user_id",),
    "accounts": ("user_id",),
    "inbox": ("user_id",),
    "zalo_windows": ("user_id",),
    "zalo_menus": ("user_id",),
    "staff_links": ("user_id",),  # the dashboard's sign-in links, sessions and download audit
    "staff_sessions": ("user_id",),
    "staff_downloads": ("user_id",),
    "outbox": ("user_id",),  # messages still waiting for the counsellors' group
}
OWNED_THROUGH: dict[str, tuple[str, str]] = {  # rows that are a person's through a parent row
    "answers": ("response_id", "responses"),
    "ticket_messages": ("ticket_id", "tickets"),
    "feedback": ("ask_id", "asks"),  # a vote on the person's question
}
NO_PERSON = ("schools", "zalo_tokens", "instance", "zalo_events")  # the OA's tokens; msg ids
NOT_A_PERSON = {
    ("tickets", "closed_by"): "'user' or 'counsellor', never an id",
    ("ticket_messages", "chat_message_id"): "a message's number inside a chat",
    ("ticket_messages", "relay_message_id"): "a message's number in the counsellors' chat",
    ("accounts", "external_id"): "the channel's own id of the person, deleted with the row",
    ("staff_links", "created_by"): "'bot' or 'cli', never an id",
    ("outbox", "ticket_id"): "the ticket of the row's own user_id",
    ("outbox", "source"): "where to copy the message from: the person's chat, with the row",
}
ADMIN_TAG = "admin:"  # invites.created_by of an invite made in the bot: "admin:<user id>"


def rows_about(db: sqlite_utils.Database, user_id: int) -> dict[str, set[int]]:
    """The rowids of every row naming the user or owned by such a row, table by table."""
    found: dict[str, set[int]] = {}
    for table, columns in PERSON_COLUMNS.items():
        where = " OR ".join(f"{c} IN (?, ?)" for c in columns)
        found[table] = {r[0] for r in db.execute(
            f"SELECT rowid FROM {table} WHERE {where}",  # noqa: S608 - declared names only
            [v for _ in columns for v in (user_id, f"{ADMIN_TAG}{user_id}")])}
    for table, (column, parent) in OWNED_THROUGH.items():
        # the parent tables' rowids are their integer primary keys
        sql = f"SELECT rowid FROM {table} WHERE {column} = ?"  # noqa: S608 - declared names
        owned = found.setdefault(table, set())
        for parent_id in found[parent]:
            owned.update(r[0] for r in db.execute(sql, [parent_id]))
    return found


def my_data(db: sqlite_utils.Database, user_id: int) -> dict[str, Any]:
    """Everything stored about one user, as plain data (shown by /dulieucuatoi)."""
    def rows(sql: str, *params: Any) -> list[dict[str, Any]]:
        return [dict(r) for r in db.query(sql, list(params))]

    responses = rows("SELECT id, survey_id, school_code, school_year, status, started_at, "
                     "submitted_at FROM responses WHERE user_id = ? ORDER BY id", user_id)
    for response in responses:
        response["answers"] = {a["question_id"]: json.loads(a["value"]) for a in db.query(
            "SELECT question_id, value FROM answers WHERE response_id = ? ORDER BY rowid",
            [response["id"]])}
    tickets = rows("SELECT id, status, opened_at, closed_at, question FROM tickets "
                   "WHERE user_id = ? ORDER BY id", user_id)
    for ticket in tickets:
        ticket["messages"] = rows("SELECT direction, text, at FROM ticket_messages "
                                  "WHERE ticket_id = ? AND direction != 'header' ORDER BY id",
                                  ticket["id"])
    def first(found: list[dict[str, Any]]) -> dict[str, Any] | None:
        return found[0] if found else None

    return {
        "user": first(rows("SELECT id, audience, school_code, announcements, created_at, "
                           "last_seen FROM users WHERE id = ?", user_id)),
        "staff": first(rows("SELECT role, school_code, area, created_at FROM staff "
                            "WHERE user_id = ?", user_id)),
        "questions": rows("SELECT at, source, text, entry_id, kind FROM asks WHERE user_id = ? "
                          "ORDER BY id", user_id),
        "feedback": rows("SELECT at, entry_id, vote FROM feedback WHERE user_id = ? ORDER BY id",
                         user_id),
        "tickets": tickets,
        "surveys": responses,
        "delivered": rows("SELECT at, channel, text FROM inbox WHERE user_id = ? ORDER BY id",
                          user_id),
        "zalo_menu": first(rows("SELECT menu, welcome_owed, at FROM zalo_menus "
                                "WHERE user_id = ?", user_id)),
    }


def data_file(data: dict[str, Any]) -> bytes:
    """/dulieucuatoi's file: UTF-8 JSON with Vietnamese as it reads (no \\u escapes), indented
    for a person opening it in any text editor."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=str).encode("utf-8")


def describe(data: dict[str, Any], surveys: SurveySet,
             school_name: Callable[[str], str | None]) -> str:
    """The /dulieucuatoi summary: what is kept, in counts a person can check."""
    user: dict[str, Any] = data["user"] or {}
    staff: dict[str, Any] | None = data["staff"]
    school = school_name(user["school_code"]) if user.get("school_code") else None
    taken = []
    for r in data["surveys"]:
        found = surveys.get(r["survey_id"])
        status = messages.SURVEY_STATUS.get(r["status"], r["status"])
        taken.append(f"{found.title if found else r['survey_id']} ({status}, {r['school_year']})")
    return messages.MY_DATA.format(
        audience=messages.AUDIENCE_LABELS.get(user.get("audience") or "", messages.UNKNOWN),
        school=school or messages.UNKNOWN,
        announce=messages.YES if user.get("announcements", 1) else messages.NO,
        questions=len(data["questions"]), feedback=len(data["feedback"]),
        tickets=len(data["tickets"]), surveys="; ".join(taken) or messages.NONE_YET,
        staff=messages.MY_DATA_STAFF.format(role=messages.ROLE_LABELS.get(staff["role"], ""))
        if staff else "")


def erase(db: sqlite_utils.Database, user_id: int) -> dict[str, int]:
    """Delete every row about the user (run inside one Writer transaction)."""
    counts: dict[str, int] = {}
    steps = [
        ("answers", "DELETE FROM answers WHERE response_id IN "
                    "(SELECT id FROM responses WHERE user_id = ?)"),
        ("responses", "DELETE FROM responses WHERE user_id = ?"),
        ("feedback", "DELETE FROM feedback WHERE user_id = ? OR ask_id IN "
                     "(SELECT id FROM asks WHERE user_id = ?)"),
        ("asks", "DELETE FROM asks WHERE user_id = ?"),
        ("ticket_messages", "DELETE FROM ticket_messages WHERE ticket_id IN "
                            "(SELECT id FROM tickets WHERE user_id = ?)"),
        ("tickets", "DELETE FROM tickets WHERE user_id = ?"),
        ("staff", "DELETE FROM staff WHERE user_id = ?"),
        ("menu_resets", "DELETE FROM menu_resets WHERE user_id = ?"),
        ("deliveries", "DELETE FROM deliveries WHERE user_id = ?"),
        ("announcements", "DELETE FROM announcements WHERE created_by = ? AND status = 'draft'"),
        ("inbox", "DELETE FROM inbox WHERE user_id = ?"),
        ("zalo_windows", "DELETE FROM zalo_windows WHERE user_id = ?"),
        ("zalo_menus", "DELETE FROM zalo_menus WHERE user_id = ?"),
        ("staff_links", "DELETE FROM staff_links WHERE user_id = ?"),
        ("staff_sessions", "DELETE FROM staff_sessions WHERE user_id = ?"),
        ("staff_downloads", "DELETE FROM staff_downloads WHERE user_id = ?"),
        ("outbox", "DELETE FROM outbox WHERE user_id = ?"),
        ("accounts", "DELETE FROM accounts WHERE user_id = ?"),
        ("users", "DELETE FROM users WHERE id = ?"),
    ]
    for table, sql in steps:
        params = [user_id] * sql.count("?")
        counts[table] = db.execute(sql, params).rowcount
    # Anonymised, not deleted: an invite stays spent (used_at) once its redeemer is gone, and
    # a sent announcement stays in its school's history without its sender.
    db.execute("UPDATE invites SET used_by = NULL WHERE used_by = ?", [user_id])
    db.execute("UPDATE invites SET created_by = 'admin' WHERE created_by = ?",
               [f"{ADMIN_TAG}{user_id}"])
    db.execute("UPDATE announcements SET created_by = NULL WHERE created_by = ?", [user_id])
    db.execute("UPDATE announcements SET chat_id = NULL WHERE chat_id = ?", [user_id])
    return counts


def purge(db: sqlite_utils.Database, now: dt.datetime) -> dict[str, int]:
    """Forget what the retention rules say to forget (run inside one Writer transaction):
    questions, votes and counsellor tickets older than 12 months; survey answers once the
    school year after theirs has ended; messages kept for a web visitor after 180 days."""
    cutoff = iso(now - KEEP_QUESTIONS)
    this_year = school_year(now.date())
    oldest_kept = f"{int(this_year[:4]) - 1}-{int(this_year[:4])}"  # last year's stay
    counts = {
        "feedback": db.execute("DELETE FROM feedback WHERE at < ? OR ask_id IN "
                               "(SELECT id FROM asks WHERE at < ?)", [cutoff, cutoff]).rowcount,
        "asks": db.execute("DELETE FROM asks WHERE at < ?", [cutoff]).rowcount,
        "ticket_messages": db.execute(
            "DELETE FROM ticket_messages WHERE ticket_id IN (SELECT id FROM tickets WHERE "
            "coalesce(closed_at, opened_at) < ? AND status = 'closed')", [cutoff]).rowcount,
        "tickets": db.execute("DELETE FROM tickets WHERE coalesce(closed_at, opened_at) < ? "
                              "AND status = 'closed'", [cutoff]).rowcount,
        "answers": db.execute("DELETE FROM answers WHERE response_id IN (SELECT id FROM "
                              "responses WHERE school_year < ?)", [oldest_kept]).rowcount,
        "responses": db.execute("DELETE FROM responses WHERE school_year < ?",
                                [oldest_kept]).rowcount,
        "inbox": db.execute("DELETE FROM inbox WHERE at < ?",
                            [iso(now - KEEP_INBOX)]).rowcount,
        "zalo_menus": db.execute("DELETE FROM zalo_menus WHERE at < ?",
                                 [(now - KEEP_ZALO_MENU).timestamp()]).rowcount,
    }
    empty = _empty_web_users(db, iso(now - KEEP_EMPTY_WEB))
    db.conn.executemany("DELETE FROM accounts WHERE user_id = ?", [[u] for u in empty])
    counts["users"] = db.conn.executemany("DELETE FROM users WHERE id = ?",
                                     [[u] for u in empty]).rowcount
    return counts


def _empty_web_users(db: sqlite_utils.Database, idle_since: str) -> list[int]:
    """Web users unused since then who chose nothing and have no row anywhere else."""
    others = [f"NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = u.id)"  # noqa: S608
              for table, columns in PERSON_COLUMNS.items() if table not in ("users", "accounts")
              for column in columns]  # declared names only
    sql = ("SELECT u.id FROM users u WHERE u.id < 0 AND coalesce(u.last_seen, u.created_at) < ? "  # noqa: S608
           "AND u.audience IS NULL AND u.school_code IS NULL AND EXISTS (SELECT 1 FROM accounts "
           "a WHERE a.user_id = u.id AND a.channel = 'web') AND ") + " AND ".join(others)
    return [int(r[0]) for r in db.execute(sql, [idle_since])]
