"""Search the learned model's fusion weight, thresholds and sharpness on the development data.

    python bench/fuse.py [--weights 0.3 0.5 0.7] [--answer 0.3 0.4 0.5] [--sharpness 4 8]

Prints, per setting, top-1 / answered right / rejected on tests/data/dev.yaml and dev2.yaml and
turns right / rejected / chats right on tests/data/conv_dev.yaml and conv_dev3.yaml, next to the
lexical engine (weight 0). The model is trained on the knowledge base and the whole training
corpus (the development sets are not in it). The other half of the choice is the corpus's
leave-one-author-out cross-validation: `python bench/corpus_cv.py --grid`. Never run it on the
evaluation sets.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge  # noqa: E402
from bot.answering.evaluation import (  # noqa: E402
    QuestionSet,
    engine_answerer,
    engine_chat,
    evaluate,
    evaluate_conversations,
    load_conversations,
)
from bot.answering.intent_model import IntentModel  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402

DATA = ROOT / "tests" / "data"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", type=float, nargs="*", default=[0.3, 0.5, 0.7])
    parser.add_argument("--answer", type=float, nargs="*", default=[0.3, 0.4, 0.5])
    parser.add_argument("--sharpness", type=float, nargs="*", default=None)
    parser.add_argument("--override", type=float, nargs="*", default=None,
                        help="model_override values (the model lets a sure topic past a rule)")
    parser.add_argument("--reject", type=float, nargs="*", default=None,
                        help="model_reject values (the model declines what it reads as none)")
    parser.add_argument("--min-words", type=int, default=None,
                        help="model_min_words (shorter messages are read without the model)")
    parser.add_argument("--story", action="store_true",
                        help="model_reads_story: the model reads the story clauses too")
    parser.add_argument("--floor", type=float, default=None, help="model_lexical_floor")
    parser.add_argument("--gap", type=float, default=0.1, help="suggest = answer - gap")
    args = parser.parse_args()
    kb = knowledge.load()
    start = time.perf_counter()
    model = IntentModel.train(kb)
    print(f"trained in {time.perf_counter() - start:.2f} s on {len(kb.corpus.messages)} corpus "
          "messages and the knowledge base")
    sets = [QuestionSet.load(DATA / f"{n}.yaml") for n in ("dev", "dev2")]
    chats = [load_conversations(DATA / f"{n}.yaml") for n in ("conv_dev", "conv_dev3")]
    base = Tuning.default()
    if args.min_words is not None:
        base = dataclasses.replace(base, model_min_words=args.min_words)
    if args.story:
        base = dataclasses.replace(base, model_reads_story=True)
    if args.floor is not None:
        base = dataclasses.replace(base, model_lexical_floor=args.floor)
    sharp = args.sharpness or [base.model_sharpness]
    overrides = args.override or [base.model_override]
    rejects = args.reject or [base.model_reject]
    settings = [(0.0, base.answer_threshold, base.model_sharpness, 1.01, 1.01)] + [
        (w, a, s, o, r) for w in args.weights for a in args.answer for s in sharp
        for o in overrides for r in rejects]
    print(f"{'weight':>6} {'answer':>6} {'sharp':>5} {'over':>4} {'rej':>4}  "
          "dev top1/right/reject   dev2 top1/right/reject   conv right/reject/chats   "
          "conv3 right/reject/chats  total")
    for weight, answer, sharpness, override, reject in settings:
        tuning = dataclasses.replace(base, model_weight=weight, model_answer_threshold=answer,
                                     model_suggest_threshold=max(0.0, answer - args.gap),
                                     model_sharpness=sharpness, model_override=override,
                                     model_reject=reject)
        engine = Engine(kb, tuning, model if weight > 0 else None)
        ms = [evaluate(engine_answerer(engine), s) for s in sets]
        cs = [evaluate_conversations(engine_chat(engine), c) for c in chats]
        total = sum(m.answered_right + m.rejected for m in ms) + sum(
            c.turns_right + c.rejected for c in cs)
        cols = "   ".join(f"{m.top1:.3f}/{m.answered_right:.3f}/{m.rejected:.3f}" for m in ms)
        conv = "   ".join(f"{c.turns_right:.3f}/{c.rejected:.3f}/{c.chats_right:2d}"
                          for c in cs)
        print(f"{weight:6.2f} {answer:6.2f} {sharpness:5.1f} {override:4.2f} {reject:4.2f}  "
              f"{cols}   "
              f"{conv}        {total:.3f}", flush=True)


if __name__ == "__main__":
    main()
