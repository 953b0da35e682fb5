"""Views as Zalo messages: plain text (Zalo has no markup) and buttons whose payload carries the
Intent as JSON behind the `#cb:` prefix; Zalo sends a tapped button's payload back as the
person's own (hidden) text, which `read_tap` turns into the Intent again.

A text file (the person's data, /dulieucuatoi) goes as text when it fits in a few messages;
Zalo's consultation messages cannot carry a file without its upload API, so a longer one gets a
note instead.
"""

from __future__ import annotations

import json
import re

from bot import intents as i
from bot import messages
from bot.views import Attachment, Block, Part, View
from handlers.zalo.client import TEXT_LIMIT, Button, decode_payload, encode_payload

FILE_MESSAGES = 3  # a file longer than this many messages becomes a note
_MARKS = re.compile(r"\*\*(.+?)\*\*|__(.+?)__", re.S)


class Stale:
    """A tapped payload that names no Intent any more (forged, or from an older version)."""


STALE = Stale()


def _plain(text: str) -> str:
    return _MARKS.sub(lambda m: m.group(1) or m.group(2), text)


def _part(part: Part) -> str:
    if part.kind is Block.HINT:
        return f"({part.text})"
    if part.kind is Block.WARNING:
        return f"⚠️ {part.text}"
    if part.kind is Block.SOURCES:
        return f"📚 {messages.SOURCES}: " + "; ".join(str(s) for s in part.items)
    if part.kind is Block.PAIRS:
        pairs = (item if isinstance(item, tuple) else (item, "") for item in part.items)
        return "\n".join(f"{label}\n→ {value}" if value else label for label, value in pairs)
    return part.text


def _file(attachment: Attachment) -> str:
    try:
        body = attachment.data.decode("utf-8")
    except UnicodeDecodeError:
        body = ""
    if body and len(body) <= FILE_MESSAGES * TEXT_LIMIT - 200:
        return f"📎 {attachment.filename}\n{body}"
    return messages.ZALO_FILE_NOTE.format(filename=attachment.filename)


def text_of(view: View) -> str:
    """Everything the view says, as one plain text (split into messages by the client)."""
    blocks = [_plain(_part(p)) for p in view.parts if p.text or p.items]
    if view.notice is not None:
        blocks.append(("❗ " if view.notice.alert else "") + view.notice.text)
    blocks.extend(_file(f) for f in view.files)
    return "\n\n".join(b.strip() for b in blocks if b.strip())


def encode_intent(intent: i.Intent) -> str:
    return json.dumps(i.intent_to_json(intent), ensure_ascii=False, separators=(",", ":"))


def buttons_of(view: View) -> list[Button]:
    out = []
    for choice in view.choices:
        mark = "" if choice.selected is None else ("☑ " if choice.selected else "☐ ")
        out.append(Button(mark + _plain(choice.label), encode_intent(choice.intent)))
    return out


def read_tap(text: str) -> i.Intent | Stale | None:
    """The Intent of a tapped button's payload, STALE for a payload that names none, None for
    text the person typed."""
    encoded = decode_payload(text.strip())
    if encoded is None:
        return None
    return read_intent(encoded)


def read_intent(encoded: str) -> i.Intent | Stale:
    try:
        intent = i.intent_from_json(json.loads(encoded))
    except (ValueError, TypeError):
        return STALE
    return STALE if intent is None else intent


def button_payload(intent: i.Intent) -> str:
    """What Zalo sends back when the button carrying `intent` is tapped (tests, bench)."""
    return encode_payload(encode_intent(intent))
