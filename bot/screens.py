"""What the core's screen modules share: the handler signature Conversation dispatches to, a
plain text view, and follow-up work that turns a failure into an apology."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, ClassVar

from bot import intents as i
from bot import messages
from bot.people.accounts import Account
from bot.views import Block, Part, View

if TYPE_CHECKING:
    from bot.services import Services

log = logging.getLogger(__name__)
Handler = Callable[[Account, i.Intent], Awaitable[View]]
Handlers = dict[type[i.Intent], Handler]  # what each screen module registers in Conversation
Later = Callable[[], Awaitable[View]]


class Screens:
    """The screens of one capability: `handlers()` maps each intent they take to a method,
    for Conversation to dispatch to. Every subclass registers itself (bot/bootstrap.py imports
    each `*screens` module and builds the table)."""

    registry: ClassVar[list[type[Screens]]] = []

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        Screens.registry.append(cls)

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def handlers(self) -> Handlers:
        raise NotImplementedError


def text_view(text: str) -> View:
    return View((Part(Block.TEXT, text),))


def guarded(work: Later, what: str) -> Later:
    """`work` as a View's `later`: a failure (the worker died, the file could not be built)
    becomes the apology every channel shows, and a log line with the traceback."""
    async def run() -> View:
        try:
            return await work()
        except Exception:  # whatever broke, the staff member hears of it
            log.exception("%s failed", what, extra={"event": "build"})
            return text_view(messages.BUILD_FAILED)
    return run
