"""The shared update slots: busy chats queue later, and no slot is lost to a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from bot.slots import HALF_LIFE, HEAT_DELAY, PRUNE_AT, Heat, Slots


async def test_a_freed_slot_goes_to_the_quietest_waiting_chat():
    slots = Slots(1)
    await slots.acquire(0.0)
    served: list[str] = []

    async def wait(name: str, heat: float) -> None:
        await slots.acquire(heat)
        served.append(name)
        slots.release()

    waiters = [asyncio.create_task(wait(n, h)) for n, h in
               [("flooder", 600.0), ("bystander", 1.0), ("student", 5.0), ("other", 1.0)]]
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(*waiters)
    assert served == ["bystander", "other", "student", "flooder"]  # ties in arrival order


async def test_a_busy_chat_is_only_delayed_by_its_heat_never_starved():
    slots = Slots(1)
    await slots.acquire(0.0)
    served: list[str] = []

    async def wait(name: str, heat: float) -> None:
        await slots.acquire(heat)
        served.append(name)
        slots.release()

    busy = asyncio.create_task(wait("busy", 4.0))  # due 4 x HEAT_DELAY from now
    await asyncio.sleep(5 * HEAT_DELAY)  # meanwhile its due time has passed
    quiet = asyncio.create_task(wait("quiet", 0.0))
    await asyncio.sleep(0)
    slots.release()
    await asyncio.gather(busy, quiet)
    assert served == ["busy", "quiet"]  # it came early enough: served first


async def test_a_cancelled_waiter_loses_no_slot():
    slots = Slots(1)
    await slots.acquire(0.0)
    gone = asyncio.create_task(slots.acquire(1.0))
    await asyncio.sleep(0)
    gone.cancel()  # cancelled while waiting
    slots.release()
    handed = asyncio.create_task(slots.acquire(2.0))
    late = asyncio.create_task(slots.acquire(3.0))
    await asyncio.sleep(0)
    assert handed.done() and not late.done()
    slots.release()  # handed to `late`, which is cancelled before it runs: passed on
    late.cancel()
    with pytest.raises(asyncio.CancelledError):
        await late
    await asyncio.wait_for(slots.acquire(9.0), 1)  # the slot was not lost


def test_heat_counts_recent_updates_and_forgets_them():
    now = [0.0]
    heat = Heat(clock=lambda: now[0])
    for _ in range(4):
        heat.add(1)
    heat.add(2)
    assert heat.of(1) == 4 and heat.of(2) == 1 and heat.of(3) == 0
    now[0] += HALF_LIFE
    assert heat.of(1) == pytest.approx(2.0)
    now[0] += 60 * HALF_LIFE
    for key in range(10, 10 + PRUNE_AT):  # many chats: the cold ones are dropped
        heat.add(key)
    assert len(heat) <= PRUNE_AT and heat.of(1) == pytest.approx(0.0)
