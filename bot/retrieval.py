"""Question -> ranked knowledge entries with a calibrated score.

Lexical BM25 over folded syllables and syllable pairs finds the candidates; rapidfuzz compares the
question with each candidate's phrasings; a logistic model over a few features (how much of the
question the entry covers, how close the nearest phrasing is, the margin over the runner-up)
turns that into a score from 0 to 1. Everything is offline and deterministic.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from itertools import pairwise

import numpy as np
import yaml
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot import text
from bot.knowledge import District, DistrictTargets, Entry, KnowledgeBase

DISTRICT_TERM = "__district__"


@dataclass(frozen=True)
class Tuning:
    """Engine knobs, kept as data in bot/data/engine.yaml."""

    k1: float
    b: float
    bigram_weight: float
    candidates: int
    rank_weights: dict[str, float]
    calibration: dict[str, float]
    answer_threshold: float
    suggest_threshold: float
    bare_words: int
    bare_ratio: float
    typo_min_length: int
    typo_similarity: float
    typo_trust: float

    @classmethod
    @cache
    def default(cls) -> Tuning:
        raw = resources.files("bot").joinpath("data/engine.yaml").read_text(encoding="utf-8")
        data = yaml.safe_load(raw)
        return cls(**data)


class Kind(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    FALLBACK = "fallback"
    GREETING = "greeting"
    EMPTY = "empty"


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class Result:
    """What the engine makes of one question."""

    kind: Kind
    question: str
    ranked: tuple[Scored, ...]
    districts: tuple[District, ...] = ()
    thanks: bool = False

    @property
    def entry(self) -> Entry | None:
        return self.ranked[0].entry if self.kind is Kind.ANSWER and self.ranked else None

    @property
    def score(self) -> float:
        return self.ranked[0].score if self.ranked else 0.0

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        if self.kind is Kind.SUGGEST:
            return tuple(s.entry for s in self.ranked[:3])
        return ()


@dataclass(frozen=True)
class _Query:
    terms: Counter[str]
    unigrams: tuple[str, ...]
    canon: str
    districts: tuple[District, ...]
    trust: dict[str, float]  # 1.0 for a word as typed, less for a guessed typo correction


def _terms(tokens: Sequence[str]) -> list[str]:
    """Syllables and adjacent syllable pairs: Vietnamese words are often two syllables."""
    return [*tokens, *(f"{a}_{b}" for a, b in pairwise(tokens))]


class _Districts:
    """Finds a former district's name in a question, accented or not."""

    def __init__(self, targets: DistrictTargets | None) -> None:
        self.targets = targets
        self.patterns: list[tuple[re.Pattern[str], District]] = []
        if targets is None:
            return
        names = [(text.canonical(n), d) for d in targets.districts for n in (d.name, *d.aliases)]
        for name, district in sorted(names, key=lambda nd: -len(nd[0])):
            self.patterns.append((re.compile(rf"(?:^| ){re.escape(name)}(?= |$)"), district))

    def find(self, canon: str) -> tuple[tuple[District, ...], str]:
        """Every district named in the question (in order of mention) and the rest of it."""
        found: list[tuple[int, District]] = []
        rest = canon
        for pattern, district in self.patterns:
            match = pattern.search(rest)
            if match and all(d is not district for _, d in found):
                found.append((pattern.search(canon).start(), district))  # type: ignore[union-attr]
                rest = pattern.sub(" ", rest)
        return tuple(d for _, d in sorted(found, key=lambda pd: pd[0])), " ".join(rest.split())


