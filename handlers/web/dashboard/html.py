"""The dashboard's HTML, built on the server: every value escaped here, no script at all (the
chat's CSP allows none inline and none is needed), one stylesheet served with a content hash."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from bot import messages
from handlers.web.assets import FOREVER, Asset

STATIC = Path(__file__).parent / "static"
_CSS = (STATIC / "quanly.css").read_bytes()
CSS_VERSION = hashlib.sha256(_CSS).hexdigest()[:10]
CSS_PATH = "/quan-ly/quanly.css"
CSS = Asset.of(_CSS, "text/css; charset=utf-8", FOREVER, CSS_VERSION)


def e(value: object) -> str:
    return escape(str(value), quote=True)


def href(path: str, **query: str | int) -> str:
    """A link with its query (empty values left out), escaped for an attribute."""
    params = {k: v for k, v in query.items() if v not in ("", None)}
    return e(f"{path}?{urlencode(params)}" if params else path)


def table(head: Sequence[str], rows: Iterable[Sequence[str]], numeric: Sequence[int] = (),
          caption: str = "") -> str:
    """`rows` hold HTML already escaped (cells may carry links or bars)."""
    cls = [' class="n"' if i in numeric else "" for i in range(len(head))]
    out = ['<div class="scroll"><table>']
    if caption:
        out.append(f"<caption class=\"muted\">{e(caption)}</caption>")
    out.append("<thead><tr>" + "".join(f"<th scope=\"col\"{c}>{e(h)}</th>"
                                       for h, c in zip(head, cls, strict=True)) + "</tr></thead>")
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>" + "".join(f"<td{c}>{cell}</td>"
                                    for cell, c in zip(row, cls, strict=True)) + "</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def document(title: str, body: str, *, header: str = "") -> str:
    return ("<!doctype html><html lang=\"vi\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            "<meta name=\"robots\" content=\"noindex\">"
            f"<title>{e(title)} · {e(messages.DASH_TITLE)}</title>"
            f"<link rel=\"stylesheet\" href=\"{CSS_PATH}?v={CSS_VERSION}\">"
            "<link rel=\"icon\" href=\"/static/icon.svg\"></head><body>"
            f"{header}<main>{body}</main></body></html>")


def page(html: str, status: int = 200) -> web.Response:
    # Staff pages carry personal data: never kept by a shared school PC's cache.
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8",
                        headers={"Cache-Control": "no-store"})


def message_page(title: str, text: str, status: int, *, link: tuple[str, str] | None = None
                 ) -> web.Response:
    more = f"<p><a class=\"button\" href=\"{e(link[0])}\">{e(link[1])}</a></p>" if link else ""
    header = f"<header class=\"top\"><div class=\"top-row\"><h1>{e(messages.DASH_TITLE)}</h1>" \
             "</div></header>"
    return page(document(title, f"<div class=\"signin card\"><h2>{e(title)}</h2>"
                                f"<p>{e(text)}</p>{more}</div>", header=header), status)
