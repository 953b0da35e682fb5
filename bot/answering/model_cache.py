"""Fitted models kept on disk, keyed by what they learn from: a process or a test starts in
milliseconds instead of refitting. Deleting the folder is safe; an unwritable one only means
fitting at every start."""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@cache
def library_version() -> str:
    """scikit-learn's version, read from its metadata: importing it costs about a second,
    which a process loading its models from the cache does not need to pay."""
    found = _dist_info_version()
    if found is not None:
        return found
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("scikit-learn")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        import sklearn
        return str(sklearn.__version__)


def _dist_info_version() -> str | None:
    """The `Version` header of the METADATA in scikit-learn's dist-info folder beside the
    package, as importlib.metadata reads it; that one searches every folder of the path first
    (~11 ms of a cached start). None when the folder is not found alone there."""
    from importlib.util import find_spec

    spec = find_spec("sklearn")
    if spec is None or spec.origin is None:
        return None
    folders = list(Path(spec.origin).parents[1].glob("scikit_learn-*.dist-info"))
    if len(folders) != 1:
        return None
    try:
        with (folders[0] / "METADATA").open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    break  # the headers end here
                if line.startswith("Version:"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def code_digest(*modules: str) -> str:
    """A hash of these modules' source (names under bot/answering): a fit is keyed by the
    code that reads its texts and fits it, so a change there retrains without a version
    bump."""
    from importlib import resources

    h = hashlib.sha256()
    folder = resources.files("bot").joinpath("answering")
    for name in modules:
        h.update(name.encode() + folder.joinpath(f"{name}.py").read_bytes())
    return h.hexdigest()[:24]


def default_cache_dir() -> Path:
    """CAREERBOT_MODEL_CACHE, else $XDG_CACHE_HOME/careerbot, else ~/.cache/careerbot."""
    env = os.environ.get("CAREERBOT_MODEL_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "careerbot"


def cached_only(path: Path, kind: type[T]) -> T | None:
    """The object pickled at `path` if there is one and it is a `kind`."""
    try:
        with path.open("rb") as f:
            found = pickle.load(f)  # noqa: S301 - our own cache file, keyed by content
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            ValueError, TypeError, IndexError, KeyError):  # a corrupt file: rebuilt
        return None
    return found if isinstance(found, kind) else None


def cached(path: Path, kind: type[T], build: Callable[[], T], what: str) -> T:
    """The object pickled at `path` if it is a `kind`, else built now and written there
    (atomically: a reader never sees half a file)."""
    found = cached_only(path, kind)
    if found is not None:
        return found
    built = build()
    write_pickle(path, built, what)
    return built


def write_pickle(path: Path, obj: object, what: str) -> None:
    """Pickle `obj` to `path` atomically (a reader never sees half a file); an unwritable
    folder is only logged."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(obj, tmp)
        os.replace(tmp.name, path)
    except OSError:
        log.warning("%s cache not writable", what, extra={"event": "model"})