class Engine:
    """The answer engine over one knowledge base; build once, ask many times."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning.default()
        self.entries = kb.entries
        self._districts = _Districts(kb.districts)
        self._build()

    # --- index -------------------------------------------------------------------------------
    def _entry_texts(self, entry: Entry) -> list[str]:
        texts = [entry.title, *entry.questions, *entry.tags]
        if self.kb.districts is not None and entry.id == self.kb.districts.topic:
            texts.append(DISTRICT_TERM)
        return texts

    def _build(self) -> None:
        t = self.tuning
        doc_terms: list[Counter[str]] = []
        self._phrasings: list[list[str]] = []
        for entry in self.entries:
            counts: Counter[str] = Counter()
            phr = []
            for raw in self._entry_texts(entry):
                if raw == DISTRICT_TERM:
                    counts[DISTRICT_TERM] += 3
                    continue
                toks = text.content_tokens(raw)
                counts.update(_terms(toks))
                if raw in entry.questions or raw == entry.title:
                    phr.append(" ".join(toks))
            doc_terms.append(counts)
            self._phrasings.append(phr)
        n = len(doc_terms)
        lengths = np.array([sum(c.values()) for c in doc_terms], dtype=np.float64)
        avg = float(lengths.mean()) if n else 1.0
        df: Counter[str] = Counter()
        for c in doc_terms:
            df.update(c.keys())
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, counts in enumerate(doc_terms):
            norm = t.k1 * (1 - t.b + t.b * lengths[i] / avg)
            for term, tf in counts.items():
                postings[term].append((i, self._idf[term] * tf * (t.k1 + 1) / (tf + norm)))
        self._postings = {
            term: (np.array([i for i, _ in p], dtype=np.int32),
                   np.array([w for _, w in p], dtype=np.float64))
            for term, p in postings.items()
        }
        self._doc_terms = [frozenset(c) for c in doc_terms]
        self._vocab = sorted({term for term in df if "_" not in term and term != DISTRICT_TERM})
        self._vocab_set = frozenset(self._vocab)

    # --- query -------------------------------------------------------------------------------
    def _correct(self, token: str) -> tuple[list[str], float]:
        """Map an unknown token to known ones: a typo of a known syllable, or two glued together.

        Returns the tokens and how far to trust them (a guess counts less than a known word).
        """
        t = self.tuning
        if token in self._vocab_set or token.isdigit() or len(token) < t.typo_min_length:
            return [token], 1.0
        for cut in range(2, len(token) - 1):
            left, right = token[:cut], token[cut:]
            if left in self._vocab_set and right in self._vocab_set:
                return [left, right], t.typo_trust
        best = process.extractOne(token, self._vocab, scorer=Levenshtein.normalized_similarity,
                                  score_cutoff=t.typo_similarity)
        return ([best[0]], t.typo_trust) if best else ([token], 1.0)

    def _query(self, question: str) -> _Query:
        analyzed = text.analyze(question)
        canon = " ".join(t.text for t in analyzed)
        districts, rest = self._districts.find(canon)
        stop = {t.text for t in analyzed if t.stop}
        toks: list[str] = []
        trust: dict[str, float] = {}
        for tok in rest.split():
            if tok in stop:
                continue
            fixed, confidence = self._correct(tok)
            for f in fixed:
                toks.append(f)
                trust[f] = min(trust.get(f, 1.0), confidence)
        terms = Counter(_terms(toks))
        if districts:
            terms[DISTRICT_TERM] += 1
            trust[DISTRICT_TERM] = 1.0
        return _Query(terms, tuple(toks), " ".join(toks), districts, trust)

    def _idf_of(self, term: str) -> float:
        return self._idf.get(term, self._idf_unknown)

    def _bm25(self, q: _Query) -> np.ndarray:
        scores = np.zeros(len(self.entries), dtype=np.float64)
        for term, qtf in q.terms.items():
            posting = self._postings.get(term)
            if posting is None:
                continue
            weight = qtf * (self.tuning.bigram_weight if "_" in term else 1.0)
            scores[posting[0]] += weight * posting[1]
        return scores

    def _share(self, q: _Query, vocabulary: Collection[str]) -> float:
        """Share of the question's information (IDF-weighted syllables, question words left
        out) found in `vocabulary`; guessed typo corrections count less."""
        total = known = 0.0
        asking = text.lexicon().question_words
        for term, qtf in q.terms.items():
            if "_" in term or term in asking:
                continue
            w = self._idf_of(term) * qtf
            total += w
            if term in vocabulary:
                known += w * q.trust.get(term, 1.0)
        return known / total if total else 0.0

    def _known(self, q: _Query) -> float:
        """How much of the question the knowledge base knows at all."""
        return self._share(q, self._idf.keys())

    def _coverage(self, q: _Query, i: int) -> float:
        """How much of the question entry i knows."""
        return self._share(q, self._doc_terms[i])

    def _fuzzy(self, q: _Query, candidates: list[int]) -> dict[int, float]:
        """For each candidate, how close its nearest phrasing is to the question (0-1)."""
        best = dict.fromkeys(candidates, 0.0)
        if not q.canon:
            return best
        owners = [i for i in candidates for _ in self._phrasings[i]]
        choices = [p for i in candidates for p in self._phrasings[i]]
        if not choices:
            return best
        # One C call for all candidates' phrasings instead of one per candidate.
        scores = process.cdist([q.canon], choices, scorer=fuzz.token_sort_ratio)[0]
        for owner, score in zip(owners, scores, strict=True):
            best[owner] = max(best[owner], float(score) / 100)
        return best

    def rank(self, question: str, limit: int = 5) -> list[Scored]:
        """Entries ranked for the question, best first, each with its calibrated score."""
        return self._rank(self._query(question), limit)

    def _rank(self, q: _Query, limit: int = 5) -> list[Scored]:
        if not q.terms or not self.entries:
            return []
        bm25 = self._bm25(q)
        k = min(self.tuning.candidates, len(self.entries))
        candidates = np.argpartition(-bm25, k - 1)[:k] if k < len(self.entries) else np.arange(k)
        top = [int(i) for i in candidates if bm25[i] > 0]
        if not top:
            return []
        ideal = sum(self._idf_of(t) * (self.tuning.bigram_weight if "_" in t else 1.0) * c
                    for t, c in q.terms.items())
        known = self._known(q)
        fuzzy = self._fuzzy(q, top)
        rows = [{
            "bm25": float(bm25[i]) / ideal if ideal else 0.0,
            "coverage": self._coverage(q, i),
            "fuzzy": fuzzy[i],
            "known": known,
        } for i in top]
        w = self.tuning.rank_weights
        order = sorted(range(len(top)), key=lambda j: -sum(w[f] * rows[j][f] for f in w))
        return [Scored(self.entries[top[j]], self._calibrate(rows[j]), rows[j])
                for j in order[:limit]]

    def _calibrate(self, features: dict[str, float]) -> float:
        """Logistic model fitted by bench/calibrate.py: about P(the top entry is right)."""
        cal = self.tuning.calibration
        z = cal["bias"] + sum(cal.get(name, 0.0) * value for name, value in features.items())
        return 1 / (1 + math.exp(-z))

    def ask(self, question: str) -> Result:
        """Classify the question: an answer, did-you-mean suggestions, a greeting or a fallback."""
        if not text.tokens(question):
            return Result(Kind.EMPTY, question, ())
        if text.is_greeting(question):
            thanks = any(t in text.canonical(question) for t in ("cam on", "thank"))
            return Result(Kind.GREETING, question, (), thanks=thanks)
        q = self._query(question)
        ranked = tuple(self._rank(q))
        if not ranked or ranked[0].score < self.tuning.suggest_threshold:
            return Result(Kind.FALLBACK, question, ranked, q.districts)
        if ranked[0].score < self.tuning.answer_threshold or self._ambiguous(q, ranked):
            return Result(Kind.SUGGEST, question, ranked, q.districts)
        return Result(Kind.ANSWER, question, ranked, q.districts)

    def _ambiguous(self, q: _Query, ranked: tuple[Scored, ...]) -> bool:
        """A bare keyword ("học phí", "nước ngoài") that several topics match about equally."""
        if len(q.unigrams) > self.tuning.bare_words or len(ranked) < 2:
            return False
        w = self.tuning.rank_weights
        first, second = (sum(w[f] * s.features[f] for f in w) for s in ranked[:2])
        return second >= self.tuning.bare_ratio * first


def related_entries(kb: KnowledgeBase, entry: Entry) -> list[Entry]:
    return [e for e in (kb.get(r) for r in entry.related) if e is not None]


def vocabulary(entries: Iterable[Entry]) -> set[str]:
    return {tok for e in entries for q in e.questions for tok in text.content_tokens(q)}
