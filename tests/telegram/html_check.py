"""Telegram's text formatting rules as a bot sees them, for the Bot API stand-in.

``parse_html`` implements ``parse_mode=HTML`` as the public Bot API documentation describes
it: a fixed set of tags, the four named entities plus numeric ones, and every other ``<``
turned into an error.  It is deliberately not ``html.parser``, which happily accepts text
such as ``a < b`` that Telegram rejects.  Error descriptions carry UTF-8 byte offsets, as
Telegram's do; entity offsets and lengths are UTF-16 code units, as in the Bot API.

``clean_and_trim`` and ``find_entities`` cover what else changes what a user sees: control
characters are dropped, surrounding whitespace is trimmed, and commands are detected.
"""

import re
from dataclasses import dataclass
from typing import Any

Entity = dict[str, Any]

# Tag name -> entity type.  ``span``, ``a``, ``tg-emoji`` and ``blockquote`` need attributes
# to decide, which happens in ``_HtmlParser._open``.
_TAG_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic",
    "u": "underline", "ins": "underline", "s": "strikethrough", "strike": "strikethrough",
    "del": "strikethrough", "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link",
    "tg-emoji": "custom_emoji", "code": "code", "pre": "pre", "blockquote": "blockquote",
}  # fmt: skip
_VERBATIM = frozenset({"code", "pre"})  # entities cannot nest inside these
# Entities that may contain others, so auto-detected commands can sit inside them.
_CONTAINERS = frozenset(
    {"bold", "italic", "underline", "strikethrough", "spoiler", "blockquote"}
) | {"expandable_blockquote"}

_NAME = re.compile(r"[A-Za-z0-9-]*")
_ATTRIBUTE = re.compile(r"""\s+([A-Za-z0-9_-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?""")
_TAG_CLOSE = re.compile(r"\s*>")
_CHAR_REF = re.compile(r"&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|(lt|gt|amp|quot));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityParseError(ValueError):
    """The text cannot be parsed; ``str()`` is Telegram's description after the prefix."""


@dataclass
class FormattedText:
    text: str
    entities: list[Entity]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _unescape(raw: str) -> str:
    """Decode character references; anything unrecognised stays literal, as a bare ``&`` does."""

    def decode(match: re.Match[str]) -> str:
        decimal, hexadecimal, name = match.groups()
        if name:
            return _NAMED[name]
        code = int(decimal) if decimal else int(hexadecimal, 16)
        valid = 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF
        return chr(code) if valid else match.group()

    return _CHAR_REF.sub(decode, raw)


@dataclass
class _Open:
    tag: str
    order: int  # index of "<" in the source; equal ranges list the outer tag first
    start: int  # UTF-16 offset in the visible text
    entity: Entity | None  # what closing the tag produces; None means nothing


class _HtmlParser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.pieces: list[str] = []
        self.length = 0  # UTF-16 length of the visible text so far
        self.stack: list[_Open] = []
        self.done: list[tuple[int, Entity]] = []  # (opening order, entity)

    def error(self, message: str, at: int, detail: str = "") -> EntityParseError:
        offset = len(self.source[:at].encode("utf-8", "surrogatepass"))
        return EntityParseError(f"{message} at byte offset {offset}{detail}")

    def emit(self, text: str) -> None:
        self.pieces.append(text)
        self.length += utf16_len(text)

    def parse(self) -> FormattedText:
        i = 0
        while (lt := self.source.find("<", i)) != -1:
            self.emit(_unescape(self.source[i:lt]))
            i = self._close(lt) if self.source.startswith("</", lt) else self._open(lt)
        self.emit(_unescape(self.source[i:]))
        if self.stack:
            tag = self.stack[-1].tag
            raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{tag}"')
        # Outer entities first: by offset, longest first, then in the order they were opened.
        self.done.sort(key=lambda item: (item[1]["offset"], -item[1]["length"], item[0]))
        return FormattedText("".join(self.pieces), [entity for _, entity in self.done])

    def _open(self, lt: int) -> int:
        name_match = _NAME.match(self.source, lt + 1)
        assert name_match is not None  # the pattern matches the empty string
        tag, i = name_match.group().lower(), name_match.end()
        if tag not in _TAG_TYPES:
            raise self.error(f'Unsupported start tag "{tag}"', lt)
        attributes: dict[str, str] = {}
        while attribute := _ATTRIBUTE.match(self.source, i):
            key, *values = attribute.groups()
            value = next((v for v in values if v is not None), "")
            attributes[key.lower()] = _unescape(value)
            i = attribute.end()
        if not (close := _TAG_CLOSE.match(self.source, i)):
            rest = self.source[i:].lstrip()
            if ">" not in rest:
                raise self.error(f'Unclosed start tag "{tag}"', lt)
            if rest.startswith("="):
                raise self.error(f'Empty attribute name in the tag "{tag}"', lt)
            raise self.error(f'Invalid attribute in the tag "{tag}"', lt)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise self.error('Tag "span" must have class "tg-spoiler"', lt)
        self.stack.append(_Open(tag, lt, self.length, self._entity(tag, attributes)))
        return close.end()

    def _entity(self, tag: str, attributes: dict[str, str]) -> Entity | None:
        kind = _TAG_TYPES[tag]
        parent = self.stack[-1] if self.stack else None
        if tag == "code" and parent and parent.tag == "pre" and parent.start == self.length:
            # <pre><code class="language-x"> is how a pre block gets its language.
            css_class = attributes.get("class", "")
            if parent.entity is not None and css_class.startswith("language-"):
                parent.entity["language"] = css_class.removeprefix("language-")
            return None
        if any(o.tag in _VERBATIM for o in self.stack):
            return None  # formatting inside code is shown as plain code
        if kind == "text_link":
            url = checked_link(attributes.get("href", ""))
            return {"type": kind, "url": url} if url else None
        if kind == "custom_emoji":
            emoji_id = attributes.get("emoji-id", "")
            return {"type": kind, "custom_emoji_id": emoji_id} if emoji_id.isdigit() else None
        if kind == "blockquote" and "expandable" in attributes:
            kind = "expandable_blockquote"
        return {"type": kind}

    def _close(self, lt: int) -> int:
        if not self.stack:
            raise self.error("Unexpected end tag", lt)
        name_match = _NAME.match(self.source, lt + 2)
        assert name_match is not None
        close = _TAG_CLOSE.match(self.source, name_match.end())
        if close is None:
            raise self.error("Unclosed end tag", lt)
        top, tag = self.stack.pop(), name_match.group().lower()
        if tag != top.tag:
            detail = f', expected "</{top.tag}>", found "</{name_match.group()}>"'
            raise self.error("Unmatched end tag", lt, detail)
        if top.entity is not None and self.length > top.start:
            entity = {"offset": top.start, "length": self.length - top.start, **top.entity}
            self.done.append((top.order, entity))
        return close.end()


def parse_html(text: str) -> FormattedText:
    """The visible text and entities for ``parse_mode=HTML``; raises ``EntityParseError``."""
    return _HtmlParser(text).parse()


_LINK = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.-]*)://)?([^/?#\s]+)([/?#]\S*)?")
_HOST = re.compile(r"(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}|localhost|\d{1,3}(?:\.\d{1,3}){3}")


