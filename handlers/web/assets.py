"""The page, its stylesheet and script, the widget: read once at start, filled with the
sentences from bot.messages, compressed once, served with validators so a phone on a slow
network fetches each byte once."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from bot import messages

STATIC = Path(__file__).parent / "static"
FOREVER = "public, max-age=31536000, immutable"  # versioned URLs (?v=hash)
REVALIDATE = "no-cache"  # the page itself: always the current asset versions
HOUR = "public, max-age=3600"  # the widget, pasted into school sites

# What the script shows in its own words (the views bring the rest).
SCRIPT_STRINGS = {
    "typing": messages.WEB_TYPING, "you": messages.WEB_YOU, "bot": messages.WEB_BOT,
    "selected": messages.WEB_SELECTED, "file": messages.WEB_FILE,
    "offline": messages.WEB_OFFLINE, "error": messages.ERROR_APOLOGY,
    "close": messages.WEB_CLOSE, "full": messages.WEB_FULL_PAGE,
    "too_long": messages.WEB_TOO_LONG.format(limit="4.096"),
}
WIDGET_STRINGS = {"open": messages.WEB_OPEN_CHAT, "close": messages.WEB_CLOSE,
                  "title": messages.WEB_TITLE, "refused": messages.WEB_SITE_NOT_ALLOWED}


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    content_type: str
    cache: str
    version: str = ""  # cached for good only when asked for under this version

    @classmethod
    def of(cls, body: bytes, content_type: str, cache: str, version: str = "") -> Asset:
        digest = hashlib.sha256(body).hexdigest()[:16]
        return cls(body, gzip.compress(body, 9, mtime=0), f'"{digest}"', content_type, cache,
                   version)

    def respond(self, request: web.Request) -> web.Response:
        cache = self.cache if not self.version or request.query.get("v") == self.version \
            else REVALIDATE
        headers = {"ETag": self.etag, "Cache-Control": cache, "Vary": "Accept-Encoding"}
        if self.etag in request.headers.get("If-None-Match", ""):
            return web.Response(status=304, headers=headers)
        body = self.body
        if "gzip" in request.headers.get("Accept-Encoding", ""):
            body, headers["Content-Encoding"] = self.gzipped, "gzip"
        return web.Response(body=body, headers={**headers, "Content-Type": self.content_type})


def _json_for_script(data: dict[str, str]) -> str:
    # Inside <script type="application/json">: "</script>" must not appear in the text.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def load() -> dict[str, Asset]:
    """Path -> asset, the page's asset URLs carrying their content hash."""
    css = (STATIC / "chat.css").read_bytes()
    js = (STATIC / "chat.js").read_bytes()
    icon = (STATIC / "icon.svg").read_bytes()
    version = hashlib.sha256(css + js + icon).hexdigest()[:10]
    fill = {
        "lang": "vi", "title": messages.WEB_TITLE, "subtitle": messages.WEB_SUBTITLE,
        "log_label": messages.WEB_LOG_LABEL, "input_label": messages.WEB_INPUT_LABEL,
        "placeholder": messages.WEB_PLACEHOLDER, "send": messages.WEB_SEND,
        "typing": messages.WEB_TYPING, "noscript": messages.WEB_NO_SCRIPT,
        "full": messages.WEB_FULL_PAGE, "close": messages.WEB_CLOSE, "version": version,
    }
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    for name, value in fill.items():
        page = page.replace("{{" + name + "}}", html.escape(value))
    page = page.replace("{{strings}}", _json_for_script(SCRIPT_STRINGS))
    widget = (STATIC / "widget.js").read_text(encoding="utf-8").replace(
        "__STRINGS__", json.dumps(WIDGET_STRINGS, ensure_ascii=False))
    return {
        "/": Asset.of(page.encode(), "text/html; charset=utf-8", REVALIDATE),
        "/static/chat.css": Asset.of(css, "text/css; charset=utf-8", FOREVER, version),
        "/static/chat.js": Asset.of(js, "text/javascript; charset=utf-8", FOREVER, version),
        "/static/icon.svg": Asset.of(icon, "image/svg+xml", FOREVER, version),
        "/widget.js": Asset.of(widget.encode(), "text/javascript; charset=utf-8", HOUR),
    }
