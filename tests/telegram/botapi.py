"""A local stand-in for the Telegram Bot API, for end-to-end tests of careerbot.

The real ``telegram.ext.Application`` talks to this aiohttp server over HTTP on 127.0.0.1
(``.base_url(api.base_url).base_file_url(api.base_file_url)``). Tests push user actions in
(``send_text``, ``press``...) and read what the bot did (``calls``, ``sent``, ``wait_for``...).

Behaviour and error descriptions follow what Telegram's Bot API returns, so a bot that
passes here fails in the same places it would fail against Telegram.
Not emulated: inline mode, payments, Markdown parse modes (text is kept verbatim), flood
limits (inject them with ``fail_next``), and Telegram's HTTPS/port rules for webhooks.

Typical use::

    async with FakeBotAPI() as api:
        app = (Application.builder().token(api.token).base_url(api.base_url)
               .base_file_url(api.base_file_url).build())
        ...  # add handlers, initialize/start, updater.start_polling(poll_interval=0, timeout=1)
        student = api.private_user(42)
        await api.send_text(student, "/start")
        menu = await api.next_message(student.id)   # the bot's reply, as the user sees it
        await api.press_button(student, menu, "Ngành CNTT")

Run standalone for out-of-process bots: ``python -m tests.telegram.botapi --port 8081``
(prints the base_url on its first line); its control HTTP API is in ``control.py``.
"""

import argparse
import asyncio
import contextlib
import copy
import itertools
import mimetypes
import re
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientConnectorError, ClientError, ClientSession, ClientTimeout, web

from .control import add_control_routes
from .html_check import (
    EntityParseError,
    FormattedText,
    clean_and_trim,
    find_entities,
    merge_entities,
    parse_html,
    sort_entities,
    utf16_len,
)
from .protocol import (
    JSON,
    MAX_CALLBACK_ANSWER,
    MAX_CAPTION,
    MAX_RAW_TEXT_BYTES,
    MAX_TEXT,
    MAX_UPLOAD,
    ApiError,
    Call,
    Chat,
    Params,
    SentMessage,
    StoredFile,
    Upload,
    User,
    as_reply,
    bad_request,
    chat_member,
    check_command,
    inline_buttons,
    json_response,
    looks_like_image,
    parse_reply_markup,
    read_params,
)

__all__ = ["ApiError", "Call", "Chat", "FakeBotAPI", "SentMessage", "StoredFile", "User"]

DEFAULT_TOKEN = "123456:TEST-TOKEN"
WEBHOOK_ATTEMPTS = 10
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
        "upload_document", "choose_sticker", "find_location", "record_video_note",
        "upload_video_note",
    }
)  # fmt: skip
# What Telegram sends when allowed_updates was never set (or set to []).
DEFAULT_UPDATE_TYPES = frozenset(
    {
        "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
        "business_message", "edited_business_message", "deleted_business_messages",
        "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
        "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member",
        "chat_join_request", "chat_boost", "removed_chat_boost",
    }
)  # fmt: skip
_MEDIA_KEYS = ("document", "photo", "sticker", "voice", "audio", "video", "animation")
_CONTENT_KEYS = ("text", "entities", "caption", "caption_entities", *_MEDIA_KEYS)
_TOKEN_SHAPE = re.compile(r"\d+:[A-Za-z0-9_-]+")
_GIFT_TYPES = (
    "unlimited_gifts",
    "limited_gifts",
    "unique_gifts",
    "premium_subscription",
    "gifts_from_channels",
)


@dataclass
class _Stored:
    message: JSON  # the live Message object; edits change it in place
    from_bot: bool
    raw_text: str | None = None
    parse_mode: str | None = None
    deleted: bool = False

    def snapshot(self) -> SentMessage:
        return SentMessage.of(self.message, self.raw_text, self.parse_mode)


@dataclass
class _ChatState:
    chat: Chat
    bot_status: str = "member"  # member | administrator | left | kicked (groups only)
    next_id: int = 1
    messages: dict[int, _Stored] = field(default_factory=dict)
    pinned: list[int] = field(default_factory=list)  # message ids, the latest pin last


@dataclass
class _Webhook:
    url: str
    secret_token: str | None
    max_connections: int
    last_error_date: int | None = None
    last_error_message: str | None = None


