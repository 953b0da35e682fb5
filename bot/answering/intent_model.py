"""A learned intent model beside the lexical ranking: which topic a message asks, or none.

Trained at load time from the knowledge base (each topic's phrasings and title, the same with
typos, wrapped in greetings and family stories so that story words stop mattering), from the
training corpus in knowledge/training/topics/ (messages written by independent authors: their
topic, or the out-of-scope class when no topic answers them), plus an out-of-scope class
(knowledge/data/out_of_scope.yaml phrases asked as questions, and knowledge/data/off_topic.yaml).
Features are TF-IDF on character n-grams within words and on word n-grams of the engine's
canonical text; a linear classifier gives decision values, a softmax the probabilities.
The fitted model is cached on disk keyed by a hash of the knowledge folder, the corpus and the
lexicon, so a knowledge or corpus edit retrains without a code change; the cache is safe to
delete.
"""

from __future__ import annotations

import hashlib
import logging
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from bot.answering import focus, text
from bot.answering.corpus import Conversation, Message
from bot.answering.knowledge import KnowledgeBase
from bot.answering.model_cache import cached, code_digest, default_cache_dir, library_version
from bot.answering.sparse_linear import Part, add_part, fit, tfidf

log = logging.getLogger(__name__)
MODEL_VERSION = "3"  # 3: our own analyzers (sparse_linear), not scikit-learn's, are pickled
CODE = ("text", "focus", "intent_model", "sparse_linear")  # what the fit depends on
OUT = "__out__"  # the out-of-scope class
SEED = 18
WORD_MEMO = 50_000  # words whose character n-gram columns are remembered
# Wrappers: what people write around a question (greetings, family stories). Kept short and
# generic; the point is that these words stop mattering.
OPENINGS = ("", "chào ad, ", "dạ cho em hỏi ", "xin chào, cho tôi hỏi ", "ad ơi ",
            "chào bạn, tôi là phụ huynh. ", "con tôi học lớp 9 ở bến lức. ",
            "em học lớp 12, nhà khó khăn. ", "nhà tôi làm ruộng, con tôi 17 tuổi. ",
            # a stage of schooling told before another question: the stage alone does not
            # make it the stage's own topic ("học xong 12 thì chỗ nào dạy may")
            "em học xong 12 rồi, ", "e hoc xong lop 12 r, ", "con tôi mới hết lớp 9, ",
            "em đang học lớp 10, ", "thằng nhỏ nhà tui học lớp 11, ", "tui học 12 rồi, ")
ENDINGS = ("", " ạ", " vậy ad", ", cảm ơn bạn nhiều")
OUT_TEMPLATES = ("{} là bao nhiêu", "cho hỏi {} thế nào", "{} ở đâu", "{}", "chỉ em {} với")


@dataclass(frozen=True)
class Options:
    """How the model is trained: chosen by the leave-one-author-out cross-validation of
    bench/corpus_cv.py (the defaults are the best found)."""

    classifier: str = "svc"  # svc (LinearSVC), logreg, sgd, cnb (ComplementNB)
    c: float = 0.5  # regularisation of svc / logreg
    char_range: tuple[int, int] = (2, 5)
    class_weight: str | None = None  # None or "balanced"
    corpus: bool = True  # train on knowledge/training/topics too
    corpus_typos: bool = False  # ... and a typo variant of each corpus message
    corpus_wrapped: bool = False  # ... and each wrapped in a greeting / story
    split_also: bool = True  # a two-question message: each part trains its own topic
    turns: bool = False  # the corpus conversations' turns that stand alone (open, switch)
    pairs: bool = False  # ... and each follow-up after the title of the topic before it


DEFAULT = Options()


@dataclass(frozen=True)
class Prediction:
    topics: dict[str, float]  # topic id -> probability
    out: float  # probability that no topic answers


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    k = rng.randrange(1, len(word) - 1)
    return word[:k] + word[k + 1:] if rng.random() < 0.5 else \
        word[:k - 1] + word[k] + word[k - 1] + word[k + 1:]


