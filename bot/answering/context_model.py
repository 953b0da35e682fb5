"""A learned reading of a message in context: which topic (or none) answers a message read
right after a topic was shown.

The hand rules (facet tables, the in-context ranking, near ties) and the intent model each
propose topics; a linear model trained on the corpus conversations (knowledge/training/topics,
each turn with the topic that answers it after the turns before) scores every (turn,
candidate) pair and the best one is answered. Candidates: the rules' answer, the message's own
lexical and in-context rankings, the intent model's best topics, the topic just shown, its
facet targets and related topics, and "no topic". Bare names, greetings and districts stay
with the rules. Trained at load time (well under a second), cached like the intent model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import math
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.answering import focus, text
from bot.answering.context import Context
from bot.answering.corpus import Conversation, Message
from bot.answering.facets import SAME
from bot.answering.forked import map_split
from bot.answering.model_cache import cached, code_digest, default_cache_dir

if TYPE_CHECKING:
    from bot.answering.knowledge import Entry, KnowledgeBase

# The answer engine (bot/answering/retrieval.Engine) and its Result: not imported, as the
# engine imports this module (the core has no import cycles); this module reads the engine's
# own readings of a message through its methods.
Engine = Any
Result = Any
ANSWERED = ("answer", "suggest", "fallback")  # the Kind values the learned part may change

VERSION = 5
CODE = ("context_model", "retrieval", "entities", "facets", "focus", "text", "knowledge")
# the intent model's best topics among the candidates (3 -> 5: CV 246 -> 248 of 443 chats,
# development chats 834 both)
MODEL_TOP = 5
RANK_TOP = 5  # ... and each ranking's
NONE = None
# Per topic candidate, then the "no topic" option's own features (zero for a topic).
TOPIC_FEATURES = (
    "rule", "plain", "lexical", "in_context", "model", "paired", "shown", "facet", "related",
    "group", "entity", "district", "shown_followup", "shown_short", "rule_short",
    "plain_rank", "context_rank", "model_rank", "rule_followup", "facet_cue",
    "declined", "declined_shown", "declined_model", "declined_context", "declined_short",
    "known", "known_declined", "rule_facet", "same", "declined_shown_unknown",
    "known_rest", "shown_rest_unknown",
)
NONE_FEATURES = ("none", "none_rule", "none_out", "none_best_plain", "none_best_context",
                 "none_long", "none_model_best", "none_suggest", "none_best_lexical",
                 "none_followup", "none_unknown", "none_best_known", "none_no_ask",
                 "none_declined_no_ask", "none_shown_unknown", "none_uncovered",
                 "none_out_unknown", "none_cue", "none_out_shown",
                 "none_rest_shown_unknown")
# Last, the learned transitions (Transitions.columns): how often the corpus conversations
# answer a turn after the topic just shown with this candidate, overall and for the facet asked.
PRIOR_FEATURES = ("after_shown", "after_shown_facet")
# Between the two, on the topic just shown's row only, the message's words and word pairs
# hashed into WORD_BUCKETS columns: which words keep to the topic just shown and which leave
# it, where the rules' readings of two messages are alike (leave-one-author-out CV, 463
# chats: 247 -> 250, development chats 556 -> 560; the same on the "no topic" row lost
# no-answer turns, 0.811 -> 0.794-0.806, and on the rules' answer's row too, 0.800).
WORD_BUCKETS = 128
SHOWN_WORDS = len(TOPIC_FEATURES) + len(NONE_FEATURES)  # the first word column
# the word columns' scale in the fit (the others: their standard deviation): 0.2-0.5 gained
# more chats in the CV (252-256) but lost 3-13 development chats; 2.0 gained 250 and 557
WORD_SCALE = 1.0
# ... and on every topic's row, the message's words hashed with that topic into TOPIC_BUCKETS
# columns: which words lead from the topic just shown to which other topic, which the shown
# row's words cannot tell (CV, 443 chats: 241 -> 246; development chats 823 -> 834; 1,024
# columns 245, 256 columns 236, word pairs too 244, the words' scale 0.5 or 2: 245, 240)
TOPIC_BUCKETS = 512
TOPIC_WORDS = SHOWN_WORDS + WORD_BUCKETS  # the first (topic, word) column
WIDTH = TOPIC_WORDS + TOPIC_BUCKETS + len(PRIOR_FEATURES)
SMOOTH = 0.5  # additive smoothing of the transition counts
DECLINED_EVERY = 3  # every 3rd corpus message no topic answers is trained on after a topic
NEAREST_EVERY = 2  # ... and every 2nd after the topic whose words it shares most
DECLINED_RUN = 100  # declined messages read as one part of a cold start's split reading
SHORT_WORDS = 4  # own content words of a short follow-up
MARGIN = 1.0  # the learned choice replaces the rules' when it scores this much higher
# ... and this much where the rules answer no topic (leave-one-author-out CV, 591 chats: 1.0 ->
# 0.5 took 267 -> 271 chats, no-answer turns rejected 0.810 both; 0 took 273 but 0.806; round
# 15, 447 chats: 0.5 -> 0 took 242 -> 244, rejected 0.814 both, development chats 736 -> 739
# with SURE_AWAY)
MARGIN_NONE = 0.0
# "No topic" never replaces the rules' answer of the topic just shown: on the development
# conversations such drops were wrong 7 times in 8 (a detail the topic holds, "lãi suất
# nhiêu" after the loan, "tổ chức vô tháng mấy" after the fair); out-of-scope words beside
# the shown topic's are declined by the rules or by the learned choice over another topic.
MARGIN_DROP = math.inf
# ... and this much where the rules answer another topic than the one shown: such drops were
# right 11 times and wrong 18 on the development conversations (round 14)
MARGIN_AWAY = 2.0
# ... and not at all where the rules rank that other topic this surely: "có học bổng không"
# after the streaming targets is the scholarships' (0.96); the right drops seen were all under
# 0.6 (development and CV, round 15)
SURE_AWAY = 0.85
# Where the rules answer no topic and the message's only link to the topic just shown is a
# country it names, that topic is taken only if it knows this share of the other words: "ở
# Nhật người ta có thân thiện không" after the markets abroad asks what no topic holds.
COVER = 0.5


@dataclass(frozen=True)
class Choice:
    topic: str | None
    features: np.ndarray


@dataclass(frozen=True)
class _Reading:
    """What the engine's parts make of one message after a topic."""

    rule: str | None
    plain: dict[str, tuple[float, int]]
    lexical: dict[str, float]
    in_context: dict[str, tuple[float, int]]
    model: dict[str, float]
    paired: dict[str, float]
    out: float
    # the topic just shown's facet targets the message asks for, in the order asked: a set's
    # order follows the per-process string hashing, and with it the candidates' order and so
    # the fit (two processes fitted two sets of weights on the same corpus)
    facets: tuple[str, ...]
    entity: frozenset[str]  # topics of the country / level the message names
    district: bool
    followup: bool
    words: int
    suggest: bool  # the rules offer suggestions
    own: tuple[str, ...]  # the message's own content words (question words aside)
    unknown: float  # the share of them no topic knows
    asks: bool  # a clause of the message asks something
    focused: bool  # the rules answered a facet of the topic just shown
    same: bool  # the message asks the question just answered again ("cũng vậy hả")
    cue: bool  # the message asks a facet by a cue ("ở đâu", "bao nhiêu") or names an entity
    rest: tuple[str, ...]  # its own words besides the country or level it names
    facet: str  # the first facet it asks ("" for none): the key of the learned transitions
    tokens: tuple[str, ...]  # all its words, canonical, stopwords too ("luôn", "nữa", "hả")