class _Signal:
    """Broadcast wake-up: take waiter() *before* checking state, then await it."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def waiter(self) -> asyncio.Event:
        return self._event

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()


Handler = Callable[[Params], Awaitable[Any]]


class FakeBotAPI:
    """The Bot API stand-in: an aiohttp server plus a test-side API on the same event loop."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        bot_id: int | None = None,
        bot_username: str = "careerbot_test_bot",
        bot_first_name: str = "CareerBot",
    ) -> None:
        self.token = token
        if bot_id is None:  # the numeric prefix of a token is the bot's user id
            bot_id = int(token.split(":")[0]) if token.split(":")[0].isdigit() else 123456
        self.bot = User(bot_id, bot_first_name, bot_username, language_code=None, is_bot=True)
        self.calls: list[Call] = []
        self.users: dict[int, User] = {}
        self.files: dict[str, StoredFile] = {}
        self.commands: dict[tuple[str, str], list[JSON]] = {}  # (scope key, lang) -> commands
        self.answered_callbacks: list[JSON] = []
        self.chat_actions: list[JSON] = []
        self.webhook_deliveries: list[JSON] = []
        self._chats: dict[int, _ChatState] = {}
        self._blocked: set[int] = set()
        self._pending: list[JSON] = []  # updates not yet confirmed (getUpdates) or delivered
        self._update_ids = itertools.count(10001)
        self._callback_ids = itertools.count(4_200_000_000_000_000_001)
        self._file_numbers = itertools.count(1)
        self._open_callbacks: dict[str, int] = {}  # unanswered query id -> user id
        self._failures: dict[str, list[ApiError]] = {}
        self._stalled: set[str] = set()  # methods whose calls wait until release()
        self._stalled_chats: set[str] = set()  # chats whose calls wait until release()
        self._released = asyncio.Event()
        self.stalled_calls = 0  # calls that were held by stall()
        self._log: dict[int, list[SentMessage]] = {}  # per chat: bot sends and edits
        self._marks: dict[int, int] = {}
        self._webhook: _Webhook | None = None
        self._webhook_stalled = False
        self._allowed_updates = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._busy_calls = 0  # calls other than getUpdates, for wait_idle
        self._changed = _Signal()
        # One signal per chat as well: a thousand simulated users each waiting for their own
        # chat must not all wake up for every message the bot sends anywhere.
        self._chat_changed: dict[int, _Signal] = {}
        self._closing = False
        self._host = "127.0.0.1"
        self._port: int | None = None
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._methods: dict[str, tuple[str, Handler]] = {
            name.lower(): (name, handler) for name, handler in self._method_table().items()
        }

    def _method_table(self) -> dict[str, Handler]:
        return {
            "getMe": self._get_me,
            "logOut": self._ok,
            "close": self._ok,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "pinChatMessage": self._pin_chat_message,
            "answerCallbackQuery": self._answer_callback,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "forwardMessage": self._forward_message,
            "copyMessage": self._copy_message,
            "getChat": self._get_chat,
            "getFile": self._get_file,
        }

    # ---------------------------------------------------------------- lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD + 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_bot)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        add_control_routes(app, self)
        # handler_cancellation: a bot that hangs up a long poll must not leave it waiting.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=1.0
        )
        await self._runner.setup()
        # A bot opens up to ~256 connections at once; the default backlog (128) would drop
        # SYNs and stall it for a TCP retransmit second, which Telegram's servers never do.
        await web.TCPSite(self._runner, host, port, backlog=4096).start()
        self._host, self._port = host, self._runner.addresses[0][1]
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        self._webhook_task = asyncio.create_task(self._webhook_loop())

    async def stop(self) -> None:
        self._closing = True
        self.release()
        self._changed.notify()  # long polls return at once instead of holding up shutdown
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> "FakeBotAPI":
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not started")
        return self._port

    @property
    def base_url(self) -> str:
        return f"http://{self._host}:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://{self._host}:{self.port}/file/bot"

    # ---------------------------------------------------------------- HTTP layer

    async def _handle_bot(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if token != self.token:  # Telegram: 401 for a well-formed token, 404 otherwise
            shaped = _TOKEN_SHAPE.fullmatch(token)
            error = ApiError(401, "Unauthorized") if shaped else ApiError(404, "Not Found")
            return json_response(error.payload())
        name = request.match_info["method"]
        entry = self._methods.get(name.lower())
        canonical, handler = entry if entry is not None else (name, None)
        try:
            params = await read_params(request)
        except ApiError as error:
            return json_response(self._record(canonical, Params({}, {}), error.payload()))
        response = await self._invoke(canonical, handler, params)
        return json_response(response)

    async def _invoke(self, method: str, handler: Handler | None, params: Params) -> JSON:
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            if method.lower() in self._stalled or \
                    params.text("chat_id") in self._stalled_chats:  # a Bot API that stops answering
                self.stalled_calls += 1
                self._changed.notify()
                await self._released.wait()
            injected = self._failures.get(method.lower())
            if injected:
                raise injected.pop(0)
            response: JSON = {"ok": True, "result": await handler(params)}
        except ApiError as error:
            response = error.payload()
        return self._record(method, params, response)

    def _record(self, method: str, params: Params, response: JSON) -> JSON:
        self.calls.append(Call(len(self.calls), method, params.recorded(), response, params.body))
        if method != "getUpdates":
            self._busy_calls += 1
        self._changed.notify()
        return response

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["path"]
        stored = next((f for f in self.files.values() if f.file_path == path), None)
        if request.match_info["token"] != self.token or stored is None or stored.data is None:
            return json_response(ApiError(404, "Not Found").payload())
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.data, content_type=content_type)

    # ---------------------------------------------------------------- updates

    def _enqueue(self, body: JSON) -> JSON:
        update = {"update_id": next(self._update_ids), **copy.deepcopy(body)}
        self._pending.append(update)
        self._webhook_stalled = False
        self._changed.notify()
        return update

    def _deliverable(self, limit: int) -> list[JSON]:
        # Telegram never stores updates of types the bot did not ask for.
        self._pending = [u for u in self._pending if _update_type(u) in self._allowed_updates]
        return copy.deepcopy(self._pending[:limit])

    def _confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:  # -N: keep only the last N
            self._pending = self._pending[offset:]

    def _set_allowed_updates(self, p: Params) -> None:
        allowed = p.json("allowed_updates", "can't parse allowed updates JSON array")
        if isinstance(allowed, list):
            self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    async def _get_updates(self, p: Params) -> list[JSON]:
        if self._webhook is not None:
            raise ApiError(409, CONFLICT_WEBHOOK)
        limit = p.integer("limit", 100, 1, 100)
        timeout = p.integer("timeout", 0, 0, 50)
        self._set_allowed_updates(p)
        self._confirm(p.integer("offset"))
        self._poll_generation += 1
        generation = self._poll_generation
        self._changed.notify()  # an older long poll still waiting must give way
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            wake = self._changed.waiter()
            updates = self._deliverable(limit)
            remaining = deadline - loop.time()
            if updates or remaining <= 0 or self._closing:
                return updates
            if generation != self._poll_generation:
                raise ApiError(409, CONFLICT_POLL)
            if self._webhook is not None:
                raise ApiError(409, "Conflict: terminated by setWebhook request")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), remaining)

    async def _webhook_loop(self) -> None:
        attempt = 0
        while not self._closing:
            wake = self._changed.waiter()
            hook = self._webhook
            batch = self._deliverable(1) if hook and not self._webhook_stalled else []
            if hook is None or not batch:
                await wake.wait()
                continue
            if await self._post_update(hook, batch[0]):
                self._pending = [
                    u for u in self._pending if u["update_id"] != batch[0]["update_id"]
                ]
                attempt = 0
                continue
            attempt += 1
            if attempt >= WEBHOOK_ATTEMPTS:  # give up until a new update or setWebhook
                self._webhook_stalled, attempt = True, 0
                continue
            await asyncio.sleep(min(0.05 * 2**attempt, 1.0))

    async def _post_update(self, hook: _Webhook, update: JSON) -> bool:
        assert self._session is not None
        headers = (
            {"X-Telegram-Bot-Api-Secret-Token": hook.secret_token} if hook.secret_token else {}
        )
        error: str | None = None
        try:
            async with self._session.post(hook.url, json=update, headers=headers) as response:
                await response.read()
                if not 200 <= response.status < 300:
                    error = f"Wrong response from the webhook: {response.status} {response.reason}"
        except ClientConnectorError:
            error = "Connection refused"  # Telegram's wording; typical before the bot listens
        except TimeoutError:
            error = "Read timeout expired"
        except ClientError as exc:
            error = f"Connection failed: {type(exc).__name__}"
        self.webhook_deliveries.append(
            {"update_id": update["update_id"], "ok": error is None, "error": error}
        )
        if error is not None:
            hook.last_error_date, hook.last_error_message = int(time.time()), error
        return error is None

    # ---------------------------------------------------------------- chats and messages

    def _chat_from(self, raw: str, name: str = "chat_id") -> _ChatState:
        if not raw:
            raise bad_request(f"{name} is empty")
        if raw.startswith("@"):
            found = [s for s in self._chats.values() if s.chat.username == raw[1:]]
            if found:
                return found[0]
            raise bad_request("chat not found")
        try:
            state = self._chats.get(int(raw))
        except ValueError:
            state = None
        if state is None:
            raise bad_request("chat not found")
        return state

    def _check_can_write(self, state: _ChatState) -> None:
        chat = state.chat
        if chat.type == "private":
            if chat.id in self._blocked:
                raise ApiError(403, "Forbidden: bot was blocked by the user")
            return
        kind = f"{chat.type} chat"
        if state.bot_status == "kicked":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind}")
        if state.bot_status == "left":
            raise ApiError(403, f"Forbidden: bot is not a member of the {kind}")

    def _find(self, state: _ChatState, message_id: int, purpose: str) -> _Stored:
        if message_id <= 0:
            raise bad_request("message identifier is not specified")
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise bad_request(f"message to {purpose} not found")
        return stored

    def _new_message(
        self,
        state: _ChatState,
        sender: User,
        body: JSON,
        *,
        from_bot: bool,
        raw_text: str | None = None,
        parse_mode: str | None = None,
    ) -> _Stored:
        message = {
            "message_id": state.next_id,
            "from": sender.to_dict(),
            "chat": state.chat.to_dict(),
            "date": int(time.time()),
            **body,
        }
        state.next_id += 1
        stored = _Stored(message, from_bot, raw_text, parse_mode)
        state.messages[message["message_id"]] = stored
        return stored

    def _bot_sends(
        self,
        state: _ChatState,
        body: JSON,
        raw_text: str | None = None,
        parse_mode: str | None = None,
    ) -> JSON:
        stored = self._new_message(
            state, self.bot, body, from_bot=True, raw_text=raw_text, parse_mode=parse_mode or None
        )
        self._log_chat(state, stored)
        return copy.deepcopy(stored.message)

    def _log_chat(self, state: _ChatState, stored: _Stored) -> None:
        self._log.setdefault(state.chat.id, []).append(stored.snapshot())
        self._chat_changed.setdefault(state.chat.id, _Signal()).notify()

    def _format(self, p: Params, name: str, *, caption: bool = False) -> FormattedText:
        """Text or caption as Telegram would store it, with Telegram's errors."""
        raw = p.text(name)
        if not raw:
            if caption:
                return FormattedText("", [])
            raise bad_request("message text is empty")
        if len(raw.encode("utf-8", "surrogatepass")) > MAX_RAW_TEXT_BYTES:
            raise bad_request("text is too long")
        entities_name = "caption_entities" if caption else "entities"
        parsed = self._parse(raw, p.text("parse_mode").lower(), p, entities_name)
        cleaned = clean_and_trim(parsed.text, parsed.entities)
        if not cleaned.text and not caption:
            raise bad_request("text must be non-empty")
        limit = MAX_CAPTION if caption else MAX_TEXT
        if utf16_len(cleaned.text) > limit:
            raise bad_request("message caption is too long" if caption else "message is too long")
        entities = merge_entities(cleaned.entities, find_entities(cleaned.text))
        return FormattedText(cleaned.text, entities)

    @staticmethod
    def _parse(raw: str, mode: str, p: Params, entities_name: str) -> FormattedText:
        if mode in ("", "none"):
            explicit = p.json(entities_name, "can't parse entities JSON object")
            return FormattedText(raw, explicit if isinstance(explicit, list) else [])
        if mode == "html":
            try:
                return parse_html(raw)
            except EntityParseError as error:
                raise bad_request(f"can't parse entities: {error}") from None
        if mode in ("markdown", "markdownv2"):
            return FormattedText(raw, [])  # not emulated: the text is kept verbatim
        raise bad_request("unsupported parse_mode")

    def _reply_to(self, p: Params, state: _ChatState) -> JSON | None:
        parameters = p.json("reply_parameters", "can't parse reply parameters JSON object")
        if isinstance(parameters, dict):
            message_id = int(parameters.get("message_id") or 0)
            allow_missing = bool(parameters.get("allow_sending_without_reply"))
            if str(parameters.get("chat_id", state.chat.id)) != str(state.chat.id):
                return None  # replies across chats become external_reply; not emulated
        else:
            message_id = p.integer("reply_to_message_id")
            allow_missing = p.flag("allow_sending_without_reply")
        if message_id <= 0:
            return None
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            if allow_missing:
                return None
            raise bad_request("message to be replied not found")
        return as_reply(stored.message)

    @staticmethod
    def _text_body(text: FormattedText, *, caption: bool = False) -> JSON:
        key, entities_key = ("caption", "caption_entities") if caption else ("text", "entities")
        body: JSON = {key: text.text} if text.text else {}
        if text.entities:
            body[entities_key] = text.entities
        return body

    # ---------------------------------------------------------------- files

    def _store_file(
        self,
        kind: str,
        data: bytes | None,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> StoredFile:
        number = next(self._file_numbers)
        if file_name and "." in file_name:
            suffix = "." + file_name.rsplit(".", 1)[1]
        else:
            suffix = {"photo": ".jpg", "voice": ".oga", "sticker": ".webp"}.get(kind, "")
        stored = StoredFile(
            f"{kind}-{number:06d}-{self.bot.id}",
            f"u{kind[:3]}{number:06d}",
            f"{kind}s/file_{number}{suffix}",
            data,
            file_name,
            mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def _input_file(self, p: Params, name: str) -> tuple[StoredFile, bool]:
        """The file a send* call refers to, and whether it was uploaded just now."""
        value = p.file(name)
        if value is None or value == "":
            raise bad_request(f"there is no {name} in the request")
        if isinstance(value, Upload):
            if not value.data:
                raise bad_request("file must be non-empty")
            if name == "photo" and not looks_like_image(value.data):
                raise bad_request("IMAGE_PROCESS_FAILED")
            guessed = mimetypes.guess_type(value.filename or "")[0]
            return self._store_file(
                name, value.data, value.filename, guessed or value.content_type
            ), True
        if value in self.files:
            return self.files[value], False
        if re.match(r"https?://", value):
            return self._store_file(name, None, value.rsplit("/", 1)[-1] or None), True
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _document_json(self, stored: StoredFile) -> JSON:
        data = stored.to_dict()
        if stored.file_name:
            data["file_name"] = stored.file_name
        if stored.mime_type:
            data["mime_type"] = stored.mime_type
        return data

    def _photo_json(self, stored: StoredFile, fresh: bool) -> list[JSON]:
        big = stored.to_dict() | {"width": 800, "height": 600}
        if not fresh:
            return [big]
        thumb = self._store_file("photo", stored.data, mime_type=stored.mime_type)
        return [thumb.to_dict() | {"width": 90, "height": 68}, big]

    # ---------------------------------------------------------------- Bot API methods

    async def _ok(self, p: Params) -> bool:
        return True

    async def _get_me(self, p: Params) -> JSON:
        return self.bot.to_dict() | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _set_webhook(self, p: Params) -> bool:
        url = p.text("url")
        if not url:  # setWebhook with an empty URL is deleteWebhook
            return await self._delete_webhook(p)
        if not re.fullmatch(r"https?://[^\s/]+(/\S*)?", url):
            raise bad_request("invalid webhook URL specified")
        secret = p.text("secret_token")
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
            raise bad_request("secret token contains unallowed characters")
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        self._set_allowed_updates(p)
        max_connections = p.integer("max_connections", 40, 1, 100)
        self._webhook = _Webhook(url, secret or None, max_connections)
        self._webhook_stalled = False
        self._changed.notify()
        return True

    async def _delete_webhook(self, p: Params) -> bool:
        if p.flag("drop_pending_updates"):
            self._pending.clear()
        self._webhook = None
        self._changed.notify()
        return True

    async def _get_webhook_info(self, p: Params) -> JSON:
        hook = self._webhook
        info: JSON = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if hook is not None:
            info["max_connections"] = hook.max_connections
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
        if self._allowed_updates != DEFAULT_UPDATE_TYPES:
            info["allowed_updates"] = sorted(self._allowed_updates)
        return info

    async def _send_message(self, p: Params) -> JSON:
        # Order of checks follows the real server: text, markup, chat, reply, then delivery.
        text = self._format(p, "text")
        markup = parse_reply_markup(p.text("reply_markup"))
        state = self._chat_from(p.text("chat_id"))
        body = self._text_body(text)
        self._add_extras(p, state, body, markup)
        self._check_can_write(state)
        return self._bot_sends(state, body, p.text("text"), p.text("parse_mode"))

    def _add_extras(self, p: Params, state: _ChatState, body: JSON, markup: JSON | None) -> None:
        reply = self._reply_to(p, state)
        if reply is not None:
            body["reply_to_message"] = reply
        if markup is not None:
            body["reply_markup"] = markup

    async def _send_document(self, p: Params) -> JSON:
        return await self._send_media(p, "document")

    async def _send_photo(self, p: Params) -> JSON:
        return await self._send_media(p, "photo")

    async def _send_media(self, p: Params, kind: str) -> JSON:
        stored, fresh = self._input_file(p, kind)
        caption = self._format(p, "caption", caption=True)
        markup = parse_reply_markup(p.text("reply_markup"))
        state = self._chat_from(p.text("chat_id"))
        media = self._photo_json(stored, fresh) if kind == "photo" else self._document_json(stored)
        body = {kind: media, **self._text_body(caption, caption=True)}
        self._add_extras(p, state, body, markup)
        self._check_can_write(state)
        return self._bot_sends(state, body, p.text("caption") or None, p.text("parse_mode"))

    async def _send_chat_action(self, p: Params) -> bool:
        action = p.text("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        state = self._chat_from(p.text("chat_id"))
        self._check_can_write(state)
        self.chat_actions.append({"chat_id": state.chat.id, "action": action})
        return True

    def _editable(self, p: Params) -> tuple[_ChatState, _Stored]:
        if not p.text("chat_id"):
            if p.text("inline_message_id"):
                raise bad_request("MESSAGE_ID_INVALID")  # inline messages are not emulated
            raise bad_request("message identifier is not specified")
        state = self._chat_from(p.text("chat_id"))
        stored = self._find(state, p.integer("message_id"), "edit")
        if not stored.from_bot:
            raise bad_request("message can't be edited")
        self._check_can_write(state)
        return state, stored

    async def _edit_message_text(self, p: Params) -> JSON:
        text = self._format(p, "text")
        markup = parse_reply_markup(p.text("reply_markup"))
        state, stored = self._editable(p)
        message = stored.message
        if "text" not in message:
            raise bad_request("there is no text in the message to edit")
        # Without reply_markup an edit removes the inline keyboard, as on Telegram.
        before = (message["text"], message.get("entities", []), message.get("reply_markup"))
        if (text.text, text.entities, markup) == before:
            raise bad_request(NOT_MODIFIED)
        message.pop("entities", None)
        message.update(self._text_body(text))
        stored.raw_text, stored.parse_mode = p.text("text"), p.text("parse_mode") or None
        return self._apply_edit(state, stored, markup)

    async def _edit_message_reply_markup(self, p: Params) -> JSON:
        markup = parse_reply_markup(p.text("reply_markup"))
        state, stored = self._editable(p)
        if markup == stored.message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        return self._apply_edit(state, stored, markup)

    def _apply_edit(self, state: _ChatState, stored: _Stored, markup: JSON | None) -> JSON:
        stored.message.pop("reply_markup", None)
        if markup is not None:
            stored.message["reply_markup"] = markup
        stored.message["edit_date"] = int(time.time())
        self._log_chat(state, stored)
        return copy.deepcopy(stored.message)

    async def _delete_message(self, p: Params) -> bool:
        if not p.text("chat_id"):
            raise bad_request("chat identifier is not specified")
        state = self._chat_from(p.text("chat_id"))
        stored = self._find(state, p.integer("message_id"), "delete")
        others_in_group = not stored.from_bot and state.chat.type != "private"
        if others_in_group and state.bot_status != "administrator":
            raise bad_request("message can't be deleted")
        stored.deleted = True
        return True

    async def _pin_chat_message(self, p: Params) -> bool:
        # Bot API: in a group the bot must be an administrator (can_pin_messages); a private
        # chat needs no right. Pinning again moves the message to the top of the list.
        if not p.text("chat_id"):
            raise bad_request("chat identifier is not specified")
        state = self._chat_from(p.text("chat_id"))
        self._check_can_write(state)
        if state.chat.type != "private" and state.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")
        message_id = p.integer("message_id")
        self._find(state, message_id, "pin")
        if message_id in state.pinned:
            state.pinned.remove(message_id)
        state.pinned.append(message_id)
        return True

    async def _answer_callback(self, p: Params) -> bool:
        query_id = p.text("callback_query_id")
        if query_id not in self._open_callbacks:
            raise bad_request(QUERY_INVALID)
        text = p.text("text")
        if utf16_len(text) > MAX_CALLBACK_ANSWER:
            raise bad_request("MESSAGE_TOO_LONG")
        self.answered_callbacks.append(
            {
                "callback_query_id": query_id,
                "user_id": self._open_callbacks.pop(query_id),
                "text": text or None,
                "show_alert": p.flag("show_alert"),
                "url": p.text("url") or None,
                "cache_time": p.integer("cache_time"),
            }
        )
        return True

    def _commands_key(self, p: Params) -> tuple[str, str]:
        scope = p.json("scope", "can't parse BotCommandScope JSON object") or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        kind = scope["type"]
        if kind in ("default", "all_private_chats", "all_group_chats", "all_chat_administrators"):
            key = kind
        elif kind in ("chat", "chat_administrators", "chat_member"):
            key = f"{kind}:{self._chat_from(str(scope.get('chat_id', ''))).chat.id}"
            if kind == "chat_member":
                key += f":{int(scope.get('user_id') or 0)}"
        else:
            raise bad_request("can't parse BotCommandScope: Unsupported type specified")
        language = p.text("language_code")
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("invalid language code specified")
        return key, language

    async def _set_my_commands(self, p: Params) -> bool:
        commands = p.json("commands", "can't parse commands JSON object")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        checked = [check_command(item) for item in commands]
        key = self._commands_key(p)
        if checked:
            self.commands[key] = checked
        else:
            self.commands.pop(key, None)
        return True

    async def _get_my_commands(self, p: Params) -> list[JSON]:
        return copy.deepcopy(self.commands.get(self._commands_key(p), []))

    async def _delete_my_commands(self, p: Params) -> bool:
        self.commands.pop(self._commands_key(p), None)
        return True

    def _source_message(self, p: Params, purpose: str) -> tuple[_ChatState, _Stored]:
        target = self._chat_from(p.text("chat_id"))
        source = self._chat_from(p.text("from_chat_id"), "from_chat_id")
        stored = self._find(source, p.integer("message_id"), purpose)
        if not any(key in stored.message for key in _CONTENT_KEYS):  # e.g. service messages
            done = {"forward": "forwarded", "copy": "copied"}[purpose]
            raise bad_request(f"message can't be {done}")
        return target, stored

    async def _forward_message(self, p: Params) -> JSON:
        target, stored = self._source_message(p, "forward")
        original = stored.message
        body = {k: copy.deepcopy(v) for k, v in original.items() if k in _CONTENT_KEYS}
        body["forward_origin"] = copy.deepcopy(original.get("forward_origin")) or {
            "type": "user",
            "sender_user": original["from"],
            "date": original["date"],
        }
        self._check_can_write(target)
        return self._bot_sends(target, body, stored.raw_text, stored.parse_mode)

    async def _copy_message(self, p: Params) -> JSON:
        target, stored = self._source_message(p, "copy")
        body = {k: copy.deepcopy(v) for k, v in stored.message.items() if k in _CONTENT_KEYS}
        raw_text = stored.raw_text
        if "caption" in p.args and "text" not in body:  # a new caption replaces the old one
            caption = self._format(p, "caption", caption=True)
            body.pop("caption", None)
            body.pop("caption_entities", None)
            body.update(self._text_body(caption, caption=True))
            raw_text = p.text("caption") or None
        self._add_extras(p, target, body, parse_reply_markup(p.text("reply_markup")))
        self._check_can_write(target)
        copied = self._bot_sends(target, body, raw_text, stored.parse_mode)
        return {"message_id": copied["message_id"]}

    async def _get_chat(self, p: Params) -> JSON:
        state = self._chat_from(p.text("chat_id"))
        # ChatFullInfo: the fields PTB requires, with the values of an ordinary chat.
        return state.chat.to_dict() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": dict.fromkeys(_GIFT_TYPES, False),
        }

    async def _get_file(self, p: Params) -> JSON:
        stored = self.files.get(p.text("file_id"))
        if stored is None:
            raise bad_request("invalid file_id")
        return stored.to_dict() | {"file_path": stored.file_path}

    # ---------------------------------------------------------------- test-side API: actors

    def private_user(
        self,
        user_id: int,
        first_name: str = "Lan",
        username: str | None = None,
        language_code: str | None = "vi",
    ) -> User:
        """A user; their private chat with the bot exists once they send something."""
        user = User(user_id, first_name, username, language_code)
        self.users[user_id] = user
        return user

    def group(
        self, chat_id: int, title: str, username: str | None = None, bot_status: str = "member"
    ) -> Chat:
        """A group the bot is in (ids <= -100_0000000000 are supergroups)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        if chat_id in self._chats:  # keep its history; only the bot's status changes
            self._chats[chat_id].bot_status = bot_status
            return self._chats[chat_id].chat
        kind = "supergroup" if chat_id <= -1_000_000_000_000 else "group"
        chat = Chat(chat_id, kind, title=title, username=username)
        self._chats[chat_id] = _ChatState(chat, bot_status=bot_status)
        return chat

    def chat(self, chat_id: int) -> Chat:
        """A chat the stand-in knows (a group, or a private chat that has started)."""
        if chat_id not in self._chats:
            raise LookupError(f"unknown chat {chat_id}")
        return self._chats[chat_id].chat

    def block(self, user_id: int) -> None:
        """The user blocked the bot: sends to them fail with 403 (no update is pushed)."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    def fail_next(
        self, method: str, code: int, description: str | None = None, retry_after: int | None = None
    ) -> None:
        """Make the next call of ``method`` fail (queued; one failure per call)."""
        if description is None:
            defaults = {
                400: "Bad Request",
                403: "Forbidden",
                409: "Conflict",
                429: f"Too Many Requests: retry after {retry_after}",
                500: "Internal Server Error",
                502: "Bad Gateway",
            }
            description = defaults.get(code, "Internal Server Error")
        if code == 429 and retry_after is None:
            retry_after = 1
        self._failures.setdefault(method.lower(), []).append(
            ApiError(code, description, retry_after)
        )

    def stall(self, method: str) -> None:
        """Calls of ``method`` hang (the client sees no answer) until ``release()``."""
        self._stalled.add(method.lower())
        self._released.clear()

    def stall_chat(self, chat_id: int) -> None:
        """Calls naming this chat hang (a group the bot may not post to now) until release()."""
        self._stalled_chats.add(str(chat_id))
        self._released.clear()

    def release(self) -> None:
        """Answer the stalled calls and stop stalling."""
        self._stalled.clear()
        self._stalled_chats.clear()
        self._released.set()

    async def wait_stalled(self, count: int, timeout: float = 10.0) -> None:
        """Until at least ``count`` calls are (or were) held by ``stall``."""
        try:
            async with asyncio.timeout(timeout):
                while self.stalled_calls < count:
                    wake = self._changed.waiter()
                    if self.stalled_calls >= count:
                        return
                    await wake.wait()
        except TimeoutError:
            raise AssertionError(
                f"{self.stalled_calls} of {count} calls stalled within {timeout}s"
            ) from None

    def _private_chat(self, user: User) -> _ChatState:
        self.users.setdefault(user.id, user)
        if user.id not in self._chats:
            chat = Chat(
                user.id,
                "private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            )
            self._chats[user.id] = _ChatState(chat)
        return self._chats[user.id]

    def _state_for(self, user: User, chat: Chat | None) -> _ChatState:
        if chat is None or chat.type == "private":
            return self._private_chat(user)
        self.users.setdefault(user.id, user)
        if chat.id not in self._chats:
            raise LookupError(f"unknown chat {chat.id}; create it with api.group()")
        return self._chats[chat.id]

    def _lookup(self, state: _ChatState, ref: JSON | int) -> _Stored:
        message_id = ref if isinstance(ref, int) else int(ref["message_id"])
        stored = state.messages.get(message_id)
        if stored is None or stored.deleted:
            raise LookupError(f"no message {message_id} in chat {state.chat.id}")
        return stored

    async def push_update(self, body: JSON) -> int:
        """Queue a raw update (without update_id); returns the update_id it got."""
        return int(self._enqueue(body)["update_id"])

    async def _user_sends(
        self, user: User, chat: Chat | None, body: JSON, reply_to: JSON | int | None = None
    ) -> JSON:
        state = self._state_for(user, chat)
        if reply_to is not None:
            body["reply_to_message"] = as_reply(self._lookup(state, reply_to).message)
        stored = self._new_message(state, user, body, from_bot=False)
        self._enqueue({"message": stored.message})
        return copy.deepcopy(stored.message)

    async def send_text(
        self, user: User, text: str, chat: Chat | None = None, reply_to: JSON | int | None = None
    ) -> JSON:
        """The user sends ``text`` (private chat unless ``chat``); returns their Message."""
        cleaned = clean_and_trim(text, [])
        if not cleaned.text:
            raise ValueError("Telegram clients cannot send an empty message")
        body: JSON = {"text": cleaned.text}
        entities = sort_entities(find_entities(cleaned.text))
        if entities:
            body["entities"] = entities
        return await self._user_sends(user, chat, body, reply_to)

    async def send_forwarded_text(
        self,
        user: User,
        text: str,
        origin: User | None = None,
        hidden_name: str | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        """The user forwards someone's message (``hidden_name`` for privacy-hidden senders)."""
        date = int(time.time()) - 60
        if hidden_name is not None:
            forward: JSON = {"type": "hidden_user", "sender_user_name": hidden_name, "date": date}
        else:
            sender = (origin or user).to_dict()
            forward = {"type": "user", "sender_user": sender, "date": date}
        return await self._user_sends(user, chat, {"text": text, "forward_origin": forward})

    async def send_photo(
        self,
        user: User,
        caption: str | None = None,
        chat: Chat | None = None,
        data: bytes = b"\xff\xd8\xff\xe0 fake jpeg",
    ) -> JSON:
        stored = self._store_file("photo", data, mime_type="image/jpeg")
        body: JSON = {"photo": self._photo_json(stored, fresh=True)}
        if caption:
            body["caption"] = caption
        return await self._user_sends(user, chat, body)

    async def send_document(
        self,
        user: User,
        file_name: str = "cv.pdf",
        data: bytes = b"%PDF-1.4 fake",
        mime_type: str | None = None,
        caption: str | None = None,
        chat: Chat | None = None,
    ) -> JSON:
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        stored = self._store_file("document", data, file_name, mime_type)
        body: JSON = {"document": self._document_json(stored)}
        if caption:
            body["caption"] = caption
        return await self._user_sends(user, chat, body)

    async def send_voice(
        self, user: User, duration: int = 3, data: bytes = b"OggS fake", chat: Chat | None = None
    ) -> JSON:
        stored = self._store_file("voice", data, mime_type="audio/ogg")
        voice = stored.to_dict() | {"duration": duration, "mime_type": "audio/ogg"}
        return await self._user_sends(user, chat, {"voice": voice})

    async def send_sticker(self, user: User, emoji: str = "👍", chat: Chat | None = None) -> JSON:
        stored = self._store_file("sticker", b"RIFF fake webp", mime_type="image/webp")
        sticker = stored.to_dict() | {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._user_sends(user, chat, {"sticker": sticker})

    async def send_quiz(
        self, user: User, question: str = "2 + 2 = ?", chat: Chat | None = None
    ) -> JSON:
        """The user forwards a quiz poll; the bot cannot copy it (its answer is not known)."""
        options = [
            {"persistent_id": str(i), "text": t, "voter_count": 0} for i, t in enumerate("34")
        ]
        poll = {
            "id": str(next(self._file_numbers)), "question": question, "options": options,
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True, "type": "quiz",
            "allows_multiple_answers": False, "allows_revoting": False, "members_only": False,
        }  # fmt: skip
        return await self._user_sends(user, chat, {"poll": poll})

    async def edit_text(self, user: User, message: JSON, new_text: str) -> JSON:
        """The user edits their own message: pushes an edited_message update."""
        state = self._chats[int(message["chat"]["id"])]
        stored = self._lookup(state, message)
        if stored.from_bot or stored.message["from"]["id"] != user.id:
            raise ValueError("users can only edit their own messages")
        stored.message.pop("entities", None)
        stored.message["text"] = new_text
        entities = sort_entities(find_entities(new_text))
        if entities:
            stored.message["entities"] = entities
        stored.message["edit_date"] = int(time.time())
        self._enqueue({"edited_message": stored.message})
        return copy.deepcopy(stored.message)

    async def press(
        self, user: User, bot_message: JSON, callback_data: str, *, strict: bool = True
    ) -> str:
        """The user presses an inline button; returns the callback query id.

        With ``strict`` the button must be on the message as currently stored, as a real
        client can only press what it shows; pass ``strict=False`` to forge stale data.
        """
        state = self._chats[int(bot_message["chat"]["id"])]
        stored = self._lookup(state, bot_message)
        datas = [b.get("callback_data") for b in inline_buttons(stored.message)]
        if strict and callback_data not in datas:
            raise LookupError(f"no button with callback_data {callback_data!r}; have {datas}")
        query_id = str(next(self._callback_ids))
        self._open_callbacks[query_id] = user.id
        self.users.setdefault(user.id, user)
        self._enqueue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user.to_dict(),
                    "message": stored.message,
                    "chat_instance": f"{abs(state.chat.id)}{self.bot.id}",  # opaque, per chat
                    "data": callback_data,
                }
            }
        )
        return query_id

    async def press_button(self, user: User, bot_message: JSON, text: str) -> str:
        """Press the callback button whose visible text is ``text``."""
        state = self._chats[int(bot_message["chat"]["id"])]
        buttons = inline_buttons(self._lookup(state, bot_message).message)
        for button in buttons:
            if button["text"] == text and "callback_data" in button:
                return await self.press(user, bot_message, button["callback_data"])
        raise LookupError(f"no callback button {text!r}; have {[b['text'] for b in buttons]}")

    async def my_chat_member(
        self, user: User, chat: Chat | None, old_status: str, new_status: str
    ) -> int:
        """Push a my_chat_member update (the bot's status changed) and apply it."""
        state = self._state_for(user, chat)
        if state.chat.type != "private":
            state.bot_status = new_status
        elif new_status == "kicked":  # in a private chat "kicked" means blocked by the user
            self._blocked.add(user.id)
        else:
            self._blocked.discard(user.id)
        return await self.push_update(
            {
                "my_chat_member": {
                    "chat": state.chat.to_dict(),
                    "from": user.to_dict(),
                    "date": int(time.time()),
                    "old_chat_member": chat_member(old_status, self.bot),
                    "new_chat_member": chat_member(new_status, self.bot),
                }
            }
        )

    async def add_bot_to_group(self, user: User, group: Chat, as_admin: bool = False) -> int:
        return await self.my_chat_member(
            user, group, "left", "administrator" if as_admin else "member"
        )

    async def user_blocks_bot(self, user: User) -> int:
        return await self.my_chat_member(user, None, "member", "kicked")

    async def user_unblocks_bot(self, user: User) -> int:
        return await self.my_chat_member(user, None, "kicked", "member")

    # ---------------------------------------------------------------- test-side API: reading

    def sent(self, chat_id: int) -> list[SentMessage]:
        """The bot's messages in the chat, oldest first, as currently stored."""
        state = self._chats.get(chat_id)
        if state is None:
            return []
        return [s.snapshot() for s in state.messages.values() if s.from_bot and not s.deleted]

    def last(self, chat_id: int) -> SentMessage:
        sent = self.sent(chat_id)
        if not sent:
            raise LookupError(f"the bot has sent nothing to chat {chat_id}")
        return sent[-1]

    def history(self, chat_id: int) -> list[SentMessage]:
        """Every live message in the chat, the user's and the bot's."""
        state = self._chats.get(chat_id)
        return [s.snapshot() for s in state.messages.values() if not s.deleted] if state else []

    def pinned(self, chat_id: int) -> list[int]:
        """The ids of the messages pinned in a chat, the latest pin last."""
        return list(self._chats[chat_id].pinned) if chat_id in self._chats else []

    def documents(self, chat_id: int) -> list[tuple[str | None, bytes, str | None]]:
        """(file_name, bytes, caption) of documents the bot sent to the chat."""
        result = []
        for message in self.sent(chat_id):
            if "document" in message:
                stored = self.files[message["document"]["file_id"]]
                result.append((stored.file_name, stored.data or b"", message.get("caption")))
        return result

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[JSON]:
        """Commands set for a scope key ("default", "chat:<id>", ...) and language."""
        return self.commands.get((scope, language_code), [])

    @property
    def polls_started(self) -> int:
        """How many getUpdates calls have begun (``calls`` records a long poll when it ends)."""
        return self._poll_generation

    async def wait_for_poll(self, since: int = 0, timeout: float = 10.0) -> None:
        """Wait until getUpdates call number ``since + 1`` (or a later one) has begun.

        A long poll with nothing to deliver ends only after its timeout (10 s for PTB's
        run_polling), so waiting for it in ``calls`` would wait that long for nothing.
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    wake = self._changed.waiter()
                    if self._poll_generation > since:
                        return
                    await wake.wait()
        except TimeoutError:
            raise AssertionError(f"no getUpdates within {timeout}s; {self._recent()}") from None

    def mark(self, chat_id: int) -> None:
        """Ignore everything the bot sent to the chat so far in wait_for_message."""
        self._marks[chat_id] = len(self._log.get(chat_id, []))

    async def wait_for(
        self, predicate: Callable[[Call], bool], timeout: float = 10.0, since: int = 0
    ) -> Call:
        """The first call (index >= since) matching predicate, waiting for it if needed."""
        checked = since
        try:
            async with asyncio.timeout(timeout):
                while True:
                    wake = self._changed.waiter()
                    for call in self.calls[checked:]:
                        if predicate(call):
                            return call
                    checked = len(self.calls)
                    await wake.wait()
        except TimeoutError:
            raise AssertionError(f"no matching call within {timeout}s; {self._recent()}") from None

    async def wait_for_message(
        self, chat_id: int, count: int = 1, timeout: float = 10.0
    ) -> list[SentMessage]:
        """The next ``count`` messages/edits the bot made in the chat after the mark.

        Consumes them: the mark moves past what is returned, so consecutive calls walk
        through the conversation. Edits come as snapshots carrying ``edit_date``.
        """
        try:
            async with asyncio.timeout(timeout):
                while True:
                    wake = self._chat_changed.setdefault(chat_id, _Signal()).waiter()
                    log, start = self._log.get(chat_id, []), self._marks.get(chat_id, 0)
                    if len(log) - start >= count:
                        self._marks[chat_id] = start + count
                        return log[start : start + count]
                    await wake.wait()
        except TimeoutError:
            got = len(self._log.get(chat_id, [])) - self._marks.get(chat_id, 0)
            raise AssertionError(
                f"bot sent {got} of {count} messages to chat {chat_id} within {timeout}s; "
                f"{self._recent()}"
            ) from None

    async def next_message(self, chat_id: int, timeout: float = 10.0) -> SentMessage:
        return (await self.wait_for_message(chat_id, 1, timeout))[0]

    async def wait_idle(self, quiet: float = 0.2, timeout: float = 10.0) -> None:
        """Wait until every update is taken and the bot made no call for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        give_up = loop.time() + timeout
        quiet_since, seen = loop.time(), self._busy_calls
        while True:
            wake = self._changed.waiter()
            if self._busy_calls != seen:
                quiet_since, seen = loop.time(), self._busy_calls
            now = loop.time()
            if now >= quiet_since + quiet and not self._pending:
                return
            if now >= give_up:
                raise AssertionError(f"bot not idle within {timeout}s; {self._recent()}")
            wait = min(max(quiet_since + quiet - now, 0.01), give_up - now)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), wait)

    def _recent(self) -> str:
        recent = [c for c in self.calls if c.method != "getUpdates"][-5:]
        shown = [f"{c.method} -> {'ok' if c.ok else c.description}" for c in recent]
        return f"last calls: {shown}, pending updates: {len(self._pending)}"


def _update_type(update: JSON) -> str:
    return next(key for key in update if key != "update_id")


async def _serve(args: argparse.Namespace) -> None:
    api = FakeBotAPI(args.token, args.bot_id, args.bot_username)
    await api.start(args.host, args.port)
    print(api.base_url, flush=True)  # first line of stdout: what the bot subprocess needs
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopped.set)
    try:
        await stopped.wait()
    finally:
        await api.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the fake Telegram Bot API server.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081, help="0 picks a free port")
    parser.add_argument("--token", default="123456:TEST-TOKEN")
    parser.add_argument("--bot-id", type=int, default=None, help="defaults to the token's prefix")
    parser.add_argument("--bot-username", default="careerbot_test_bot")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