def training_set(kb: KnowledgeBase, options: Options = DEFAULT,
                 messages: tuple[Message, ...] | None = None,
                 chats: tuple[Conversation, ...] | None = None) -> tuple[list[str], list[str]]:
    """(canonical texts, labels), deterministic for one knowledge base and corpus; `messages`
    and `chats` replace the corpus's (cross-validation trains on some authors only)."""
    texts: list[str] = []
    labels: list[str] = []

    def add(raw: str, label: str) -> None:
        texts.append(features_text(raw))
        labels.append(label)

    for entry in kb.entries:
        for q in (entry.title, *entry.questions):
            rng = _rng(q)
            add(q, entry.id)
            add(f"{rng.choice(OPENINGS)}{q}{rng.choice(ENDINGS)}", entry.id)
            add(f"{rng.choice(OPENINGS[5:])}{q}", entry.id)
            add(_typos(q, rng), entry.id)
    # "công ty", "trung tâm" alone are no out-of-scope question: a rule needing a name is not
    # (nor one whose phrases are common question words: `learned`)
    for phrase in (p for rule in kb.out_of_scope if not rule.named and rule.learned
                   for p in rule.any):
        add(_rng(phrase).choice(OUT_TEMPLATES).format(phrase), OUT)
    for example in _off_topic(kb):
        add(example, OUT)
        add(f"{_rng(example).choice(OPENINGS)}{example}", OUT)
    if options.corpus:
        for q, label in _corpus_variants(
                kb.corpus.messages if messages is None else messages, options):
            add(q, label)
        for q, label in conversation_examples(
                kb, kb.corpus.conversations if chats is None else chats, options):
            add(q, label)
    return texts, labels


STANDALONE = ("open", "switch")


def conversation_examples(kb: KnowledgeBase, chats: tuple[Conversation, ...],
                          options: Options) -> list[tuple[str, str]]:
    """From the corpus conversations: the turns that stand alone (`turns`), and (`pairs`)
    each other turn after the title of the topic answered before it, as the engine asks the
    model about a follow-up (it knows the topic shown, not what the user typed)."""
    out: list[tuple[str, str]] = []
    for chat in chats:
        before: str | None = None
        for turn in chat.turns:
            entry = kb.get(before) if before is not None else None
            if options.turns and turn.tag in STANDALONE:
                out.append((turn.q, turn.id or OUT))
            elif options.pairs and entry is not None and turn.tag not in STANDALONE:
                out.append((f"{entry.title} {turn.q}", turn.id or OUT))
            before = turn.id or before
    return out


def _rng(text: str) -> random.Random:
    """The variants' randomness for one text: seeded by the text itself, so that an edit
    elsewhere in the knowledge base (a phrasing added, an out-of-scope word removed) leaves
    every other text's variants, and so the model, as they were."""
    return random.Random(f"{SEED}\0{text}")  # noqa: S311 - reproducible variants, not secrets


def _corpus_variants(messages: tuple[Message, ...], options: Options
                     ) -> list[tuple[str, str]]:
    out = []
    for q, label in corpus_examples(messages, options.split_also):
        rng = _rng(q)
        out.append((q, label))
        if options.corpus_typos:
            out.append((_typos(q, rng), label))
        if options.corpus_wrapped:
            out.append((f"{rng.choice(OPENINGS)}{q}{rng.choice(ENDINGS)}", label))
    return out


def _typos(q: str, rng: random.Random) -> str:
    return " ".join(_typo(w, rng) if rng.random() < 0.3 else w for w in q.split())


