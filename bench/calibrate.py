"""Fit the engine's score calibration (the cal_* weights and bias in bot/data/engine.yaml).

Training data, never the evaluation set (tests/data/eval.yaml):
- every phrasing in the knowledge base, asked against an engine built WITHOUT that phrasing
  (leave-one-out, so the engine cannot simply find itself);
- the development set tests/data/dev.yaml (in-scope questions and out-of-scope ones).
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
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import knowledge  # noqa: E402
from bot.retrieval import Engine, Tuning  # noqa: E402

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


def dev_rows(engine: Engine, path: Path, in_weight: float, out_weight: float) -> list[Row]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rows: list[Row] = []
    for item in data["in_scope"]:
        ranked = engine.rank(item["q"])
        if ranked:
            rows.append((ranked[0].features, int(ranked[0].entry.id == item["id"]), in_weight))
    for q in data["out_of_scope"]:
        ranked = engine.rank(q)
        if ranked:
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
    dev = yaml.safe_load((ROOT / "tests/data/dev.yaml").read_text(encoding="utf-8"))
    n_in = len(loo) + len(dev["in_scope"])
    # Out-of-scope questions are few; weigh them as much as all in-scope ones together.
    rows = loo + dev_rows(Engine(kb, tuning), ROOT / "tests/data/dev.yaml", 1.0,
                          n_in / len(dev["out_of_scope"]))
    coef, bias = fit(rows)

    def prob(f: dict[str, float]) -> float:
        return float(1 / (1 + np.exp(-(bias + sum(c * f[n] for n, c in zip(FEATURES, coef,
                                                                              strict=True))))))

    scores_in = [(prob(f), bool(label)) for f, label, w in rows if w == 1.0]
    scores_out = [prob(f) for f, label, w in rows if w != 1.0]
    scores_out += [0.0] * (len(dev["out_of_scope"]) - len(scores_out))  # no candidate at all
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