def read(engine: Engine, question: str, before: Entry, rule: Result) -> _Reading:
    q, plain = engine._plain(question)
    _, lexical = engine._plain(question, lexical=True)
    framed = engine._in_context(question, q, before)
    told = q.told if engine.tuning.model_reads_story and q.told else q.canon
    model, paired, out = {}, {}, 0.0
    if engine.model is not None and not engine._short(question):
        # (a message of a word or two is read without the model, as the rules read it: the
        # model is over-sure of a lone word, "vay" -> the overseas loan)
        pred = engine._prediction(told)
        model, out = pred.topics, pred.out
        own = " ".join(w for w in engine._own_words(question))
        paired = engine._prediction(
            " ".join([*text.content_tokens(before.title), own])).topics
    canon = engine._canon(question)
    asking = text.lexicon().question_words
    own_words = tuple(w for w in engine._own_words(question) if w not in asking)
    asked = engine._asked_facets(question)
    wanted = asked[0] if asked is not None else engine._cue_facets(question)
    facets = tuple(dict.fromkeys(t for f in wanted if (t := before.facet(f)) is not None))
    entity: set[str] = set()
    country = engine._mentions.find(engine._no_districts(canon), "countries", question)
    level = engine._mentions.find(canon, "levels")
    names: set[str] = set()
    for named in (country, level):
        if named is not None:
            entity.update(named.topics)
            for spelled in (named.name, *named.aliases):
                names.update(text.content_tokens(spelled))
    return _Reading(
        rule.entry.id if rule.entry is not None else None,
        {s.entry.id: (s.score, k) for k, s in enumerate(plain.ranked[:RANK_TOP])},
        {s.entry.id: s.score for s in lexical.ranked[:RANK_TOP]},
        {s.entry.id: (s.score, k) for k, s in enumerate(framed.ranked[:RANK_TOP])}
        if framed is not None else {},
        model, paired, out, facets, frozenset(entity),
        bool(engine._districts_in(canon)), focus.is_followup(question),
        len(engine._own_words(question)), rule.kind == "suggest", own_words,
        sum(w not in engine._vocab_set for w in own_words) / (len(own_words) or 1),
        focus.asks(question), rule.focused, SAME in wanted, bool(wanted),
        tuple(w for w in own_words if w not in names),
        asked[0][0] if asked is not None and asked[0] else "",
        tuple(tok.text for tok in text.analyze(question)))


