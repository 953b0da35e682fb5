"""One user's updates never run side by side, whatever the timing; bursts leave nothing stuck."""

from __future__ import annotations

import asyncio
import collections
import logging

from telegram import Update
from telegram.ext import TypeHandler

from bot import messages
from tests.telegram.harness import BotHarness, buttons


def _count_overlaps(bot) -> tuple[collections.Counter, collections.Counter]:
    """A slow first handler that counts, per chat, how many updates are inside it at once."""
    inside: collections.Counter = collections.Counter()
    peak: collections.Counter = collections.Counter()

    async def slow(update: Update, context) -> None:
        chat = update.effective_chat.id
        inside[chat] += 1
        peak[chat] = max(peak[chat], inside[chat])
        try:
            await asyncio.sleep(0.05)  # a 50 ms handler
        finally:
            inside[chat] -= 1

    bot.app.add_handler(TypeHandler(Update, slow), group=-2)
    return inside, peak


async def test_updates_of_one_user_30_ms_apart_never_overlap(bot, api, student):
    _, peak = _count_overlaps(bot)
    api.mark(student.id)
    for _ in range(6):
        await api.send_text(student, "/menu")
        await asyncio.sleep(0.03)  # the next one arrives while the previous is still handled
    await api.wait_for_message(student.id, count=6)
    await api.wait_idle()
    assert peak[student.id] == 1
    assert bot.app.update_processor.lanes == 0  # the lane table is empty again when idle


async def test_different_users_still_run_side_by_side(bot, api):
    inside, _ = _count_overlaps(bot)
    users = [api.private_user(710_000 + i) for i in range(4)]
    seen_together = 0

    async def watch() -> None:
        nonlocal seen_together
        while True:
            seen_together = max(seen_together, sum(1 for v in inside.values() if v))
            await asyncio.sleep(0)

    watcher = asyncio.create_task(watch())
    try:
        for user in users:
            api.mark(user.id)
            await api.send_text(user, "/menu")
        for user in users:
            await api.wait_for_message(user.id)
    finally:
        watcher.cancel()
    assert seen_together > 1


async def test_one_users_backlog_does_not_take_the_slots_others_need(api, tmp_path):
    harness = BotHarness(api, tmp_path, env={"CAREERBOT_UPDATES_IN_FLIGHT": "2",
                                             "CAREERBOT_FLOOD_PER_MINUTE": "100"})
    await harness.start()
    try:
        _count_overlaps(harness)
        busy, other = api.private_user(730_001), api.private_user(730_002)
        mark = len(api.calls)
        for _ in range(10):
            await api.send_text(busy, "/menu")
        await api.send_text(other, "/menu")
        await api.wait_for_message(other.id)
        await api.wait_idle()
        chats = [int(c.params["chat_id"]) for c in api.calls[mark:] if c.method == "sendMessage"]
        assert chats.index(other.id) < 3  # not after the busy user's whole backlog
    finally:
        await harness.stop()


async def test_a_burst_of_restart_skip_and_answer_taps_leaves_nothing_in_flight(bot, api, caplog):
    """Many users tap "restart", "skip" and an answer as fast as they can, on stale screens."""
    users = [api.private_user(720_000 + i) for i in range(20)]
    screens = {}
    for user in users:
        [listing] = await bot.say(user, "/khaosat")
        label = next(b for b in buttons(listing) if b.startswith("Sở thích"))
        [consent] = await bot.tap(user, listing, label)
        [first] = await bot.tap(user, consent, messages.SURVEY_AGREE)
        screens[user.id] = (listing, first)
    caplog.set_level(logging.WARNING)
    _, peak = _count_overlaps(bot)

    async def burst(user) -> None:
        listing, first = screens[user.id]
        datas = {b["text"]: b["callback_data"] for row in first["reply_markup"]["inline_keyboard"]
                 for b in row}
        restart = next(b["callback_data"] for row in listing["reply_markup"]["inline_keyboard"]
                       for b in row if b["text"].startswith("Sở thích"))
        for _ in range(3):
            for data in (datas["4"], datas.get(messages.SURVEY_SKIP, datas["5"]), restart,
                         datas["3"], restart.replace("|o|", "|R|")):
                await api.press(user, first if data != restart else listing, data, strict=False)
                await asyncio.sleep(0.01)  # spread over several getUpdates batches

    await asyncio.gather(*(burst(u) for u in users))
    await api.wait_idle(quiet=0.5, timeout=60)
    assert bot.app.update_processor.in_flight == 0
    assert set(peak.values()) == {1}
    assert bot.app.update_processor.lanes == 0
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no handler failed
    assert not [c for c in api.calls if c.method == "sendMessage"
                and c.params.get("text") == messages.ERROR_APOLOGY]
