"""The engine on the development sets only, fast enough to run after every change.

    python bench/dev.py [--misses]

Prints top-1 / answered right / rejected and per class on tests/data/dev.yaml and dev2.yaml, the
share of second questions offered, and per tag on every development conversation set
(tests/data/conv_dev*.yaml); --misses lists what went wrong on them. Never point it at an
evaluation set.
"""

from __future__ import annotations

import argparse
import sys
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
from bot.answering.retrieval import Engine  # noqa: E402

DATA = ROOT / "tests" / "data"
CLASSES = ("plain", "long", "followup", "entity", "dialect", "out-near", "out-far",
           "out-followup")
TAGS = ("open", "follow", "entity", "switch", "oos", "social")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    engine = Engine(knowledge.load())
    print(f"{'':8} {'top-1':>6} {'right':>6} {'reject':>6} {'also':>6} "
          + " ".join(f"{c:>9}" for c in CLASSES))
    for name in ("dev", "dev2"):
        m = evaluate(engine_answerer(engine), QuestionSet.load(DATA / f"{name}.yaml"))
        per = " ".join(f"{m.per_class[c]:9.3f}" if c in m.per_class else f"{'-':>9}"
                       for c in CLASSES)
        print(f"{name:8} {m.top1:6.3f} {m.answered_right:6.3f} {m.rejected:6.3f} "
              f"{m.also_found:6.3f} {per}")
        if args.misses:
            for q, want, got in m.misses:
                print(f"   MISS {want} <- {got}: {q}")
            for q, got in m.accepted_out_of_scope:
                print(f"   OOS-ACCEPTED {got}: {q}")
    print(f"\n{'':10} {'right':>6} {'reject':>6} {'chats':>7} " + " ".join(f"{t:>7}" for t in TAGS))
    for path in sorted(DATA.glob("conv_dev*.yaml")):
        m2 = evaluate_conversations(engine_chat(engine), load_conversations(path))
        per = " ".join(f"{m2.per_tag[t]:7.3f}" if t in m2.per_tag else f"{'-':>7}" for t in TAGS)
        print(f"{path.stem:10} {m2.turns_right:6.3f} {m2.rejected:6.3f} "
              f"{m2.chats_right:3d}/{m2.chats:<3d} {per}")
        if args.misses:
            for q, tag, want, got in m2.misses:
                print(f"   MISS [{tag}] {want} <- {got}: {q}")


if __name__ == "__main__":
    main()