def candidates(engine: Engine, reading: _Reading, before: Entry) -> list[str | None]:
    found: dict[str | None, None] = {reading.rule: None, before.id: None}
    found.update(dict.fromkeys(reading.plain))
    found.update(dict.fromkeys(reading.in_context))
    found.update(dict.fromkeys(sorted(reading.model, key=lambda t: -reading.model[t])
                               [:MODEL_TOP]))
    found.update(dict.fromkeys(reading.facets))
    found.update(dict.fromkeys(r for r in before.related))
    found[NONE] = None
    return [t for t in found if t is None or engine.kb.get(t) is not None]


def features(engine: Engine, reading: _Reading, before: Entry, topic: str | None
             ) -> np.ndarray:
    row = np.zeros(WIDTH)
    short = float(reading.words <= SHORT_WORDS)
    if topic is None:
        best_plain = max((s for s, _ in reading.plain.values()), default=0.0)
        best_context = max((s for s, _ in reading.in_context.values()), default=0.0)
        row[len(TOPIC_FEATURES):SHOWN_WORDS] = (
            1.0, float(reading.rule is None), reading.out, best_plain, best_context,
            1.0 - short, max(reading.model.values(), default=0.0), float(reading.suggest),
            max(reading.lexical.values(), default=0.0), float(reading.followup),
            reading.unknown, max((_known(engine, reading, t) for t in reading.plain),
                                 default=0.0),
            float(not reading.asks), float(not reading.asks and reading.rule is None),
            *_uncovered(engine, reading, before),
            1.0 - _known(engine, reading, before.id, reading.rest))
        return row
    plain, plain_rank = reading.plain.get(topic, (0.0, RANK_TOP))
    framed, context_rank = reading.in_context.get(topic, (0.0, RANK_TOP))
    model = reading.model.get(topic, 0.0)
    model_rank = sum(p > model for p in reading.model.values())
    rule = float(topic == reading.rule)
    shown = float(topic == before.id)
    districts = engine.kb.districts
    district = reading.district and (
        topic == before.facet("district") or (districts is not None and topic == districts.topic))
    row[: len(TOPIC_FEATURES)] = (
        rule, plain, reading.lexical.get(topic, 0.0), framed, model,
        reading.paired.get(topic, 0.0), shown, float(topic in reading.facets),
        float(topic in before.related), float(topic.split(".")[0] == before.id.split(".")[0]),
        float(topic in reading.entity), float(district), shown * reading.followup,
        shown * short, rule * short, 1.0 / (1 + plain_rank), 1.0 / (1 + context_rank),
        1.0 / (1 + min(model_rank, RANK_TOP)), rule * reading.followup,
        float(topic in reading.facets) * float(bool(reading.facets)),
        *_declined(reading, shown, model, framed, short),
        (known := _known(engine, reading, topic)), known * float(reading.rule is None),
        rule * reading.focused, shown * reading.same,
        float(reading.rule is None) * shown * (1.0 - known),
        (rest := _known(engine, reading, topic, reading.rest)), shown * (1.0 - rest))
    if shown:
        _words(row, reading.tokens)
    _topic_words(row, topic, reading.tokens)
    return row


