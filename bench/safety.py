"""Benchmark the safety detector (bot/answering/safety.py, knowledge/data/safety.yaml).

1. The honest measure: k-fold cross-validation on the training corpus's safety messages
   (knowledge/training/safety/*.yaml, written by an author who never saw the detector's data):
   the model is trained on the other folds (plus safety.yaml's examples, the knowledge base's
   questions and every topic message of the corpus as ordinary) and the held-out fold is read by
   the WHOLE detector, cues and model. Per fold and mean: crisis recall (goal >= 0.97), illegal
   requests refused (goal >= 0.90), benign look-alikes raised (goal <= 0.05). Then false alarms
   on the topic corpus, leaving one author out: trained without that author's file, tested on
   it. Both against the detector as it was before the corpus (the model without the corpus) and
   the cues alone. This estimates what messages from fresh authors will see.
2. The labelled sets present in tests/data: safety_dev.yaml, safety_dev2.yaml,
   safety_dev3.yaml (written independently) and safety_paraphrases.yaml,
   safety_author_probes.yaml (the detector authors' regression sets): all tuned on. The judging
   halves (safety_eval.yaml, safety_eval3.yaml, safety_eval4.yaml) only with --judging, and
   never their misses.
3. Time: the detector against the answer engine on the same messages in the same run, and on
   1,000-character messages (the detector runs before the engine on every message). Caches are
   cleared between repeats so that neither side is timed on remembered normalisations.

    python bench/safety.py [--folds 5] [--repeat 5] [--missed] [--sweep] [--judging]
                            [--baseline DIR] [--authors-only] [--author-missed FILE]
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge, safety, text  # noqa: E402
from bot.answering.retrieval import Engine  # noqa: E402
from bot.answering.safety_model import ALIKE  # noqa: E402

DEV_SETS = ("safety_dev", "safety_dev2", "safety_dev3", "safety_paraphrases",
            "safety_author_probes")
JUDGING_SETS = ("safety_eval", "safety_eval3", "safety_eval4", "safety_eval5", "safety_eval6",
                "safety_eval7", "safety_eval8", "safety_eval9", "safety_eval10",
                "safety_eval11", "safety_eval12", "safety_eval13", "safety_eval14",
                "safety_eval15", "safety_eval16", "safety_eval17", "safety_eval18",
                "safety_eval19", "safety_eval20", "safety_eval20b",
                "safety_eval21")
KNOWLEDGE = ROOT / "knowledge"
SEED = 19
LONG_WORDS = 40
Labelled = list[tuple[str, str | None]]


def load(name: str) -> list[dict[str, str]] | None:
    path = ROOT / "tests" / "data" / f"{name}.yaml"
    if not path.exists():
        return None
    items: list[dict[str, str]] = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    return [i | {"concern": i["concern"] or "none"} for i in items]  # null: ordinary


# --- the training corpus, per file -------------------------------------------------------------
def safety_files() -> dict[str, Labelled]:
    """Each safety file's messages (one author a file)."""
    out = {}
    for path in sorted((KNOWLEDGE / "training" / "safety").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.stem] = [(m["text"], m["concern"]) for m in data.get("messages") or ()]
    return out


def safety_corpus() -> Labelled:
    return [m for messages in safety_files().values() for m in messages]


