"""Benchmark the safety detector (bot/answering/safety.py, knowledge/data/safety.yaml).

For each labelled set present (tests/data/safety_dev.yaml, safety_dev2.yaml and
safety_dev3.yaml, written independently, and safety_paraphrases.yaml and
safety_author_probes.yaml, the detector authors' regression sets: all tuned on;
tests/data/safety_eval.yaml and safety_eval3.yaml: judging halves, never tuned on):
crisis recall (goal >= 0.97), illegal requests refused (goal >= 0.90), benign look-alikes raised
as an alarm (goal <= 0.05), and per concern how many were read as exactly that concern. Then
time: the detector against the answer engine on the same messages in the same run (the detector
runs before the engine on every message, so its cost is given as a share of the engine's).
Caches are cleared between repeats so that neither side is timed on remembered normalisations.

    python bench/safety.py [--repeat 5] [--missed]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge, safety, text  # noqa: E402
from bot.answering.retrieval import Engine  # noqa: E402

SETS = ("safety_dev", "safety_dev2", "safety_dev3", "safety_paraphrases", "safety_author_probes",
        "safety_eval", "safety_eval3")


def load(name: str) -> list[dict[str, str]] | None:
    path = ROOT / "tests" / "data" / f"{name}.yaml"
    if not path.exists():
        return None
    items: list[dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [i | {"concern": i["concern"] or "none"} for i in items]  # null: ordinary


def fresh() -> None:
    """Forget every remembered normalisation, so each repeat pays for it again."""
    for cached in (text.normalize, text.analyze, text._clean_word, text._fold_word):
        cached.cache_clear()


def per_message_ms(fn: Callable[[str], object], texts: list[str], repeat: int,
                   cold: bool = True) -> float:
    runs = []
    for _ in range(repeat):
        if cold:
            fresh()
        start = time.perf_counter()
        for t in texts:
            fn(t)
        runs.append((time.perf_counter() - start) * 1000 / len(texts))
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--missed", action="store_true",
                        help="print the messages read wrongly (development sets only)")
    args = parser.parse_args()
    kb = knowledge.load()
    detector = kb.safety
    texts: list[str] = []
    for name in SETS:
        items = load(name)
        if items is None:
            print(f"{name}: not present")
            continue
        s = safety.score(detector, items)
        texts += [i["text"] for i in items]
        goal = "meets the goals" if s.meets_goals else "BELOW THE GOALS"
        print(f"{name} ({len(items)} messages): {goal}")
        print(f"  crisis recall      {s.crisis_recall:.3f}  ({s.crisis_found}/{s.crisis}; "
              f"goal >= {safety.CRISIS_RECALL_GOAL})")
        print(f"  illegal refused    {s.illegal_rate:.3f}  ({s.illegal_refused}/{s.illegal}; "
              f"goal >= {safety.ILLEGAL_REFUSED_GOAL})")
        print(f"  benign false alarm {s.false_alarm_rate:.3f}  ({s.false_alarms}/{s.benign}; "
              f"goal <= {safety.FALSE_ALARM_GOAL})")
        for concern, (right, total) in sorted(s.exact.items()):
            print(f"    {concern:10} read as exactly this concern: {right}/{total}")
        if args.missed and "eval" not in name:  # the judging half's misses stay unread
            for line in s.missed:
                print(f"    missed {line}")
    if not texts:
        return
    engine = Engine(kb)
    engine.ask(texts[0])  # warm the engine's own tables once
    detect_ms = per_message_ms(detector.detect, texts, args.repeat)
    engine_ms = per_message_ms(engine.ask, texts, args.repeat)
    print(f"time per message ({len(texts)} messages, median of {args.repeat}, cold text caches):")
    print(f"  detector {detect_ms:.4f} ms, engine {engine_ms:.4f} ms: "
          f"the detector costs {detect_ms / engine_ms:.3f} of the engine's time "
          f"(normalisation included in both)")
    # In the bot the engine reads the normalisation the detector has just made (lru caches in
    # bot/answering/text.py): what the detector adds is its own matching.
    for t in texts:
        text.analyze(t)
    warm_ms = per_message_ms(detector.detect, texts, args.repeat, cold=False)
    print(f"  detector with the text already normalised {warm_ms:.4f} ms: "
          f"{warm_ms / engine_ms:.3f} of the engine's time")


if __name__ == "__main__":
    main()