def _words(row: np.ndarray, tokens: tuple[str, ...]) -> None:
    """The message's words and word pairs into their hashed columns, each 1 / sqrt(count):
    a long message weighs no more than a short one."""
    grams = [*tokens, *(f"{a} {b}" for a, b in itertools.pairwise(tokens))]
    weight = 1.0 / math.sqrt(len(grams) or 1)
    for gram in grams:
        row[SHOWN_WORDS + zlib.crc32(gram.encode()) % WORD_BUCKETS] += weight


def _topic_words(row: np.ndarray, topic: str, tokens: tuple[str, ...]) -> None:
    """The message's words, each hashed with the candidate topic, 1 / sqrt(count) each."""
    weight = 1.0 / math.sqrt(len(tokens) or 1)
    for token in tokens:
        row[TOPIC_WORDS + zlib.crc32(f"{topic}|{token}".encode()) % TOPIC_BUCKETS] += weight


def _known(engine: Engine, reading: _Reading, topic: str,
           own: tuple[str, ...] | None = None) -> float:
    """The share of the message's own words (or of `own`) that a topic knows (phrasings and
    answer)."""
    own = reading.own if own is None else own
    if not own:
        return 1.0
    entry = engine.kb.get(topic)
    words = engine._known_words(entry) if entry is not None else frozenset()
    return sum(w in words for w in own) / len(own)


def _uncovered(engine: Engine, reading: _Reading, before: Entry) -> tuple[float, ...]:
    """What of the message no candidate covers: out-of-scope words beside a shown topic's
    words ("ở Nhật có món gì ngon" after the markets abroad) make "no topic" the answer, a
    detail the shown topic holds ("tổ chức vô tháng mấy") does not."""
    shown = _known(engine, reading, before.id)
    top = sorted(reading.model, key=lambda t: -reading.model[t])[:MODEL_TOP]
    best = max((_known(engine, reading, t) for t in
                {*reading.plain, *reading.in_context, *top, *reading.facets, before.id}),
               default=0.0)
    return (1.0 - shown, 1.0 - best, reading.out * reading.unknown, float(reading.cue),
            reading.out * (1.0 - shown))


def _declined(reading: _Reading, shown: float, model: float, framed: float, short: float
              ) -> tuple[float, ...]:
    """Interactions with the rules answering no topic: a topic must then earn its place."""
    declined = float(reading.rule is None)
    return declined, declined * shown, declined * model, declined * framed, declined * short


def scored(engine: Engine, question: str, before: Entry, rule: Result
           ) -> tuple[_Reading, list[str | None], np.ndarray]:
    """A message read after a topic: the reading, its candidates and their features (the
    transitions' columns left at zero), one row per candidate."""
    reading = read(engine, question, before, rule)
    topics = candidates(engine, reading, before)
    return reading, topics, np.stack([features(engine, reading, before, t) for t in topics])


def weighs(result: Result) -> bool:
    """Whether the learned part may change this reading after a topic: an answer, suggestion
    or fallback, not a two-question message nor a near-domain question declined with a note."""
    return result.kind in ANSWERED and not result.also and result.note is None


def applies(engine: Engine, question: str, ctx: Context, result: Result) -> Entry | None:
    """The topic just shown when the learned part decides this message, else None: greetings,
    bare names (districts too), two-question messages and a facet the topic's table sends to
    another topic stay with the rules."""
    if not ctx.topic or not weighs(result) or engine._names.bare(question) is not None:
        return None
    if result.focused and result.entry is not None and result.entry.id != ctx.topic:
        return None  # the topic's facet table sends this facet elsewhere: declared knowledge
    kb: KnowledgeBase = engine.kb
    return kb.get(ctx.topic)


