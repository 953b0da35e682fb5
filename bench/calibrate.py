"""Fit the engine's score calibration (the cal_* weights and bias in bot/data/engine.yaml).

Training data, never the evaluation sets (tests/data/eval.yaml, tests/data/eval2.yaml):
- every phrasing in the knowledge base, asked against an engine built WITHOUT that phrasing
  (leave-one-out, so the engine cannot simply find itself);
- the development sets tests/data/dev.yaml and tests/data/dev2.yaml (in-scope questions, long
  messages and follow-ups with their previous topic, and out-of-scope ones).
A label is 1 when the engine's top entry is the right one, 0 when it is wrong or the question is
out of scope. A logistic regression on the top candidate's features gives a score that reads as
"probability the top answer is right".

    python bench/calibrate.py            # print the fit and what it would do
    python bench/calibrate.py --write    # also store it in bot/data/engine.yaml
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge  # noqa: E402
from bot.answering.evaluation import QuestionSet  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402

DEV_SETS = ("dev.yaml", "dev2.yaml")

FEATURES = ("bm25", "coverage", "fuzzy", "known")


def leave_one_out(kb: knowledge.KnowledgeBase, tuning: Tuning) -> list[Row]:
    rows: list[Row] = []
    for entry in kb.entries:
        for q in entry.questions:
            others = tuple(x for x in entry.questions if x != q)
            reduced = entry.model_copy(update={"questions": others})
            entries = tuple(reduced if e.id == entry.id else e for e in kb.entries)
            engine = Engine(knowledge.KnowledgeBase(entries, districts=kb.districts), tuning)
            ranked = engine.rank(q)
            if ranked:
                rows.append((ranked[0].features, int(ranked[0].entry.id == entry.id), 1.0))
    return rows


Row = tuple[dict[str, float], int, float]  # features, label, sample weight


def dev_rows(engine: Engine, questions: QuestionSet, in_weight: float, out_weight: float
             ) -> list[Row]:
    """Rows for the engine's own scoring: answers given by rule (a bare name) carry no
    features and are left out."""
    rows: list[Row] = []
    for item in questions.items:
        ranked = engine.rank(item.q, previous=item.previous)
        if ranked and ranked[0].features:
            rows.append((ranked[0].features, int(ranked[0].entry.id == item.id), in_weight))
    for item in questions.out:
        ranked = engine.rank(item.q, previous=item.previous)
        if ranked and ranked[0].features:
            rows.append((ranked[0].features, 0, out_weight))
    return rows


def fit(rows: list[Row], l2: float = 0.01) -> tuple[np.ndarray, float]:
    """Weighted logistic regression by Newton's method (a thousand rows, a few features)."""
    x = np.array([[r[f] for f in FEATURES] for r, _, _ in rows])
    y = np.array([label for _, label, _ in rows], dtype=np.float64)
    sw = np.array([w for _, _, w in rows])
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    for _ in range(50):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (sw * (p - y)) + l2 * np.r_[w[:-1], 0]
        hess = (xb.T * (sw * p * (1 - p))) @ xb + l2 * np.eye(len(w))
        w -= np.linalg.solve(hess, grad)
    return w[:-1], float(w[-1])


def best_threshold(scores_in: list[tuple[float, bool]], scores_out: list[float]) -> float:
    """The answer threshold that maximises correct answers + rejected out-of-scope questions."""
    best, best_value = 0.5, -1.0
    for cut in np.linspace(0.05, 0.95, 91):
        answered = sum(ok and s >= cut for s, ok in scores_in) / len(scores_in)
        rejected = sum(s < cut for s in scores_out) / len(scores_out)
        if answered + rejected > best_value:
            best, best_value = float(cut), answered + rejected
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="store the fit in engine.yaml")
    args = parser.parse_args()
    kb = knowledge.load()
    tuning = Tuning.default()
    loo = leave_one_out(kb, tuning)
    devs = [QuestionSet.load(ROOT / "tests/data" / name) for name in DEV_SETS]
    n_in = len(loo) + sum(len(d.items) for d in devs)
    n_out = sum(len(d.out) for d in devs)
    engine = Engine(kb, tuning)
    # Out-of-scope questions are few; weigh them as much as all in-scope ones together.
    rows = loo + [r for d in devs for r in dev_rows(engine, d, 1.0, n_in / n_out)]
    coef, bias = fit(rows)

    def prob(f: dict[str, float]) -> float:
        return float(1 / (1 + np.exp(-(bias + sum(c * f[n] for n, c in zip(FEATURES, coef,
                                                                              strict=True))))))

    scores_in = [(prob(f), bool(label)) for f, label, w in rows if w == 1.0]
    scores_out = [prob(f) for f, label, w in rows if w != 1.0]
    scores_out += [0.0] * (n_out - len(scores_out))  # no candidate at all
    threshold = best_threshold(scores_in, scores_out)
    answered = sum(ok and s >= threshold for s, ok in scores_in) / len(scores_in)
    rejected = sum(s < threshold for s in scores_out) / len(scores_out)
    print(f"{len(rows)} rows, {sum(label for _, label, _ in rows)} positive")
    for name, c in zip(FEATURES, coef, strict=True):
        print(f"  cal_{name}: {c:.3f}")
    print(f"  bias: {bias:.3f}")
    print(f"  answer_threshold: {threshold:.2f} (training: {answered:.3f} answered right, "
          f"{rejected:.3f} out-of-scope rejected)")
    if args.write:
        path = ROOT / "bot/data/engine.yaml"
        head, block = path.read_text(encoding="utf-8").split("\ncalibration:", 1)
        for name, c in [*zip(FEATURES, coef, strict=True), ("bias", bias)]:
            block = re.sub(rf"(?m)^(  {name}: )[-0-9.]+", rf"\g<1>{c:.3f}", block, count=1)
        text = f"{head}\ncalibration:{block}"
        text = re.sub(r"(?m)^answer_threshold: [-0-9.]+", f"answer_threshold: {threshold:.2f}",
                      text)
        path.write_text(text, encoding="utf-8")
        print(f"written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
