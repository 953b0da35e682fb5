"""The one writer: a thread that owns the write connection and commits in batches.

The event loop never waits for a disk flush: it hands a write (a function of the database) to
the writer and awaits its commit. Writes that arrive while a commit is under way are committed
together in the next transaction (group commit: one flush for many users). A caller acknowledges
something to a user only after its write is committed, so a crash never loses what a user was
told had been saved. Each write runs in its own savepoint: one failing write is rolled back and
reported to its caller without undoing the others in the batch.

Some writes nobody waits for: the question log. Handing each of them to the thread on its own
costs more than the write itself: the thread wakes, and every sqlite3 call it makes releases and
retakes the GIL while the event loop thread is busy, so the two threads hand the GIL back and
forth dozens of times per message. Such rows are inserted with `defer_insert`: kept here and
handed over together, ahead of the next write somebody awaits (so order is kept) or after
DEFER_SECONDS, as one multi-row INSERT per table (one sqlite3 call for many rows).
A crash can lose at most that last fraction of a second of the log; never a survey answer, which
is always awaited.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import queue
import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import sqlite_utils

from bot.storage.database import open_db

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[sqlite_utils.Database], Any]
MAX_BATCH = 500
DEFER_SECONDS = 0.05  # how long a deferred row may wait for company
DEFER_MAX = 256  # hand the deferred rows over at once when this many are waiting
MAX_SQL_VARIABLES = 32766  # SQLite's default limit of ? per statement (since 3.32)
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
Target = tuple[str, tuple[str, ...]]  # a table and the columns a deferred row fills

_STOP = object()


class WriterClosed(RuntimeError):
    """The writer has been stopped; nothing more can be written."""


class WriteFailed(RuntimeError):
    """A write raised something that cannot travel to its caller as it is (StopIteration):
    the original is its __cause__."""


def _reportable(exc: BaseException) -> BaseException:
    """What to hand the caller for `exc`. An asyncio future refuses StopIteration (it would end
    the awaiting coroutine as if it had returned), so the callback copying the outcome over
    raised inside the loop and the caller waited for ever: wrap it."""
    if isinstance(exc, StopIteration | StopAsyncIteration):
        wrapped = WriteFailed(f"a database write raised {type(exc).__name__}")
        wrapped.__cause__ = exc
        return wrapped
    return exc


class Writer:
    def __init__(self, path: Path | str, synchronous: str = "FULL") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._closed = False
        self._deferred: dict[Target, list[Sequence[Any]]] = {}
        self._deferred_count = 0
        self._deferred_lock = threading.Lock()
        self._timer: asyncio.TimerHandle | None = None
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
        with self._deferred_lock:  # deferred writes first: they were asked for earlier
            self._hand_over_deferred()
            self._queue.put((write, future))
        return future

    @property
    def queued(self) -> int:
        """Writes handed over and not yet taken by the thread (diagnostics, tests)."""
        return self._queue.qsize()

    def defer_insert(self, table: str, columns: tuple[str, ...], row: Sequence[Any]) -> None:
        """Insert `row` soon, without anybody waiting for it (see the module docstring).

        Rows of different tables may be inserted in any order among themselves, so a deferred
        row must not depend on another deferred row. Without a running event loop (command-line
        tools) the row is handed over at once."""
        _check_target(table, columns)
        if len(row) != len(columns):
            raise ValueError(f"{len(columns)} columns but {len(row)} values")
        if self._closed:
            raise WriterClosed("the database writer is closed")
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        with self._deferred_lock:
            self._deferred.setdefault((table, columns), []).append(row)
            self._deferred_count += 1
            if loop is None or self._deferred_count >= DEFER_MAX:
                self._hand_over_deferred()
            elif self._timer is None:
                self._timer = loop.call_later(DEFER_SECONDS, self._deferred_due)

    async def sync(self) -> None:
        """Wait until everything written or deferred so far is committed (before a read that
        must see it: statistics, a user's own data)."""
        await self.write(lambda db: None)

    def _deferred_due(self) -> None:
        with self._deferred_lock:
            self._timer = None
            if not self._closed:
                self._hand_over_deferred()

    def _hand_over_deferred(self) -> None:
        """Queue the deferred rows as one item. Caller holds _deferred_lock."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._deferred:
            return
        groups, self._deferred, self._deferred_count = self._deferred, {}, 0
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._queue.put((lambda db: _insert_deferred(db, groups), future))

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
        with self._deferred_lock:
            self._hand_over_deferred()
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
                writes = [item for item in batch if item is not _STOP]
                try:
                    self._commit(db, writes)
                except BaseException:  # not an Exception (SystemExit...): the thread ends
                    for _, future in writes:
                        if not future.done():
                            future.set_exception(WriterClosed("the database writer has stopped"))
                    raise
        finally:
            self._closed = True
            self._fail_queued()
            db.close()

    def _fail_queued(self) -> None:
        """The thread is ending (stopped, or killed by an error): nobody may wait for ever on a
        write it will never run."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not _STOP and item[1].set_running_or_notify_cancel():
                item[1].set_exception(WriterClosed("the database writer has stopped"))

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
                    outcomes.append((future, False, _reportable(exc)))
            db.conn.execute("COMMIT")
            self.batches += 1
        except Exception as exc:
            log.exception("database commit failed")
            if db.conn.in_transaction:
                db.conn.execute("ROLLBACK")
            outcomes = [(future, False, _reportable(exc)) for _, future in batch
                        if future.running()]
        for future, ok, value in outcomes:  # only now is anything acknowledged
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)


@lru_cache(maxsize=64)  # a handful of targets, checked once each rather than per row
def _check_target(table: str, columns: tuple[str, ...]) -> None:
    if not all(_IDENTIFIER.fullmatch(name) for name in (table, *columns)):
        raise ValueError(f"not a plain SQL identifier: {table}{columns}")
    if len(columns) * DEFER_MAX > MAX_SQL_VARIABLES:  # a hand-over is one statement
        raise ValueError(f"too many columns to defer: {len(columns)}")


@lru_cache(maxsize=64)
def _insert_sql(table: str, columns: tuple[str, ...], rows: int) -> str:
    one = "(" + ", ".join("?" * len(columns)) + ")"
    return (f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - identifiers
            + ", ".join([one] * rows))                              # checked in defer_insert


def _insert_deferred(db: sqlite_utils.Database, groups: dict[Target, list[Sequence[Any]]]
                     ) -> None:
    """Insert deferred rows, one statement per table. If that fails (a row breaks a constraint),
    again row by row, each in its own savepoint, so only the bad row is dropped."""
    db.conn.execute("SAVEPOINT deferred_rows")
    try:
        for (table, columns), rows in groups.items():
            db.conn.execute(_insert_sql(table, columns, len(rows)),
                            [value for row in rows for value in row])
        db.conn.execute("RELEASE deferred_rows")
        return
    except sqlite3.Error:
        db.conn.execute("ROLLBACK TO deferred_rows")
        db.conn.execute("RELEASE deferred_rows")
    for (table, columns), rows in groups.items():
        for row in rows:
            db.conn.execute("SAVEPOINT deferred_row")
            try:
                db.conn.execute(_insert_sql(table, columns, 1), list(row))
            except sqlite3.Error:  # nobody awaits it: the log is the only place to say so
                db.conn.execute("ROLLBACK TO deferred_row")
                log.exception("a deferred row for %s could not be inserted", table)
            db.conn.execute("RELEASE deferred_row")
