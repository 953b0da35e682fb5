"""The shared update slots: busy chats queue later, and no slot is lost to a cancellation."""

from __future__ import annotations

import asyncio

import pytest

from bot.slots import HALF_LIFE, HEAT_DELAY, HOT, PRUNE_AT, QUIET_GAP, Heat, Slots


def _serving(slots: Slots, served: list[str]):
    """A chat that waits for a slot, notes its turn and gives the slot back."""
    async def wait(name: str, heat: float) -> None:
        await slots.acquire(heat)
        served.append(name)
        slots.release()
    return wait


async def test_a_freed_slot_goes_to_the_quietest_waiting_chat():
    slots = Slots(1)
    await slots.acquire(0.0)
    served: list[str] = []
    wait = _serving(slots, served)

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
    wait = _serving(slots, served)

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


async def _busy_holders(slots: Slots, count: int) -> list[asyncio.Task[bool]]:
    tasks = [asyncio.create_task(slots.acquire(10 * HOT)) for _ in range(count)]
    await asyncio.sleep(0)
    return tasks


async def test_busy_chats_may_use_every_slot_when_nobody_else_is_about():
    slots = Slots(8)
    holders = await _busy_holders(slots, 8)
    assert all(t.done() and t.result() for t in holders)  # a load test keeps its throughput


async def test_while_someone_is_at_a_human_pace_busy_chats_hold_a_quarter_of_the_slots():
    slots = Slots(8)
    slots.limit_hot(60)
    holders = await _busy_holders(slots, 8)
    assert sum(t.done() for t in holders) == 2  # 8 // HOT_SHARE: the rest wait aside
    bystander = asyncio.create_task(slots.acquire(1.0))
    await asyncio.sleep(0)
    assert bystander.done() and bystander.result() is False  # no queue behind the burst
    slots.release(True)  # a busy one finishes: the next busy one takes its place, no more
    await asyncio.sleep(0)
    assert sum(t.done() for t in holders) == 3
    for t in holders:
        t.cancel()
    bystander.cancel()


async def test_busy_chats_held_back_get_the_slots_once_the_limit_ends():
    slots = Slots(4)
    slots.limit_hot(0.05)
    holders = await _busy_holders(slots, 4)
    assert sum(t.done() for t in holders) == 1
    await asyncio.sleep(0.06)
    slots.release(True)  # the limit is over: every free slot is handed out, nobody starves
    await asyncio.sleep(0)
    assert sum(t.done() for t in holders) == 4


def test_a_chat_coming_back_after_a_pause_counts_as_a_human_pace():
    now = [0.0]
    heat = Heat(clock=lambda: now[0])
    assert heat.add(1) is False  # a first contact says nothing about pace
    now[0] += QUIET_GAP / 3
    assert heat.add(1) is False  # a burst
    now[0] += QUIET_GAP
    assert heat.add(1) is True  # read the answer, then asked again