def topic_files() -> dict[str, list[str]]:
    """Each topic file's messages (one author a file), conversation turns included."""
    out = {}
    for path in sorted((KNOWLEDGE / "training" / "topics").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts = [m["q"] for m in data.get("messages") or ()]
        texts += [t["q"] for c in data.get("conversations") or () for t in c["turns"]]
        out[path.stem] = texts
    return out


def folds(items: Labelled, k: int) -> list[Labelled]:
    """k folds, each concern spread evenly (a fixed shuffle: the same folds every run)."""
    out: list[Labelled] = [[] for _ in range(k)]
    rng = random.Random(SEED)
    i = 0
    for concern in sorted({c or "none" for _, c in items}):
        group = [m for m in items if (m[1] or "none") == concern]
        rng.shuffle(group)
        for m in group:
            out[i % k].append(m)
            i += 1
    return out


def as_items(messages: Labelled) -> list[dict[str, str]]:
    return [{"text": t, "concern": c or "none"} for t, c in messages]


@dataclasses.dataclass
class CrossValidation:
    """The detectors trained per fold and per left-out author, to read with other settings."""

    folds: list[tuple[safety.Detector, Labelled]]
    authors: list[tuple[str, safety.Detector, list[str]]]
    padding: list[str]  # ordinary messages to put before a held-out one: a long message


def in_long_messages(held: Labelled, padding: list[str], size: int = 1000) -> Labelled:
    """Each message last in a message of about `size` characters, after ordinary questions of
    the topic corpus (a parent tells the family's story first)."""
    rng = random.Random(SEED)
    out: Labelled = []
    for message, concern in held:
        story: list[str] = []
        while len(" ".join([*story, message])) < size:
            story.append(rng.choice(padding))
        out.append((" ".join([*story, message]), concern))
    return out


def as_training(messages: Labelled) -> Labelled:
    """Safety-corpus messages as the model learns them: an ordinary one is a look-alike
    (weighted in the fit, as knowledge.py labels the corpus)."""
    return [(text, concern or ALIKE) for text, concern in messages]


def cross_validate(base: safety.Detector, k: int, by_author: bool = False) -> CrossValidation:
    """k folds of the whole safety corpus, or (by_author) one fold per safety file: trained on
    the other authors' messages only, the harder and more honest test of fresh wording."""
    corpus = safety_corpus()
    topics = topic_files()
    ordinary: Labelled = [(q, None) for texts in topics.values() for q in texts]
    parts = list(safety_files().values()) if by_author else folds(corpus, k)
    trained = []
    for i, held in enumerate(parts):
        rest = as_training([m for j, part in enumerate(parts) if j != i for m in part])
        trained.append((base.trained_on(rest + ordinary), held))
    authors = []
    for name, texts in topics.items():
        others = [(q, None) for other, qs in topics.items() if other != name for q in qs]
        authors.append((name, base.trained_on(as_training(corpus) + others), texts))
    return CrossValidation(trained, authors, [q for q, _ in ordinary])


def with_settings(detector: safety.Detector, **settings: Any) -> safety.Detector:
    """The detector with other model settings (the fit is the same: it is keyed by data)."""
    if detector.model is None or not settings:
        return detector
    return dataclasses.replace(detector, model=dataclasses.replace(detector.model, **settings))


def cv_rows(cv: CrossValidation, settings: dict[str, Any], long: bool = False
            ) -> tuple[list[safety.Score], list[tuple[str, int, int]]]:
    """Scores per fold and false alarms per left-out author; `long`: each held-out message
    inside a long one."""
    def held_out(held: Labelled) -> Labelled:
        return in_long_messages(held, cv.padding) if long else held

    scores = [safety.score(with_settings(d, **settings), as_items(held_out(held)))
              for d, held in cv.folds]
    alarms = [(name, sum(with_settings(d, **settings).detect(q) is not None for q in texts),
               len(texts)) for name, d, texts in cv.authors]
    if long:  # the topic corpus's own long messages (parents' stories)
        alarms = [(name, sum(with_settings(d, **settings).detect(q) is not None for q in longs),
                   len(longs)) for name, d, texts in cv.authors
                  if (longs := [q for q in texts if len(q.split()) > LONG_WORDS])]
    return scores, alarms


def summary(scores: Sequence[safety.Score], alarms: Sequence[tuple[str, int, int]]
            ) -> tuple[float, float, float, float]:
    """Pooled over the folds: crisis recall, illegal refused, look-alike false alarms, topic
    corpus false alarms."""
    crisis = sum(s.crisis_found for s in scores) / max(1, sum(s.crisis for s in scores))
    illegal = sum(s.illegal_refused for s in scores) / max(1, sum(s.illegal for s in scores))
    benign = sum(s.false_alarms for s in scores) / max(1, sum(s.benign for s in scores))
    topics = sum(a for _, a, _ in alarms) / max(1, sum(n for _, _, n in alarms))
    return crisis, illegal, benign, topics


def print_cv(title: str, scores: list[safety.Score], alarms: list[tuple[str, int, int]],
             missed: bool) -> None:
    print(f"\n{title}")
    print(f"  {'fold':8} {'crisis':>14} {'illegal':>14} {'look-alikes':>16}")
    for i, s in enumerate(scores):
        print(f"  {i + 1:<8} {s.crisis_recall:6.3f} ({s.crisis_found:2}/{s.crisis:2}) "
              f"{s.illegal_rate:6.3f} ({s.illegal_refused:2}/{s.illegal:2}) "
              f"{s.false_alarm_rate:6.3f} ({s.false_alarms:3}/{s.benign:3})")
    crisis, illegal, benign, topics = summary(scores, alarms)
    print(f"  {'pooled':8} {crisis:6.3f} {'':7} {illegal:6.3f} {'':7} {benign:6.3f}   "
          f"(goals >= {safety.CRISIS_RECALL_GOAL}, >= {safety.ILLEGAL_REFUSED_GOAL}, "
          f"<= {safety.FALSE_ALARM_GOAL})")
    sd = [statistics.pstdev(v) for v in ([s.crisis_recall for s in scores],
                                         [s.illegal_rate for s in scores],
                                         [s.false_alarm_rate for s in scores])]
    print(f"  {'fold sd':8} {sd[0]:6.3f} {'':7} {sd[1]:6.3f} {'':7} {sd[2]:6.3f}")
    print("  topic corpus, one author left out: " + ", ".join(
        f"{name} {a}/{n}" for name, a, n in alarms) + f"; false alarms {topics:.4f}")
    if missed:
        for s in scores:
            for line in s.missed:
                print(f"    missed {line}")


OLD = {"threshold": 0.5, "illegal_threshold": 0.66, "unsignalled": None, "veto": None,
       "crisis_veto": None}  # the settings before the corpus
SWEEP: list[dict[str, Any]] = [  # what the model may decide, read on the same fits
    {}, OLD,
    OLD | {"threshold": 0.4}, OLD | {"threshold": 0.6},
    OLD | {"unsignalled": 0.7}, OLD | {"unsignalled": 0.8}, OLD | {"unsignalled": 0.9},
    OLD | {"illegal_threshold": 0.5}, OLD | {"illegal_threshold": 0.8},
    OLD | {"crisis_veto": 0.9}, OLD | {"crisis_veto": 0.8}, OLD | {"veto": 0.9},
    OLD | {"illegal_threshold": 0.5, "crisis_veto": 0.9},
    OLD | {"illegal_threshold": 0.5, "crisis_veto": 0.9, "unsignalled": 0.9},
    OLD | {"illegal_threshold": 0.5, "crisis_veto": 0.9, "unsignalled": 0.8},
    OLD | {"threshold": 0.4, "illegal_threshold": 0.5, "crisis_veto": 0.9, "unsignalled": 0.7},
]


def sweep(cv: CrossValidation, variants: list[dict[str, Any]]) -> None:
    print("\nsettings on the same folds (pooled): crisis, illegal, look-alikes, topic corpus; "
          "then each in a long message, and the topic corpus's long messages")
    for settings in variants:
        crisis, illegal, benign, topics = summary(*cv_rows(cv, settings))
        long = summary(*cv_rows(cv, settings, long=True))
        shown = {k: v for k, v in settings.items() if v is not None} if settings else None
        print(f"  {shown or 'as in safety.yaml'!s:40} {crisis:6.3f} {illegal:6.3f} "
              f"{benign:6.3f} {topics:7.4f}   long: {long[0]:6.3f} {long[1]:6.3f} "
              f"{long[2]:6.3f} {long[3]:7.4f}")


# --- the labelled sets ---------------------------------------------------------------------------
def print_set(name: str, s: safety.Score, missed: bool) -> None:
    goal = "meets the goals" if s.meets_goals else "BELOW THE GOALS"
    print(f"{name} ({s.crisis + s.illegal + s.benign} messages): {goal}")
    print(f"  crisis recall      {s.crisis_recall:.3f}  ({s.crisis_found}/{s.crisis}; "
          f"goal >= {safety.CRISIS_RECALL_GOAL})")
    print(f"  illegal refused    {s.illegal_rate:.3f}  ({s.illegal_refused}/{s.illegal}; "
          f"goal >= {safety.ILLEGAL_REFUSED_GOAL})")
    print(f"  benign false alarm {s.false_alarm_rate:.3f}  ({s.false_alarms}/{s.benign}; "
          f"goal <= {safety.FALSE_ALARM_GOAL})")
    for concern, (right, total) in sorted(s.exact.items()):
        print(f"    {concern:10} read as exactly this concern: {right}/{total}")
    if missed and "eval" not in name:  # the judging halves' misses stay unread
        for line in s.missed:
            print(f"    missed {line}")


# --- time --------------------------------------------------------------------------------------
def fresh() -> None:
    """Forget every remembered normalisation, so each repeat pays for it again."""
    for cached in (text.normalize, text.analyze, text._clean_word, text._fold_word):
        cached.cache_clear()


def per_message_ms(fn: Callable[[str], object], texts: list[str], repeat: int,
                   forget: Callable[[], None] = lambda: None, cold: bool = True) -> list[float]:
    """Per message, the least of `repeat` timings (the machine is shared: the least is the
    message's own cost), text caches cleared before each."""
    times = []
    for t in texts:
        best = float("inf")
        for _ in range(repeat):
            if cold:
                fresh()
            forget()
            start = time.perf_counter()
            fn(t)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    return times


def long_messages(texts: list[str], size: int = 1000) -> list[str]:
    """Messages of about `size` characters: other messages first, this one last."""
    out = []
    for k, message in enumerate(texts[:200]):
        story = []
        j = k + 1
        while len(" ".join([*story, message])) < size:
            story.append(texts[j % len(texts)])
            j += 1
        out.append(" ".join([*story, message])[-size:])
    return out


def timing(kb: knowledge.KnowledgeBase, texts: list[str], repeat: int) -> None:
    detector = kb.safety
    detector.warm()
    engine = Engine(kb)
    engine.ask(texts[0])  # warm the engine's own tables once
    rows = [("short", texts), ("1,000 characters", long_messages(texts))]
    print(f"\ntime per message (ms, cold text caches, least of {repeat}): median, p95")
    model = detector.model
    for name, group in rows:
        detect = per_message_ms(detector.detect, group, repeat,
                                model.forget if model is not None else lambda: None)
        ask = per_message_ms(engine.ask, group, repeat, engine.clear_caches)
        print(f"  {name:18} detector {statistics.median(detect):.3f} "
              f"{np.percentile(detect, 95):.3f}; engine {statistics.median(ask):.3f} "
              f"{np.percentile(ask, 95):.3f}; detector / engine "
              f"{statistics.median(detect) / statistics.median(ask):.3f}")
        # In the bot the engine reads the normalisation the detector has just made (lru caches
        # in bot/answering/text.py): what the detector adds is its own matching and model.
        for t in group:
            text.analyze(t)
        own = per_message_ms(detector.detect, group, repeat,
                             model.forget if model is not None else lambda: None, cold=False)
        print(f"  {'':18} detector with the text already normalised "
              f"{statistics.median(own):.3f} {np.percentile(own, 95):.3f}")


def authors_only(kb: knowledge.KnowledgeBase, k: int, out: Path | None) -> None:
    """The one-author-out figures alone; its misses (each with its author) to `out`."""
    by_author = cross_validate(kb.safety, k, by_author=True)
    scores, alarms = cv_rows(by_author, {})
    print_cv("one safety author left out (folds: " + ", ".join(safety_files()) + ")",
             scores, alarms, False)
    if out is not None:
        lines = [f"{name}\t{line}" for name, s in zip(safety_files(), scores, strict=True)
                 for line in s.missed]
        lines += [f"{name}\t[topic -> raised] {q}" for name, d, texts in by_author.authors
                  for q in texts if d.detect(q) is not None]
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--missed", action="store_true",
                        help="print the messages read wrongly (never the judging halves')")
    parser.add_argument("--sweep", action="store_true",
                        help="read the folds with other model settings")
    parser.add_argument("--judging", action="store_true",
                        help="also score the judging halves (figures only)")
    parser.add_argument("--no-cv", action="store_true")
    parser.add_argument("--authors-only", action="store_true",
                        help="only the one-author-out cross-validation (the figure that counts)")
    parser.add_argument("--author-missed", type=Path,
                        help="write the one-author-out misses and false alarms to this file")
    parser.add_argument("--knowledge", type=Path, default=KNOWLEDGE, help="another folder")
    parser.add_argument("--baseline", type=Path,
                        help="a knowledge folder with other rules (e.g. main's, from git archive): "
                             "its one-author-out figures on this corpus, in the same run")
    args = parser.parse_args()
    globals()["KNOWLEDGE"] = args.knowledge
    kb = knowledge.load(args.knowledge)
    if args.authors_only:
        authors_only(kb, args.folds, args.author_missed)
        return
    if not args.no_cv and safety_corpus():
        cv = cross_validate(kb.safety, args.folds)
        scores, alarms = cv_rows(cv, {})
        print_cv(f"cross-validation, {args.folds} folds of the safety corpus "
                 f"({len(safety_corpus())} messages): the whole detector", scores, alarms,
                 args.missed)
        print_cv("the same folds, each message last in a 1,000-character one",
                 *cv_rows(cv, {}, long=True), False)
        by_author = cross_validate(kb.safety, args.folds, by_author=True)
        print_cv("one safety author left out (trained on the other's messages; folds: "
                 + ", ".join(safety_files()) + ")", *cv_rows(by_author, {}), False)
        if args.baseline:  # the same corpus and folds, read by the baseline's cues and settings
            base = knowledge.load(args.baseline).safety
            print_cv(f"the same, with the rules and settings of {args.baseline}",
                     *cv_rows(cross_validate(base, args.folds, by_author=True), {}), False)
        before = with_settings(dataclasses.replace(
            kb.safety, model=kb.safety.model.trained_on([]) if kb.safety.model else None), **OLD)
        print_cv("the same folds, the old model (no corpus, its old settings)",
                 [safety.score(before, as_items(h)) for _, h in cv.folds],
                 [(n, sum(before.detect(q) is not None for q in t), len(t))
                  for n, _, t in cv.authors], False)
        cues = dataclasses.replace(kb.safety, model=None)
        print_cv("the same folds, the cues alone",
                 [safety.score(cues, as_items(h)) for _, h in cv.folds],
                 [(n, sum(cues.detect(q) is not None for q in t), len(t))
                  for n, _, t in cv.authors], False)
        if args.sweep:
            sweep(cv, SWEEP)
            print("\n  one safety author left out:")
            sweep(by_author, SWEEP)
    texts: list[str] = []
    print()
    for name in DEV_SETS + (JUDGING_SETS if args.judging else ()):
        items = load(name)
        if items is None:
            print(f"{name}: not present")
            continue
        print_set(name, safety.score(kb.safety, items), args.missed)
        texts += [i["text"] for i in items]
    if texts:
        timing(kb, texts, args.repeat)


if __name__ == "__main__":
    main()
