"""The bot's overall send budget is shared fairly (issue 17, F9): with the default rate limiter,
a burst of answers to many busy chats does not make someone asking one question wait behind
all of them."""

from __future__ import annotations

import asyncio

BUSY, EACH = 40, 5


def _answers_to(api, chats: set[str], since: int, until: int) -> int:
    return sum(1 for c in api.calls[since:until] if c.method == "sendMessage"
               and str(c.params.get("chat_id")) in chats)


async def test_a_quiet_chat_is_answered_before_the_backlog_of_busy_chats(bot, api):
    bystander = api.private_user(780_001, first_name="Bình")
    await bot.say(bystander, "xkld la gi")  # someone seen before, back at a human pace
    busy = [api.private_user(781_000 + i, first_name=f"HS{i}") for i in range(BUSY)]
    for _ in range(EACH):  # 200 answers owed at once, beyond 30 a second
        for student in busy:
            await api.send_text(student, "hoc phi trung cap")
    chats = {str(s.id) for s in busy}
    await api.wait_for(lambda c: _answers_to(api, chats, 0, len(api.calls)) >= 60, timeout=30)
    await asyncio.sleep(0.5)
    api.mark(bystander.id)
    asked = len(api.calls)
    await api.send_text(bystander, "hoc phi trung cap")
    await api.wait_for_message(bystander.id, timeout=30)
    answered = next(i for i in range(len(api.calls) - 1, -1, -1)
                    if api.calls[i].method == "sendMessage"
                    and str(api.calls[i].params.get("chat_id")) == str(bystander.id))
    ahead = _answers_to(api, chats, asked, answered)
    left = BUSY * EACH - _answers_to(api, chats, 0, answered)
    assert left > 30  # the busy chats still had a backlog when the answer went...
    # ...and it did not wait behind it: in arrival order it waited behind every send the 32
    # update slots had queued (40 measured); the least busy chat first, 0-1 went before it.
    assert ahead <= 5, f"{ahead} answers to busy chats went first"
    await api.wait_idle(quiet=0.5, timeout=60)
