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
author of single messages: its conversations are trained on as the options say (`turns`,
`pairs`); --chats leaves a quarter of them out in turn and reads them as chats.
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
from bot.answering.evaluation import (  # noqa: E402
    NO_ANSWER_TAGS,
    ConversationMetrics,
    engine_chat,
    evaluate_conversations,
)
from bot.answering.evaluation import Conversation as EvalConversation  # noqa: E402
from bot.answering.evaluation import Turn as EvalTurn  # noqa: E402
from bot.answering.intent_model import DEFAULT, IntentModel, Options, features_text  # noqa: E402
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
    "+turns": dataclasses.replace(DEFAULT, turns=True),
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


def folds(kb: KnowledgeBase, everyone: list[Author], options: Options
          ) -> Iterable[tuple[Author, IntentModel]]:
    """(held-out author, the model trained without them), for every author of messages (the
    conversations, another author, are trained on as the options say)."""
    chats = tuple(c for a in everyone for c in a.conversations)
    for held in everyone:
        if not held.messages:
            continue
        train = tuple(m for a in everyone if a is not held for m in a.messages)
        yield held, IntentModel.train(kb, options, train, chats)


def chat_folds(kb: KnowledgeBase, everyone: list[Author], options: Options, k: int = 4
               ) -> Iterable[tuple[tuple[Conversation, ...], IntentModel]]:
    """(held-out conversations, the model trained without them): every k-th conversation."""
    messages = tuple(m for a in everyone for m in a.messages)
    chats = tuple(c for a in everyone for c in a.conversations)
    for fold in range(k):
        held = tuple(c for n, c in enumerate(chats) if n % k == fold)
        train = tuple(c for n, c in enumerate(chats) if n % k != fold)
        yield held, IntentModel.train(kb, options, messages, train)


def chats_cv(kb: KnowledgeBase, everyone: list[Author], tuning: Tuning) -> None:
    """Leave a quarter of the corpus conversations out: turns right / rejected / chats right,
    fused (model in follow-ups or not, trained on turns and pairs or not) beside lexical."""
    lexical = Engine(kb, dataclasses.replace(tuning, model_weight=0.0))
    print("\nCorpus conversations, a quarter left out in turn: turns right / no-answer turns "
          "rejected / chats right; per tag")
    rows: dict[str, list[ConversationMetrics]] = {}
    for name, options in (("plain", DEFAULT), ("+turns+pairs", dataclasses.replace(
            DEFAULT, turns=True, pairs=True))):
        for held, model in chat_folds(kb, everyone, options):
            for in_context in (False, True):
                if in_context and not options.pairs:
                    continue
                engine = Engine(kb, dataclasses.replace(tuning, model_in_context=in_context),
                                model)
                label = f"{name}{' in context' if in_context else ''}"
                rows.setdefault(label, []).append(
                    evaluate_conversations(engine_chat(engine), _chats(held)))
            rows.setdefault("lexical", []).append(
                evaluate_conversations(engine_chat(lexical), _chats(held))
            ) if name == "plain" else None
    for label, ms in rows.items():
        print(f"{label:24} " + _pooled(ms))


def _chats(held: tuple[Conversation, ...]) -> tuple[EvalConversation, ...]:
    return tuple(EvalConversation(c.persona, tuple(EvalTurn(t.q, t.id, t.tag, t.ok)
                                                   for t in c.turns)) for c in held)


def _pooled(ms: list[ConversationMetrics]) -> str:
    turns = sum(m.turns_right * sum(v for t, v in m.tag_sizes.items()
                                    if t not in NO_ANSWER_TAGS) for m in ms)
    n_turns = sum(sum(v for t, v in m.tag_sizes.items() if t not in NO_ANSWER_TAGS)
                  for m in ms)
    rej = sum(m.rejected * sum(v for t, v in m.tag_sizes.items() if t in NO_ANSWER_TAGS)
              for m in ms)
    n_rej = sum(sum(v for t, v in m.tag_sizes.items() if t in NO_ANSWER_TAGS) for m in ms)
    tags: dict[str, list[float]] = {}
    for m in ms:
        for t, v in m.per_tag.items():
            tags.setdefault(t, []).extend([v] * m.tag_sizes[t])
    per = " ".join(f"{t} {statistics.mean(v):.3f}" for t, v in sorted(tags.items()))
    return (f"{turns / (n_turns or 1):.3f} {rej / (n_rej or 1):.3f} "
            f"{sum(m.chats_right for m in ms):3d}/{sum(m.chats for m in ms):<3d}  {per}")


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


