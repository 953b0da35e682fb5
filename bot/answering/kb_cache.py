"""The knowledge base as last loaded without a problem, pickled beside the fitted models: a
cached start reads it in milliseconds instead of parsing, validating and checking the YAML
(about a tenth of a second, with the modules only the checks import).

A pickle runs code when read, so the file is trusted only as the service's own: keyed by the
bytes of the knowledge files and of the bot's code (a knowledge edit or another version reads
the YAML again and writes a new file), written atomically, readable by its owner alone (0600),
and read only where neither the file nor its folder can be written by anyone but the service's
user or root (a symlink is not followed). Anything else, or a corrupt file, only means reading
the YAML as before."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

FORMAT = "careerbot knowledge 1"  # bump when what is stored changes shape
BOT = Path(__file__).resolve().parents[1]  # the bot package: its code and its data files


def key(root: Path, library: str) -> str:
    """A hash of every file the load reads or checks with (the knowledge folder's own files,
    training corpus aside: it is keyed and read on its own) and of the code that reads them
    (every module of the bot, its data files), with the Python and `library` versions (the
    pickled objects' classes). Paths count relative to their folder, and the knowledge
    folder by its name (the files' locations are kept relative to its parent): an identical
    copy elsewhere (a test's, another checkout's) reads the same file."""
    h = hashlib.sha256(f"{FORMAT}\n{sys.version}\n{library}\n{root.name}\n".encode())
    files = [*sorted(root.glob("*.yaml")), *sorted(p for p in (root / "data").rglob("*")
                                                    if p.is_file())]
    code = [*sorted(BOT.rglob("*.py")), *sorted((BOT / "data").glob("*.yaml"))]
    for folder, paths in ((root, files), (BOT, code)):
        for path in paths:
            h.update(f"{path.relative_to(folder)}\n".encode())
            h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()[:32]


def path_for(folder: Path, digest: str) -> Path:
    return folder / f"knowledge-{digest}.pickle"


def _own(st: os.stat_result) -> bool:
    """Belongs to this process's user (or root) and no one else may write it."""
    getuid = getattr(os, "getuid", None)
    return (getuid is not None and st.st_uid in {getuid(), 0}
            and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH))


def read(path: Path) -> object | None:
    """The object pickled at `path`, if the file is the service's own (see the module's
    docstring); None if missing, not trusted or corrupt."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None  # missing, unreadable, or a symlink
    with os.fdopen(fd, "rb") as f:
        try:
            trusted = (stat.S_ISREG(os.fstat(fd).st_mode) and _own(os.fstat(fd))
                       and _own(os.stat(path.parent)))
        except OSError:
            trusted = False
        if not trusted:
            log.warning("knowledge cache %s not trusted: reading the YAML", path,
                        extra={"event": "model"})
            return None
        try:
            found: object = pickle.load(f)  # noqa: S301 - the service's own file, checked above
        except Exception:  # noqa: BLE001 - a corrupt file of any kind: read the YAML again
            return None
        return found


def write(path: Path, obj: object) -> None:
    """Pickle `obj` to `path` atomically, readable by its owner alone; an unwritable folder
    (a read-only image) is only logged."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")  # created 0600
    except OSError:
        log.warning("knowledge cache not writable", extra={"event": "model"})
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(obj, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        log.warning("knowledge cache not written", extra={"event": "model"})
        with contextlib.suppress(OSError):
            os.unlink(tmp)
