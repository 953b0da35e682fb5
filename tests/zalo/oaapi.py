"""A local stand-in for Zalo's Official Account API, for end-to-end tests of handlers/zalo.

Two aiohttp servers on 127.0.0.1, as Zalo has two hosts: the OpenAPI host (``api.base_url``,
for ZALO_API_BASE_URL) and the OAuth host (``api.oauth_base_url``, for ZALO_OAUTH_BASE_URL).
Tests read what careerbot sent (``sent``, ``requests``, ``refreshes``), inject failures
(``fail_next``, ``stall_next``, ``delay_next``, ``error_next``, ``expire_access_tokens``),
move the clock (``FakeClock``) and push signed webhook events to careerbot (``send_event``).

Behaviour implemented, from Zalo's public documentation: developers.zalo.me ("Gửi tin Tư vấn",
"Webhook", "Xác thực và ủy quyền cho ứng dụng", the OA API error table) as quoted by public
SDKs, integration guides and OA tools (the developer pages themselves could not be opened
where this was written), and Zalo's OA help centre (zalooa.freshdesk.com, "Các loại tin của
Zalo Official Account") for the 48-hour, 8-message rule. Where those sources differ or are
silent, the choice is said below.

- ``POST /v3.0/oa/message/cs`` (Message API v3, consultation message): header ``access_token``;
  JSON ``{"recipient": {"user_id"} or {"message_id"}, "message": {"text", "attachment"?}}``
  (``message_id``: a message the person sent, answered by this one; Zalo's help centre counts
  only such a message as a free reply, one with only ``user_id`` as a proactive one: the
  stand-in records which in ``Sent.reply_to`` and refuses a message_id it never delivered with
  -201; both kinds count against the window alike); the attachment is
  ``{"type": "template", "payload": {"buttons": [...]}}`` with at most 5 buttons, each
  ``{"title" (<= 100 chars), "type", "payload"}``; ``oa.query.hide`` / ``oa.query.show``
  carry a string payload (<= 1,000 chars), ``oa.open.url`` ``{"url"}``. Text <= 2,000 chars.
  Success: HTTP 200 ``{"error": 0, "message": "Success", "data": {"message_id", "user_id",
  "quota": {"quota_type": "reply", "remain"}}}``. Errors are HTTP 200 with ``error`` != 0:
  -216 access token invalid (unknown or missing), -220 access token expired or removed,
  -201 a parameter is invalid, -210 a parameter exceeds its limit, -213 the person does not
  follow the OA, -232 the person never interacted with the OA, -230 no interaction in 7 days,
  -211 out of quota (this OA has no paid quota: the 9th message since the person last wrote,
  or any message 48 hours after it, is a paid "proactive" message and fails).
- The reply window: 8 free replies within 48 hours of the person's last message; every new
  message from the person (``user_send_*``) resets it. ``follow`` is no message.
- ``POST /v4/oa/access_token`` (OAuth v4, refresh): header ``secret_key`` (the app's secret);
  form ``app_id``, ``grant_type=refresh_token``, ``refresh_token``. Refresh tokens are
  single-use: the answer ``{"access_token", "refresh_token", "expires_in": "90000"}`` (seconds,
  as a string, as Zalo sends it) carries a new one and the old one is refused from then on with
  ``{"error": -14014, "error_name": "Invalid parameter", "error_reason": "Invalid refresh
  token", ...}``. A wrong ``secret_key`` or ``app_id`` gives an -14002/-14003 style error
  (Zalo's exact codes for those are not documented publicly; careerbot treats all as refused).
- Webhook events, ``send_event``: JSON bodies as Zalo documents them (``app_id``,
  ``user_id_by_app``, ``event_name``, ``timestamp`` in milliseconds as a string, ``sender``,
  ``recipient``, ``message`` with ``msg_id`` and ``text`` or ``attachments``; ``follower`` and
  ``oa_id`` for follow/unfollow), signed with ``X-ZEvent-Signature: mac=<sha256 hex of app_id +
  raw body + timestamp + OA secret key>``.

Choices where the sources are thin: the 100-character title limit is documented for buttons
of promotion messages and assumed for consultation ones; -213 is answered only after an
``unfollow`` (people may write to an OA without following it); a location arrives as an
attachment with ``coordinates``, one of the two shapes public examples show.

Not emulated: other endpoints (upload, user info, broadcast, ZNS), the authorization-code grant,
paid quota, Zalo's rate limit (inject -32 with ``error_next``) and webhook retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import itertools
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, ClientTimeout, web

APP_ID = "1234567890123456789"
APP_SECRET = "AppSecretKey_0123456789"
OA_SECRET = "OaSecretKey_9876543210"
OA_ID = "579745863508352884"
ACCESS_LIFETIME = 90000  # seconds (25 hours), as Zalo documents
WINDOW_SECONDS = 48 * 3600
SEVEN_DAYS = 7 * 24 * 3600
FREE_REPLIES = 8
MAX_TEXT = 2000
MAX_BUTTONS = 5
MAX_TITLE = 100
MAX_PAYLOAD = 1000
BUTTON_TYPES = frozenset({"oa.query.hide", "oa.query.show", "oa.open.url", "oa.open.phone",
                          "oa.open.sms"})
USER_EVENTS = frozenset({"user_send_text", "user_send_image", "user_send_sticker",
                         "user_send_file", "user_send_location", "user_send_gif",
                         "user_send_audio", "user_send_video", "user_send_link"})


class FakeClock:
    """Wall-clock seconds that tests move by hand; shared by the stand-in and careerbot."""

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Sent:
    """A message Zalo accepted, as the person would see it."""

    user_id: str
    text: str | None
    buttons: list[dict[str, Any]]
    message_id: str
    at: float
    reply_to: str | None = None  # the person's message it named (recipient.message_id)


@dataclass
class Request:
    """Any call careerbot made, as received (tokens included: tests check them)."""

    host: str  # "api" | "oauth"
    path: str
    headers: dict[str, str]
    body: Any
    answer: Any = None
    status: int = 200


@dataclass
class _Person:
    followed: bool | None = None  # None: no follow event seen (people may write unfollowed)
    last_message_at: float | None = None
    replies_since: int = 0


@dataclass
class _Injected:
    status: list[int] = field(default_factory=list)  # HTTP statuses to answer with, in order
    stall: list[float] = field(default_factory=list)  # seconds to wait, then 504 unprocessed
    error: list[int] = field(default_factory=list)  # Zalo error codes to answer with
    delay: list[float] = field(default_factory=list)  # seconds to wait, then process


def _error(code: int, message: str) -> dict[str, Any]:
    return {"error": code, "message": message}


class FakeZaloOA:
    def __init__(self, *, app_id: str = APP_ID, app_secret: str = APP_SECRET,
                 oa_secret: str = OA_SECRET, oa_id: str = OA_ID,
                 clock: Callable[[], float] | None = None) -> None:
        self.app_id, self.app_secret, self.oa_secret, self.oa_id = (
            app_id, app_secret, oa_secret, oa_id)
        self.clock: Callable[[], float] = clock or time.time
        self.sent: list[Sent] = []
        self.requests: list[Request] = []
        self.refreshes = 0  # successful refreshes
        self.people: dict[str, _Person] = {}
        self._access: dict[str, float] = {}  # access token -> expires at
        self._refresh_valid: set[str] = set()
        self._refresh_used: set[str] = set()
        self._injected = {"api": _Injected(), "oauth": _Injected()}
        self._msg_ids = itertools.count(1)
        self._incoming: dict[str, str] = {}  # msg_id of a person's message -> their user id
        self._runners: list[web.AppRunner] = []
        self._session: ClientSession | None = None
        self.on_request: Callable[[Request], None] | None = None  # called as each call arrives
        self.base_url = ""
        self.oauth_base_url = ""
        # The pair an operator copies from developers.zalo.me after authorising the app.
        self.access_token, self.refresh_token = self.issue_pair()

    # --- lifecycle ------------------------------------------------------------------------
    async def start(self) -> None:
        api = web.Application()
        api.router.add_post("/v3.0/oa/message/cs", self._handle_message)
        oauth = web.Application()
        oauth.router.add_post("/v4/oa/access_token", self._handle_token)
        urls = []
        for app in (api, oauth):
            runner = web.AppRunner(app, access_log=None, handler_cancellation=True,
                                   shutdown_timeout=0.5)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", 0).start()
            self._runners.append(runner)
            urls.append(f"http://127.0.0.1:{runner.addresses[0][1]}")
        self.base_url, self.oauth_base_url = urls
        self._session = ClientSession(timeout=ClientTimeout(total=10))

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        for runner in self._runners:
            await runner.cleanup()

    async def __aenter__(self) -> FakeZaloOA:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # --- test-side controls ---------------------------------------------------------------
    def issue_pair(self) -> tuple[str, str]:
        access, refresh = secrets.token_urlsafe(48), secrets.token_urlsafe(48)
        self._access[access] = self.clock() + ACCESS_LIFETIME
        self._refresh_valid.add(refresh)
        return access, refresh

    def expire_access_tokens(self) -> None:
        """Every access token issued so far is past its 25 hours (Zalo answers -220)."""
        for token in self._access:
            self._access[token] = self.clock() - 1

    def revoke_access_tokens(self) -> None:
        """Every access token issued so far is unknown (Zalo answers -216)."""
        self._access.clear()

    def fail_next(self, status: int = 500, count: int = 1, host: str = "api") -> None:
        self._injected[host].status.extend([status] * count)

    def stall_next(self, seconds: float, count: int = 1, host: str = "api") -> None:
        """The next calls hang for `seconds`, then fail with 504 without being processed."""
        self._injected[host].stall.extend([seconds] * count)

    def delay_next(self, seconds: float, count: int = 1, host: str = "api") -> None:
        """The next calls are processed normally, `seconds` late (a slow Zalo)."""
        self._injected[host].delay.extend([seconds] * count)

    def error_next(self, code: int, count: int = 1) -> None:
        self._injected["api"].error.extend([code] * count)

    def follow(self, user_id: str) -> None:
        self.people.setdefault(user_id, _Person()).followed = True

    def person_wrote(self, user_id: str, at: float | None = None) -> None:
        person = self.people.setdefault(user_id, _Person())
        person.last_message_at = self.clock() if at is None else at
        person.replies_since = 0

    def message_calls(self) -> list[Request]:
        return [r for r in self.requests if r.host == "api"]

    def recipient(self, body: Any) -> str | None:
        """The user a message call is for, whether it names them or their message."""
        recipient = body.get("recipient") if isinstance(body, dict) else None
        if not isinstance(recipient, dict):
            return None
        if isinstance(recipient.get("message_id"), str):
            return self._incoming.get(recipient["message_id"])
        user_id = recipient.get("user_id")
        return user_id if isinstance(user_id, str) and user_id else None

    def texts_to(self, user_id: str) -> list[str | None]:
        return [m.text for m in self.sent if m.user_id == user_id]

    # --- webhook events -------------------------------------------------------------------
    def event(self, event_name: str, user_id: str, *, text: str | None = None,
              msg_id: str | None = None, timestamp_ms: int | None = None) -> dict[str, Any]:
        """An event body as Zalo sends it to the OA's webhook."""
        stamp = str(int(self.clock() * 1000) if timestamp_ms is None else timestamp_ms)
        body: dict[str, Any] = {"app_id": self.app_id, "user_id_by_app": f"app{user_id}",
                                "event_name": event_name, "timestamp": stamp}
        if event_name in ("follow", "unfollow"):
            body.update({"oa_id": self.oa_id, "source": "oa_profile",
                         "follower": {"id": user_id}})
            return body
        body.update({"sender": {"id": user_id}, "recipient": {"id": self.oa_id}})
        message: dict[str, Any] = {"msg_id": msg_id or secrets.token_hex(16)}
        if event_name == "user_send_text":
            message["text"] = text or ""
        elif event_name == "user_send_image":
            message["attachments"] = [{"type": "image", "payload": {
                "thumbnail": "https://photo.zalo.me/thumb.jpg",
                "url": "https://photo.zalo.me/photo.jpg"}}]
            if text:
                message["text"] = text
        elif event_name == "user_send_sticker":
            message["attachments"] = [{"type": "sticker", "payload": {
                "id": "bfe458bf64fa8da4d4eb", "url": "https://zalo-api.zadn.vn/sticker.png"}}]
        elif event_name == "user_send_file":
            message["attachments"] = [{"type": "file", "payload": {
                "url": "https://f.zalo.me/file.pdf", "size": "34816", "name": "hoso.pdf",
                "checksum": "f3c0e0d5a1b2", "type": "pdf"}}]
        elif event_name == "user_send_location":
            message["attachments"] = [{"type": "location", "payload": {
                "coordinates": {"latitude": "10.5359", "longitude": "106.4137"}}}]
        body["message"] = message
        return body

    def sign(self, raw: bytes, timestamp: str, *, secret: str | None = None) -> str:
        key = self.oa_secret if secret is None else secret
        digest = hashlib.sha256(self.app_id.encode() + raw + timestamp.encode() + key.encode())
        return "mac=" + digest.hexdigest()

    async def send_event(self, url: str, event: dict[str, Any], *, signature: str | None = "",
                         raw: bytes | None = None, secret: str | None = None
                         ) -> tuple[int, str]:
        """POST an event to careerbot's webhook as Zalo does. `signature` "" signs it right,
        None sends no signature header, any other string is sent as it is; `secret` signs with
        a wrong key. A person's message opens their reply window, whatever careerbot answers."""
        if self._session is None:
            raise RuntimeError("start the stand-in first")
        body = raw if raw is not None else json.dumps(event, ensure_ascii=False).encode()
        if event.get("event_name") in USER_EVENTS:
            sender = event.get("sender", {}).get("id")
            if isinstance(sender, str):
                self.person_wrote(sender, int(event["timestamp"]) / 1000)
                msg_id = event.get("message", {}).get("msg_id")
                if isinstance(msg_id, str):
                    self._incoming[msg_id] = sender
        elif event.get("event_name") == "follow":
            self.follow(event["follower"]["id"])
        elif event.get("event_name") == "unfollow":
            self.people.setdefault(event["follower"]["id"], _Person()).followed = False
        headers = {"Content-Type": "application/json"}
        if signature == "":
            headers["X-ZEvent-Signature"] = self.sign(body, str(event.get("timestamp", "")),
                                                      secret=secret)
        elif signature is not None:
            headers["X-ZEvent-Signature"] = signature
        async with self._session.post(url, data=body, headers=headers) as response:
            return response.status, await response.text()

    # --- the servers ----------------------------------------------------------------------
    async def _injected_answer(self, host: str) -> web.Response | None:
        injected = self._injected[host]
        if injected.delay:
            await asyncio.sleep(injected.delay.pop(0))
        if injected.stall:
            await asyncio.sleep(injected.stall.pop(0))
            return web.Response(status=504, text="Gateway Timeout")
        if injected.status:
            status = injected.status.pop(0)
            return web.Response(status=status, text=f"HTTP {status}")
        return None

    async def _handle_message(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode(errors="replace")
        return await self._answer("api", request, body, lambda: self._message(
            request.headers.get("access_token"), body))

    async def _answer(self, host: str, request: web.Request, body: Any,
                      answer: Callable[[], dict[str, Any]]) -> web.Response:
        """Record the call, apply what was injected, else answer as Zalo would."""
        record = Request(host, request.path, dict(request.headers), body)
        self.requests.append(record)
        if self.on_request is not None:
            self.on_request(record)
        injected = await self._injected_answer(host)
        if injected is not None:
            record.status = injected.status
            return injected
        record.answer = answer()
        return web.json_response(record.answer)

    def _message(self, token: str | None, body: Any) -> dict[str, Any]:
        if token is None or token not in self._access:
            return _error(-216, "Access token is invalid")
        if self._access[token] <= self.clock():
            return _error(-220, "access_token is expired or removed")
        if self._injected["api"].error:
            code = self._injected["api"].error.pop(0)
            return _error(code, "Injected error")
        if not isinstance(body, dict) or not isinstance(body.get("recipient"), dict) \
                or not isinstance(body.get("message"), dict):
            return _error(-201, "body is invalid!")
        reply_to = body["recipient"].get("message_id")
        if reply_to is not None and (not isinstance(reply_to, str)
                                     or reply_to not in self._incoming):
            return _error(-201, "message_id is invalid!")
        user_id = self.recipient(body)
        if not isinstance(user_id, str) or not user_id:
            return _error(-201, "user_id is invalid!")
        checked = self._check_message(body["message"])
        if isinstance(checked, dict):
            return checked
        text, buttons = checked
        person = self.people.get(user_id)
        if person is not None and person.followed is False:
            return _error(-213, "User has not followed OA")
        if person is None or person.last_message_at is None:
            return _error(-232, "User has not interacted with the OA")
        age = self.clock() - person.last_message_at
        if age > SEVEN_DAYS:
            return _error(-230, "User has not interacted with the OA in the past 7 days")
        if age > WINDOW_SECONDS or person.replies_since >= FREE_REPLIES:
            return _error(-211, "Out of quota")
        person.replies_since += 1
        message_id = f"{next(self._msg_ids):08x}{secrets.token_hex(12)}"
        self.sent.append(Sent(user_id, text, buttons, message_id, self.clock(), reply_to))
        return {"error": 0, "message": "Success", "data": {
            "message_id": message_id, "user_id": user_id,
            "quota": {"quota_type": "reply", "remain": str(FREE_REPLIES - person.replies_since),
                      "total": str(FREE_REPLIES), "owner_type": "OA", "owner_id": self.oa_id}}}

    @staticmethod
    def _check_message(message: dict[str, Any]
                       ) -> tuple[str | None, list[dict[str, Any]]] | dict[str, Any]:
        text = message.get("text")
        if text is not None and (not isinstance(text, str) or not text.strip()):
            return _error(-201, "text is invalid!")
        if isinstance(text, str) and len(text) > MAX_TEXT:
            return _error(-210, "Parameter exceeds allowable limit: text")
        attachment = message.get("attachment")
        if attachment is None:
            return (text, []) if text else _error(-201, "message is invalid!")
        payload = attachment.get("payload") if isinstance(attachment, dict) else None
        if not isinstance(attachment, dict) or attachment.get("type") != "template" \
                or not isinstance(payload, dict):
            return _error(-201, "attachment is invalid!")
        buttons = payload.get("buttons")
        if not isinstance(buttons, list) or not buttons:
            return _error(-201, "buttons is invalid!")
        if len(buttons) > MAX_BUTTONS:
            return _error(-210, "Parameter exceeds allowable limit: buttons")
        for button in buttons:
            if not isinstance(button, dict) or button.get("type") not in BUTTON_TYPES \
                    or not isinstance(button.get("title"), str) or not button["title"].strip():
                return _error(-201, "button is invalid!")
            if len(button["title"]) > MAX_TITLE:
                return _error(-210, "Parameter exceeds allowable limit: title")
            if button["type"].startswith("oa.query."):
                if not isinstance(button.get("payload"), str) or not button["payload"]:
                    return _error(-201, "button payload is invalid!")
                if len(button["payload"]) > MAX_PAYLOAD:
                    return _error(-210, "Parameter exceeds allowable limit: payload")
        return text, buttons

    async def _handle_token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        return await self._answer("oauth", request, form, lambda: self._refresh(
            request.headers.get("secret_key"), form))

    def _refresh(self, secret_key: str | None, form: dict[str, Any]) -> dict[str, Any]:
        def refused(code: int, reason: str) -> dict[str, Any]:
            return {"error": code, "error_name": "Invalid parameter", "error_reason": reason,
                    "error_description": reason,
                    "ref_doc": "https://developers.zalo.me/docs/official-account/bat-dau/"
                               "xac-thuc-va-uy-quyen-cho-ung-dung-new"}

        if form.get("app_id") != self.app_id:
            return refused(-14002, "Invalid app_id")
        if secret_key != self.app_secret:
            return refused(-14003, "Invalid secret_key")
        if form.get("grant_type") != "refresh_token":
            return refused(-14003, "Invalid grant_type")
        token = form.get("refresh_token")
        if not isinstance(token, str) or token not in self._refresh_valid:
            return refused(-14014, "Invalid refresh token")
        self._refresh_valid.discard(token)  # single-use
        self._refresh_used.add(token)
        access, refresh = self.issue_pair()
        self.refreshes += 1
        return {"access_token": access, "refresh_token": refresh,
                "expires_in": str(ACCESS_LIFETIME)}


@contextlib.asynccontextmanager
async def serve(handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                path: str = "/zalo/webhook") -> AsyncIterator[str]:
    """A receiver on 127.0.0.1 for `send_event` (until careerbot serves the webhook itself);
    yields its URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}{path}"
    finally:
        await runner.cleanup()
