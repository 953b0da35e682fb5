"""Benchmark the answer engine against a naive rapidfuzz baseline, in one run.

Quality on tests/data/eval.yaml and tests/data/eval2.yaml, overall and per class of message
(long parent messages, follow-ups, bare names, dialect; near- and far-out-of-scope), for the
engine and for the baseline (whose threshold is tuned on tests/data/dev.yaml, as the engine's
calibration is); time per question for short messages, for 1,000-character messages and on
1,000 and 10,000 synthetic entries, as ratios to the baseline measured in the same run.

    python bench/engine.py [--sizes 1000 10000] [--repeat 3] [--dev]

--dev reads the development sets (dev.yaml, dev2.yaml, conv_dev*.yaml) instead of the evaluation
sets, for quality and for the messages timed: the run helpers may make while tuning.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from rapidfuzz import process, utils

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge, text  # noqa: E402
from bot.answering.evaluation import (  # noqa: E402
    Answer,
    ConversationMetrics,
    Metrics,
    QuestionSet,
    engine_answerer,
    engine_chat,
    evaluate,
    evaluate_conversations,
    load_conversations,
)
from bot.answering.knowledge import KnowledgeBase  # noqa: E402
from bot.answering.retrieval import Engine, Tuning  # noqa: E402


class NaiveBaseline:
    """rapidfuzz process.extractOne over every phrasing; answer if the best score >= threshold."""

    def __init__(self, kb: KnowledgeBase, threshold: float = 0.0) -> None:
        self.threshold = threshold
        self.choices = [q for e in kb.entries for q in (e.title, *e.questions)]
        self.owner = [e.id for e in kb.entries for _ in (e.title, *e.questions)]

    def best(self, question: str) -> tuple[str | None, float]:
        hit = process.extractOne(question, self.choices, processor=utils.default_process)
        return (self.owner[hit[2]], hit[1]) if hit else (None, 0.0)

    def answer(self, question: str, previous: str | None = None) -> Answer:
        top, score = self.best(question)
        return Answer(top, top if score >= self.threshold else None)

    def tune(self, questions: QuestionSet) -> None:
        """Pick the threshold that maximises right answers + rejected out-of-scope questions."""
        scored_in = [(self.best(q), expected) for q, expected in questions.in_scope]
        scored_out = [self.best(q)[1] for q in questions.out_of_scope]
        best, best_value = 0.0, -1.0
        for cut in range(0, 101):
            right = sum(top == exp and s >= cut for (top, s), exp in scored_in) / len(scored_in)
            rejected = sum(s < cut for s in scored_out) / len(scored_out)
            if right + rejected > best_value:
                best, best_value = float(cut), right + rejected
        self.threshold = best


def synthetic(kb: KnowledgeBase, n: int, seed: int = 42) -> KnowledgeBase:
    """The real entries plus n made-up ones whose phrasings reuse the real vocabulary."""
    rng = random.Random(seed)
    words = [w for e in kb.entries for q in e.questions for w in text.normalize(q).split()]
    template = kb.entries[0]
    fake = []
    for i in range(n):
        questions = tuple(" ".join(rng.choices(words, k=rng.randint(5, 12))) for _ in range(10))
        fake.append(template.model_copy(update={
            "id": f"synthetic.e{i}", "title": " ".join(rng.choices(words, k=6)),
            "questions": questions, "tags": tuple(rng.choices(words, k=4)), "related": (),
        }))
    return knowledge.from_entries((*kb.entries, *fake), kb.districts)


def time_per_question(answer: Callable[[str], object], questions: list[str], repeat: int,
                      clear: Callable[[], None] = lambda: None) -> list[float]:
    """Milliseconds per question; text caches are cleared so no answer is served from memory."""
    times = []
    for _ in range(repeat):
        for q in questions:
            text.normalize.cache_clear()
            text.analyze.cache_clear()
            clear()
            start = time.perf_counter()
            answer(q)
            times.append((time.perf_counter() - start) * 1000)
    return times


def p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


CLASSES = ("plain", "long", "followup", "entity", "dialect", "out-near", "out-far",
           "out-followup")


def quality_row(name: str, m: Metrics) -> str:
    per = " ".join(f"{m.per_class[c]:9.3f}" if c in m.per_class else f"{'-':>9}"
                   for c in CLASSES)
    return f"{name:24} {m.top1:6.3f} {m.answered_right:6.3f} {m.rejected:6.3f} {per}"


def long_messages(questions: QuestionSet, size: int = 1000) -> list[str]:
    """Messages of about `size` characters: a long parent message padded with the family
    stories of others, the question last (as parents write)."""
    longs = [i.q for i in questions.items if i.cls == "long"] or [q for q, _ in
                                                                   questions.in_scope]
    out = []
    for k, message in enumerate(longs):
        story = []
        j = k + 1
        while len(" ".join([*story, message])) < size:
            other = longs[j % len(longs)]
            story.append(other.rsplit(".", 1)[0] + ".")
            j += 1
        out.append(" ".join([*story, message])[-size:])
    return out


TAGS = ("open", "follow", "entity", "switch", "oos", "social")


def conversation_row(name: str, m: ConversationMetrics) -> str:
    per = " ".join(f"{m.per_tag[t]:7.3f}" if t in m.per_tag else f"{'-':>7}" for t in TAGS)
    return (f"{name:10} {m.turns_right:6.3f} {m.rejected:6.3f} "
            f"{m.chats_right:3d}/{m.chats:<3d} {per}")


def conversations(engine: Engine, dev: bool = False) -> None:
    """Whole conversations, per tag: the development halves (conv_dev, and conv_dev3 from an
    independent set) and (if present, and not `dev`) the judging sets (eval to eval8)."""
    names = ("dev", "dev3") if dev else ("dev", "dev3", "eval", "eval3", "eval4", "eval5",
                                          "eval6", "eval7", "eval8", "eval9", "eval10",
                                          "eval11", "eval12", "eval13", "eval14", "eval15",
                                          "eval16", "eval17", "eval18", "eval19", "eval20",
                                          "eval21")
    halves = [(name, ROOT / f"tests/data/conv_{name}.yaml") for name in names]
    halves = [(name, path) for name, path in halves if path.exists()]
    if not halves:
        return
    print("\nWhole conversations (each turn read after the bot's own answers): topic turns "
          "answered right, no-answer turns rejected, chats right throughout; per tag")
    print(f"{'':10} {'right':>6} {'reject':>6} {'chats':>7} " + " ".join(f"{t:>7}" for t in TAGS))
    for name, path in halves:
        chats = load_conversations(path)
        m = evaluate_conversations(engine_chat(engine), chats)
        print(conversation_row(name, m))
        print(f"{'  sizes':10} {'':21} " + " ".join(f"{m.tag_sizes.get(t, 0):7d}" for t in TAGS))
        print("  per persona: " + ", ".join(f"{p} {v:.3f}" for p, v in m.per_persona.items()))


# The learned model's fusion (weight, answer, suggest) used here when bot/data/engine.yaml
# leaves the model off, so both engines are measured: the defaults chosen by the corpus CV.
FUSED = (0.4, 0.25, 0.15)


def learned_model(kb: KnowledgeBase, questions: list[str], longs: list[str],
                  repeat: int, sets: tuple[str, str], dev: bool) -> None:
    """The engine with the learned intent model beside the lexical one: train and
    cached-load time, quality on the same sets (aggregate figures) and conversations, time
    per question."""
    import tempfile

    from bot.answering.intent_model import IntentModel

    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        IntentModel.load(kb, Path(cache))
        trained = time.perf_counter() - start
        start = time.perf_counter()
        model = IntentModel.load(kb, Path(cache))
        cached = time.perf_counter() - start
    base = Tuning.default()
    weight, answer, suggest = ((base.model_weight, base.model_answer_threshold,
                                base.model_suggest_threshold) if base.model_weight > 0
                               else FUSED)
    tuning = dataclasses.replace(base, model_weight=weight, model_answer_threshold=answer,
                                 model_suggest_threshold=suggest)
    engine = Engine(kb, tuning, model)
    lex = Engine(kb, dataclasses.replace(base, model_weight=0.0))
    print(f"\nLearned intent model (weight {weight}, answer {answer}, suggest {suggest}; "
          f"{len(kb.corpus.messages)} corpus messages): load+train {trained:.2f} s, cached "
          f"load {cached:.3f} s")
    head = " ".join(f"{c:>9}" for c in CLASSES)
    print(f"{'':24} {'top-1':>6} {'right':>6} {'reject':>6} {head}")
    for name in sets:
        questions_set = QuestionSet.load(ROOT / f"tests/data/{name}.yaml")
        print(quality_row(f"fused on {name}", evaluate(engine_answerer(engine), questions_set)))
        print(quality_row(f"lexical on {name}", evaluate(engine_answerer(lex), questions_set)))
    print("fused:", end="")
    conversations(engine, dev)
    print("lexical:", end="")
    conversations(lex, dev)
    ours = time_per_question(engine.ask, questions, repeat, engine.clear_caches)
    plain = time_per_question(lex.ask, questions, repeat, lex.clear_caches)
    ours_long = time_per_question(engine.ask, longs, repeat, engine.clear_caches)
    plain_long = time_per_question(lex.ask, longs, repeat, lex.clear_caches)
    print(f"time per question (ms): fused median {statistics.median(ours):.3f} p95 "
          f"{p95(ours):.3f}; lexical median {statistics.median(plain):.3f} p95 "
          f"{p95(plain):.3f} (ratio {statistics.median(ours) / statistics.median(plain):.2f}x)")
    print(f"1,000 characters (ms): fused median {statistics.median(ours_long):.3f} p95 "
          f"{p95(ours_long):.3f}; lexical median {statistics.median(plain_long):.3f} p95 "
          f"{p95(plain_long):.3f}")


# A fresh process: load the knowledge base, build the engine (its intent model; on a cold start
# the safety model is fitted meanwhile in a forked child, as `careerbot run` does), make the
# safety detector ready (its model and expressions, as the bot does before its first message),
# answer.
LOAD_PROBE = """
import json, time
start = time.perf_counter()
from bot.answering import knowledge
from bot.answering.cold_start import ready_engine
imported = time.perf_counter()
kb = knowledge.load()
loaded = time.perf_counter()
engine = ready_engine(kb)
built = time.perf_counter()
try:  # as the bot does (Assistant): the expressions compile in the background
    kb.safety.warm(wait=False)
