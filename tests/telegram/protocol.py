"""The wire-level half of the Bot API stand-in: objects, errors and argument checks.

Everything here is independent of the server: how a request's arguments are decoded (as the
real server does: every value a string, JSON for non-strings), Telegram's JSON objects, and
the validation of reply markup and bot commands with Telegram's error descriptions.
"""

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from .html_check import checked_link

JSON = dict[str, Any]

MAX_TEXT = 4096  # UTF-16 code units after entity parsing
MAX_CAPTION = 1024
MAX_RAW_TEXT_BYTES = 1 << 15  # the server refuses longer input before even parsing it
MAX_CALLBACK_DATA = 64  # bytes of UTF-8
MAX_CALLBACK_ANSWER = 200
MAX_UPLOAD = 50 * 1024 * 1024

_OTHER_BUTTON_KINDS = (
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
# Arguments recorded verbatim; everything else is JSON-decoded when it parses.
_TEXT_ARGS = frozenset(
    {
        "text", "caption", "parse_mode", "url", "secret_token", "callback_query_id", "action",
        "language_code", "file_id", "inline_message_id", "data", "title", "description",
        "short_description", "name", "query", "emoji", "document", "photo", "sticker", "voice",
        "audio", "video", "animation", "thumbnail", "filename",
    }
)  # fmt: skip
_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
)
_ADMIN_NON_RIGHTS = (
    "can_be_edited",
    "is_anonymous",
    "can_promote_members",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"RIFF", b"BM")


