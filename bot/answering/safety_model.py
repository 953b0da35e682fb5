"""A learned second opinion for the safety detector (bot/answering/safety.py).

The cues of knowledge/data/safety.yaml catch the wordings someone thought of; a message that
says the same thing in other words slips through them. This model is trained when first needed
from the `examples` section of the same file (written in the project's own words, one list per
concern plus ordinary look-alikes), the knowledge base's own questions as ordinary messages, and
the training corpus (knowledge/training/: crisis, illegal and look-alike messages, and every
topic message as ordinary, written by authors who never saw the detector's data). Features:
TF-IDF over character n-grams within words and over word n-grams of the canonical text (accents
folded, teencode expanded); a logistic regression gives probabilities.

By default it only speaks when a message holds one of the `signals` words (death, hurt, lock,
forge, ...): a concern needs a concept word and the model's agreement, so an ordinary question
whose style resembles an example is not raised. Prediction uses the fitted weights directly
(microseconds), not scikit-learn's per-call checks.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from bot.answering.model_cache import (
    cached,
    cached_only,
    code_digest,
    default_cache_dir,
    library_version,
)
from bot.answering.sparse_linear import tfidf

log = logging.getLogger(__name__)
MODEL_VERSION = "5"  # 5: the safety corpus's look-alikes weighted (ALIKE); 4: our own analyzers
FITTING = ("safety_model", "sparse_linear")  # the code of the fit: part of the cache key
# ... and of reading the messages as written (the corpus keyed by its files: their parser;
# the order knowledge._load_safety lists them in is part of MODEL_VERSION)
READING = ("text", "safety", "corpus")
# (labelled messages as written, from the corpus?) -> as the model learns them
Reader = Callable[[Sequence[tuple[str, str | None]], bool], Sequence[tuple[str, str]]]
NONE = "none"  # the class of ordinary messages
# A look-alike of the safety corpus (an ordinary message with risky-sounding words): learnt as
# ordinary, weighted ALIKE_WEIGHT against the thousands of plain topic questions of that class
# (by-author cross-validation, seven authors: 2 raised 13 fewer look-alikes of 2,140 with the
# thresholds chosen again, one crisis and one request more; 3 raised 7 fewer still but refused 4
# requests fewer).
ALIKE = "alike"
ALIKE_WEIGHT = 2.0
UNSIGNALLED_WORDS = 3  # words of two letters or more a message needs to be read with no signal
ILLEGAL = "illegal"
CRISIS_LABELS = ("self-harm", "abuse", "danger")
C = 10.0  # light regularisation: few examples, each one meant
CLASS_WEIGHT = "balanced"  # the ordinary class is much larger (every knowledge-base question)
LONG = 40  # words: a longer message is read in windows of WINDOW words, STRIDE apart
WINDOW = 30
STRIDE = 15
MEMO = 64
MAX_WORDS = 50_000
_LOCK = threading.Lock()
_TRAINED: dict[str, _Fitted] = {}  # one fit per training data in a process (tests load often)



@dataclass
class _Fitted:
    parts: list[tuple[Any, dict[str, int], Any]]  # char n-grams within words, then words
    offsets: Any
    weights: Any
    bias: Any
    classes: list[str]
    # Each word's character n-gram columns: a word's n-grams are its own whatever surrounds it
    # (char_wb pads each word), so a long message costs a look-up per word, not per n-gram.
    _grams: dict[str, Any] = field(default_factory=dict, repr=False)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_grams"}  # not on disk

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _grams={})

    def _columns(self, word: str) -> Any:
        found = self._grams.get(word)
        if found is None:
            analyze, vocabulary, _ = self.parts[0]
            found = np.fromiter((k for g in analyze(word) if (k := vocabulary.get(g)) is not None),
                                dtype=np.int64)
            if len(self._grams) >= MAX_WORDS:  # bounded whatever people type
                self._grams.clear()
            self._grams[word] = found
        return found

    def decisions(self, words: Sequence[str], spans: Sequence[tuple[int, int]]) -> Any:
        """The classifier's decision values, a row per span of the words (start, end), as
        sparse_linear.decision reads a text: sublinear tf times idf, l2-normalised per
        vectorizer. Each word's character n-grams and word n-grams (the word, and the pair it
        starts, as the word vectorizer splits canonical text) are looked up once, and every
        span is read in the same few numpy steps: a long message's windows cost little more
        than the message."""
        vocabulary = self.parts[1][1]
        grams = [self._columns(w) for w in words]
        flat = np.concatenate(grams) if grams else np.zeros(0, np.int64)
        ends = np.cumsum([0, *(len(g) for g in grams)])
        single = np.fromiter((vocabulary.get(w, -1) for w in words), np.int64, len(words))
        pairs = np.fromiter((vocabulary.get(f"{a} {b}", -1) for a, b in itertools.pairwise(words)),
                            np.int64, max(0, len(words) - 1))
        chars = [flat[ends[a]:ends[b]] for a, b in spans]
        found = [np.concatenate((single[a:b], pairs[a:max(a, b - 1)])) for a, b in spans]
        found = [f[f >= 0] for f in found]
        out = np.tile(self.bias, (len(spans), 1))
        for (_, _, idf), offset, cols in zip(self.parts, self.offsets, (chars, found),
                                             strict=True):
            rows = np.repeat(np.arange(len(spans)), [len(c) for c in cols])
            if not len(rows):
                continue
            keys, counts = np.unique(rows * len(idf) + np.concatenate(cols),
                                     return_counts=True)
            rows, columns = np.divmod(keys, len(idf))
            values = (1.0 + np.log(counts)) * idf[columns]
            values /= np.sqrt(np.bincount(rows, weights=values * values,
                                          minlength=len(spans)))[rows]
            contributions = values[:, None] * self.weights[columns + offset]
            for k in range(out.shape[1]):
                out[:, k] += np.bincount(rows, weights=contributions[:, k], minlength=len(spans))
        return out

    def decision(self, canon: str) -> Any:
        words = canon.split()
        return self.decisions(words, [(0, len(words))])[0]

    def probabilities(self, canon: str) -> dict[str, float]:
        words = canon.split()
        return self.readings(words, [(0, len(words))])[0]

    def readings(self, words: Sequence[str], spans: Sequence[tuple[int, int]]
                 ) -> list[dict[str, float]]:
        """Class probabilities per span of the words (a softmax of the decision values)."""
        out = self.decisions(words, spans)
        z = np.exp(out - out.max(axis=1, keepdims=True))
        probs = z / z.sum(axis=1, keepdims=True)
        return [dict(zip(self.classes, (float(p) for p in row), strict=True)) for row in probs]


def _fit(texts: list[str], labels: list[str]) -> _Fitted:
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    parts, matrix = tfidf(texts, (2, 4), np.float64)
    weights = np.array([ALIKE_WEIGHT if label == ALIKE else 1.0 for label in labels])
    labels = [NONE if label == ALIKE else label for label in labels]
    classifier = LogisticRegression(C=C, max_iter=2000, class_weight=CLASS_WEIGHT)
    with threadpool_limits(limits=1, user_api="blas"):  # as sparse_linear.fit, with weights
        classifier.fit(matrix, labels, sample_weight=weights)
    return _Fitted(
        parts=parts,
        offsets=np.cumsum([0, *(len(vocabulary) for _, vocabulary, _ in parts)])[:-1],
        weights=np.ascontiguousarray(classifier.coef_.T),
        bias=classifier.intercept_.astype(np.float64),
        classes=[str(c) for c in classifier.classes_])


def _read_long(fitted: _Fitted, text: str) -> dict[str, float]:
    """A long message's reading: the mean of the whole message's and of its window least like
    an ordinary message (the window alone raised one long ordinary message in five in the
    cross-validation, the whole alone found a crisis in a long message one time in ten less)."""
    words = text.split()
    parts = windows(len(words))
    whole, *read = fitted.readings(words, [(0, len(words)), *parts])
    if not read:
        return whole
    best = min(read, key=lambda p: p.get(NONE, 0.0))
    return {k: (v + whole[k]) / 2 for k, v in best.items()}


def windows(size: int) -> list[tuple[int, int]]:
    """The overlapping windows (start, end) a long message of `size` words is also read in;
    none for a short one."""
    if size <= LONG:
        return []
    return [(i, min(size, i + WINDOW)) for i in range(0, max(1, size - WINDOW + STRIDE), STRIDE)]


class Examples:
    """A model's training messages (canonical text, label) in order, read when first needed:
    a fit loaded from the disk cache never reads them (canonicalising the thousands of the
    corpus costs about a second at every start). `base`: how many come before the corpus."""

    def __init__(self, base: Callable[[], Sequence[tuple[str, str]]],
                 corpus: Callable[[], Sequence[tuple[str, str]]] = tuple) -> None:
        self._parts = (base, corpus)
        self._read: tuple[tuple[tuple[str, str], ...], int] | None = None
        self._lock = threading.Lock()

    @classmethod
    def of(cls, pairs: Sequence[tuple[str, str]], base: int) -> Examples:
        """Messages already read (canonical)."""
        found = cls(tuple)
        found._read = (tuple(pairs), base)
        return found

    def __eq__(self, other: object) -> bool:  # as the messages they are (read if need be)
        return isinstance(other, Examples) and self.read() == other.read()

    def __hash__(self) -> int:
        return hash(self.read())

    def read(self) -> tuple[tuple[tuple[str, str], ...], int]:
        found = self._read
        if found is None:
            with self._lock:
                found = self._read
                if found is None:
                    base = tuple(self._parts[0]())
                    found = self._read = ((*base, *self._parts[1]()), len(base))
        return found


@dataclass(frozen=True)
class SafetyModel:
    """Examples per concern (canonical text), ordinary messages, the signal words and what the
    model may decide (knowledge/data/safety.yaml `model`)."""

    source: Examples = field(repr=False)  # (canonical text, concern or "none"), read lazily
    signals: frozenset[str]
    threshold: float
    # A hash of the training messages as written (or as read, for `build`) and of what reads
    # them: the disk cache's key, known without reading them.
    _key: str = field(default="", compare=False)
    # An illegal reading may ask for more than a crisis: a false refusal of an ordinary
    # question costs more than a false crisis reply is worth to avoid (None: `threshold`).
    illegal_threshold: float | None = None
    # The probability a concern needs in a message with no signal word (None: it needs one).
    unsignalled: float | None = None
    # The probability of "ordinary" at which the model overrules an illegal cue, and a crisis
    # cue (None: never; the `always` cues it never overrules).
    veto: float | None = None
    crisis_veto: float | None = None
    # What a crisis reading of a long message needs in place of `threshold` (None: the same):
    # a sentence of danger after a parent's story is read with the story, so it may need less
    # than a short message, whose look-alikes ("khóc hoài", "bị cô la") need more.
    long_threshold: float | None = None
    # ... and an illegal reading of a long message, in place of `illegal_threshold`: a request
    # after a story is read with the story, and a look-alike story rarely reads as one.
    long_illegal_threshold: float | None = None
    # The probability of "ordinary" at which the model overrules an illegal cue, and a crisis
    # cue, in a long message (None: never). Its reading of a long message is the mean of the
    # whole and of its least ordinary window, so a sentence of danger or a request after a
    # parent's story still pulls "ordinary" down; a long look-alike read as ordinary at 0.8 is
    # a story told about others, which a cue's few words cannot tell from one's own.
    long_veto: float | None = None
    long_crisis_veto: float | None = None
    # The last readings: a message is read up to three times (a cue's check, a veto, the
    # second opinion), each costing milliseconds for a long one.
    _memo: dict[str, dict[str, float]] = field(default_factory=dict, init=False, compare=False,
                                               hash=False, repr=False)

    @property
    def examples(self) -> tuple[tuple[str, str], ...]:
        """(canonical text, concern value or "none"): safety.yaml's and the knowledge base's,
        then the corpus's."""
        return self.source.read()[0]

    @property
    def base(self) -> int:
        """examples[:base]: safety.yaml's and the knowledge base's; then the corpus's."""
        return self.source.read()[1]

    @classmethod
    def build(cls, examples: Sequence[tuple[str, str]], signals: Sequence[str],
              threshold: float, illegal_threshold: float | None = None, *,
              corpus: Sequence[tuple[str, str]] = (), digest: str = "",
              unsignalled: float | None = None, veto: float | None = None,
              crisis_veto: float | None = None, long_threshold: float | None = None,
              long_veto: float | None = None, long_crisis_veto: float | None = None,
              long_illegal_threshold: float | None = None) -> SafetyModel:
        """A model of messages already read: `examples` (canonical, label), then `corpus`,
        the training corpus's; `digest`: the corpus files' hash, part of the cache key."""
        h = hashlib.sha256(f"corpus {digest}\n".encode())
        for canon, label in (*examples, *corpus):
            h.update(f"{label}\t{canon}\n".encode())
        return cls(Examples.of((*examples, *corpus), len(examples)), frozenset(signals),
                   threshold, h.hexdigest(), illegal_threshold, unsignalled, veto, crisis_veto,
                   long_threshold, long_illegal_threshold, long_veto, long_crisis_veto)

    @classmethod
    def written(cls, examples: Sequence[tuple[str, str]], ordinary: Sequence[str],
                corpus: Callable[[], Sequence[tuple[str, str | None]]], read: Reader,
                signals: Sequence[str],
                threshold: float, illegal_threshold: float | None = None, *,
                digest: str = "", rules: Sequence[str] = (), **settings: float | None
                ) -> SafetyModel:
        """A model of `examples` (canonical, label), `ordinary` messages and the labelled
        `corpus` (text, concern or None; what returns it) as written: `read` makes them what
        the model learns (canonical, `rules` removed, empty ones dropped) the first time a fit
        needs them. The cache key hashes them as written, with `rules`, the lexicon and the
        reading code; the corpus by its files' `digest` (its texts when there is none)."""
        from importlib import resources

        h = hashlib.sha256(f"written {digest} {code_digest(*READING)}\n".encode())
        h.update(resources.files("bot").joinpath("data/lexicon.yaml").read_bytes())
        for rule in rules:
            h.update(f"rule\t{rule}\n".encode())
        for canon, label in examples:
            h.update(f"{label}\t{canon}\n".encode())
        for q in ordinary:
            h.update(f"ordinary\t{q}\n".encode())
        for q, concern in () if digest else corpus():
            h.update(f"corpus {concern}\t{q}\n".encode())
        return cls(Examples(lambda: (*examples, *read([(q, None) for q in ordinary], False)),
                            lambda: read(corpus(), True)),
                   frozenset(signals), threshold, h.hexdigest(), illegal_threshold, **settings)

    def trained_on(self, corpus: Sequence[tuple[str, str]]) -> SafetyModel:
        """The same model with its examples and another corpus (cross-validation)."""
        return SafetyModel.build(self.examples[:self.base], sorted(self.signals),
                                 self.threshold, self.illegal_threshold, corpus=corpus,
                                 unsignalled=self.unsignalled, veto=self.veto,
                                 crisis_veto=self.crisis_veto,
                                 long_threshold=self.long_threshold,
                                 long_illegal_threshold=self.long_illegal_threshold,
                                 long_veto=self.long_veto,
                                 long_crisis_veto=self.long_crisis_veto)

    @property
    def key(self) -> str:
        return self._key

    def _fitted(self) -> _Fitted | None:
        fitted = _TRAINED.get(self._key)
        if fitted is None:
            with _LOCK:
                fitted = _TRAINED.get(self._key)
                if fitted is None:
                    fitted = self._cached()
                    if fitted is None:
                        return None
                    _TRAINED[self._key] = fitted
        return fitted

    def cache_path(self) -> Path:
        key = hashlib.sha256(f"{MODEL_VERSION} {library_version()} {code_digest(*FITTING)} "
                             f"{self._key}".encode())
        return default_cache_dir() / f"safety-{key.hexdigest()[:24]}.pickle"

    def _cached(self) -> _Fitted | None:
        """The fit from the disk cache (the intent model's folder) when its key matches the
        training data as written, the code and scikit-learn's version, else fitted now and
        cached: a bot process or a test starts in milliseconds, not seconds. None when the
        examples have fewer than two classes (nothing to learn)."""
        path = self.cache_path()
        found = cached_only(path, _Fitted)
        if found is not None:
            return found
        examples = self.examples
        if len({label for _, label in examples}) < 2:
            return None
        return cached(path, _Fitted, lambda: _fit([c for c, _ in examples],
                                                  [lb for _, lb in examples]), "safety model")

    def warm(self) -> None:
        self._fitted()

    def forget(self) -> None:
        """Forget the last readings (benchmarks time each reading afresh)."""
        self._memo.clear()

    def signalled(self, text: str, words: frozenset[str]) -> bool:
        """Whether a concept word is in the message (text spaced: " word word ")."""
        return any((" " in s and f" {s} " in text) or s in words for s in self.signals)

    def probabilities(self, text: str) -> dict[str, float]:
        """The model's reading (text spaced: " word word "). A long message is also read in
        overlapping windows: the n-grams of a whole long message drown the few that matter (a
        parent's story, then one sentence of danger)."""
        found = self._memo.get(text)
        if found is None:
            fitted = self._fitted()
            found = {}
            if fitted is not None:
                found = _read_long(fitted, text)
            if len(self._memo) >= MEMO:
                self._memo.clear()
            self._memo[text] = found
        return found

    @cached_property
    def _signal_starts(self) -> frozenset[str]:
        return frozenset(s.split()[0] for s in self.signals)

    def signal_spans(self, text: str) -> list[tuple[int, int]]:
        """Where the signal words stand (word indices, first and last)."""
        words = text.split()
        found = []
        for i, word in enumerate(words):
            if word in self._signal_starts:
                found += [(i, i + n - 1) for n in (1, 2, 3)
                          if " ".join(words[i:i + n]) in self.signals]
        return found or [(0, len(words))]  # none (a model reading without one): everywhere

    def read(self, text: str, words: frozenset[str]) -> tuple[str, float] | None:
        """The concern the model sees (value, probability), or None. A crisis is read from
        the three crisis classes together (they get the same first reply): a message the model
        is sure is no ordinary one but splits between abuse and danger is still a crisis, named
        by the likelier of them."""
        signalled = self.signalled(text, words)
        if not signalled and (self.unsignalled is None or sum(
                w.isalpha() and len(w) > 1 for w in words) < UNSIGNALLED_WORDS):
            return None  # with no signal word, the model needs a sentence to read ("e 2 aa")
        probs = self.probabilities(text)
        if not probs:
            return None
        floor = self.unsignalled if not signalled and self.unsignalled is not None else 0.0
        threshold = self.threshold
        illegal = self.illegal_threshold or threshold
        if len(text.split()) > LONG:
            threshold = self.long_threshold or threshold
            illegal = self.long_illegal_threshold or illegal
        crises = {c: p for c, p in probs.items() if c in CRISIS_LABELS}
        crisis = sum(crises.values())
        if crises and crisis >= max(threshold, floor, probs.get(ILLEGAL, 0.0)):
            label = max(crises, key=lambda c: crises[c])
            return label, crisis
        p = probs.get(ILLEGAL, 0.0)
        if p >= max(illegal, floor) and p > probs[NONE]:
            return ILLEGAL, p
        return None

    def overrules(self, text: str, crisis: bool = False) -> bool:
        """Whether the model reads the message as ordinary surely enough to overrule a cue
        (`veto`, `crisis_veto`)."""
        needed = self.crisis_veto if crisis else self.veto
        if len(text.split()) > LONG:  # a long message's reading: its own settings
            needed = self.long_crisis_veto if crisis else self.long_veto
        if needed is None:
            return False
        return self.probabilities(text).get(NONE, 0.0) >= needed
