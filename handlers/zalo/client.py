"""Sending to a person through Zalo's OA Message API v3 ("tin tư vấn").

``POST {api}/v3.0/oa/message/cs`` with the access token in the ``access_token`` header and
``{"recipient": {"user_id": ...}, "message": {...}}``, or ``{"recipient": {"message_id": ...}}``
naming the person's message when it answers one: Zalo's OA help centre (zalooa.freshdesk.com,
"Các loại tin của Zalo Official Account") says a message sent through the Open API counts as a
free reply ("tin phản hồi") only when it carries the ``message_id``, and with only the
``user_id`` as a paid proactive one ("tin chủ động"). Zalo answers
``{"error": 0, "message": "Success", "data": {"message_id": ...}}``, and any other ``error`` is a
failure even with HTTP 200. Limits (Zalo's documentation of the message and its buttons): a text
of at most 2,000 characters; buttons as a template attachment beside the text, at most 5, each a
title of at most 100 characters and, for ``oa.query.hide``, a payload of at most 1,000
characters that Zalo sends back as the person's own (hidden) text message when tapped.

One reply may be several Zalo messages (a long text is split). Each is sent once: an invalid or
expired access token (-216, -220) triggers one refresh and one retry of that message; HTTP 5xx,
Zalo's rate limit (-32), a timeout or a refused connection are retried with backoff; any other
error stops the reply there, and what was not sent is returned as undelivered, never re-sent
from the start. Zalo has no idempotency key, so a request that timed out after Zalo had
accepted it would arrive twice: the timeout is the one case a retry cannot rule out.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from bot import messages
from bot.channels import Account
from handlers.zalo.tokens import TokenError, TokenKeeper
from handlers.zalo.window import WindowBook

log = logging.getLogger(__name__)
SEND_PATH = "/v3.0/oa/message/cs"
TEXT_LIMIT = 2000
MAX_BUTTONS = 5
TITLE_LIMIT = 100
PAYLOAD_LIMIT = 1000
PAYLOAD_PREFIX = "#cb:"  # marks a button's payload among the texts people type
TOKEN_ERRORS = frozenset({-216, -220})  # access token invalid / expired or removed
RETRY_ERRORS = frozenset({-32})  # the app reached its call limit: later may work
# Zalo refusing for its messaging rules, named like window.Verdict reasons.
RULE_ERRORS = {-230: "expired", -232: "no_contact", -211: "used_up"}

Message = dict[str, Any]


@dataclass(frozen=True)
class Button:
    """A button: its title, and the Intent string (the caller's encoding) a tap gives back."""

    title: str
    intent: str


@dataclass
class Delivery:
    """What became of one reply."""

    message_ids: list[str] = field(default_factory=list)
    undelivered: list[Message] = field(default_factory=list)  # not sent, in order
    reason: str | None = None  # why the rest was not sent (window:..., zalo:<code>, ...)
    numbered: tuple[str, ...] = ()  # a numbered menu's intents: the person types 1..n

    @property
    def delivered(self) -> bool:
        return not self.undelivered


def encode_payload(intent: str) -> str:
    payload = PAYLOAD_PREFIX + intent
    if not intent or len(payload) > PAYLOAD_LIMIT:
        raise ValueError(f"a button's intent must be 1–{PAYLOAD_LIMIT - len(PAYLOAD_PREFIX)} "
                         "characters")
    return payload


def decode_payload(text: str) -> str | None:
    """The intent of a tapped button (Zalo sends its payload as text), or None for typed text."""
    if text.startswith(PAYLOAD_PREFIX) and len(text) > len(PAYLOAD_PREFIX):
        return text[len(PAYLOAD_PREFIX):]
    return None


def _cut(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_LIMIT else title[: TITLE_LIMIT - 1] + "…"


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, a line or a space if one lies
    in the second half of the piece, else mid-word."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = rest.rfind(separator, limit // 2, limit)
            if cut > 0:
                break
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def plan(text: str, buttons: Sequence[Button] = ()) -> tuple[list[Message], tuple[str, ...]]:
    """The Zalo messages for one reply, and the intents of a numbered menu (if the buttons were
    too many for one message)."""
    numbered: tuple[str, ...] = ()
    if len(buttons) > MAX_BUTTONS:
        numbered = tuple(b.intent for b in buttons)
        lines = [messages.ZALO_NUMBERED_HINT.format(count=len(buttons))]
        lines += [f"{i}. {_cut(b.title)}" for i, b in enumerate(buttons, start=1)]
        text = f"{text.rstrip()}\n\n" + "\n".join(lines)
        buttons = ()
    pieces = split_text(text)
    if not pieces:
        raise ValueError("nothing to send: the text is empty")
    out: list[Message] = [{"text": piece} for piece in pieces]
    if buttons:
        out[-1]["attachment"] = {"type": "template", "payload": {"buttons": [
            {"title": _cut(b.title), "type": "oa.query.hide", "payload": encode_payload(b.intent)}
            for b in buttons]}}
    return out, numbered


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ZaloClient:
    def __init__(self, session: aiohttp.ClientSession, tokens: TokenKeeper, *,
                 api_base_url: str, window: WindowBook | None = None, attempts: int = 4,
                 backoff: float = 0.5, timeout: float = 10.0) -> None:
        self._session = session
        self._tokens = tokens
        self._url = api_base_url.rstrip("/") + SEND_PATH
        self._window = window
        self._attempts = max(1, attempts)
        self._backoff = backoff
        self._timeout = aiohttp.ClientTimeout(total=timeout)

    async def send_text(self, to: Account, text: str) -> Delivery:
        return await self.send(to, text)

    async def send_buttons(self, to: Account, text: str, buttons: Sequence[Button]
                           ) -> Delivery:
        return await self.send(to, text, buttons)

    async def send(self, to: Account, text: str, buttons: Sequence[Button] = (), *,
                   reply_to: str | None = None) -> Delivery:
        """Send one reply to a person on Zalo (`to.external_id` is their Zalo user id; their
        window is kept under `to.user_id`); `reply_to`: the Zalo msg_id of the person's message
        this answers, which Zalo then addresses (a free reply), else their user id."""
        planned, numbered = plan(text, buttons)
        delivery = Delivery(numbered=numbered)
        for index, message in enumerate(planned):
            try:
                await self._allowed(to.user_id)
                delivery.message_ids.append(await self._send_one(
                    {"message_id": reply_to} if reply_to else {"user_id": to.external_id},
                    message))
            except _Stop as stop:
                delivery.undelivered = planned[index:]
                delivery.reason = stop.reason
                log.warning("zalo reply not delivered (%d of %d messages left): %s",
                            len(planned) - index, len(planned), stop.reason)
                break
            if self._window is not None:
                await self._window.note_sent(to.user_id)
        return delivery

    async def _allowed(self, user_id: int) -> None:
        if self._window is None:
            return
        verdict = await self._window.verdict(user_id)
        if not verdict.allowed:
            raise _Stop(f"window:{verdict.reason}")

    async def _send_one(self, recipient: dict[str, str], message: Message) -> str:
        body = json.dumps({"recipient": recipient, "message": message},
                          ensure_ascii=False).encode()
        token = await self._token(None)
        refreshed = False
        failures = 0
        while True:
            data = await self._post(token, body)
            code = data.get("error") if data is not None else None
            if code == 0 and data is not None:
                result = data.get("data")
                message_id = result.get("message_id") if isinstance(result, dict) else None
                return str(message_id or "")
            if code in TOKEN_ERRORS and not refreshed:
                refreshed = True
                token = await self._token(token)
                continue
            if data is not None and code not in RETRY_ERRORS:
                rule = RULE_ERRORS.get(code) if isinstance(code, int) else None
                raise _Stop(f"window:{rule}" if rule else f"zalo:{code}")
            failures += 1
            if failures >= self._attempts:
                raise _Stop("unreachable" if data is None else f"zalo:{code}")
            await asyncio.sleep(self._backoff * 2 ** (failures - 1))

    async def _token(self, stale: str | None) -> str:
        try:
            if stale is None:
                return await self._tokens.access_token()
            return await self._tokens.refresh(stale=stale)
        except TokenError:
            raise _Stop("token") from None

    async def _post(self, token: str, body: bytes) -> dict[str, Any] | None:
        """Zalo's JSON answer, or None when it is worth trying again (5xx, timeout,
        no connection). A 4xx without JSON stops the reply."""
        headers = {"access_token": token, "Content-Type": "application/json"}
        try:
            async with self._session.post(self._url, data=body, headers=headers,
                                          timeout=self._timeout) as response:
                if response.status >= 500:
                    return None
                text = await response.text()
                status = response.status
        except (TimeoutError, aiohttp.ClientError):
            return None
        try:
            data = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise _Stop(f"http:{status}")
        return data
