"""The one writer: a thread that owns the write connection and commits in batches.

The event loop never waits for a disk flush: it hands a write (a function of the database) to
the writer and awaits its commit. Writes that arrive while a commit is under way are committed
together in the next transaction (group commit: one flush for many users). A caller acknowledges
something to a user only after its write is committed, so a crash never loses what a user was
told had been saved. Each write runs in its own savepoint: one failing write is rolled back and
reported to its caller without undoing the others in the batch.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.storage import open_db

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[sqlite_utils.Database], Any]
MAX_BATCH = 500

_STOP = object()


class WriterClosed(RuntimeError):
    """The writer has been stopped; nothing more can be written."""


class Writer:
    def __init__(self, path: Path | str, synchronous: str = "FULL") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._closed = False
        self._thread = threading.Thread(target=self._run, args=(path, synchronous),
                                        name="sqlite-writer", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:  # opening or migrating failed: say so where it matters
            raise self._error
        self.batches = 0  # how many transactions were committed (for benchmarks)

    # --- called from anywhere -------------------------------------------------------------
    def submit(self, write: Write) -> concurrent.futures.Future[Any]:
        if self._closed:
            raise WriterClosed("the database writer is closed")
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((write, future))
        return future

    def run(self, write: Callable[[sqlite_utils.Database], T]) -> T:
        """Write and wait for the commit (command-line tools, tests)."""
        result: T = self.submit(write).result()
        return result

    async def write(self, write: Callable[[sqlite_utils.Database], T]) -> T:
        """Write and await the commit without blocking the event loop."""
        result: T = await asyncio.wrap_future(self.submit(write))
        return result

    def close(self) -> None:
        """Commit everything queued, then stop the thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join()

    # --- the writer thread ----------------------------------------------------------------
    def _run(self, path: Path | str, synchronous: str) -> None:
        try:
            db = open_db(path, synchronous=synchronous)
        except BaseException as exc:  # noqa: BLE001 - handed to the constructor to raise
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            stop = False
            while not stop:
                batch = [self._queue.get()]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stop = any(item is _STOP for item in batch)
                self._commit(db, [item for item in batch if item is not _STOP])
        finally:
            db.close()

    def _commit(self, db: sqlite_utils.Database, batch: list[tuple[Write, Any]]) -> None:
        if not batch:
            return
        outcomes: list[tuple[concurrent.futures.Future[Any], bool, Any]] = []
        try:
            db.conn.execute("BEGIN IMMEDIATE")
            for write, future in batch:
                # A caller that gave up (its task was cancelled) is skipped; once running, a
                # future can no longer be cancelled, so setting its result below is safe.
                if not future.set_running_or_notify_cancel():
                    continue
                db.conn.execute("SAVEPOINT one_write")
                try:
                    outcomes.append((future, True, write(db)))
                    db.conn.execute("RELEASE one_write")
                except Exception as exc:  # noqa: BLE001 - reported to that write's caller
                    db.conn.execute("ROLLBACK TO one_write")
                    db.conn.execute("RELEASE one_write")
                    outcomes.append((future, False, exc))
            db.conn.execute("COMMIT")
            self.batches += 1
        except Exception as exc:
            log.exception("database commit failed")
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            outcomes = [(future, False, exc) for _, future in batch if future.running()]
        for future, ok, value in outcomes:  # only now is anything acknowledged
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)
