"""One bot per database, and no restore under a running bot.

`careerbot run` holds an exclusive advisory lock (flock) on "<db>.lock" for as long as it runs;
`careerbot restore` takes the same lock, so it refuses while a bot runs (the bot would keep
writing its own pages over the restored file), and a bot cannot start in the middle of a
restore. The kernel drops the lock when the process ends, even on SIGKILL: nothing goes stale.
Other commands (backup, export, report) share the database with a running bot and take no lock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot import messages
from bot.storage.files import open_private, private_dir


class DatabaseBusy(Exception):
    """Another process holds the database's lock (message in Vietnamese, one line)."""


def lock_path(db_path: Path | str) -> Path:
    return Path(f"{db_path}.lock")


@contextmanager
def hold(db_path: Path | str, *, restoring: bool = False) -> Iterator[None]:
    """Hold the database's lock for the block, or raise DatabaseBusy at once."""
    if str(db_path) == ":memory:" or sys.platform == "win32":  # no flock there: unguarded
        yield
        return
    import fcntl

    path = lock_path(db_path)
    private_dir(path.parent)
    fd = open_private(path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            text = messages.DB_BUSY_FOR_RESTORE if restoring else messages.DB_BUSY_FOR_BOT
            raise DatabaseBusy(text.format(path=db_path, lock=path)) from None
        yield
    finally:
        os.close(fd)  # releases the lock
