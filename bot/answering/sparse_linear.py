"""A fitted TF-IDF + linear model read without scikit-learn's per-call overhead (~5 ms a call):
the vectorizers' analyzers, vocabularies and idf weights, and the classifier's weights, applied
to one text. Shared by the intent model and the safety model's second opinion."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

_WHITE = re.compile(r"\s\s+")  # scikit-learn's own expressions, so the n-grams are the same
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class CharGrams:
    """TfidfVectorizer(analyzer="char_wb", ngram_range=(low, high))'s analyzer, in the same
    order: the fitted model pickles this, not scikit-learn's closure, so a process that loads
    it from the disk cache does not import scikit-learn (about a second)."""

    low: int
    high: int

    def __call__(self, doc: str) -> list[str]:
        grams: list[str] = []
        add = grams.append
        for w in _WHITE.sub(" ", doc.lower()).split():
            w = f" {w} "
            size = len(w)
            for n in range(self.low, self.high + 1):
                offset = 0
                add(w[:n])
                while offset + n < size:
                    offset += 1
                    add(w[offset:offset + n])
                if offset == 0:  # a short word counted once
                    break
        return grams


@dataclass(frozen=True)
class WordGrams:
    r"""TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(low, high))'s
    analyzer, in the same order (unigrams first)."""

    low: int
    high: int

    def __call__(self, doc: str) -> list[str]:
        words = _TOKEN.findall(doc.lower())
        if self.high == 1:
            return words
        low = self.low
        grams = list(words) if low == 1 else []
        low = max(low, 2)
        for n in range(low, min(self.high + 1, len(words) + 1)):
            grams += [" ".join(words[i:i + n]) for i in range(len(words) - n + 1)]
        return grams


def analyzer(vectorizer: Any) -> CharGrams | WordGrams:
    """The fitted vectorizer's analyzer as one of ours; only the settings ours reproduce."""
    v = vectorizer
    plain = (v.lowercase and v.preprocessor is None and v.tokenizer is None
             and v.stop_words is None and v.strip_accents is None and v.input == "content")
    if plain and v.analyzer == "char_wb":
        return CharGrams(*v.ngram_range)
    if plain and v.analyzer == "word" and v.token_pattern == _TOKEN.pattern:
        return WordGrams(*v.ngram_range)
    raise ValueError(f"no fast analyzer for {v!r}")


Part = tuple[Any, dict[str, int], Any]  # a fitted vectorizer: analyzer, vocabulary, idf


def tfidf(texts: Sequence[str], char_range: tuple[int, int], dtype: Any) -> tuple[list[Part], Any]:
    r"""What TfidfVectorizer(analyzer="char_wb", ngram_range=char_range) and
    TfidfVectorizer(analyzer="word", token_pattern=r"\S+", ngram_range=(1, 2)) (both
    sublinear_tf, `dtype`) fit on `texts`: their parts and the stacked matrix, the same values
    (tested). char_wb reads each word alone, so a text's character n-gram counts are the sum of
    its words': the n-grams are counted once per distinct word (the word counts times a word x
    n-gram matrix), not for every word of every text, which took most of the vectorising."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    words = CountVectorizer(analyzer="word", token_pattern=_TOKEN.pattern,
                            ngram_range=(1, 2), dtype=dtype)
    word_counts = words.fit_transform(texts)
    single = [(k, w) for w, k in words.vocabulary_.items() if " " not in w]
    chars = CountVectorizer(analyzer="char_wb", ngram_range=char_range, dtype=dtype)
    grams = chars.fit_transform([w for _, w in single])
    char_counts = (word_counts[:, [k for k, _ in single]] @ grams).tocsr()
    char_counts.sort_indices()
    parts: list[Part] = []
    matrices = []
    for vectorizer, counts in ((chars, char_counts), (words, word_counts)):
        weighting = TfidfTransformer(sublinear_tf=True)
        matrices.append(weighting.fit_transform(counts))
        parts.append((analyzer(vectorizer), vectorizer.vocabulary_, weighting.idf_))
    return parts, hstack(matrices).tocsr()


def fit(classifier: Any, matrix: Any, labels: Sequence[str]) -> Any:
    """`classifier.fit(matrix, labels)` with BLAS on one thread: the solvers' vector steps are
    small, and OpenBLAS spreading each over every core made a logistic regression 8x slower on
    a busy 2-core machine (10 s -> 1.3 s); one thread also sums in one order, so a refit gives
    the same weights."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        return classifier.fit(matrix, labels)


def decision(canon: str, parts: Sequence[tuple[Any, dict[str, int], Any]], offsets: Any,
             weights: Any, bias: Any, dtype: Any) -> Any:
    """The classifier's decision value per class for `canon`: per vectorizer, sublinear tf
    times idf, l2-normalised (as TfidfVectorizer(sublinear_tf=True) makes them), then the
    weights of the columns that occur."""
    out = bias.copy()
    for (analyze, vocabulary, idf), offset in zip(parts, offsets, strict=True):
        counts: dict[int, int] = {}
        for gram in analyze(canon):
            k = vocabulary.get(gram)
            if k is not None:
                counts[k] = counts.get(k, 0) + 1
        add_part(out, counts, idf, weights, offset, dtype)
    return out


def add_part(out: Any, counts: dict[int, int], idf: Any, weights: Any, offset: int,
             dtype: Any) -> None:
    """Add one vectorizer's share to the decision values `out`: its column counts as sublinear
    tf times idf, l2-normalised, times the weights of those columns."""
    if not counts:
        return
    idx = np.fromiter(counts, dtype=np.int64, count=len(counts))
    tf = 1.0 + np.log(np.fromiter(counts.values(), dtype=dtype, count=len(counts)))
    values = tf * idf[idx]
    values /= np.linalg.norm(values)
    out += values @ weights[idx + offset]
