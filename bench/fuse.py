"""Search the learned model's fusion weight and thresholds on the development data only.

    python bench/fuse.py [--weights 0.3 0.5 0.7] [--answer 0.3 0.4 0.5]

Prints, per setting, top-1 / answered right / rejected on tests/data/dev.yaml and dev2.yaml and
turns right / rejected / chats right on tests/data/conv_dev.yaml, next to the lexical engine
(weight 0). Never run it on the evaluation sets.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from bot.answering import knowledge
from bot.answering.evaluation import (
    QuestionSet,
    engine_answerer,
    engine_chat,
    evaluate,
    evaluate_conversations,
    load_conversations,
)
from bot.answering.intent_model import IntentModel
from bot.answering.retrieval import Engine, Tuning

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", type=float, nargs="*", default=[0.3, 0.5, 0.7])
    parser.add_argument("--answer", type=float, nargs="*", default=[0.3, 0.4, 0.5])
    parser.add_argument("--gap", type=float, default=0.1, help="suggest = answer - gap")
    args = parser.parse_args()
    kb = knowledge.load()
    start = time.perf_counter()
    model = IntentModel.train(kb)
    print(f"trained in {time.perf_counter() - start:.2f} s")
    sets = [QuestionSet.load(DATA / f"{n}.yaml") for n in ("dev", "dev2")]
    chats = load_conversations(DATA / "conv_dev.yaml")
    base = Tuning.default()
    settings = [(0.0, base.answer_threshold)] + [(w, a) for w in args.weights
                                                 for a in args.answer]
    print(f"{'weight':>6} {'answer':>6}  dev top1/right/reject   dev2 top1/right/reject"
          "   conv right/reject/chats  total")
    for weight, answer in settings:
        tuning = dataclasses.replace(base, model_weight=weight, model_answer_threshold=answer,
                                     model_suggest_threshold=answer - args.gap)
        engine = Engine(kb, tuning, model if weight > 0 else None)
        ms = [evaluate(engine_answerer(engine), s) for s in sets]
        c = evaluate_conversations(engine_chat(engine), chats)
        total = sum(m.answered_right + m.rejected for m in ms) + c.turns_right + c.rejected
        cols = "   ".join(f"{m.top1:.3f}/{m.answered_right:.3f}/{m.rejected:.3f}" for m in ms)
        print(f"{weight:6.2f} {answer:6.2f}  {cols}   {c.turns_right:.3f}/{c.rejected:.3f}/"
              f"{c.chats_right:2d}        {total:.3f}")


if __name__ == "__main__":
    main()