@dataclass
class Transitions:
    """How often each topic (or none) answered a corpus turn read after a topic, overall and
    for the first facet the turn asked: after the trung cấp tuition, "học ở đâu" goes to
    admission; the facet tables declare some of this, the conversations show the rest."""

    counts: dict[tuple[str, str, str | None], int] = dataclasses.field(default_factory=dict)

    def add(self, before: str, facet: str, target: str | None, n: int = 1) -> None:
        for key_ in ((before, "*", target), (before, facet, target)) if facet else (
                (before, "*", target),):
            self.counts[key_] = self.counts.get(key_, 0) + n
            total = (key_[0], key_[1], "#total")
            self.counts[total] = self.counts.get(total, 0) + n

    def columns(self, before: str, facet: str, topics: Sequence[str | None],
                own: str | bool | None = False) -> np.ndarray:
        """Smoothed log-odds against a uniform choice, per candidate; `own` is the turn's own
        answer while training, left out of the counts it is scored by."""
        out = np.zeros((len(topics), len(PRIOR_FEATURES)))
        width = len(topics)
        for j, scope in enumerate(("*", facet)):
            if not scope:
                continue
            total = self.counts.get((before, scope, "#total"), 0) - (own is not False)
            for k, topic in enumerate(topics):
                n = self.counts.get((before, scope, topic), 0) - (own is not False and own == topic)
                out[k, j] = math.log((n + SMOOTH) / (total + SMOOTH * width) * width)
        return out


@dataclass
class _Group:
    """One turn's candidates while training: features without the transitions, the right one."""

    x: np.ndarray
    right: int
    before: str
    facet: str
    topics: list[str | None]


class ContextModel:
    """A linear scorer of (message after a topic, candidate topic) pairs."""

    def __init__(self, weights: np.ndarray, bias: float, examples: int,
                 transitions: Transitions | None = None) -> None:
        self.weights = weights
        self.transitions = transitions or Transitions()
        self.bias = bias
        self.examples = examples
        self.margin = MARGIN
        self.margin_none = MARGIN_NONE
        self.margin_drop = MARGIN_DROP
        self.margin_away = MARGIN_AWAY
        self.cover = COVER
        self.sure_away = SURE_AWAY

    def best(self, found: Sequence[Choice], current: str | None, shown: str | None = None
             ) -> str | None:
        """The best-scored candidate, if it beats the rules' own choice by the margin (for
        a topic where the rules answer none, by `margin_none`; for no topic where the rules
        answer the topic just shown, by `margin_drop`)."""
        scores = np.stack([c.features for c in found]) @ self.weights
        top = int(np.argmax(scores))
        at = next((k for k, c in enumerate(found) if c.topic == current), None)
        if at is None:
            return found[top].topic
        margin = self.margin_none if current is None else self.margin
        if found[top].topic is None and current is not None:
            margin = self.margin_drop if current == shown else self.margin_away
        return found[top].topic if scores[top] - scores[at] > margin else current

    def decide(self, engine: Engine, question: str, ctx: Context, result: Result
               ) -> tuple[str | None] | None:
        """(the topic to answer, or None for no topic) when the learned choice differs from
        the rules' answer; None when the rules' answer stands."""
        before = applies(engine, question, ctx, result)
        if before is None:
            return None
        current = result.entry.id if result.entry is not None else None
        if current is None and not focus.asks(question):
            return None  # declined and asking nothing ("ok để e nghĩ lại"): a closing word
        reading, topics, x = scored(engine, question, before, result)
        rows = _with_prior(x, self.transitions.columns(before.id, reading.facet, topics))
        found = [Choice(t, rows[k]) for k, t in enumerate(topics)]
        chosen = self.best(found, current, before.id)
        if (chosen is None and current not in (None, before.id)
                and result.ranked[0].score >= self.sure_away):
            return None
        # Other messages take it on the margin alone, even with words it lacks ("hạn chót khi
        # nào" after admission, "còn dưới Mộc Hóa có hông" after the fair): wanting the words
        # known there too cost 9 of 513 chats in the leave-one-author-out CV (233 -> 224).
        if (current is None and chosen == before.id and reading.facet == "country"
                and _known(engine, reading, before.id, reading.rest) < self.cover):
            return None
        return None if chosen == current else (chosen,)

    @classmethod
    def train(cls, engine: Engine, chats: Iterable[Conversation], c: float = 1.0,
              declined: int = DECLINED_EVERY, nearest: int = NEAREST_EVERY) -> ContextModel:
        """A conditional logit (a softmax over each turn's candidates), fitted by L-BFGS with
        an L2 penalty of 1/c: each turn's right candidate against its own others. Beside the
        conversations, every `declined`-th corpus message no topic answers is read after a
        topic (0: none), so that "no topic" is learned from more than a few turns."""
        turns, declined_groups = training_groups(engine, chats, declined, nearest)
        transitions = Transitions()
        for g in turns:
            transitions.add(g.before, g.facet, g.topics[g.right])
        groups = [(_with_prior(g.x, transitions.columns(g.before, g.facet, g.topics,
                                                        own=g.topics[g.right])), g.right)
                  for g in turns]
        groups += [(_with_prior(g.x, transitions.columns(g.before, g.facet, g.topics)),
                    g.right) for g in declined_groups]
        if not groups:
            return cls(np.zeros(WIDTH), 0.0, 0, transitions)
        return cls(_fit(groups, c), 0.0, sum(len(x) for x, _ in groups), transitions)

    @classmethod
    def load(cls, engine: Engine, cache_dir: Path | None = None) -> ContextModel:
        """Trained on the knowledge base's corpus conversations, cached by what it learns from."""
        folder = cache_dir or default_cache_dir()
        return cached(folder / f"context-{key(engine)}.pickle", cls,
                      lambda: cls.train(engine, engine.kb.corpus.conversations),
                      "context model")


