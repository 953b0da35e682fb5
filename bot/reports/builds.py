"""Exports, reports and charts are built off the event loop, in a worker process, one at a time
per staff member.

openpyxl and matplotlib are CPU-bound Python: in a thread they hold the GIL for long stretches,
and the event loop waits for it. Measured with 6,000 responses (a 2.6 s Excel build, 2 cores):
the loop's lag during the build was p95 10-72 ms, max 360-510 ms with a worker thread; p95
0.1-0.2 ms, max 1-5 ms with a worker process. So builds run in one worker process (the other
core stays with the bot), which opens its own read-only connection; the worker is started
on first use and replaced if it dies.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def _lower_priority() -> None:
    """In the worker: a file can wait a moment, the people chatting with the bot cannot."""
    if hasattr(os, "nice"):
        os.nice(10)


class BuildBusy(Exception):
    """This staff member's previous file is still being built."""


class Builds:
    def __init__(self, workers: int = 1) -> None:
        self._workers = workers
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._owners: set[int] = set()

    @property
    def running(self) -> int:
        """Builds started and not finished (queued ones included)."""
        return len(self._owners)

    def busy(self, owner: int) -> bool:
        return owner in self._owners

    def start(self, owner: int, build: Callable[..., T], *args: Any) -> asyncio.Task[T]:
        """Start `build(*args)` in the worker for `owner` (a user id), or raise BuildBusy if
        their previous one has not finished. `build` must be a module-level function and its
        arguments picklable."""
        if owner in self._owners:
            raise BuildBusy(owner)
        self._owners.add(owner)
        task = asyncio.ensure_future(self._run(build, *args))
        task.add_done_callback(lambda done: self._finished(owner, done))
        return task

    async def _run(self, build: Callable[..., T], *args: Any) -> T:
        # submit() starts the worker when there is none, and that waits for the forkserver to
        # come up (a second or so): in a thread, so the event loop never waits for it.
        future = await asyncio.to_thread(self._executor().submit, build, *args)
        result: T = await asyncio.wrap_future(future)
        return result

    def _executor(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            # forkserver: a fresh process, not a fork of this one with its threads and sockets
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self._workers, mp_context=multiprocessing.get_context("forkserver"),
                initializer=_lower_priority)
        return self._pool

    def _finished(self, owner: int, done: asyncio.Future[Any]) -> None:
        self._owners.discard(owner)
        if not done.cancelled() and isinstance(done.exception(), BrokenProcessPool):
            log.error("the build worker died; a new one starts with the next build",
                      extra={"event": "build"})
            self._pool = None

    def close(self) -> None:
        """Stop at once: queued builds are dropped, a running one is killed (its caller has
        been cancelled already, nobody is waiting for the file)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        workers = list(getattr(pool, "_processes", {}).values())  # no public handle before 3.14
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            if process.is_alive():
                process.terminate()
