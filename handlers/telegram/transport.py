"""How the bot talks HTTP to the Bot API: aiohttp, with JSON bodies.

python-telegram-bot's own HTTPXRequest is the costliest part of answering a message. Measured
against the local stand-in with 32 sends in flight (one ~1 KB answer with six buttons each):
2.5 ms of CPU per send with HTTPXRequest, 0.45 ms with this class. Two causes: httpx form-encodes
every call, percent-encoding each UTF-8 byte of a Vietnamese text in Python; and httpcore's
pool re-checks every pooled connection with system calls on each request and response. aiohttp's
connector does neither, and the Bot API takes the same call as one JSON object. Uploads
(exports, charts, /dulieucuatoi) go as multipart forms, as python-telegram-bot sends them.

python-telegram-bot documents BaseRequest as the place to plug in another HTTP library; this
class is only that adapter: it returns (status, body) and leaves error parsing to BaseRequest.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue  # what BaseRequest passes for "not set"
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_TYPE = "application/json"


class AiohttpRequest(BaseRequest):
    """A BaseRequest over one aiohttp ClientSession. The timeouts mean what they mean for
    HTTPXRequest (same defaults) except `write_timeout`: aiohttp has no such limit, so slow
    uploads are bounded by the read timeout of their answer instead."""

    __slots__ = ("_connections", "_proxies", "_session", "_timeouts")

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 connect_timeout: float | None = 5.0, pool_timeout: float | None = 1.0
                 ) -> None:
        self._connections = connection_pool_size
        self._timeouts = {"read": read_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}  # per scheme://host

    @property
    def read_timeout(self) -> float | None:
        return self._timeouts["read"]

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            # No trust_env: with it aiohttp reads ~/.netrc and the proxy variables in a
            # thread on every request (a tenth of the bot's CPU); _proxy reads them once.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        read = self._given(read_timeout, "read")
        connect = self._given(connect_timeout, "connect")
        pool = self._given(pool_timeout, "pool")
        # aiohttp's `connect` covers waiting for a pooled connection and opening one.
        timeout = aiohttp.ClientTimeout(
            total=None, sock_read=read, sock_connect=connect,
            connect=None if pool is None or connect is None else pool + connect)
        body: bytes | aiohttp.FormData | None = None
        headers = {}
        if request_data is not None and request_data.contains_files:
            body = _multipart(request_data)
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False,
                              separators=(",", ":")).encode()
            headers["Content-Type"] = JSON_TYPE
        try:
            async with self._session.request(method, url, data=body, headers=headers,
                                             timeout=timeout,
                                             proxy=self._proxy(url)) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutError subclasses
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _proxy(self, url: str) -> str | None:
        """The proxy an office sets for this host (HTTPS_PROXY, NO_PROXY...), read once."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}"
        if key not in self._proxies:
            bypass = urllib.request.proxy_bypass(parts.hostname or "")
            self._proxies[key] = None if bypass else \
                urllib.request.getproxies_environment().get(parts.scheme)
        return self._proxies[key]

    def _given(self, value: ODVInput[float], name: str) -> float | None:
        """A timeout the caller passed, or this request's default for it."""
        return self._timeouts[name] if isinstance(value, DefaultValue) else value


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """The call as python-telegram-bot would post it with files: JSON-encoded fields + parts."""
    form = aiohttp.FormData(quote_fields=False)
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename, content_type=mime_type)
    return form
