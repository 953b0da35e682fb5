"""A fitted TF-IDF + linear model read without scikit-learn's per-call overhead (~5 ms a call):
the vectorizers' analyzers, vocabularies and idf weights, and the classifier's weights, applied
to one text. Shared by the intent model and the safety model's second opinion."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


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
