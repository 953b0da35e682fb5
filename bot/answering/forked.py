"""Work split over this process and one forked child: a cold start's longest CPU-bound step
(the context model's training rows, each a message read through the engine) is GIL-bound, so
threads give nothing, but a child process forked with the engine already built reads its share
on the other core. The result is the very list a serial run makes, in the same order; where a
fork is unsafe (other threads running, no fork, one core, the other core held by a child
forked elsewhere: `core_held`) or the child fails, the work runs here, serially."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import pickle
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")
_held = 0  # cores held by children forked elsewhere, still working (see core_held)


def can_fork() -> bool:
    """A fork copies one thread only: with others running it may copy a held lock. A child
    also needs a core of its own: one that neither this process nor another child holds."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return cores - _held > 1


@contextlib.contextmanager
def core_held() -> Iterator[None]:
    """While a child forked elsewhere works on a core of its own (a cold start's safety fit,
    its longest step), `map_split` forks no child that would need that core: on two cores a
    third process only shares them three ways and pays for its fork, so the work is read
    here, serially, as the other child fits."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1


def fork() -> int:
    """os.fork, with what exists now kept out of the child's garbage collections: a collection
    walking the inherited objects writes their headers, so the child would copy most of the
    parent's memory page by page (measured: about 0.5 s of CPU less for a cold start's two
    children). This process collects them as before."""
    gc.freeze()
    try:
        pid = os.fork()
    except BaseException:
        gc.unfreeze()
        raise
    if pid != 0:
        gc.unfreeze()
    return pid


def split_at(weights: Sequence[float]) -> int:
    """The index that halves the total weight (the items before it are this process's)."""
    half, run = sum(weights) / 2, 0.0
    for k, w in enumerate(weights):
        if run + w / 2 >= half:
            return k
        run += w
    return len(weights)


def map_split(work: Callable[[T], list[R]], items: Sequence[T],
              weights: Sequence[float] | None = None) -> list[R]:
    """`work` over `items`, results concatenated in order: the items after the weighted middle
    read in a forked child (its results pickled back through a pipe) while this process reads
    the others. `work` must depend on its item only (not on what was read before it)."""
    cut = split_at(weights if weights is not None else [1.0] * len(items))
    if not (0 < cut < len(items)) or not can_fork():
        return [r for item in items for r in work(item)]
    read_end, write_end = os.pipe()
    pid = fork()
    if pid == 0:  # pragma: no cover - the child: its share, pickled, then leave without cleanup
        code = 1
        try:
            os.close(read_end)
            found = [r for item in items[cut:] for r in work(item)]
            with os.fdopen(write_end, "wb") as out:
                pickle.dump(found, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        try:
            mine = [r for item in items[:cut] for r in work(item)]
            data = pipe.read()  # the child blocks on a full pipe until read: read it all
        finally:  # (on an error here the pipe closes first: a blocked child then exits)
            pipe.close()
            _, status = os.waitpid(pid, 0)
    theirs: list[R] | None = None
    if os.waitstatus_to_exitcode(status) == 0:
        try:
            theirs = pickle.loads(data)  # noqa: S301 - our own child's output
        except (pickle.UnpicklingError, EOFError, ValueError):
            theirs = None
    if theirs is None:  # the child failed: its share read here
        log.warning("forked reading failed; read in-process", extra={"event": "model"})
        theirs = [r for item in items[cut:] for r in work(item)]
    return mine + theirs
