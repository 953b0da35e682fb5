"""Bot API errors that are expected outcomes, not failures: nobody is told, the log says why.

A second 👍 on the same answer ("message is not modified"), a tap delivered late or forged
("query is too old ... or query ID is invalid"), a message Telegram will not copy ("message
can't be copied"): the user did nothing wrong and the bot has nothing to repair, so they get no
apology and the admin chat no error notice (common.on_error), only a DEBUG line.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram.error import BadRequest
from telegram.ext import ExtBot

log = logging.getLogger(__name__)
EXPECTED = ("message is not modified", "query is too old", "query id is invalid",
            "message can't be copied")


def expected(error: object) -> bool:
    return isinstance(error, BadRequest) and any(p in str(error).lower() for p in EXPECTED)


class CareerBot(ExtBot[Any]):
    """The bot, except that answering a callback that is too old (or forged) is no error: the
    tap itself is still handled, so a late survey answer is stored and shown all the same."""

    async def answer_callback_query(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return await super().answer_callback_query(*args, **kwargs)
        except BadRequest as error:
            if not expected(error):
                raise
            log.debug("callback query not answered: %s", error, extra={"event": "telegram"})
            return False