def base_tuning(args: argparse.Namespace) -> Tuning:
    """The engine's settings with the command line's changes."""
    base = Tuning.default()
    if args.min_words is not None:
        base = dataclasses.replace(base, model_min_words=args.min_words)
    if args.story:
        base = dataclasses.replace(base, model_reads_story=True)
    if args.floor is not None:
        base = dataclasses.replace(base, model_lexical_floor=args.floor)
    return base


def grid(kb: KnowledgeBase, trained: list[tuple[Author, IntentModel]], lex_cells: list[Score],
         args: argparse.Namespace) -> None:
    base = base_tuning(args)
    sharp = args.sharpness or [base.model_sharpness]
    overrides = args.override or [base.model_override]
    rejects = args.reject or [base.model_reject]
    print("\nEngine, leave one author out: answered right / none rejected "
          "(pooled), by weight, answer threshold, sharpness")
    print(f"{'lexical':36} {mean(lex_cells).top1:6.3f} {mean(lex_cells).reject:6.3f}")
    results = []
    for weight in args.weights:
        for answer in args.answer:
            for sharpness in sharp:
                for override in overrides:
                    for reject in rejects:
                        tuning = dataclasses.replace(
                            base, model_weight=weight, model_answer_threshold=answer,
                            model_suggest_threshold=max(0.0, answer - args.gap),
                            model_sharpness=sharpness, model_override=override,
                            model_reject=reject)
                        cells = [score(engine_answer(Engine(kb, tuning, model)),
                                       held.messages) for held, model in trained]
                        m = mean(cells)
                        results.append((m.top1 + m.reject, (weight, answer, sharpness,
                                                            override, reject), m))
                        print(f"w {weight:.2f} a {answer:.2f} s {sharpness:4.1f} "
                              f"o {override:4.2f} r {reject:4.2f} {m.top1:6.3f} "
                              f"{m.reject:6.3f}", flush=True)
    best = max(results, key=lambda r: r[0])
    print(f"best: weight, answer, sharpness, override, reject {best[1]}: "
          f"{best[2].top1:.3f} / {best[2].reject:.3f}")


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
    parser.add_argument("--reject", type=float, nargs="*", default=None,
                        help="model_reject values (the model declines what it reads as none)")
    parser.add_argument("--min-words", type=int, default=None,
                        help="model_min_words (shorter messages are read without the model)")
    parser.add_argument("--story", action="store_true",
                        help="model_reads_story: the model reads the story clauses too")
    parser.add_argument("--floor", type=float, default=None, help="model_lexical_floor")
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--sharpness", type=float, nargs="*", default=None)
    parser.add_argument("--chats", action="store_true",
                        help="leave-some-out on the corpus conversations (follow-ups)")
    args = parser.parse_args()
    kb = knowledge.load()
    everyone = authors(args.corpus)
    held_names = [a.name for a in everyone if a.messages]
    sizes = {a.name: (sum(m.id is not None for m in a.messages),
                      sum(m.id is None for m in a.messages)) for a in everyone}
    print(f"corpus {args.corpus}: " + ", ".join(
        f"{n} {sizes[n][0]}+{sizes[n][1]}" for n in held_names) + " (in scope + none)")
    header = f"{'':14} " + " ".join(f"{n[:13]:>13}" for n in [*held_names, "pooled"])
    base = base_tuning(args)
    sharp = args.sharpness or [base.model_sharpness]

    if args.variants is not None:
        names = args.variants or list(VARIANTS)
        print("\nModel alone, leave one author out: top-1 in scope / none rejected")
        print(header)
        for name in names:
            start = time.perf_counter()
            cells = [score(model_answer(model, sharp[0]), held.messages)
                     for held, model in folds(kb, everyone, VARIANTS[name])]
            print(row(name, [*cells, mean(cells)]) +
                  f"  ({(time.perf_counter() - start) / len(cells):.1f} s/fold)")
        return

    if args.chats:
        chats_cv(kb, everyone, dataclasses.replace(base, model_weight=base.model_weight or 0.3))
        return
    trained = list(folds(kb, everyone, DEFAULT))
    lexical = Engine(kb, dataclasses.replace(base, model_weight=0.0))
    lex_cells = [score(engine_answer(lexical), held.messages) for held, _ in trained]
    if args.grid:
        grid(kb, trained, lex_cells, args)
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


if __name__ == "__main__":
    main()
