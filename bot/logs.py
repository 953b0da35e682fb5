"""Logging: one line per event, text or JSON, tokens redacted, user ids hashed."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
from typing import Any

_TOKEN = re.compile(r"\d{6,20}:[A-Za-z0-9_-]{20,}")
_salt = b"careerbot"
# Secrets learnt while running (a channel's keys, an access token refreshed an hour ago): every
# RedactTokens filter removes them too, whichever handler it sits on.
_known_secrets: set[str] = set()


def set_salt(secret: str | None) -> None:
    """Hash user ids with a per-installation secret, so log lines cannot be joined to ids."""
    global _salt
    _salt = hashlib.sha256((secret or "careerbot").encode()).digest()


def uid(user_id: int | None) -> str:
    """A stable pseudonym for a Telegram user id, for log lines."""
    if user_id is None:
        return "-"
    return hashlib.blake2b(str(user_id).encode(), key=_salt[:32], digest_size=6).hexdigest()


def remember_secret(*secrets: str | None) -> None:
    """Never log these (Zalo's app and OA keys, its access and refresh tokens as they change)."""
    _known_secrets.update(s for s in secrets if s and len(s) >= 8)


class RedactTokens(logging.Filter):
    """Last line of defence: anything shaped like a bot token never leaves the process."""

    def __init__(self, *secrets: str | None) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def _clean(self, text: str) -> str:
        for secret in (*self.secrets, *_known_secrets):
            text = text.replace(secret, "<redacted>")
        return _TOKEN.sub("<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self._clean(message)
        if record.exc_info:
            record.exc_text = self._clean(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key in ("event", "user", "update", "ticket", "survey", "ms", "cached"):
            if hasattr(record, key):
                data[key] = getattr(record, key)
        if record.exc_text:
            data["exception"] = record.exc_text
        elif record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False)


def configure(level: str = "INFO", as_json: bool = False, *secrets: str | None) -> None:
    """Root logging for the bot process; httpx's request lines (with URLs) stay quiet."""
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactTokens(*secrets))
    handler.setFormatter(JsonFormatter() if as_json else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # HTTP clients may log request URLs (with the token in them), and python-telegram-bot logs
    # whole updates (with what users typed) at DEBUG: neither goes below these levels, even when
    # our own DEBUG lines are wanted.
    for name, floor in (("aiohttp", logging.WARNING), ("httpx", logging.WARNING),
                        ("httpcore", logging.WARNING), ("telegram", logging.INFO)):
        logging.getLogger(name).setLevel(max(floor, logging.getLevelName(level)))
