"""Control HTTP API of the Bot API stand-in, for a bot running in another process.

Benchmarks start the bot as a subprocess (and kill -9 it), so they cannot call the test-side
API in-process; these routes expose the same operations over HTTP. Answers use the Bot API
envelope: ``{"ok": true, "result": ...}`` or ``{"ok": false, "error_code": 400, ...}``.

    POST /_control/update      an Update without update_id      -> {"update_id": N}
    POST /_control/send_text   {user_id, text, [first_name, username, chat_id,
                                reply_to_message_id]}           -> the user's Message
    POST /_control/press       {user_id, message_id, data, [chat_id, strict]}
                                                                -> {"callback_query_id": ...}
    POST /_control/group       {chat_id, title}                 -> the Chat
    POST /_control/block       {user_id, [blocked=true]}        -> true
    POST /_control/fail_next   {method, code, [description, retry_after]} -> true
    GET  /_control/calls?since=N                                -> calls from index N
    GET  /_control/sent/<chat_id>                               -> the bot's messages there
"""

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from .protocol import JSON, ApiError, User, json_response

if TYPE_CHECKING:
    from .botapi import FakeBotAPI

Action = Callable[["FakeBotAPI", JSON], Awaitable[Any]]


def add_control_routes(app: web.Application, api: "FakeBotAPI") -> None:
    actions: dict[str, Action] = {
        "update": _update,
        "send_text": _send_text,
        "press": _press,
        "group": _group,
        "block": _block,
        "fail_next": _fail_next,
    }
    for name, action in actions.items():
        app.router.add_post(f"/_control/{name}", _route(api, action))

    async def calls(request: web.Request) -> web.Response:
        since = int(request.query.get("since", "0"))
        return web.json_response({"ok": True, "result": [c.to_dict() for c in api.calls[since:]]})

    async def sent(request: web.Request) -> web.Response:
        messages = api.sent(int(request.match_info["chat_id"]))
        return web.json_response({"ok": True, "result": [dict(m) for m in messages]})

    app.router.add_get("/_control/calls", calls)
    app.router.add_get("/_control/sent/{chat_id}", sent)


def _route(api: "FakeBotAPI", action: Action) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        try:
            body = await request.json()
            return web.json_response({"ok": True, "result": await action(api, body)})
        except (ValueError, LookupError, TypeError) as error:  # bad input from the driver
            return json_response(ApiError(400, f"Bad Request: {error}").payload())

    return handle


def _user(api: "FakeBotAPI", body: JSON) -> User:
    """The known user with that id, or a new one when first seen (or renamed)."""
    user_id = int(body["user_id"])
    known = api.users.get(user_id)
    if known is not None and "first_name" not in body:
        return known
    return api.private_user(
        user_id, body.get("first_name", "Lan"), body.get("username"), body.get("language_code")
    )


async def _update(api: "FakeBotAPI", body: JSON) -> JSON:
    return {"update_id": await api.push_update(body)}


async def _send_text(api: "FakeBotAPI", body: JSON) -> JSON:
    chat = api.chat(int(body["chat_id"])) if body.get("chat_id") else None
    user = _user(api, body)
    return await api.send_text(user, str(body["text"]), chat, body.get("reply_to_message_id"))


async def _press(api: "FakeBotAPI", body: JSON) -> JSON:
    user = _user(api, body)
    message = {"message_id": int(body["message_id"]), "chat": {"id": body.get("chat_id", user.id)}}
    strict = bool(body.get("strict", True))
    return {"callback_query_id": await api.press(user, message, str(body["data"]), strict=strict)}


async def _group(api: "FakeBotAPI", body: JSON) -> JSON:
    return api.group(int(body["chat_id"]), str(body["title"])).to_dict()


async def _block(api: "FakeBotAPI", body: JSON) -> bool:
    user_id = int(body["user_id"])
    if body.get("blocked", True):
        api.block(user_id)
    else:
        api.unblock(user_id)
    return True


async def _fail_next(api: "FakeBotAPI", body: JSON) -> bool:
    api.fail_next(
        str(body["method"]), int(body["code"]), body.get("description"), body.get("retry_after")
    )
    return True
