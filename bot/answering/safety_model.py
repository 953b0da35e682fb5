"""A learned second opinion for the safety detector (bot/answering/safety.py).

The cues of knowledge/data/safety.yaml catch the wordings someone thought of; a message that
says the same thing in other words slips through them. This model is trained when first needed
from the `examples` section of the same file (written in the project's own words, one list per
concern plus ordinary look-alikes) and from the knowledge base's own questions as ordinary
messages. Features: TF-IDF over character n-grams within words and over word n-grams of the
canonical text (accents folded, teencode expanded); a logistic regression gives probabilities.

It only speaks when a message holds one of the `signals` words (death, hurt, lock, forge, ...):
a concern needs a concept word and the model's agreement, so an ordinary question whose style
resembles an example is not raised. Prediction uses the fitted weights directly (microseconds),
not scikit-learn's per-call checks.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bot.answering.model_cache import cached, default_cache_dir
from bot.answering.sparse_linear import decision

log = logging.getLogger(__name__)
MODEL_VERSION = "1"  # bump when _fit changes: the disk cache is keyed by it
NONE = "none"  # the class of ordinary messages
C = 10.0  # light regularisation: few examples, each one meant
CLASS_WEIGHT = "balanced"  # the ordinary class is much larger (every knowledge-base question)
_LOCK = threading.Lock()
_TRAINED: dict[str, _Fitted] = {}  # one fit per training data in a process (tests load often)



@dataclass
class _Fitted:
    parts: list[tuple[Any, dict[str, int], Any]]
    offsets: Any
    weights: Any
    bias: Any
    classes: list[str]

    def probabilities(self, canon: str) -> dict[str, float]:
        out = decision(canon, self.parts, self.offsets, self.weights, self.bias, np.float64)
        z = np.exp(out - out.max())
        probs = z / z.sum()
        return dict(zip(self.classes, (float(p) for p in probs), strict=True))


def _fit(texts: list[str], labels: list[str]) -> _Fitted:
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizers = [
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                        token_pattern=r"\S+")]  # noqa: S106 - a regular expression
    matrix = hstack([v.fit_transform(texts) for v in vectorizers]).tocsr()
    classifier = LogisticRegression(C=C, max_iter=2000, class_weight=CLASS_WEIGHT)
    classifier.fit(matrix, labels)
    return _Fitted(
        parts=[(v.build_analyzer(), v.vocabulary_, v.idf_) for v in vectorizers],
        offsets=np.cumsum([0, *(len(v.vocabulary_) for v in vectorizers)])[:-1],
        weights=np.ascontiguousarray(classifier.coef_.T),
        bias=classifier.intercept_.astype(np.float64),
        classes=[str(c) for c in classifier.classes_])


@dataclass(frozen=True)
class SafetyModel:
    """Examples per concern (canonical text), ordinary messages, the signal words and the
    probability a concern needs."""

    examples: tuple[tuple[str, str], ...]  # (canonical text, concern value or "none")
    signals: frozenset[str]  # canonical single words or phrases
    threshold: float
    _key: str = field(default="", compare=False)
    # An illegal reading may ask for more than a crisis: a false refusal of an ordinary
    # question costs more than a false crisis reply is worth to avoid (None: `threshold`).
    illegal_threshold: float | None = None

    @classmethod
    def build(cls, examples: Sequence[tuple[str, str]], signals: Sequence[str],
              threshold: float, illegal_threshold: float | None = None) -> SafetyModel:
        h = hashlib.sha256()
        for canon, label in examples:
            h.update(f"{label}\t{canon}\n".encode())
        return cls(tuple(examples), frozenset(signals), threshold, h.hexdigest(),
                   illegal_threshold)

    def _fitted(self) -> _Fitted | None:
        labels = {label for _, label in self.examples}
        if len(labels) < 2:
            return None
        fitted = _TRAINED.get(self._key)
        if fitted is None:
            with _LOCK:
                fitted = _TRAINED.get(self._key)
                if fitted is None:
                    fitted = _TRAINED[self._key] = self._cached()
        return fitted

    def _cached(self) -> _Fitted:
        """The fit from the disk cache (the intent model's folder) when its key matches the
        training data and scikit-learn's version, else fitted now and cached: a bot process or
        a test starts in milliseconds, not seconds."""
        import sklearn

        key = hashlib.sha256(f"{MODEL_VERSION} {sklearn.__version__} {self._key}".encode())
        path = default_cache_dir() / f"safety-{key.hexdigest()[:24]}.pickle"
        return cached(path, _Fitted, lambda: _fit([c for c, _ in self.examples],
                                                  [lb for _, lb in self.examples]),
                      "safety model")

    def warm(self) -> None:
        self._fitted()

    def signalled(self, text: str, words: frozenset[str]) -> bool:
        """Whether a concept word is in the message (text spaced: " word word ")."""
        return any((" " in s and f" {s} " in text) or s in words for s in self.signals)

    def probabilities(self, text: str) -> dict[str, float]:
        fitted = self._fitted()
        return fitted.probabilities(text.strip()) if fitted is not None else {}

    def read(self, text: str, words: frozenset[str]) -> tuple[str, float] | None:
        """The concern the model sees (value, probability), or None."""
        if not self.signalled(text, words):
            return None
        probs = self.probabilities(text)
        if not probs:
            return None
        label, p = max(probs.items(), key=lambda kv: kv[1])
        needed = self.illegal_threshold if label == "illegal" and self.illegal_threshold \
            else self.threshold
        if label == NONE or p < needed:
            return None
        return label, p
