"""A cold start fits the two learned models at once: the safety model in a forked child
process (it writes the shared disk cache) while this process fits the intent model. Each fit is
about a second of CPU bound by the GIL (threads gave nothing), so two processes on two cores
take the longer of the two, not their sum. With the fits cached, or where forking is unsafe
(other threads running, no fork), it does nothing: the safety model is fitted or loaded by
`Detector.warm` as before."""

from __future__ import annotations

import contextlib
import os
import threading

from bot.answering.forked import fork
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine


def ready_engine(kb: KnowledgeBase) -> Engine:
    """The engine for `kb`; the safety model fitted meanwhile when neither is cached."""
    child = _fit_safety_aside(kb)
    try:
        return Engine(kb)
    finally:
        if child is not None:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(child, 0)


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
        finally:
            os._exit(code)
    return pid