def corpus_examples(messages: tuple[Message, ...], split_also: bool = True
                    ) -> list[tuple[str, str]]:
    """(message, label) pairs from corpus messages: a message no topic answers is out of
    scope; a two-question message trains its first topic, and, when its parts can be told
    apart ("... và ...", "với lại"), each part its own topic."""
    out: list[tuple[str, str]] = []
    for m in messages:
        label = m.id or OUT
        out.append((m.q, label))
        if m.also and split_also:
            parts = focus.joined(m.q) or tuple(c.text for c in focus.clauses(m.q) if c.asking)
            if len(parts) >= 2:
                out.append((parts[0], label))
                out.append((parts[-1], m.also))
    return out


def features_text(raw: str) -> str:
    """What the model reads: the content words of the canonical text, as the engine's query
    has them (`_Query.canon`)."""
    return " ".join(text.content_tokens(raw))


def _off_topic(kb: KnowledgeBase) -> list[str]:
    if kb.root is None or not (kb.root / "data" / "off_topic.yaml").exists():
        return []
    data = yaml.safe_load((kb.root / "data" / "off_topic.yaml").read_text(encoding="utf-8"))
    return [str(x) for x in (data or {}).get("examples") or ()]


class IntentModel:
    """The fitted vectorizers' analyzers, vocabularies and IDF weights and the classifier's
    weights. Predicting one message uses them directly: scikit-learn's per-call checks cost
    milliseconds, the arithmetic microseconds."""

    def __init__(self, parts: list[Part], classifier: Any, words: Iterable[str] = ()) -> None:
        self._parts: list[tuple[Any, Any, Any]] = [
            (analyze, vocabulary, idf.astype(np.float32)) for analyze, vocabulary, idf in parts]
        # The character n-gram columns of every word it was trained on, worked out once:
        # a message's known words are then looked up, not analysed.
        self._words: dict[str, tuple[int, ...]] = {w: self._columns(w) for w in set(words)}
        self._offsets = np.cumsum([0, *(len(p[1]) for p in parts)])[:-1]
        self._weights = np.ascontiguousarray(classifier.coef_.T, dtype=np.float32)
        self._bias = classifier.intercept_.astype(np.float32)
        self._classes: list[str] = [str(c) for c in classifier.classes_]

    @classmethod
    def train(cls, kb: KnowledgeBase, options: Options = DEFAULT,
              messages: tuple[Message, ...] | None = None,
              chats: tuple[Conversation, ...] | None = None) -> IntentModel:
        texts, labels = training_set(kb, options, messages, chats)
        parts, matrix = tfidf(texts, options.char_range, np.float32)
        return cls(parts, fit(_classifier(options), matrix, labels),
                   (w for t in texts for w in t.split()))

    def scores(self, canon: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The classifier's decision value per class (TF-IDF, sublinear, l2 per part): the
        same arithmetic as sparse_linear.decision, but a word's character n-grams (the char
        part reads each word alone, padded with spaces) are looked up once per word and
        remembered, since words repeat across messages."""
        out = self._bias.copy()
        words = Counter(canon.split())  # a long message repeats its words: each looked up once
        for part, offset in enumerate(self._offsets):
            analyze, vocabulary, idf = self._parts[part]
            counts: dict[int, int] = {}
            if part == 0:
                for word, n in words.items():
                    for k in self._word_columns(word):
                        counts[k] = counts.get(k, 0) + n
            else:
                for gram in analyze(canon):
                    k = vocabulary.get(gram)
                    if k is not None:
                        counts[k] = counts.get(k, 0) + 1
            add_part(out, counts, idf, self._weights, offset, np.float32)
        result: np.ndarray[Any, np.dtype[np.float32]] = out
        return result

    def _word_columns(self, word: str) -> tuple[int, ...]:
        found = self._words.get(word)
        if found is not None:
            return found
        memo: dict[str, tuple[int, ...]] | None = self.__dict__.get("_memo")
        if memo is None or len(memo) >= WORD_MEMO:
            memo = self.__dict__["_memo"] = {}
        found = memo.get(word)
        if found is None:
            found = memo[word] = self._columns(word)
        return found

    def _columns(self, word: str) -> tuple[int, ...]:
        analyze, vocabulary, _ = self._parts[0]
        return tuple(k for k in (vocabulary.get(g) for g in analyze(word)) if k is not None)

    def clear_memo(self) -> None:
        """Forget the unknown words' n-gram columns (benchmarks measure the work, not the
        memory)."""
        self.__dict__.pop("_memo", None)

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_memo"}

    def predict(self, canon: str, sharpness: float = 4.0) -> Prediction:
        """Probabilities from the decision values (a softmax; `sharpness` is its scale)."""
        z = self.scores(canon) * sharpness
        z = np.exp(z - z.max())
        probs = z / z.sum()
        by = dict(zip(self._classes, (float(p) for p in probs), strict=True))
        return Prediction({c: p for c, p in by.items() if c != OUT}, by.get(OUT, 0.0))

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self._classes)

    # --- cache -----------------------------------------------------------------------------
    @classmethod
    def load(cls, kb: KnowledgeBase, cache_dir: Path | None = None) -> IntentModel:
        """The model for this knowledge base: from the cache when its key matches, else
        trained (and cached when the folder is writable)."""
        folder = cache_dir or default_cache_dir()
        return cached(folder / f"intent-{knowledge_key(kb)}.pickle", cls,
                      lambda: cls.train(kb), "intent model")


def _classifier(options: Options) -> Any:
    """A linear classifier with `coef_`, `intercept_` and `classes_`."""
    if options.classifier == "logreg":
        from sklearn.linear_model import LogisticRegression
        return LogisticRegression(C=options.c * 20, max_iter=300,
                                  class_weight=options.class_weight)
    if options.classifier == "sgd":
        from sklearn.linear_model import SGDClassifier
        return SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=SEED,
                             class_weight=options.class_weight)
    if options.classifier == "cnb":
        return _ComplementNB()
    from sklearn.svm import LinearSVC
    # A fixed seed: liblinear visits the examples in a random order, so a refit with the
    # global one moved scores in the fourth decimal.
    return LinearSVC(C=options.c, class_weight=options.class_weight, random_state=SEED)


class _ComplementNB:
    """ComplementNB exposing a linear model's coef_ / intercept_ (its feature_log_prob_ and
    class prior), so that the fast predictor reads it like the others."""

    def fit(self, matrix: Any, labels: list[str]) -> _ComplementNB:
        from sklearn.naive_bayes import ComplementNB
        nb = ComplementNB(alpha=0.3).fit(matrix, labels)
        self.coef_ = nb.feature_log_prob_
        self.intercept_ = np.zeros(len(nb.classes_))
        self.classes_ = nb.classes_
        return self


def knowledge_key(kb: KnowledgeBase, options: Options = DEFAULT) -> str:
    """A hash of everything the model learns from, as loaded: the topics, the out-of-scope
    rules and examples, the training corpus (its digest), the lexicon, the training options,
    the model's version, the code that reads and fits the texts, and scikit-learn's version.
    Nothing is canonicalised or imported for it: a cached load stays cheap."""
    h = hashlib.sha256(f"{MODEL_VERSION} {library_version()} {options}".encode())
    h.update(code_digest(*CODE).encode())
    h.update(f"corpus {kb.corpus.digest}".encode())
    h.update(resources.files("bot").joinpath("data/lexicon.yaml").read_bytes())
    # Each topic and rule by its repr (every field, nested sources too), not model_dump_json:
    # the same coverage without building pydantic's serializers, which a start from the
    # knowledge cache never needs otherwise (they are built on first use: defer_build).
    for entry in kb.entries:
        h.update(repr(entry).encode())
    for rule in kb.out_of_scope:
        h.update(repr(rule).encode())
    for example in _off_topic(kb):
        h.update(example.encode())
    return h.hexdigest()[:24]
