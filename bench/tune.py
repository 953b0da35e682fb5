"""Search the engine's ranking knobs (BM25 k1/b, bigram weight, rank weights) for top-1 accuracy.

Scored on data the engine is never evaluated on: 5-fold cross-validation over the knowledge
base's own phrasings (each fold's phrasings asked against an engine built without them) plus the
development set. The evaluation set stays untouched. Prints the best settings; copy them into
bot/data/engine.yaml, then rerun bench/calibrate.py --write.

    python bench/tune.py
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge  # noqa: E402
from bot.answering.evaluation import QuestionSet  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402

FOLDS = 5


Fold = tuple[knowledge.KnowledgeBase, list[tuple[str, str]]]


def folds(kb: knowledge.KnowledgeBase) -> list[Fold]:
    """Knowledge bases each missing a fifth of every entry's phrasings, with the held-out ones."""
    out = []
    for k in range(FOLDS):
        held: list[tuple[str, str]] = []
        entries = []
        for e in kb.entries:
            keep = tuple(q for i, q in enumerate(e.questions) if i % FOLDS != k)
            held += [(q, e.id) for i, q in enumerate(e.questions) if i % FOLDS == k]
            entries.append(e.model_copy(update={"questions": keep}))
        out.append((knowledge.KnowledgeBase(tuple(entries), districts=kb.districts), held))
    return out


def top1(engine: Engine, questions: list[tuple[str, str]]) -> int:
    hits = 0
    for q, expected in questions:
        ranked = engine.rank(q, limit=1)
        hits += bool(ranked) and ranked[0].entry.id == expected
    return hits


def score(tuning: Tuning, kb: knowledge.KnowledgeBase, cv: list, dev: QuestionSet) -> float:
    total = sum(len(h) for _, h in cv) + len(dev.in_scope)
    hits = sum(top1(Engine(fold_kb, tuning), held) for fold_kb, held in cv)
    hits += top1(Engine(kb, tuning), list(dev.in_scope))
    return hits / total


def main() -> None:
    kb = knowledge.load()
    dev = QuestionSet.load(ROOT / "tests/data/dev.yaml")
    cv = folds(kb)
    base = Tuning.default()
    grid = itertools.product([0.9, 1.2, 1.6], [0.3, 0.5, 0.75], [0.5, 0.7, 1.0],
                             [0.3, 0.5, 0.8, 1.2], [0.0, 0.5])
    results = []
    for k1, b, bigram, fuzzy, coverage in grid:
        tuning = dataclasses.replace(base, k1=k1, b=b, bigram_weight=bigram,
                                     rank_weights={"bm25": 1.0, "fuzzy": fuzzy,
                                                   "coverage": coverage})
        results.append((score(tuning, kb, cv, dev), k1, b, bigram, fuzzy, coverage))
        print(f"{results[-1][0]:.4f} k1={k1} b={b} bigram={bigram} fuzzy={fuzzy} "
              f"coverage={coverage}", flush=True)
    results.sort(reverse=True)
    print("best:", results[:5])


if __name__ == "__main__":
    main()