def checked_link(url: str) -> str | None:
    """``url`` as Telegram stores it (scheme and "/" added), or None if it is not a link."""
    match = _LINK.fullmatch(url.strip())
    if not match:
        return None
    scheme, authority, rest = (match.group(1) or "http").lower(), match[2], match[3] or ""
    if scheme in ("tg", "ton"):  # app links have no host to check
        return f"{scheme}://{authority}{rest}"
    host, _, port = authority.rpartition("@")[2].partition(":")
    if scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    if port and not (port.isdigit() and 0 < int(port) < 65536):
        return None
    return f"{scheme}://{authority}{rest or '/'}"


def sort_entities(entities: list[Entity]) -> list[Entity]:
    """Bot API order: by offset, enclosing entities before the ones they contain."""
    return sorted(entities, key=lambda e: (e["offset"], -e["length"]))


def _is_dropped(ch: str) -> bool:
    # Control characters other than tab and newline never reach the recipient.
    return (ord(ch) < 0x20 and ch not in "\t\n") or ch == "\x7f"


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _trim(text: str, entities: list[Entity]) -> FormattedText:
    """Trim surrounding whitespace, moving entities along (text without control characters)."""
    body = text.strip(" \t\n")
    lead = utf16_len(text[: len(text) - len(text.lstrip(" \t\n"))])
    size = utf16_len(body)
    moved: list[Entity] = []
    for entity in entities:
        start = max(int(entity["offset"]) - lead, 0)
        end = min(int(entity["offset"]) + int(entity["length"]) - lead, size)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return FormattedText(body, moved)


def clean_and_trim(text: str, entities: list[Entity]) -> FormattedText:
    """Drop control characters and trim surrounding whitespace, moving entities along."""
    if not _CONTROL.search(text):  # the usual case: no per-character work needed
        return _trim(text, entities)
    kept: list[str] = []
    new_offset = [0]  # new_offset[u]: where old UTF-16 offset u lands in the cleaned text
    for ch in text:
        width, dropped = utf16_len(ch), _is_dropped(ch)
        if not dropped:
            kept.append(ch)
        new_offset += [new_offset[-1] + (0 if dropped else width)] * width
    cleaned = "".join(kept)
    body = cleaned.strip(" \t\n")
    lead = utf16_len(cleaned[: len(cleaned) - len(cleaned.lstrip(" \t\n"))])
    size = utf16_len(body)
    moved: list[Entity] = []
    for entity in entities:
        start = max(int(entity["offset"]), 0)  # parts out of range have nothing to show on
        end = min(int(entity["offset"]) + int(entity["length"]), len(new_offset) - 1)
        if start >= end:
            continue
        start, end = max(new_offset[start] - lead, 0), min(new_offset[end] - lead, size)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return FormattedText(body, moved)


# A command starts a word: "/" then a name, optionally addressed as /name@botname.
_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")


def find_entities(text: str) -> list[Entity]:
    """Entities Telegram detects by itself; only bot commands matter to the bots under test."""
    return [
        {"offset": utf16_len(text[: m.start()]), "length": utf16_len(m[0]), "type": "bot_command"}
        for m in _COMMAND.finditer(text)
    ]


def merge_entities(entities: list[Entity], found: list[Entity]) -> list[Entity]:
    """Explicit entities plus detected ones, except where a detected one would overlap an
    entity that cannot contain others (code, links...)."""

    def blocked(candidate: Entity) -> bool:
        start, end = candidate["offset"], candidate["offset"] + candidate["length"]
        return any(
            e["type"] not in _CONTAINERS and e["offset"] < end and start < e["offset"] + e["length"]
            for e in entities
        )

    return sort_entities(entities + [f for f in found if not blocked(f)])