except TypeError:  # an older revision (--against): compiles them all now
    kb.safety.warm()
warmed = time.perf_counter()
engine.ask("học trung cấp có được miễn học phí không")
kb.safety.detect("học trung cấp có được miễn học phí không")
done = time.perf_counter()
print(json.dumps({"import": imported - start, "load": loaded - imported,
                  "engine": built - loaded, "safety": warmed - built,
                  "answer": done - warmed, "own": time.process_time()}), flush=True)
"""


def _probe(cache: str, tree: Path = ROOT, bytecode: str | None = None) -> dict[str, float]:
    """One fresh process in `tree` (this checkout, or another revision's files: see
    --against); `bytecode`: a folder where Python may keep the modules' compiled bytecode (as
    an installed wheel has it; this machine's environment sets PYTHONDONTWRITEBYTECODE, so an
    editable checkout compiles the project's modules from source at every start)."""
    env = {**os.environ, "CAREERBOT_MODEL_CACHE": cache}
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = bytecode
    start, used = time.perf_counter(), _children_cpu()
    with subprocess.Popen([sys.executable, "-c", LOAD_PROBE], env=env, cwd=tree, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # printed once it has answered: ready
        ready = time.perf_counter() - start
        proc.stdout.read()
    if proc.returncode:
        raise subprocess.CalledProcessError(proc.returncode, "load probe")
    found: dict[str, float] = json.loads(line)
    return {**found, "ready": ready, "process": time.perf_counter() - start,
            "cpu": _children_cpu() - used}


def _children_cpu() -> float:
    """CPU seconds of the finished child processes (the probe and the one it forks): on a
    shared machine the wall clock also counts other people's work."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


Timings = dict[str, dict[str, float]]


def load_timings(runs: int = 3, against: str | None = None) -> dict[str, Timings]:
    """Per tree (this checkout as "now"; with `against`, that git revision's files as
    "before", run alternately in the same minutes): the first load, training both models
    into an empty cache; the median of `runs` cached loads; the same with the bytecode
    kept. Each in a fresh process: its phases and its whole life in seconds."""
    trees = {"now": ROOT}
    with tempfile.TemporaryDirectory() as tmp:
        if against:
            old = Path(tmp) / "before"
            old.mkdir()
            archive = subprocess.run(["git", "archive", against], cwd=ROOT, check=True,
                                     capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
            trees = {"before": old, "now": ROOT}
        caches = {name: str(Path(tmp) / f"cache-{name}") for name in trees}
        pyc = {name: str(Path(tmp) / f"pyc-{name}") for name in trees}
        found: dict[str, dict[str, list[dict[str, float]]]] = {
            name: {"first": [], "cached": [], "bytecode": []} for name in trees}
        for name, tree in trees.items():
            found[name]["first"].append(_probe(caches[name], tree))
            _probe(caches[name], tree, pyc[name])  # writes the bytecode
        for _ in range(runs):
            for name, tree in trees.items():
                found[name]["cached"].append(_probe(caches[name], tree))
                found[name]["bytecode"].append(_probe(caches[name], tree, pyc[name]))
    return {name: {kind: {k: statistics.median(r[k] for r in rows) for k in rows[0]}
                   for kind, rows in kinds.items()} for name, kinds in found.items()}


def long_bands(engine: Engine, naive: NaiveBaseline, questions: QuestionSet, repeat: int
               ) -> tuple[tuple[float, float, float, float], list[str]]:
    """Time long messages of 250, 500 and 1,000 characters against the naive baseline;
    the 1,000-character row and messages."""
    print(f"\nTime per long message by length ({len(long_messages(questions))} messages x "
          f"{repeat} per band; ms: median, p95, naive median, naive p95, ratios = engine "
          f"/ naive baseline)")
    row: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    longs: list[str] = []
    for size in (250, 500, 1000):
        longs = long_messages(questions, size)
        ours = time_per_question(engine.ask, longs, repeat, engine.clear_caches)
        theirs = time_per_question(naive.answer, longs, repeat)
        row = (statistics.median(ours), p95(ours), statistics.median(theirs), p95(theirs))
        print(f"{f'{size:,} characters':26} {'':8} {row[0]:8.3f} {row[1]:8.3f} "
              f"{row[2]:10.3f} {row[3]:10.3f} {row[0] / row[2]:9.2f}x {row[1] / row[3]:9.2f}x")
    return row, longs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-model", action="store_true",
                        help="skip the learned intent model's figures")
    parser.add_argument("--dev", action="store_true",
                        help="development sets instead of the evaluation sets")
    parser.add_argument("--no-load", action="store_true",
                        help="skip the fresh-process load timings")
    parser.add_argument("--against", metavar="REV",
                        help="also time the loads of this git revision's files, alternately "
                             "with this checkout's (before/after in the same run)")
    parser.add_argument("--load-only", action="store_true",
                        help="only the fresh-process load timings")
    args = parser.parse_args()

    if not args.no_load:
        timings = load_timings(against=args.against)
        phases = ("import", "load", "engine", "safety", "answer", "ready", "process", "cpu",
                  "own")
        print("Load in a fresh process (s, wall clock): import, knowledge load, engine (intent "
              "model; on a cold start the safety model fitted meanwhile in a forked child), "
              "safety detector ready (as the bot: its expressions compile in the background "
              "where the code does so), one answer; ready: from launching the interpreter to "
              "that answer; process: the whole process (its exit included); "
              "cpu: CPU seconds of the process and its children; own: of the process alone "
              "until it answered (its critical path: on two free cores a start takes about "
              "the larger of own and cpu / 2). 'bytecode': the modules' "
              "compiled bytecode kept, as an installed wheel has it")
        print(f"{'':34} " + " ".join(f"{p:>8}" for p in phases))
        labels = {"first": "first (trains, no cache)", "cached": "cached (median of 3)",
                  "bytecode": "cached + bytecode (median of 3)"}
        for tree, kinds in timings.items():
            for kind, row in kinds.items():
                name = f"{tree}: {labels[kind]}" if len(timings) > 1 else labels[kind]
                print(f"{name:34} " + " ".join(f"{row[p]:8.2f}" for p in phases))
        now = timings["now"]
        print(f"Targets (ready): training load <= 3 s: "
              f"{'met' if now['first']['ready'] <= 3 else 'MISSED'}; cached <= 0.5 s: "
              f"{'met' if now['cached']['ready'] <= 0.5 else 'MISSED'} (with bytecode: "
              f"{'met' if now['bytecode']['ready'] <= 0.5 else 'MISSED'}) (load average "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)\n")
        if args.load_only:
            return

    kb = knowledge.load()
    sets = ("dev", "dev2") if args.dev else ("eval", "eval2")
    fresh = () if args.dev else ("eval20", "eval21")  # the fresh judging set of the latest round
    eval_set = QuestionSet.load(ROOT / f"tests/data/{sets[0]}.yaml")
    dev_set = QuestionSet.load(ROOT / "tests/data/dev.yaml")
    engine = Engine(kb)
    naive = NaiveBaseline(kb)
    naive.tune(dev_set)

    head = " ".join(f"{c:>9}" for c in CLASSES)
    for name in (*sets, *fresh):
        questions = QuestionSet.load(ROOT / f"tests/data/{name}.yaml")
        ours = evaluate(engine_answerer(engine), questions)
        theirs = evaluate(naive.answer, questions)
        print(f"\nQuality on tests/data/{name}.yaml ({len(questions.items)} in scope, "
              f"{len(questions.out)} out of scope); classes: top-1 in scope, rejected out of "
              f"scope")
        print(f"{'':24} {'top-1':>6} {'right':>6} {'reject':>6} {head}")
        print(quality_row("careerbot engine", ours))
        print(quality_row(f"naive rapidfuzz (cut {naive.threshold:.0f})", theirs))
        print(f"{'class sizes':24} {'':20} " + " ".join(
            f"{ours.class_sizes.get(c, 0):9d}" for c in CLASSES))
        if name == sets[1]:
            print(f"two questions in one: the second offered for {ours.also_found:.3f}")
    conversations(engine, args.dev)
    eval2 = QuestionSet.load(ROOT / f"tests/data/{sets[1]}.yaml")
    long_row, longs = long_bands(engine, naive, eval2, args.repeat)

    questions = [q for q, _ in eval_set.in_scope] + list(eval_set.out_of_scope)
    questions += [i.q for i in eval2.items if i.cls != "long"]
    print(f"\nTime per question, {len(questions)} questions x {args.repeat} "
          f"(ms; ratio = engine / naive baseline, lower is better)")
    print(f"{'knowledge base':26} {'build s':>8} {'median':>8} {'p95':>8} "
          f"{'naive med':>10} {'naive p95':>10} {'ratio med':>10} {'ratio p95':>10}")
    results = {}
    lexical_tuning = dataclasses.replace(Tuning.default(), model_weight=0.0)
    for label, size in [("real", 0), *((f"{s:,} synthetic", s) for s in args.sizes)]:
        base = kb if size == 0 else synthetic(kb, size)
        start = time.perf_counter()
        # The synthetic bases are timed lexical: a model over 10,000 made-up topics is not
        # what would be deployed (the real base is timed as configured, model included).
        eng = Engine(base) if size == 0 else Engine(base, lexical_tuning)
        build = time.perf_counter() - start
        ours = time_per_question(eng.ask, questions, args.repeat, eng.clear_caches)
        theirs = time_per_question(NaiveBaseline(base, naive.threshold).answer, questions,
                                   max(1, args.repeat // 3) if size else args.repeat)
        row = (statistics.median(ours), p95(ours), statistics.median(theirs), p95(theirs))
        results[size] = row
        name = f"{label} ({len(base)} entries)"
        print(f"{name:26} {build:8.2f} {row[0]:8.3f} {row[1]:8.3f} {row[2]:10.3f} {row[3]:10.3f} "
              f"{row[0] / row[2]:9.2f}x {row[1] / row[3]:9.2f}x")

    if not args.no_model:
        learned_model(kb, questions, longs, args.repeat, sets, args.dev)

    print("\nTargets: median <= 1 ms on the real knowledge base: "
          f"{'met' if results[0][0] <= 1 else 'MISSED'} ({results[0][0]:.3f} ms)")
    print("         p95 <= 5 ms at 1,000 characters: "
          f"{'met' if long_row[1] <= 5 else 'MISSED'} ({long_row[1]:.3f} ms)")
    if 10000 in results:
        print("         p95 <= 10 ms at 10,000 entries: "
              f"{'met' if results[10000][1] <= 10 else 'MISSED'} ({results[10000][1]:.3f} ms)")


if __name__ == "__main__":
    main()
