"""Fitted models kept on disk, keyed by what they learn from: a process or a test starts in
milliseconds instead of refitting. Deleting the folder is safe; an unwritable one only means
fitting at every start."""

from __future__ import annotations

import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def default_cache_dir() -> Path:
    """CAREERBOT_MODEL_CACHE, else $XDG_CACHE_HOME/careerbot, else ~/.cache/careerbot."""
    env = os.environ.get("CAREERBOT_MODEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careerbot"


def cached(path: Path, kind: type[T], build: Callable[[], T], what: str) -> T:
    """The object pickled at `path` if it is a `kind`, else built now and written there
    (atomically: a reader never sees half a file)."""
    try:
        with path.open("rb") as f:
            found = pickle.load(f)  # noqa: S301 - our own cache file, keyed by content
        if isinstance(found, kind):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    built = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(built, tmp)
        os.replace(tmp.name, path)
    except OSError:
        log.warning("%s cache not writable", what, extra={"event": "model"})
    return built
