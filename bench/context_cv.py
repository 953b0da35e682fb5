"""The learned context model (bot/answering/context_model.py), measured: leave one author of
conversations out (knowledge/training/topics/conversations*.yaml: train on the others' turns,
read the held author's conversations in order with the engine's own previous answers as
context), before (the rules) and after (the rules + the learned choice) in the same run; then
the development sets with the model trained on every conversation file.

    python bench/context_cv.py            # CV + dev sets
    python bench/context_cv.py --cv-only
    python bench/context_cv.py --c 0.3    # the logistic regression's C

Development sets only (the earlier judged sets conv_eval*, eval4, eval5 are development
now); the held-out judging sets are never read.
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
from bot.answering.context_model import ContextModel  # noqa: E402
from bot.answering.corpus import Conversation  # noqa: E402
from bot.answering.evaluation import (  # noqa: E402
    NO_ANSWER_TAGS,
    ConversationMetrics,
    QuestionSet,
    engine_answerer,
    engine_chat,
    evaluate,
    evaluate_conversations,
    load_conversations,
)
from bot.answering.evaluation import Conversation as EvalConversation  # noqa: E402
from bot.answering.evaluation import Turn as EvalTurn  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from corpus_cv import authors  # noqa: E402

DEV_CHATS = ("conv_dev.yaml", "conv_dev3.yaml", "conv_eval.yaml", "conv_eval3.yaml",
             "conv_eval4.yaml", "conv_eval5.yaml", "conv_eval6.yaml", "conv_eval7.yaml",
             "conv_eval8.yaml", "conv_eval9.yaml", "conv_eval10.yaml",
             "conv_eval11.yaml", "conv_eval12.yaml", "conv_eval13.yaml",
             "conv_eval14.yaml", "conv_eval15.yaml", "conv_eval16.yaml",
             "conv_eval17.yaml", "conv_eval18.yaml", "conv_eval19.yaml",
             "conv_eval20.yaml", "conv_eval21.yaml")
TIMED_CHATS = ("conv_dev.yaml", "conv_dev3.yaml")
DEV_SETS = ("dev.yaml", "dev2.yaml", "eval4.yaml", "eval5.yaml")
DECLINED = 3
DROP = float("inf")
AWAY = 2.0


def as_eval(chats: tuple[Conversation, ...]) -> tuple[EvalConversation, ...]:
    return tuple(EvalConversation(c.persona, tuple(EvalTurn(t.q, t.id, t.tag, t.ok)
                                                   for t in c.turns)) for c in chats)


def pooled(ms: list[ConversationMetrics]) -> dict[str, float]:
    """Turns right over every turn expecting a topic, no-answer turns rejected, chats right
    and per tag, each turn counted once."""
    out: dict[str, float] = {}
    right = n = rej = n_rej = 0.0
    tags: dict[str, list[float]] = {}
    for m in ms:
        n_in = sum(v for t, v in m.tag_sizes.items() if t not in NO_ANSWER_TAGS)
        n_out = sum(v for t, v in m.tag_sizes.items() if t in NO_ANSWER_TAGS)
        right += m.turns_right * n_in
        n += n_in
        rej += m.rejected * n_out
        n_rej += n_out
        for t, v in m.per_tag.items():
            got = tags.setdefault(t, [0.0, 0.0])
            got[0] += v * m.tag_sizes[t]
            got[1] += m.tag_sizes[t]
    out["turns"] = right / (n or 1)
    out["rejected"] = rej / (n_rej or 1)
    out["chats"] = sum(m.chats_right for m in ms)
    out["of"] = sum(m.chats for m in ms)
    for t, (r, k) in sorted(tags.items()):
        out[t] = r / (k or 1)
        out[f"n_{t}"] = k
    return out


def line(label: str, p: dict[str, float]) -> str:
    tags = " ".join(f"{t} {p[t]:.3f}" for t in ("open", "switch", "follow", "entity", "social",
                                                   "oos") if t in p)
    return (f"{label:22} turns {p['turns']:.3f} rejected {p['rejected']:.3f} "
            f"chats {int(p['chats'])}/{int(p['of'])}  {tags}")


def cv(base: Engine, c: float, margins: list[tuple[float, float]]) -> None:
    files = [a for a in authors(ROOT / "knowledge/training/topics") if a.conversations]
    print("Leave one author of conversations out: "
          + ", ".join(f"{a.name} {len(a.conversations)}" for a in files))
    before: list[ConversationMetrics] = []
    after: dict[tuple[float, float], list[ConversationMetrics]] = {m: [] for m in margins}
    for held in files:
        train = tuple(ch for a in files if a is not held for ch in a.conversations)
        start = time.perf_counter()
        model = ContextModel.train(base, train, c, DECLINED)
        took = time.perf_counter() - start
        chats = as_eval(held.conversations)
        b = evaluate_conversations(engine_chat(base), chats)
        before.append(b)
        print(f"  held {held.name}: trained on {model.examples} pairs in {took:.2f} s")
        print("  " + line("rules", pooled([b])))
        for margin in margins:
            model.margin, model.margin_none = margin
            model.margin_drop, model.margin_away = DROP, AWAY
            learned = Engine(base.kb, base.tuning, base.model, context_model=model)
            a = evaluate_conversations(engine_chat(learned), chats)
            after[margin].append(a)
            print("  " + line(f"learned m {margin[0]} {margin[1]}", pooled([a])))
    print(line("POOLED rules", pooled(before)))
    for margin, ms in after.items():
        print(line(f"POOLED learned m {margin[0]} {margin[1]}", pooled(ms)))


def dev(base: Engine, c: float, margin: tuple[float, float]) -> None:
    start = time.perf_counter()
    model = ContextModel.train(base, base.kb.corpus.conversations, c, DECLINED)
    model.margin, model.margin_none = margin
    model.margin_drop, model.margin_away = DROP, AWAY
    print(f"\nTrained on every conversation file: {model.examples} pairs in "
          f"{time.perf_counter() - start:.2f} s")
    learned = Engine(base.kb, base.tuning, base.model, context_model=model)
    data = ROOT / "tests/data"
    for name in DEV_CHATS:
        chats = load_conversations(data / name)
        for label, engine in (("rules", base), ("rules + learned", learned)):
            print(f"{name:16} " + line(label, pooled(
                [evaluate_conversations(engine_chat(engine), chats)])))
    timing(base, learned)
    for name in DEV_SETS:
        questions = QuestionSet.load(data / name)
        for label, engine in (("rules", base), ("rules + learned", learned)):
            m = evaluate(engine_answerer(engine), questions)
            follow = {k: v for k, v in m.per_class.items() if k in ("followup", "entity")}
            print(f"{name:16} {label:16} top1 {m.top1:.3f} right {m.answered_right:.3f} "
                  f"rejected {m.rejected:.3f} {follow}")


def timing(base: Engine, learned: Engine, repeat: int = 3) -> None:
    """Time per message of the development conversations, each read after the topic before
    it (as written), rules alone and with the learned choice: caches cleared every pass."""
    data = ROOT / "tests/data"
    turns = []
    for chat in load_conversations(*(data / n for n in TIMED_CHATS)):
        before = None
        for t in chat.turns:
            turns.append((t.q, before))
            before = t.id or before
    follow = [(q, b) for q, b in turns if b is not None]
    for label, items in (("every turn", turns), ("after a topic", follow)):
        cells = []
        for engine in (base, learned):
            best = float("inf")
            for _ in range(repeat):
                engine.clear_caches()
                start = time.perf_counter()
                for q, b in items:
                    engine.ask(q, b)
                best = min(best, (time.perf_counter() - start) / len(items))
            cells.append(best)
        print(f"time per message, {label:14} ({len(items)}): rules {cells[0] * 1e3:.2f} ms, "
              f"+ learned {cells[1] * 1e3:.2f} ms (x{cells[1] / cells[0]:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--c", type=float, default=1.0)
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--margin", type=float, nargs="*", default=[1.0])
    parser.add_argument("--margin-none", type=float, nargs="*", default=[0.0])
    parser.add_argument("--margin-drop", type=float, default=float("inf"),
                        help="no topic over the rules' answer of the topic just shown")
    parser.add_argument("--margin-away", type=float, default=2.0,
                        help="no topic over the rules' answer of another topic")
    parser.add_argument("--declined", type=int, default=3)
    args = parser.parse_args()
    global DECLINED, DROP, AWAY
    DECLINED, DROP, AWAY = args.declined, args.margin_drop, args.margin_away
    kb = knowledge.load()
    base = Engine(kb, dataclasses.replace(Tuning.default(), context_model=False))
    margins = [(m, n) for m in args.margin for n in args.margin_none]
    cv(base, args.c, margins)
    if not args.cv_only:
        dev(base, args.c, margins[0])


if __name__ == "__main__":
    main()
