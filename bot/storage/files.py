"""Files holding people's data (the database and its WAL/SHM, backups, exports, the lock file)
are created readable by their owner only, whatever the umask: 0600 files in 0700 folders.

SQLite creates a database's -wal, -shm and -journal files with the main file's permissions
(it fchmods them past the umask), so creating the main file 0600 is enough for all of them.
Existing files and folders keep the permissions an operator gave them.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def _restrict(fd: int) -> None:
    # The mode given to os.open is masked by the umask (it can only lose bits); fchmod makes it
    # exact. Not every platform has fchmod (Windows before 3.13), nor needs it.
    if hasattr(os, "fchmod"):
        os.fchmod(fd, PRIVATE_FILE)


def private_dir(path: Path) -> None:
    """Create `path` and any missing parents as 0700 folders."""
    missing: list[Path] = []
    here = path
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:  # made meanwhile by someone else: theirs to decide
            continue
        folder.chmod(PRIVATE_DIR)


def create_private(path: Path) -> bool:
    """Create `path` as an empty 0600 file (and its folders) if it does not exist yet; True if
    it was created. An empty file is a valid empty SQLite database."""
    private_dir(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return False
    try:
        _restrict(fd)
    finally:
        os.close(fd)
    return True


def open_private(path: Path, flags: int) -> int:
    """os.open with O_CREAT, a new file being 0600 (an existing one keeps its mode)."""
    try:
        fd = os.open(path, flags | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return os.open(path, flags)
    _restrict(fd)
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write `data` to `path` (an export, a report, a chart); a new file is created 0600."""
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_TRUNC), "wb") as out:
        out.write(data)
