"""A cold start fits the learned models at once: the safety model in a forked child process
(it writes the shared disk cache) while this process fits the intent model, then reads and
fits the context model alone (the child holds the other core: see `forked.core_held`). The
reading is bound by the GIL (threads gave nothing), so two processes on two cores take the
longer of the two, not their sum. A failed fit in the child is logged, and the model is then
fitted here. With the fits cached, or where forking is unsafe (other threads running, no
fork), it does nothing: the safety model is fitted or loaded by `Detector.warm` as before."""

from __future__ import annotations

import contextlib
import logging
import os
import threading

from bot.answering.forked import core_held, fork
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine

log = logging.getLogger(__name__)


def ready_engine(kb: KnowledgeBase) -> Engine:
    """The engine for `kb`; the safety model fitted meanwhile when neither is cached."""
    child = _fit_safety_aside(kb)
    if child is None:
        return Engine(kb)
    try:
        # The child's reading and fit (~4 CPU s) is the longest step: this process reads the
        # context model's rows alone meanwhile (a second child would share the two cores
        # three ways and pay for its fork: ~0.4 CPU s more in all).
        with core_held():
            return Engine(kb)
    finally:
        _reap(child)


def _reap(child: int) -> None:
    """Wait for the safety child; a failed fit is reported (the model is then fitted here,
    when the detector first needs it)."""
    with contextlib.suppress(ChildProcessError):
        _, status = os.waitpid(child, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            log.warning("safety model fit failed in the child (exit %s); it is fitted here",
                        code, extra={"event": "model"})


def _fit_safety_aside(kb: KnowledgeBase) -> int | None:
    model = kb.safety.model
    if (model is None or not hasattr(os, "fork") or threading.active_count() > 1
            or model.cache_path().exists()):
        return None  # a fork with threads running may copy a held lock; nothing to fit
    # Before the fork, what both fits need: scikit-learn imported once, not in both
    # processes. The safety model's ~12,000 training messages are read in the child: the
    # intent model reads its texts in another form (as typed, not normalised first), so
    # reading them here gave it nothing and held this process 1.3-1.5 s before its own fit.
    import sklearn.linear_model
    import sklearn.svm  # noqa: F401

    pid = fork()
    if pid == 0:  # pragma: no cover - the child: fit, write the cache, leave without cleanup
        code = 1
        try:
            model.warm()
            code = 0
        except BaseException:  # said here: os._exit below would leave it unsaid
            log.exception("safety model fit failed", extra={"event": "model"})
        finally:
            os._exit(code)
    return pid
