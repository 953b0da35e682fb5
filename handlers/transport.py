"""How the bot talks HTTP to the Bot API: JSON bodies instead of form encoding.

python-telegram-bot's HTTPXRequest posts every call as application/x-www-form-urlencoded:
each nested value (the inline keyboard) is JSON-encoded first, then the whole form is
percent-encoded byte by byte in pure Python, which for a Vietnamese answer of ~1 KB (every
accented letter is 2-3 UTF-8 bytes, each becoming %XX) is the costliest step of sending it.
The Bot API accepts the same call as one JSON object, which json.dumps writes in C and which
is a third of the size on the wire. Uploads (exports, charts) still go as multipart.
"""

from __future__ import annotations

import json

import httpx
from telegram._utils.defaultvalue import DefaultValue  # what HTTPXRequest tests for, too
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

JSON_HEADERS = {"User-Agent": HTTPXRequest.USER_AGENT,
                "Content-Type": "application/json; charset=utf-8"}


class JsonBodyRequest(HTTPXRequest):
    """HTTPXRequest that sends calls without files as a UTF-8 JSON body."""

    __slots__ = ()

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
        if request_data is None or request_data.contains_files:
            return await super().do_request(url, method, request_data, read_timeout,
                                            write_timeout, connect_timeout, pool_timeout)
        body = json.dumps(request_data.parameters, ensure_ascii=False,
                          separators=(",", ":")).encode()
        default = self._client.timeout
        timeout = httpx.Timeout(
            connect=_given(connect_timeout, default.connect),
            read=_given(read_timeout, default.read),
            write=_given(write_timeout, default.write),
            pool=_given(pool_timeout, default.pool),
        )
        try:
            response = await self._client.request(method, url, content=body,
                                                  headers=JSON_HEADERS, timeout=timeout)
        except httpx.TimeoutException as err:  # the same mapping as HTTPXRequest
            if isinstance(err, httpx.PoolTimeout):
                raise TimedOut("Pool timeout: all connections in the pool are busy; the request "
                               "was not sent.") from err
            raise TimedOut from err
        except httpx.HTTPError as err:
            raise NetworkError(f"httpx.{err.__class__.__name__}: {err}") from err
        return response.status_code, response.content


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout the caller passed, or the client's default for it."""
    return default if isinstance(value, DefaultValue) else value
