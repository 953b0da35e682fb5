"""One user's updates in order, different users' side by side, and a stop that cannot hang.

Each chat has a lane: a lock plus the number of updates holding or waiting for it. The lane
stays in the table while anyone holds or waits for it (so a newcomer queues behind them instead
of getting a fresh lock and running beside them) and leaves it with the last one, on every
path: done, failed or cancelled. An update takes one of the shared slots only once it is its
turn, so one user's backlog never occupies the slots everybody else needs; a free slot goes
to the chat that has been the quietest lately, and busy chats leave room for people at a human
pace (bot/slots.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import inspect
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.lanes import Lanes
from bot.slots import Heat, Slots

log = logging.getLogger(__name__)
UNBOUNDED = 1_000_000  # updates PTB may hand over at once; the real bound is `slots`


class Lease:
    """The shared slot an update's handler holds; given back while the handler only waits
    (for the send budget: sendqueue.py), so waiting sends never fill the slots."""

    def __init__(self, slots: Slots, busy: Callable[[], float]) -> None:
        self._slots = slots
        self._busy = busy
        self.task = asyncio.current_task()
        self.held = False
        self._hot = False

    async def take(self) -> None:
        self._hot = await self._slots.acquire(self._busy())  # the quietest chat first
        self.held = True

    def give_back(self) -> None:
        if self.held:
            self.held = False
            self._slots.release(self._hot)


_LEASE: contextvars.ContextVar[Lease | None] = contextvars.ContextVar("lease", default=None)


@contextlib.asynccontextmanager
async def slot_given_back() -> AsyncIterator[None]:
    """Wait without holding the update's slot (if this task holds one); take it back after.
    Cancelled meanwhile (a stop): not taken back, the update is ending."""
    lease = _LEASE.get()
    if lease is None or not lease.held or lease.task is not asyncio.current_task():
        yield  # not an update's handler (a background job): nothing to give back
        return
    lease.give_back()
    yield
    await lease.take()


def _discard(coroutine: Awaitable[Any]) -> None:
    """Close a handler coroutine that will never run (no "never awaited" warning)."""
    if inspect.iscoroutine(coroutine) and \
            inspect.getcoroutinestate(coroutine) == inspect.CORO_CREATED:
        coroutine.close()


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Updates from different users run concurrently; one user's updates run in order.

    A survey answer must be stored before the next question is computed, and a button pressed
    twice quickly must not race with itself: ordering per chat keeps both simple.
    """

    def __init__(self, max_concurrent_updates: int) -> None:
        # The shared slots are taken below, once it is the update's turn; the base class's own
        # semaphore (taken before, and final) is made wide enough never to make anyone wait.
        super().__init__(UNBOUNDED)
        self.slots = max_concurrent_updates
        self._slots = Slots(max_concurrent_updates)
        self._heat = Heat()
        self._lanes = Lanes()  # the same per-user ordering as the conversation core
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    @staticmethod
    def _key(update: object) -> int:
        if isinstance(update, Update):
            if update.effective_chat is not None:
                return update.effective_chat.id
            if update.effective_user is not None:
                return update.effective_user.id
        return 0

    def busy(self, chat_id: int) -> float:
        """How busy a chat is: its updates in flight or waiting, plus its recent ones (decayed).
        The send queue serves the least busy first (sendqueue.py)."""
        return self._lanes.depth(chat_id) + self._heat.of(chat_id)

    @property
    def in_flight(self) -> int:
        """Updates being handled or waiting for their turn."""
        return len(self._tasks)

    @property
    def lanes(self) -> int:
        """Chats with an update in flight (the table shrinks back to 0 when idle)."""
        return len(self._lanes)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        task = asyncio.current_task()
        key = self._key(update)
        if self._heat.add(key):  # someone back at a human pace: keep room for them
            self._slots.limit_hot()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._lanes.run(key, lambda: self._run(key, coroutine))
        finally:
            _discard(coroutine)
            if task is not None:
                self._tasks.discard(task)

    async def _run(self, key: int, coroutine: Awaitable[Any]) -> None:
        """The update's turn in its lane: a shared slot, then the handler."""
        if self._closed:
            log.warning("update dropped: the bot is stopping", extra={"event": "stop"})
            return
        lease = Lease(self._slots, lambda: self._heat.of(key))
        await lease.take()
        token = _LEASE.set(lease)
        try:
            await coroutine
        finally:
            _LEASE.reset(token)
            lease.give_back()

    async def stop(self, grace: float) -> int:
        """Let the updates in flight finish for up to `grace` seconds, then cancel the rest;
        updates arriving later are dropped. Returns how many were cancelled."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        await asyncio.sleep(0)  # updates handed over just now get to start
        while self._tasks and (left := deadline - loop.time()) > 0:
            await asyncio.wait(set(self._tasks), timeout=left)
        self._closed = True
        stuck = set(self._tasks)
        for task in stuck:
            task.cancel()
        if stuck:
            await asyncio.wait(stuck, timeout=grace)  # their finally blocks run now
        return len(stuck)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