class ApiError(Exception):
    """A Telegram error response; handlers raise it, the dispatcher turns it into JSON."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def payload(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class User:
    """A Telegram user; ``user["id"]`` works too, so tests can treat it like the JSON."""

    id: int
    first_name: str = "Lan"
    username: str | None = None
    language_code: str | None = "vi"
    last_name: str | None = None
    is_bot: bool = False

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


@dataclass(frozen=True)
class Chat:
    """A chat as it appears in Message.chat."""

    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "first_name", "last_name", "username"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def __getitem__(self, key: str) -> Any:
        return self.to_dict()[key]


@dataclass(frozen=True)
class Call:
    """One Bot API request the bot made and exactly what the stand-in answered."""

    index: int
    method: str  # canonical spelling, e.g. "sendMessage", whatever case the bot used
    params: JSON  # arguments, JSON values decoded; uploads as {"file_name", "size", ...}
    response: JSON
    body: str = ""  # how the arguments came: "json", "form", "multipart" or "" (none)

    @property
    def ok(self) -> bool:
        return bool(self.response["ok"])

    @property
    def result(self) -> Any:
        return self.response.get("result")

    @property
    def error_code(self) -> int | None:
        return self.response.get("error_code")

    @property
    def description(self) -> str | None:
        return self.response.get("description")

    def to_dict(self) -> JSON:
        return {
            "index": self.index,
            "method": self.method,
            "params": self.params,
            "response": self.response,
            "body": self.body,
        }


class SentMessage(dict[str, Any]):
    """A Message as the user sees it, plus what the bot actually sent (``raw_text``)."""

    raw_text: str | None  # text or caption before parse_mode was applied
    parse_mode: str | None

    @classmethod
    def of(cls, message: JSON, raw_text: str | None, parse_mode: str | None) -> "SentMessage":
        snapshot = cls(copy.deepcopy(message))
        snapshot.raw_text = raw_text
        snapshot.parse_mode = parse_mode
        return snapshot


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    data: bytes | None  # None for files "sent by URL", which are not fetched
    file_name: str | None = None
    mime_type: str | None = None

    def to_dict(self) -> JSON:
        data: JSON = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.data is not None:
            data["file_size"] = len(self.data)
        return data


@dataclass(frozen=True)
class Upload:
    filename: str | None
    data: bytes
    content_type: str


class Params:
    """Request arguments the way the real server sees them: every value is a string."""

    def __init__(self, args: dict[str, str], files: dict[str, Upload], body: str = "") -> None:
        self.args = args
        self.files = files
        self.body = body  # see Call.body

    def text(self, name: str) -> str:
        return self.args.get(name, "")

    def integer(
        self, name: str, default: int = 0, low: int | None = None, high: int | None = None
    ) -> int:
        raw = self.args.get(name, "").strip()
        try:
            value = int(raw) if raw else default
        except ValueError:
            value = 0  # td::to_integer yields 0 for garbage, it does not fail
        value = value if low is None else max(low, value)
        return value if high is None else min(high, value)

    def flag(self, name: str) -> bool:
        return self.args.get(name, "").strip().lower() in ("true", "yes", "1")

    def json(self, name: str, error: str) -> Any:
        raw = self.args.get(name, "")
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise bad_request(error) from None

    def file(self, name: str) -> Upload | str | None:
        value = self.text(name)
        if value.startswith("attach://"):
            return self.files.get(value.removeprefix("attach://"))
        return value or self.files.get(name)

    def recorded(self) -> JSON:
        out: JSON = {}
        for key, value in self.args.items():
            out[key] = value if key in _TEXT_ARGS else _maybe_json(value)
        for key, upload in self.files.items():
            out[key] = {
                "file_name": upload.filename,
                "size": len(upload.data),
                "mime_type": upload.content_type,
            }
        return out


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


async def read_params(request: web.Request) -> Params:
    """Query string, then body (form, multipart or JSON), like the real server merges them."""
    args: dict[str, str] = dict(request.query)
    files: dict[str, Upload] = {}
    if not request.body_exists:
        return Params(args, files)
    try:
        if request.content_type == "application/json":
            body = await request.json()
            if not isinstance(body, dict):
                raise bad_request("can't parse JSON object")
            for key, value in body.items():
                if value is not None:  # null means "not given"
                    args[key] = value if isinstance(value, str) else json.dumps(value)
            return Params(args, files, "json")
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = Upload(value.filename, value.file.read(), value.content_type)
        else:
            args[key] = str(value)
    multipart = request.content_type.startswith("multipart/")
    return Params(args, files, "multipart" if multipart else "form")


def json_response(payload: JSON) -> web.Response:
    status = 200 if payload["ok"] else payload["error_code"]
    return web.json_response(payload, status=status)


def _check_button(button: Any) -> JSON:
    """Validate one inline button; returns it reduced to text + its one action."""
    prefix = "can't parse inline keyboard button: "
    if not isinstance(button, dict):
        raise bad_request(prefix + "InlineKeyboardButton must be an Object")
    for key in ("text", "url", "callback_data"):
        if key in button and not isinstance(button[key], str):
            raise bad_request(prefix + f'Field "{key}" must be of type String')
    if "text" not in button:
        raise bad_request(prefix + 'Can\'t find field "text"')
    text, url, data = button["text"], button.get("url", ""), button.get("callback_data", "")
    if url:
        if checked_link(url) is None:
            raise bad_request(f"inline keyboard button URL '{url}' is invalid: Wrong HTTP URL")
        action: JSON = {"url": url}
    elif data:
        if len(data.encode("utf-8")) > MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")
        action = {"callback_data": data}
    else:
        kind = next((k for k in _OTHER_BUTTON_KINDS if k in button), None)
        if kind is None:  # empty callback_data lands here too, as on Telegram
            raise bad_request(prefix + "Text buttons are unallowed in the inline keyboard")
        action = {kind: button[kind]}
    if not text.strip():
        raise bad_request("BUTTON_TEXT_INVALID")
    return {"text": text, **action}


def parse_reply_markup(raw: str) -> JSON | None:
    """The inline keyboard to store on the message, or None (reply keyboards are not stored)."""
    if not raw:
        return None
    try:
        markup = json.loads(raw)
    except ValueError:
        raise bad_request("can't parse reply keyboard markup JSON object") from None
    if not isinstance(markup, dict):
        raise bad_request("object expected as reply markup")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return None
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
        )
    keyboard = [[_check_button(button) for button in row] for row in rows]
    return {"inline_keyboard": keyboard} if any(keyboard) else None


def inline_buttons(message: JSON) -> list[JSON]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button for row in rows for button in row]


def as_reply(message: JSON) -> JSON:
    """Telegram nests only one level of reply_to_message."""
    reply = copy.deepcopy(message)
    reply.pop("reply_to_message", None)
    return reply


def chat_member(status: str, user: User) -> JSON:
    member: JSON = {"status": status, "user": user.to_dict()}
    if status == "kicked":
        member["until_date"] = 0
    elif status == "administrator":
        member |= dict.fromkeys(_ADMIN_RIGHTS, True)
        member |= dict.fromkeys(_ADMIN_NON_RIGHTS, False)
    return member


def looks_like_image(data: bytes) -> bool:
    return data.startswith(_IMAGE_MAGIC)


def check_command(item: Any) -> JSON:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand: expected an Object")
    for name in ("command", "description"):
        if name not in item:
            raise bad_request(f"can't parse BotCommand: Can't find field \"{name}\"")
        if not isinstance(item[name], str):
            raise bad_request(f'can\'t parse BotCommand: Field "{name}" must be of type String')
    if not re.fullmatch(r"[a-z0-9_]{1,32}", item["command"]):
        raise bad_request("BOT_COMMAND_INVALID")
    if not 1 <= len(item["description"].strip()) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": item["command"], "description": item["description"]}