def training_groups(engine: Engine, chats: Iterable[Conversation], declined: int,
                    nearest: int = NEAREST_EVERY) -> tuple[list[_Group], list[_Group]]:
    """`_groups(chats)` and (`declined` > 0) `declined_examples`, read on both cores at a
    cold start (`forked.map_split`): each chat is read on its own and the declined messages
    in runs of DECLINED_RUN (each message's topics depend on its place in the corpus only),
    so a forked child reads part of both. The same groups in the same order as read
    serially."""
    none = _no_topic(engine) if declined else []
    runs = [(a, min(a + DECLINED_RUN, len(none))) for a in range(0, len(none), DECLINED_RUN)]
    work: list[Conversation | tuple[int, int]] = [*runs, *chats]

    def read_part(item: Conversation | tuple[int, int]) -> list[tuple[bool, _Group]]:
        if isinstance(item, tuple):
            return [(False, g) for g in declined_examples(engine, declined, nearest, item)]
        return [(True, g) for g in _groups(engine, (item,))]

    # the cost of a part, about (ms, measured on the corpus): a turn 1 + 0.01 per character,
    # a declined message 0.2, and 1 + 0.025 per character for each topic it is read after
    weights = [sum(_declined_cost(k, none[k], declined, nearest) for k in range(*item))
               if isinstance(item, tuple) else sum(1.0 + 0.01 * len(t.q) for t in item.turns)
               for item in work]
    found = map_split(read_part, work, weights)
    return [g for turn, g in found if turn], [g for turn, g in found if not turn]


def _no_topic(engine: Engine) -> list[Message]:
    """The corpus messages no topic answers, in corpus order."""
    return [m for m in engine.kb.corpus.messages if m.id is None]


def _declined_cost(k: int, message: Message, every: int, nearest: int) -> float:
    reads = (k % every == 0) + (nearest > 0 and k % nearest == 0)
    return 0.2 + reads * (1.0 + 0.025 * len(message.q))


