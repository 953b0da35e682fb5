"""Leave-one-author-out cross-validation on the training corpus (knowledge/training/topics/):
how the learned model, and the engine with it, do on an author they never saw.

    python bench/corpus_cv.py                      # the model as configured, model and engine
    python bench/corpus_cv.py --variants           # compare training options (model only)
    python bench/corpus_cv.py --grid               # fusion weight x answer threshold (engine)
    python bench/corpus_cv.py --corpus DIR         # another folder of author files

Each fold trains on the knowledge base's phrasings plus every author file but one and tests
on that one: per author, the model's top-1 (its best class is the message's topic) and its
out-of-scope rejection (its best class is "none" for a message no topic answers), and the
engine's answered right / rejected with the model fused (ask(), as a user gets it) beside the
lexical engine alone (which learns nothing from the corpus). The conversations file is not an
author of single messages: its turns are used only in training, when --with-turns is given.
This is the estimate of how the engine does on people it never saw; the evaluation sets are
never used.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge  # noqa: E402
from bot.answering.corpus import Conversation, Message  # noqa: E402
from bot.answering.intent_model import DEFAULT, OUT, IntentModel, Options, features_text  # noqa: E402
from bot.answering.knowledge import KnowledgeBase  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402

CONVERSATIONS = "conversations"

# Training options compared by --variants (each against the default).
VARIANTS: dict[str, Options] = {
    "default": DEFAULT,
    "no corpus": dataclasses.replace(DEFAULT, corpus=False),
    "logreg": dataclasses.replace(DEFAULT, classifier="logreg"),
    "sgd": dataclasses.replace(DEFAULT, classifier="sgd"),
    "cnb": dataclasses.replace(DEFAULT, classifier="cnb"),
    "svc C=1": dataclasses.replace(DEFAULT, c=1.0),
    "svc C=0.25": dataclasses.replace(DEFAULT, c=0.25),
    "char 1-4": dataclasses.replace(DEFAULT, char_range=(1, 4)),
    "char 2-4": dataclasses.replace(DEFAULT, char_range=(2, 4)),
    "char 3-6": dataclasses.replace(DEFAULT, char_range=(3, 6)),
    "balanced": dataclasses.replace(DEFAULT, class_weight="balanced"),
    "+typos": dataclasses.replace(DEFAULT, corpus_typos=True),
    "+wrapped": dataclasses.replace(DEFAULT, corpus_wrapped=True),
    "no also split": dataclasses.replace(DEFAULT, split_also=False),
}


@dataclass(frozen=True)
class Author:
    name: str
    messages: tuple[Message, ...]
    conversations: tuple[Conversation, ...] = ()


def authors(folder: Path) -> list[Author]:
    found = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.append(Author(path.stem, tuple(Message.model_validate(m) for m in
                                             data.get("messages") or ()),
                            tuple(Conversation.model_validate(c) for c in
                                  data.get("conversations") or ())))
    return found


def turn_messages(chats: Iterable[Conversation]) -> tuple[Message, ...]:
    """The turns of conversations that stand on their own (open, switch, out of scope)."""
    return tuple(Message(q=t.q, id=t.id) for c in chats for t in c.turns
                 if t.tag in ("open", "switch", "oos"))


@dataclass
class Score:
    right: int = 0
    n_in: int = 0
    rejected: int = 0
    n_out: int = 0

    def add(self, expected: str | None, got: str | None) -> None:
        if expected is None:
            self.n_out += 1
            self.rejected += got is None
        else:
            self.n_in += 1
            self.right += got == expected

    @property
    def top1(self) -> float:
        return self.right / (self.n_in or 1)

    @property
    def reject(self) -> float:
        return self.rejected / (self.n_out or 1)


def model_answer(model: IntentModel, sharpness: float) -> Callable[[str], str | None]:
    def best(q: str) -> str | None:
        p = model.predict(features_text(q), sharpness)
        topic, prob = max(p.topics.items(), key=lambda kv: kv[1])
        return topic if prob > p.out else None
    return best


def engine_answer(engine: Engine) -> Callable[[str], str | None]:
    def answered(q: str) -> str | None:
        result = engine.ask(q)
        return result.entry.id if result.entry is not None else None
    return answered


def score(answer: Callable[[str], str | None], messages: Iterable[Message]) -> Score:
    s = Score()
    for m in messages:
        s.add(m.id, answer(m.q))
    return s


def folds(kb: KnowledgeBase, everyone: list[Author], options: Options, with_turns: bool
          ) -> Iterable[tuple[Author, IntentModel]]:
    """(held-out author, the model trained without them), for every author of messages."""
    chats = [c for a in everyone for c in a.conversations]
    extra = turn_messages(chats) if with_turns else ()
    for held in everyone:
        if not held.messages:
            continue
        train = tuple(m for a in everyone if a is not held for m in a.messages) + extra
        yield held, IntentModel.train(kb, options, train)


def row(name: str, cells: Iterable[Score]) -> str:
    return f"{name:14} " + " ".join(f"{c.top1:6.3f} {c.reject:6.3f}" for c in cells)


def mean(scores: list[Score]) -> Score:
    """Pooled over authors: every message counts once."""
    total = Score()
    for s in scores:
        total.right += s.right
        total.n_in += s.n_in
        total.rejected += s.rejected
        total.n_out += s.n_out
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT / "knowledge/training/topics")
    parser.add_argument("--variants", nargs="*", default=None,
                        help="compare training options (all when none named)")
    parser.add_argument("--grid", action="store_true", help="search fusion weight/thresholds")
    parser.add_argument("--weights", type=float, nargs="*", default=[0.1, 0.2, 0.3, 0.4, 0.5])
    parser.add_argument("--answer", type=float, nargs="*", default=[0.2, 0.25, 0.3, 0.35])
    parser.add_argument("--override", type=float, nargs="*", default=None,
                        help="model_override values (the model lets a sure topic past a rule)")
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--sharpness", type=float, nargs="*", default=None)
    parser.add_argument("--with-turns", action="store_true",
                        help="train on the conversations' standalone turns too")
    args = parser.parse_args()
    kb = knowledge.load()
    everyone = authors(args.corpus)
    held_names = [a.name for a in everyone if a.messages]
    sizes = {a.name: (sum(m.id is not None for m in a.messages),
                      sum(m.id is None for m in a.messages)) for a in everyone}
    print(f"corpus {args.corpus}: " + ", ".join(
        f"{n} {sizes[n][0]}+{sizes[n][1]}" for n in held_names) + " (in scope + none)")
    header = f"{'':14} " + " ".join(f"{n[:13]:>13}" for n in [*held_names, "pooled"])
    base = Tuning.default()
    sharp = args.sharpness or [base.model_sharpness]
    overrides = args.override or [base.model_override]

    if args.variants is not None:
        names = args.variants or list(VARIANTS)
        print("\nModel alone, leave one author out: top-1 in scope / none rejected")
        print(header)
        for name in names:
            start = time.perf_counter()
            cells = [score(model_answer(model, sharp[0]), held.messages)
                     for held, model in folds(kb, everyone, VARIANTS[name], args.with_turns)]
            print(row(name, [*cells, mean(cells)]) +
                  f"  ({(time.perf_counter() - start) / len(cells):.1f} s/fold)")
        return

    trained = list(folds(kb, everyone, DEFAULT, args.with_turns))
    lexical = Engine(kb, dataclasses.replace(base, model_weight=0.0))
    lex_cells = [score(engine_answer(lexical), held.messages) for held, _ in trained]
    if args.grid:
        print("\nEngine, leave one author out: answered right / none rejected "
              "(pooled), by weight, answer threshold, sharpness")
        print(f"{'lexical':22} {mean(lex_cells).top1:6.3f} {mean(lex_cells).reject:6.3f}")
        results = []
        for weight in args.weights:
            for answer in args.answer:
                for sharpness in sharp:
                    for override in overrides:
                        tuning = dataclasses.replace(
                            base, model_weight=weight, model_answer_threshold=answer,
                            model_suggest_threshold=max(0.0, answer - args.gap),
                            model_sharpness=sharpness, model_override=override)
                        cells = [score(engine_answer(Engine(kb, tuning, model)),
                                       held.messages) for held, model in trained]
                        m = mean(cells)
                        results.append((m.top1 + m.reject, weight, answer, sharpness,
                                        override, m))
                        print(f"w {weight:.2f} a {answer:.2f} s {sharpness:4.1f} "
                              f"o {override:4.2f} {m.top1:6.3f} {m.reject:6.3f}", flush=True)
        best = max(results, key=lambda r: r[0])
        print(f"best: weight {best[1]} answer {best[2]} sharpness {best[3]} override "
              f"{best[4]}: {best[5].top1:.3f} / {best[5].reject:.3f}")
        return

    weight = base.model_weight or 0.3
    tuning = dataclasses.replace(base, model_weight=weight)
    print(f"\nLeave one author out: top-1 (answered right for engines) / none rejected; "
          f"fused with weight {weight}, answer {tuning.model_answer_threshold}")
    print(header)
    model_cells = [score(model_answer(model, tuning.model_sharpness), held.messages)
                   for held, model in trained]
    fused_cells = [score(engine_answer(Engine(kb, tuning, model)), held.messages)
                   for held, model in trained]
    for name, cells in (("model alone", model_cells), ("engine fused", fused_cells),
                        ("engine lexical", lex_cells)):
        print(row(name, [*cells, mean(cells)]))
    print("mean over authors: fused right " + f"{statistics.mean(c.top1 for c in fused_cells):.3f}"
          f", lexical right {statistics.mean(c.top1 for c in lex_cells):.3f}")
    _ = OUT


if __name__ == "__main__":
    main()