def _with_prior(x: np.ndarray, prior: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[..., -len(PRIOR_FEATURES):] = prior
    return out


def examples(engine: Engine, chats: Iterable[Conversation]
             ) -> list[tuple[np.ndarray, int]]:
    """(candidates' features, index of the right one) for every turn read after a topic whose
    answer is among its candidates (the transitions' columns left at zero)."""
    return [(g.x, g.right) for g in _groups(engine, chats)]


def _groups(engine: Engine, chats: Iterable[Conversation]) -> list[_Group]:
    """Every turn read after a topic whose answer is among its candidates; the topic before
    each turn is the one that answered the turn before (as written), the entities named are
    carried as the engine carries them."""
    groups: list[_Group] = []
    for chat in chats:
        ctx = Context()
        for turn in chat.turns:
            # with no topic before it a turn gives no group: unread, only its entities carried
            after = None if ctx.topic else engine._carried(turn.q, ctx)
            if after is None:
                rule = engine._ask(turn.q, ctx)
                before = applies(engine, turn.q, ctx, rule)
                if before is not None:
                    reading, topics, x = scored(engine, turn.q, before, rule)
                    if turn.id in topics:
                        groups.append(_Group(x, topics.index(turn.id), before.id,
                                             reading.facet, topics))
                after = engine._carry(turn.q, rule, ctx).context
            ctx = dataclasses.replace(after, topic=turn.id or ctx.topic)
    return groups


def declined_examples(engine: Engine, every: int, nearest: int = NEAREST_EVERY,
                      run: tuple[int, int] | None = None) -> list[_Group]:
    """The corpus messages no topic answers (out of scope, social), each read after a topic
    (the topics in turn) and, every `nearest`-th, also after the topic whose words it shares most
    (its best plain ranking: out-of-scope words beside a shown topic's words, the hard case):
    the right choice is no topic. `run`: only the messages from..to (their places in the
    corpus still choose their topics)."""
    topics = sorted(e.id for e in engine.kb.entries)
    groups: list[_Group] = []
    none = _no_topic(engine)
    start, stop = run if run is not None else (0, len(none))
    for k in range(start, min(stop, len(none))):
        message = none[k]
        shown = [topics[k % len(topics)]] if k % every == 0 else []
        if nearest and k % nearest == 0:
            ranked = engine._plain(message.q)[1].ranked
            if ranked and ranked[0].entry.id not in shown:
                shown.append(ranked[0].entry.id)
        for topic in shown:
            ctx = Context(topic=topic)
            rule = engine._ask(message.q, ctx)
            before = applies(engine, message.q, ctx, rule)
            if before is not None:
                reading, found, x = scored(engine, message.q, before, rule)
                groups.append(_Group(x, found.index(NONE), before.id, reading.facet, found))
    return groups


def _fit(groups: list[tuple[np.ndarray, int]], c: float) -> np.ndarray:
    from scipy.optimize import minimize
    from threadpoolctl import threadpool_limits

    features = np.concatenate([x for x, _ in groups])
    starts = np.cumsum([0, *(len(x) for x, _ in groups)])[:-1]
    right = starts + np.array([r for _, r in groups])
    owner = np.repeat(np.arange(len(groups)), [len(x) for x, _ in groups])
    scale = features.std(axis=0) + 1e-6  # fitted on standardised features, kept unscaled
    # the words alike, not each by its rarity (a rare word's column would be scaled up, so
    # less penalised: learned from a turn or two)
    scale[SHOWN_WORDS:TOPIC_WORDS + TOPIC_BUCKETS] = WORD_SCALE
    x = _Split(features / scale)

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        # each turn's candidates are contiguous rows: reduceat, far faster than ufunc.at
        s = x @ w
        top = np.maximum.reduceat(s, starts)
        e = np.exp(s - top[owner])
        total = np.add.reduceat(e, starts)
        p = e / total[owner]
        value = float(-(s[right] - top - np.log(total)).sum() + 0.5 / c * w @ w)
        p[right] -= 1.0
        return value, x.t_dot(p) + w / c

    # one BLAS thread: the products are small, and threads spin on a shared 2-core machine
    with threadpool_limits(limits=1, user_api="blas"):
        fit = minimize(loss, np.zeros(WIDTH), jac=True, method="L-BFGS-B")
    return np.asarray(fit.x / scale)


class _Split:
    """The fit's features as a dense block and the word columns as a sparse one: a row has
    few words, and dense they made each step of the fit about five times slower."""

    def __init__(self, x: np.ndarray) -> None:
        from scipy.sparse import csr_matrix

        words = slice(SHOWN_WORDS, TOPIC_WORDS + TOPIC_BUCKETS)
        rest = np.ones(x.shape[1], dtype=bool)
        rest[words] = False
        self.rest = rest
        self.dense = np.ascontiguousarray(x[:, rest])
        self.dense_t = np.ascontiguousarray(self.dense.T)  # the gradient's product, row-major
        self.words = csr_matrix(x[:, words])
        self.words_t = csr_matrix(x[:, words].T)

    def __matmul__(self, w: np.ndarray) -> np.ndarray:
        return np.asarray(self.dense @ w[self.rest] + self.words @ w[~self.rest])

    def t_dot(self, p: np.ndarray) -> np.ndarray:
        """x.T @ p"""
        out = np.empty(len(self.rest))
        out[self.rest] = self.dense_t @ p
        out[~self.rest] = self.words_t @ p
        return out


def key(engine: Engine) -> str:
    """A hash of what the model learns from: the intent model's key (knowledge, corpus,
    lexicon), the engine's knobs, and the code that reads a message (this module, the rules,
    the entities and facets)."""
    from bot.answering.intent_model import knowledge_key

    h = hashlib.sha256(f"{VERSION} {knowledge_key(engine.kb)} {engine.tuning}".encode())
    h.update(code_digest(*CODE).encode())
    return h.hexdigest()[:24]
