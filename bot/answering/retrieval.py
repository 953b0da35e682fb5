"""Question -> ranked knowledge entries with a calibrated score.

Lexical BM25 over folded syllables and syllable pairs finds the candidates; rapidfuzz compares the
question with each candidate's phrasings; a logistic model over a few features (how much of the
question the entry covers, how close the nearest phrasing is, the margin over the runner-up)
turns that into a score from 0 to 1. Everything is offline and deterministic.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, lru_cache
from importlib import resources
from itertools import pairwise
from typing import TypeVar

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.answering import focus, text, yamlfile
from bot.answering.context import EMPTY, Context
from bot.answering.context_model import ContextModel, weighs
from bot.answering.entities import (
    Bare,
    Districts,
    Interests,
    Mentions,
    Names,
    NearDomain,
    Redirects,
    SurveyResults,
    Trades,
    folded_words,
)
from bot.answering.facets import AGE, EXPLAIN, SAME, FacetCues, age_words
from bot.answering.intent_model import IntentModel, Prediction
from bot.answering.knowledge import District, Entry, Interest, KnowledgeBase, Named, OutOfScope

DISTRICT_TERM = "__district__"
NONE_REDIRECT_RANK = 3  # a message no topic answers is redirected to a topic ranked this high
ABROAD = "nước ngoài"  # what naming a foreign country adds to a query
V = TypeVar("V")
GREETING_CHARS = 200  # a longer message (once normalised) is never only a greeting
MODEL_SURE = 0.5  # the learned model's best topic is added to the candidates from here
FACET_REST = 2  # words of its own a facet follow-up may have beside cue and names
TRADE_WORDS = ("học nghề", "nghề", "trường nghề", "muốn", "thích")  # beside a trade named
NEAR_YIELD = 0.88  # a topic this sure answers a message that a near-domain rule also matches
EXACT = 0.99  # fuzzy closeness of a phrasing matched word for word
EXACT_MARGIN = 0.15  # ... which settles a bare keyword when the runner-up is this much further
TIE_SURE = 0.95  # a first topic this sure has no tie to settle
SHOWN = 1.0  # the prior of the topic just shown (its neighbours get less)
LEVEL_GROUPS = ("vet", "tuition", "support", "college")  # topics a level swap stays on
THANKS = ("cam on", "thank", "thanks", "tks")  # canonical (folded) forms
_LATER_ASKING = re.compile(r"(?<!\w)(?:(?:để|de|tự|tu|đi|di|sẽ|se|nhắn|nhan|kêu|keu)\s+"
                           r"(?:\w+\s+){0,3}?(?:hỏi|hoi)|phần nào|phan nao)(?!\w)", re.IGNORECASE)
VOCATIVES = frozenset({"oi", "admin", "bot"})  # folded: "ơi", "ad", "bot"


@dataclass(frozen=True)
class Tuning:
    """Engine knobs, kept as data in bot/data/engine.yaml."""

    k1: float
    b: float
    bigram_weight: float
    candidates: int
    rank_weights: dict[str, float]
    calibration: dict[str, float]
    answer_threshold: float
    suggest_threshold: float
    bare_words: int
    bare_ratio: float
    typo_min_length: int
    typo_similarity: float
    typo_trust: float
    name_score: float  # a message that is only a known name: answered by rule
    context_weight: float  # follow-ups: how much the topic just shown favours its neighbours
    frame_weight: float  # ... and how much its words count beside the follow-up's own
    followup_words: int  # a follow-up has at most this many words of its own
    followup_self: float  # ... and is read alone when alone it scores at least this
    followup_cover: float  # an entry must cover this share of the follow-up's own words
    followup_cover_shown: float  # ... and the topic just shown this share
    context_tie: float  # a topic beside the one just shown wins when this close to the best
    also_clauses: int  # asking clauses looked at for a second question
    also_candidates: int  # ... and the candidates ranked for each
    story_fuzzy: float = 0.9  # a story's asking clause contained in a phrasing: its closeness
    model_weight: float = 0.0  # the learned model's share of the fused score (0: off)
    model_sharpness: float = 4.0
    model_answer_threshold: float = 0.4
    model_suggest_threshold: float = 0.25
    # The model this sure of the first topic lets it answer where a near-domain rule would
    # not; above 1: never.
    model_override: float = 1.01
    model_in_context: bool = False  # the model also weighs in on a follow-up's ranking
    # The model this sure that no topic answers declines a message the lexical ranking would
    # answer below `model_reject_lexical`; above 1: never.
    model_reject: float = 1.01
    model_reject_lexical: float = 0.88
    # A topic the lexical ranking scores below this is answered only when the model is as
    # sure of it as `model_override`: the model alone does not answer a message no word of
    # which the topic knows.
    model_lexical_floor: float = 0.0
    model_in_split: bool = False  # ... and on each asking clause's, for a second question
    model_when_unsure: bool = False  # ... only on a clause the lexical ranking is unsure of
    model_reads_story: bool = False  # the model reads the weighed story clauses too
    # A message of at most this many content words, right after a topic, is read without the
    # model: it is sure of a word or two it has seen in one topic's messages ("có được vay
    # không" -> the overseas loan), where the follow-up rules know the topic just shown.
    model_min_words: int = 0
    # A message naming a foreign country whose `abroad_candidates` best topics are none about
    # going abroad is read again with "nước ngoài" added at this weight.
    country_abroad: float = 0.0
    bare_tokens: int = 0  # a message of more words than this is no bare keyword (0: off)
    implied_facets: bool = False  # a facet asked that the topic leaves to another: answer it
    abroad_candidates: int = 3
    # A message read right after a topic is decided by the learned context model
    # (bot/answering/context_model.py) among the rules' and rankings' candidates.
    context_model: bool = False
    # A question answered by no topic whose best candidates score at least this is offered
    # them ("Có phải bạn muốn hỏi"), the plain fallback otherwise (0: never).
    maybe_threshold: float = 0.0
    maybe_model: float = 0.0
    maybe_out: float = 1.01  # ... and the model's out-of-scope class less than this

    @property
    def answer_at(self) -> float:
        """The answer threshold in force: the fused one when the learned model is on."""
        return self.model_answer_threshold if self.model_weight > 0 else self.answer_threshold

    @classmethod
    @cache
    def default(cls) -> Tuning:
        raw = resources.files("bot").joinpath("data/engine.yaml").read_text(encoding="utf-8")
        data = yamlfile.plain(raw)
        return cls(**data)


# Facets asked about every district at once: the district named before is not carried to them.
WIDER_THAN_DISTRICT = frozenset({"current", "national"})
# Facets a first message may ask of its own topic that come before the whole answer: whether
# what the province's documents say still holds after the 2025 reforms ("trường cao đẳng Long
# An giờ còn không, đổi tên chưa": the documents predate the reforms), and a sum of money to set
# against the law's caps ("công ty đòi 200 triệu mới đi được, có đúng không").
FIRST_ASKED = frozenset({"current", "amount"})
# ... and, asked alone, where to go and whom to ask ("trường cao đẳng Long An ở đâu", "vay vốn
# đi nước ngoài thì liên hệ ai"): the topic's own line on it, the whole answer one tap away
# (before, the college's campuses were only in its warning line).
ALONE_ASKED = frozenset({"where", "contact", "school-contact"})


# "học đồ họa ở đâu", "điện công nghiệp học chỗ nào": where to study, the trade between the
# words; not "học xong đi làm ở đâu" (where to work)
_STUDY_WHERE = re.compile(r"(?:^| )(?:hoc|day)(?: (?!xong |ra |lam |viec )\S+){0,4} "
                          r"(?:o dau|cho nao|noi nao)(?= |$)")


# Who is writing, after a greeting ("tui là phụ huynh", "em là học sinh lớp 9", "mình tên Lan")
_INTRODUCES = re.compile(r" (?:tui|toi|em|e|minh|chau|con|tao|anh|chi|co|chu|bac|ong|ba) "
                         r"(?:la|ten) ")


def _study_where(canon: str, facets: tuple[str, ...]) -> tuple[str, ...]:
    """The facets asked, where to study in place of where when "học" comes before "ở đâu"."""
    if "where" not in facets or "study-where" in facets or not _STUDY_WHERE.search(canon):
        return facets
    return tuple("study-where" if f == "where" else f for f in facets)


class Kind(StrEnum):
    ANSWER = "answer"
    SUGGEST = "suggest"
    FALLBACK = "fallback"
    GREETING = "greeting"
    EMPTY = "empty"
    SAFETY = "safety"  # a child may be in danger, or an illegal request (bot/answering/safety.py)


@dataclass(frozen=True)
class Scored:
    entry: Entry
    score: float
    features: dict[str, float]


@dataclass(frozen=True)
class Result:
    """What the engine makes of one question."""

    kind: Kind
    question: str
    ranked: tuple[Scored, ...]
    districts: tuple[District, ...] = ()
    thanks: bool = False
    also: tuple[Entry, ...] = ()  # a second question in the same message, answered elsewhere
    also_asked: tuple[tuple[str, ...], ...] = ()  # the facets each of `also` asks (same order)
    # a country a second question names, with its line on that topic ("đi Hàn có cần môi giới
    # không": Korea's line says no broker), else None (same order as `also`)
    also_lead: tuple[Named | None, ...] = ()
    # The facets of the answer's topic the message asks ("how-much"); `focused`: it asks only
    # them, right after a topic (a facet follow-up), so their short answers are all it needs.
    asked: tuple[str, ...] = ()
    focused: bool = False
    named: Named | None = None  # the country (or level) the message was only about
    note: str | None = None  # said with the answer: an ambiguous name, a near-domain pointer
    cap: float = 1.0  # the score shown never exceeds this (the answer threshold, unless answered)
    lead: Named | None = None  # the country asked about (named or carried): its line comes first
    trade: str | None = None  # what the bot says of a trade the message names, after the answer
    interest: str | None = None  # what the bot says first of an interest the message names
    context: Context = EMPTY  # the conversation after this message
    mentioned: Context = EMPTY  # the entities this message itself names (no topic)
    maybe: tuple[Entry, ...] = ()  # a fallback's candidates, offered as buttons

    @property
    def entry(self) -> Entry | None:
        return self.ranked[0].entry if self.kind is Kind.ANSWER and self.ranked else None

    @property
    def score(self) -> float:
        return min(self.ranked[0].score, self.cap) if self.ranked else 0.0

    @property
    def suggestions(self) -> tuple[Entry, ...]:
        if self.kind is Kind.SUGGEST:
            return tuple(s.entry for s in self.ranked[:3])
        return self.maybe


@dataclass(frozen=True)
class _Query:
    terms: dict[str, float]  # term -> weight (a story clause counts less than the question)
    unigrams: tuple[str, ...]  # content syllables of what is asked
    canon: str  # what is asked, as the fuzzy matcher sees it
    pieces: tuple[str, ...]  # ... and each asking clause alone (a long question has several)
    districts: tuple[District, ...]
    trust: dict[str, float]  # 1.0 for a word as typed, less for a guessed typo correction
    marks: dict[str, str]  # folded syllable -> the accents it was typed with
    story: bool = False  # the message tells a story around what it asks
    told: str = ""  # every weighed clause's words (story included): what the model reads


@dataclass(frozen=True)
class _Clause:
    canon: str
    toks: tuple[str, ...]
    terms: tuple[str, ...]
    trust: dict[str, float]
    marks: tuple[tuple[str, str], ...]
    # The same, ready to merge into a query: the tokens trusted fully (1.0) and the others,
    # and each folded syllable's first accents.
    sure: dict[str, float] = dataclasses.field(default_factory=dict)
    unsure: dict[str, float] = dataclasses.field(default_factory=dict)
    first_marks: dict[str, str] = dataclasses.field(default_factory=dict)


CLAUSE_CACHE = 8192  # clauses repeat (greetings, stories): analyse each once
PLAIN_READS = 4096  # messages whose reading alone (query, classification) is remembered


def _terms(tokens: Sequence[str]) -> list[str]:
    """Syllables and adjacent syllable pairs: Vietnamese words are often two syllables."""
    return [*tokens, *(f"{a}_{b}" for a, b in pairwise(tokens))]


def _canon(clause: str) -> str:
    """A clause as the matcher reads it (text.analyze is remembered)."""
    return " ".join(tok.text for tok in text.analyze(clause))


def _sorted_words(canon: str) -> str:
    """What fuzz.token_sort_ratio compares: the words sorted, joined by spaces."""
    return " ".join(sorted(canon.split()))


@lru_cache(maxsize=8192)
def _accented(raw: str) -> tuple[tuple[str, str], ...]:
    """(folded syllable, its accents) for every accented word of a text."""
    words = text.expanded(text.normalize(raw))
    return tuple((text.fold_word(w), text.marks(w)) for w in words if not w.isascii())


def _bounded(memo: dict[tuple[str, ...], dict[int, V]], key: tuple[str, ...]
             ) -> dict[int, V]:
    """memo[key], made empty if missing (the memo is emptied when it holds CLAUSE_CACHE)."""
    found = memo.get(key)
    if found is None:
        if len(memo) >= CLAUSE_CACHE:
            memo.clear()
        found = memo[key] = {}
    return found


def _merge(trust: dict[str, float], unsure: list[dict[str, float]],
           marked: list[dict[str, str]]) -> dict[str, str]:
    """A query's clauses merged: `trust` (the fully trusted tokens) lowered to the least trust
    each other token has in any clause; the accents each syllable has in the first clause
    naming it (returned)."""
    for low in unsure:
        for tok, confidence in low.items():
            trust[tok] = min(trust.get(tok, 1.0), confidence)
    marks: dict[str, str] = {}
    for first in reversed(marked):  # the first clause's accents win
        marks.update(first)
    return marks


# Words that say a loan is for studying ("vay cho sinh viên", "vay đóng học phí"), canonical.
_STUDENTS = frozenset({"sinh", "phi", "truong"})


class Engine:
    """The answer engine over one knowledge base; build once, ask many times."""

    def __init__(self, kb: KnowledgeBase, tuning: Tuning | None = None,
                 model: IntentModel | None = None,
                 context_model: ContextModel | None = None) -> None:
        self.kb = kb
        self.tuning = tuning or Tuning.default()
        # The learned model is loaded (from its cache, or trained) only when it has a weight.
        if model is None and self.tuning.model_weight > 0:
            model = IntentModel.load(kb)
        self.model = model if self.tuning.model_weight > 0 else None
        self._predicted: dict[str, Prediction] = {}
        fused = self.model is not None
        self._answer_at = (self.tuning.model_answer_threshold if fused
                           else self.tuning.answer_threshold)
        self._suggest_at = (self.tuning.model_suggest_threshold if fused
                            else self.tuning.suggest_threshold)
        self.entries = kb.entries
        self._districts = Districts(kb)
        self._names = Names(kb)
        self._near = NearDomain(kb.out_of_scope)
        self._mentions = Mentions(kb)
        self._trades = Trades(kb)
        self._redirects = Redirects(kb)
        self._interests = Interests(kb)
        self._results = SurveyResults(kb)
        self._facets = FacetCues(kb.facets)
        self._answer_words: dict[str, frozenset[str]] = {}
        self._index = {e.id: i for i, e in enumerate(self.entries)}
        self._clauses: dict[str, _Clause] = {}
        self._canons: dict[str, str] = {}  # message -> its canonical text (see _canon)
        # term and its accents -> its posting without clashing entries (see _posting)
        self._kept: dict[tuple[str, tuple[str | None, ...]],
                         tuple[np.ndarray, np.ndarray, frozenset[int]]] = {}
        self._found: dict[str, tuple[District, ...]] = {}  # districts named in a message
        # A message read alone (its query and classification): reads_alone and ask both need
        # it, and a short follow-up asked after different topics needs it every time.
        self._plain_reads: dict[str, tuple[_Query, Result]] = {}
        self._lexical_reads: dict[str, tuple[_Query, Result]] = {}  # ... without the model
        # The plain reading's ranking before the model's share is fused in, by message and
        # whether "nước ngoài" was added: the lexical reading is that very ranking (the
        # context model reads both for a follow-up; ranking twice took a fifth of training).
        self._unfused: dict[tuple[str, bool], tuple[_Query, tuple[Scored, ...]]] = {}
        # A message read after a topic (see _in_context): the rules read it, and the context
        # model reads it again for its features.
        self._framed: dict[tuple[str, str], tuple[_Query, Result | None]] = {}
        # A candidate's closeness to a query's pieces (see _fuzzy) and to a story's asking
        # clause (see _held), by the pieces: a long message's rankings (the whole message,
        # again with "nước ngoài", each asking clause alone and with the story) share pieces
        # and candidates, and each score depends on those two only.
        self._fuzzed: dict[tuple[str, ...], dict[int, float]] = {}
        self._helds: dict[tuple[str, ...], dict[int, tuple[float, float]]] = {}
        self._build()
        self.context_model: ContextModel | None = None
        if context_model is not None or self.tuning.context_model:
            self.context_model = context_model or ContextModel.load(self)

    # --- index -------------------------------------------------------------------------------
    def _entry_texts(self, entry: Entry) -> list[str]:
        texts = [entry.title, *entry.questions, *entry.tags]
        if self.kb.districts is not None and entry.id == self.kb.districts.topic:
            texts.append(DISTRICT_TERM)
        return texts

    def _build(self) -> None:
        t = self.tuning
        doc_terms: list[Counter[str]] = []
        self._phrasings: list[list[str]] = []
        spelled: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for i, entry in enumerate(self.entries):
            counts: Counter[str] = Counter()
            phr = []
            for raw in self._entry_texts(entry):
                if raw == DISTRICT_TERM:
                    counts[DISTRICT_TERM] += 3
                    continue
                toks = text.content_tokens(raw)
                counts.update(_terms(toks))
                if raw in entry.questions or raw == entry.title:
                    phr.append(" ".join(toks))
                for folded, marks in _accented(raw):
                    spelled[folded][marks].add(i)
            doc_terms.append(counts)
            self._phrasings.append(phr)
        # Each phrasing's words sorted: token_sort_ratio is the plain ratio of the sorted words,
        # and sorting each phrasing again for every question cost most of the fuzzy step.
        self._sorted = [[_sorted_words(p) for p in phr] for phr in self._phrasings]
        # Which entries spell a folded syllable with which accents, so that a question typed
        # with accents ("lương") does not match an entry that only knows another word
        # ("luồng") folding to the same letters.
        self._spelled = {f: {m: frozenset(docs) for m, docs in by.items()}
                         for f, by in spelled.items()}
        # ... and for each syllable and accents typed, the entries that spell it only
        # otherwise (accents no entry uses: every entry that spells it), worked out once, not
        # for every term of every question (see _clashes)
        self._clash_sets = {f: {m: frozenset().union(*(d for o, d in by.items() if o != m))
                                - docs for m, docs in by.items()}
                            for f, by in self._spelled.items()}
        self._clash_any = {f: frozenset().union(*by.values()) for f, by in self._spelled.items()}
        n = len(doc_terms)
        lengths = np.array([sum(c.values()) for c in doc_terms], dtype=np.float64)
        avg = float(lengths.mean()) if n else 1.0
        df: Counter[str] = Counter()
        for c in doc_terms:
            df.update(c.keys())
        self._idf = {term: math.log(1 + (n - d + 0.5) / (d + 0.5)) for term, d in df.items()}
        self._idf_unknown = math.log(1 + (n + 0.5) / 0.5)
        postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, counts in enumerate(doc_terms):
            norm = t.k1 * (1 - t.b + t.b * lengths[i] / avg)
            for term, tf in counts.items():
                postings[term].append((i, self._idf[term] * tf * (t.k1 + 1) / (tf + norm)))
        self._postings = {
            term: (np.array([i for i, _ in p], dtype=np.int32),
                   np.array([w for _, w in p], dtype=np.float64))
            for term, p in postings.items()
        }
        self._doc_terms = [frozenset(c) for c in doc_terms]
        # The postings of terms no entry spells with other accents: nothing to filter out
        # for any question (most terms of a long message: no per-question look-up).
        self._unspelled: dict[str, tuple[np.ndarray, np.ndarray, frozenset[int]]] = {
            term: (ids, values, frozenset()) for term, (ids, values) in self._postings.items()
            if not any(s in self._spelled for s in term.split("_"))}
        # ... and of the others, the syllables some entry spells with other accents (only
        # their accents as typed can take entries out of the term's posting)
        self._spelled_parts = {term: tuple(s for s in term.split("_") if s in self._spelled)
                               for term in self._postings if term not in self._unspelled}
        self._plain_postings: dict[str, tuple[np.ndarray, np.ndarray, frozenset[int]]] = {
            term: (ids, values, frozenset())
            for term, (ids, values) in self._postings.items() if term in self._spelled_parts}
        self._vocab = sorted({term for term in df if "_" not in term and term != DISTRICT_TERM})
        self._vocab_set = frozenset(self._vocab)

    # --- query -------------------------------------------------------------------------------
    def _correct(self, token: str) -> tuple[list[str], float]:
        """Map an unknown token to known ones: a typo of a known syllable, or two glued together.

        A well-formed Vietnamese syllable is a real word the knowledge base does not know, not a
        typo: it is kept as it is. Returns the tokens and how far to trust them.
        """
        t = self.tuning
        if token in self._vocab_set or token.isdigit() or len(token) < t.typo_min_length:
            return [token], 1.0
        for cut in range(2, len(token) - 1):
            left, right = token[:cut], token[cut:]
            if left in self._vocab_set and right in self._vocab_set:
                return [left, right], t.typo_trust
        if text.is_syllable(token):
            return [token], 1.0
        best = process.extractOne(token, self._vocab, scorer=Levenshtein.normalized_similarity,
                                  score_cutoff=t.typo_similarity)
        return ([best[0]], t.typo_trust) if best else ([token], 1.0)

    def clear_caches(self) -> None:
        """Forget analysed text (benchmarks measure the work, not the memory)."""
        self._clauses.clear()
        self._canons.clear()
        self._kept.clear()
        self._found.clear()
        self._plain_reads.clear()
        self._lexical_reads.clear()
        self._unfused.clear()
        self._framed.clear()
        self._fuzzed.clear()
        self._helds.clear()
        self._predicted.clear()
        if self.model is not None:
            self.model.clear_memo()
        self._mentions.forget()
        self._trades.forget()
        self._interests.forget()
        self._results.forget()
        folded_words.cache_clear()
        _accented.cache_clear()
        focus.clauses.cache_clear()
        text.typed_marks.cache_clear()
        text.forget_normal_forms()

    def _clause(self, clause: str) -> _Clause:
        """A clause's matching tokens (no stopwords, no district names, typos corrected)."""
        found = self._clauses.get(clause)
        if found is not None:
            return found
        analyzed = text.analyze(clause)
        canon = _canon(clause)
        names = self._districts.covered([tok.text for tok in analyzed])
        toks: list[str] = []
        trust: dict[str, float] = {}
        for n, tok in enumerate(analyzed):
            if tok.stop or n in names:
                continue
            fixed, confidence = self._correct(tok.text)
            for f in fixed:
                toks.append(f)
                trust[f] = min(trust.get(f, 1.0), confidence)
        marks = _accented(clause)
        first: dict[str, str] = {}
        for folded, mark in marks:
            first.setdefault(folded, mark)
        found = _Clause(canon, tuple(toks), tuple(_terms(toks)), trust, marks,
                        {t: c for t, c in trust.items() if c == 1.0},
                        {t: c for t, c in trust.items() if c != 1.0}, first)
        if len(self._clauses) >= CLAUSE_CACHE:
            self._clauses.clear()
        self._clauses[clause] = found
        return found

    def _districts_in(self, canon: str) -> tuple[District, ...]:
        """The former districts a message names (remembered: its clauses are ranked often)."""
        districts = self._found.get(canon)
        if districts is None:
            districts = self._districts.find(canon)[0]
            if len(self._found) >= CLAUSE_CACHE:
                self._found.clear()
            self._found[canon] = districts
        return districts

    def _query(self, question: str, weights: dict[int, float] | None = None,
               abroad: float = 0.0) -> _Query:
        """The weighted query of a message; `weights` overrides clause weights by position;
        `abroad`, the weight of "nước ngoài" added to it (a foreign country is named)."""
        parts = focus.clauses(question)
        terms: dict[str, float] = defaultdict(float)
        trust: dict[str, float] = {}
        asked: list[str] = []
        pieces: list[str] = []
        told: list[str] = []
        unsure: list[dict[str, float]] = []
        marked: list[dict[str, str]] = []
        for k, clause in enumerate(parts):
            weight = clause.weight if weights is None else weights.get(k, clause.weight)
            if weight <= 0:
                continue  # not analysed: a greeting, a story far from the question
            done = self._clause(clause.text)
            told.extend(done.toks)
            for term in done.terms:
                terms[term] += weight
            # a token's trust is the least it has in any clause: the fully trusted first,
            # then the others (see below), each merged in one go
            trust.update(done.sure)
            if done.unsure:
                unsure.append(done.unsure)
            if weight >= focus.NEAR_ASKING:
                asked.extend(done.toks)
                if done.toks:
                    pieces.append(" ".join(done.toks))
            marked.append(done.first_marks)
        marks = _merge(trust, unsure, marked)
        districts = self._districts_in(self._canon(question))  # named anywhere in it
        if abroad:
            told.extend(self._add_abroad(terms, abroad))
        if districts:
            terms[DISTRICT_TERM] += 1.0
            trust[DISTRICT_TERM] = 1.0
        asked = asked or [t for t in terms if "_" not in t and t != DISTRICT_TERM]
        whole = " ".join(asked)
        pieces = [p for p in pieces if p != whole][: self.tuning.also_clauses]
        story = weights is None and any(0 < c.weight < focus.NEAR_ASKING for c in parts)
        return _Query(dict(terms), tuple(asked), whole, (whole, *pieces), districts, trust,
                      marks, story, " ".join(told))

    def _add_abroad(self, terms: dict[str, float], weight: float) -> tuple[str, ...]:
        """Add "nước ngoài" to a query's terms; its tokens, for the model to read."""
        expansion = self._clause(ABROAD)
        for term in expansion.terms:
            terms[term] += weight
        return expansion.toks

    def _clashes(self, q: _Query, term: str) -> frozenset[int]:
        """Entries that spell this term's syllables with other accents than the question."""
        out: frozenset[int] = frozenset()
        for syllable in term.split("_"):
            mark = q.marks.get(syllable)
            by = self._clash_sets.get(syllable)
            if mark is None or by is None:
                continue
            found = by.get(mark)
            out |= self._clash_any[syllable] if found is None else found
        return out

    def _idf_of(self, term: str) -> float:
        return self._idf.get(term, self._idf_unknown)

    def _bm25(self, q: _Query) -> tuple[np.ndarray, dict[str, frozenset[int]]]:
        clashes: dict[str, frozenset[int]] = {}
        docs: list[np.ndarray] = []
        parts: list[np.ndarray] = []
        factors: list[float] = []
        bigram = self.tuning.bigram_weight
        unspelled, spelled, plain = self._unspelled, self._spelled_parts, self._plain_postings
        marks, kept = q.marks, self._kept
        for term, qtf in q.terms.items():
            found = unspelled.get(term)
            if found is None:
                syllables = spelled.get(term)
                if syllables is None:
                    continue  # no entry has it (most of a long message's words)
                # (as _posting, inline: a long message has a hundred such terms)
                typed = tuple(map(marks.get, syllables)) if marks else ()
                if typed.count(None) == len(typed):
                    found = plain[term]
                else:
                    found = kept.get((term, typed)) or self._posting(q, term)
                    assert found is not None  # noqa: S101 - the term has a posting
            ids, values, clash = found
            if clash:
                clashes[term] = clash
            docs.append(ids)
            parts.append(values)
            factors.append(qtf * (bigram if "_" in term else 1.0))
        if not docs:
            return np.zeros(len(self.entries), dtype=np.float64), clashes
        # One pass over every posting (a long message has a hundred terms): each entry's
        # score still adds its terms in the message's order, as a loop over terms would; each
        # posting's values times its term's factor, the same products as one term at a time.
        weights = np.repeat(np.array(factors, dtype=np.float64),
                            [len(ids) for ids in docs]) * np.concatenate(parts)
        scores = np.bincount(np.concatenate(docs), weights=weights,
                             minlength=len(self.entries)).astype(np.float64, copy=False)
        return scores, clashes

    def _posting(self, q: _Query, term: str
                 ) -> tuple[np.ndarray, np.ndarray, frozenset[int]] | None:
        """A term's posting without the entries that spell it with other accents than the
        question (remembered by term and the accents its syllables were typed with: a long
        message ranks its clauses often)."""
        unspelled = self._unspelled.get(term)
        if unspelled is not None:
            return unspelled
        spelled = self._spelled_parts.get(term)
        if spelled is None:
            return None  # no entry has it
        marks = q.marks
        typed = tuple(map(marks.get, spelled)) if marks else ()
        if typed.count(None) == len(typed):
            return self._plain_postings[term]  # no syllable of it typed with accents
        key = (term, typed)
        found = self._kept.get(key)
        if found is None:
            ids, values = self._postings[term]
            clash = self._clashes(q, term)
            if clash:
                mask = np.zeros(len(self.entries), dtype=bool)
                mask[list(clash)] = True
                keep = ~mask[ids]
                ids, values = ids[keep], values[keep]
            found = (ids, values, clash)
            if len(self._kept) >= CLAUSE_CACHE:
                self._kept.clear()
            self._kept[key] = found
        return found

    def _info(self, q: _Query) -> tuple[list[tuple[str, float]], float]:
        """The question's information: (syllable, IDF x weight x trust) for each syllable
        (question words left out; guessed typo corrections count less), and the total of
        IDF x weight. Each product is worked out once, not once per candidate."""
        asking = text.lexicon().question_words
        idf, unknown, trust = self._idf, self._idf_unknown, q.trust
        weights = [(term, idf.get(term, unknown) * qtf)
                   for term, qtf in q.terms.items() if "_" not in term and term not in asking]
        return [(term, w * trust.get(term, 1.0)) for term, w in weights], \
            sum(w for _, w in weights)

    @staticmethod
    def _share(info: tuple[list[tuple[str, float]], float], known: Callable[[str], bool]
               ) -> float:
        """Share of the question's information for which `known` holds."""
        terms, total = info
        if not total:
            return 0.0
        return sum(w for term, w in terms if known(term)) / total

    def _covered(self, info: tuple[list[tuple[str, float]], float], i: int,
                 clashes: dict[str, frozenset[int]]) -> float:
        """`_share` of the terms entry i holds (not where it spells them with other accents
        than the question, per `clashes`): the same sum, without a call per term."""
        terms, total = info
        if not total:
            return 0.0
        held = self._doc_terms[i]
        if not clashes:
            return sum(w for term, w in terms if term in held) / total
        return sum(w for term, w in terms
                   if term in held and not (term in clashes and i in clashes[term])) / total

    def _fuzzy(self, q: _Query, candidates: list[int]) -> dict[int, float]:
        """For each candidate, how close its nearest phrasing is to the question (0-1)."""
        best = dict.fromkeys(candidates, 0.0)
        if not q.canon:
            return best
        known = _bounded(self._fuzzed, q.pieces)
        held = [i for i in candidates if self._sorted[i] and i not in known]
        for i in candidates:
            if i in known:
                best[i] = known[i]
        if not held:
            return best
        # One C call for all candidates' phrasings instead of one per candidate; a long
        # question is compared clause by clause too, so its length does not drown the match.
        pieces = list(q.pieces)
        # token_sort_ratio, as the ratio of the words sorted (the same scores, tested)
        scores = process.cdist([_sorted_words(p) for p in pieces],
                               [p for i in held for p in self._sorted[i]],
                               scorer=fuzz.ratio).max(axis=0)
        # each candidate's best phrasing: its phrasings are one run of the columns (one C
        # call, not a comparison per phrasing; x / 100 keeps the order, so the same values)
        starts = np.cumsum([0, *(len(self._sorted[i]) for i in held[:-1])])
        for owner, score in zip(held, np.maximum.reduceat(scores, starts).tolist(),
                                strict=True):
            best[owner] = known[owner] = max(best[owner], score / 100)
        return best

    def _held(self, q: _Query, fuzzy: dict[int, float]) -> dict[int, float]:
        """For a message with a story, how close each candidate (the keys of `fuzzy`, its
        plain closeness) is to a phrasing that holds every word of an asking clause (0-1),
        where that can raise its closeness (`story_fuzzy` times it above the plain one);
        0 where it cannot."""
        held = dict.fromkeys(fuzzy, 0.0)
        story = self.tuning.story_fuzzy
        if not q.story or not q.canon or story <= 0:
            return held
        # Around a story the asking clause is short ("muốn đi thì cần điều kiện gì"): a
        # phrasing holding all its words says the answer is there, however long it is.
        # Only the clause the question leads with: a later one is offered, not answered.
        # Scores that cannot beat a candidate's plain closeness are not worked out (the
        # cutoff, with a margin for rounding, lets rapidfuzz pass over them).
        lead = q.pieces[1:2] or q.pieces[:1]
        cutoff = min(100.0, max(0.0, min(fuzzy.values()) * 100 / story - 0.5))
        # A score worked out before under a cutoff no higher than this one is this one's
        # (rapidfuzz gives 0 below the cutoff, the score itself above it).
        known = _bounded(self._helds, lead)  # candidate -> (best score, its cutoff)
        wanted = [i for i in fuzzy if i not in known or known[i][1] > cutoff]
        for i in fuzzy:
            if i in known and known[i][1] <= cutoff:
                best = known[i][0]
                held[i] = best / 100 if best >= cutoff else 0.0
        owners = [i for i in wanted for _ in self._phrasings[i]]
        choices = [p for i in wanted for p in self._phrasings[i]]
        if not choices:
            return held
        contained = process.cdist(list(lead), choices, scorer=fuzz.token_set_ratio,
                                  score_cutoff=cutoff)[0]
        raw = dict.fromkeys(wanted, 0.0)
        for owner, score in zip(owners, contained.tolist(), strict=True):
            raw[owner] = max(raw[owner], score)
        for i, best in raw.items():
            held[i] = best / 100
            known[i] = (best, cutoff)
        return held

    def rank(self, question: str, limit: int = 5, previous: str | Context | None = None
             ) -> list[Scored]:
        """Entries ranked for the question, best first, each with its calibrated score."""
        result = self.ask(question, previous)
        return list(result.ranked[:limit]) if result.ranked else self._rank(
            self._query(question), limit)

    def _rank(self, q: _Query, limit: int = 5, prior: dict[int, float] | None = None,
              candidates: int | None = None,
              own: _Query | None = None, fuse: bool = True,
              after: Entry | None = None, unfused: list[Scored] | None = None
              ) -> list[Scored]:
        """Rank by BM25 + fuzzy closeness; `prior` adds a context bonus per entry and `own`
        (the follow-up's own words) must be mostly covered by any entry returned; `unfused`
        receives the ranking before the model's share is fused in (what fuse=False returns)."""
        if not q.terms or not self.entries:
            return []
        bm25, clashes = self._bm25(q)
        top = self._candidates(bm25, prior, candidates or self.tuning.candidates)
        if not top:
            return []
        idf, unknown, bigram = self._idf, self._idf_unknown, self.tuning.bigram_weight
        ideal = sum(idf.get(t, unknown) * (bigram if "_" in t else 1.0) * c
                    for t, c in q.terms.items())
        def anywhere(term: str) -> bool:
            return term in self._idf and not (
                term in clashes and len(clashes[term]) >= len(self._postings[term][0]))

        info = self._info(q)
        own_info = self._info(own) if own is not None else None
        known = self._share(info, anywhere)
        fuzzy = self._fuzzy(q, top)
        rows: list[dict[str, float]] = []
        for i in top:
            row = {
                "bm25": float(bm25[i]) / ideal if ideal else 0.0,
                "coverage": self._covered(info, i, clashes),
                "fuzzy": fuzzy[i],
                "known": known,
            }
            if own_info is not None:
                row["own"] = self._covered(own_info, i, {})
            rows.append(row)
        w = self.tuning.rank_weights
        favour = prior or {}

        def order(j: int) -> float:
            return sum(w[f] * rows[j][f] for f in w) + self.tuning.context_weight * favour.get(
                top[j], 0.0)

        ranked = sorted(range(len(top)), key=lambda j: -order(j))
        if own_info is not None:
            # The topic just shown needs less: a follow-up's new words are often details of
            # it ("cả nước thì chỉ tiêu sao", "chọn sử địa thì sao") that its phrasings lack.
            # Its answer counts too: the user has just read it ("cả nước" is in the targets'
            # answer) and a follow-up reuses its words.
            t = self.tuning
            ranked = [j for j in ranked if rows[j]["own"] >= t.followup_cover or (
                favour.get(top[j]) == SHOWN and self._share(
                    own_info, self._known_words(self.entries[top[j]]).__contains__)
                >= t.followup_cover_shown)]
        # The ordering keeps the plain closeness; how sure the answer is also counts a story's
        # asking clause held whole by a phrasing (story words no longer dilute the score).
        # (only for the entries returned: it does not change their order)
        story = self.tuning.story_fuzzy
        held = self._held(q, {top[j]: rows[j]["fuzzy"] for j in ranked[:limit]})
        scored = [Scored(self.entries[top[j]], self._calibrate(
            {**rows[j], "fuzzy": max(rows[j]["fuzzy"], story * held[top[j]])}), rows[j])
                  for j in ranked[:limit]]
        if unfused is not None:
            unfused.extend(scored)
        # The model may add a candidate of its own: still at most `limit` of them.
        return self._fused(q, scored, own, after)[:limit] if fuse and self.model is not None \
            else scored

    def _fused(self, q: _Query, scored: list[Scored], own: _Query | None,
               after: Entry | None) -> list[Scored]:
        if own is None:
            # The model was trained on whole messages, stories and all: it reads the story
            # near the question too (model_reads_story), not only what is asked.
            if not (self.tuning.model_reads_story and q.told):
                return self._fuse(q.canon, scored)
            return self._fuse(q.told, scored, asked=q.canon if q.story else None)
        if after is None or not self.tuning.model_in_context:
            return scored
        # A follow-up: the model reads the topic just shown's title and the follow-up's own
        # words, as it was trained on the corpus's conversations (the title of the topic
        # answered before, then the next turn); the coverage check above stays in force, so
        # the model adds no candidate of its own here.
        canon = " ".join([*text.content_tokens(after.title), own.canon])
        return self._fuse(canon, scored, join=False)

    def _prediction(self, canon: str) -> Prediction:
        assert self.model is not None  # noqa: S101 - only called with a model
        found = self._predicted.get(canon)
        if found is None:
            found = self.model.predict(canon, self.tuning.model_sharpness)
            if len(self._predicted) >= CLAUSE_CACHE:
                self._predicted.clear()
            self._predicted[canon] = found
        return found

    def _fuse(self, canon: str, scored: list[Scored], join: bool = True,
              asked: str | None = None) -> list[Scored]:
        """The lexical score blended with the learned model's probability; the model's own
        best topic joins the candidates when it is sure of it (and `join`). `asked`: a
        story's asking part, read on its own too; where the whole reads as out of scope and the
        asking part does not, the asking part's reading is kept (a family's story, "ở nhà phụ
        ba nó chăn vịt", read as out of scope around "đi Nhật làm việc tốn hết bao nhiêu")."""
        w = self.tuning.model_weight
        pred = self._prediction(canon)
        if asked is not None and asked != canon and pred.out >= self.tuning.model_reject:
            own = self._prediction(asked)
            if own.out < self.tuning.model_reject:
                pred = own
        fused = [Scored(s.entry, (1 - w) * s.score + w * pred.topics.get(s.entry.id, 0.0),
                        {**s.features, "model": pred.topics.get(s.entry.id, 0.0),
                         "out": pred.out, "lexical": s.score})
                 for s in scored]
        best = max(pred.topics.items(), key=lambda kv: kv[1], default=None)
        if join and best is not None and best[1] >= MODEL_SURE and all(
                s.entry.id != best[0] for s in scored):
            entry = self.kb.get(best[0])
            if entry is not None:
                fused.append(Scored(entry, w * best[1], {"model": best[1], "out": pred.out,
                                                         "lexical": 0.0}))
        return sorted(fused, key=lambda s: -s.score)

    def _candidates(self, bm25: np.ndarray, prior: dict[int, float] | None, wanted: int
                    ) -> list[int]:
        """The best-matching entries by BM25 (a follow-up's context lifts its neighbours)."""
        k = min(wanted, len(self.entries))
        pick = bm25
        if prior:
            pick = bm25.copy()
            for i, bonus in prior.items():
                if bm25[i] > 0:
                    pick[i] += bonus * float(bm25.max())
        candidates = np.argpartition(-pick, k - 1)[:k] if k < len(self.entries) else np.arange(k)
        return [int(i) for i in candidates if bm25[i] > 0]

    def _calibrate(self, features: dict[str, float]) -> float:
        """Logistic model fitted by bench/calibrate.py: about P(the top entry is right)."""
        cal = self.tuning.calibration
        z = cal["bias"] + sum(cal.get(name, 0.0) * value for name, value in features.items())
        return 1 / (1 + math.exp(-z))

    # --- classification ----------------------------------------------------------------------
    def ask(self, question: str, previous: str | Context | None = None) -> Result:
        """Classify the question: an answer, did-you-mean suggestions, a greeting or a fallback.

        `previous` is the conversation so far (or just the topic shown last): a short follow-up
        ("còn Đức thì sao", "có được vay không", "học ở đâu") is read against it, and the
        country, district or level named earlier carries over. `Result.context` is the
        conversation after this message.
        """
        ctx = Context.of(previous)
        result = self._ask(question, ctx)
        if self.context_model is not None:
            chosen = self.context_model.decide(self, question, ctx, result)
            if chosen is not None:
                result = self._learned(question, ctx, result, chosen[0])
        result = self._maybe(question, self._redirected(question, result), ctx.topic is not None)
        return self._carry(question, self._loan_of_shown(question, result, ctx), ctx)

    def _loan_of_shown(self, question: str, result: Result, ctx: Context) -> Result:
        """A loan asked right after a topic whose facet table sends loans to another loan
        topic ("ngân hàng chính sách cho vay tối đa nhiêu" after the costs of going abroad, or
        after Taiwan was named with no topic answered yet): that loan, not the one the words
        alone lean to (both are the same bank's), unless the message names studying ("vay
        học cao đẳng", "vay cho sinh viên")."""
        entry = result.entry
        before = self.kb.get(ctx.topic) if ctx.topic else None
        if before is None:  # no topic shown yet, a country named: that country's first topic
            country = self._mentions.named("countries", ctx.country)
            before = self.kb.get(country.topics[0]) if country and country.topics else None
        if entry is None or before is None or result.kind is not Kind.ANSWER or result.also:
            return result
        target = self.kb.get(before.facet("loan") or "")
        if target is None or target is entry or target.id == before.id \
                or entry.id not in self._loan_topics:
            return result
        canon = self._canon(question)
        if "loan" not in self._cue_facets(question) or _STUDENTS & set(canon.split()) \
                or any(self._mentions.find(canon, group, question) is not None
                       for group in ("levels", "school_types")):
            return result
        return Result(Kind.ANSWER, question, self._fixed([target], self.tuning.name_score),
                      result.districts)

    @functools.cached_property
    def _loan_topics(self) -> frozenset[str]:
        """The topics some table sends a loan to (the student loan, the workers' loan)."""
        return frozenset(t for e in self.entries if (t := e.facet("loan")) is not None)

    def _redirected(self, question: str, result: Result) -> Result:
        """Words that move the answer to another topic (`Redirects`): a stage of schooling
        named ("thi đại học không đậu thì học gì": not the lớp 10 exam's topic), a scam's
        signs ("bao đậu, không cần thi": not the costs; nor the fallback)."""
        entry = result.entry
        if entry is not None and entry.id not in self._redirects.topics:
            return result
        if entry is None and (not self._redirects.from_none or result.note is not None
                              or result.kind not in (Kind.FALLBACK, Kind.SUGGEST)):
            return result
        # clause by clause: "có đủ tuổi không, cần học tiếng tới đâu" has no "không cần học
        # tiếng" (the canonical text drops the comma)
        canon = " ¦ ".join(_canon(c.text) for c in focus.clauses(question))
        found = self._redirects.instead(canon, entry.id if entry else None)
        target = self.kb.get(found.topic) if found is not None else None
        if target is None or (entry is None and target not in
                              [s.entry for s in result.ranked[:NONE_REDIRECT_RANK]]):
            return result  # no topic: only if the reading leans to it ("bỏ trốn" alone does not)
        score = max(result.ranked[0].score if result.ranked else 0.0, self._answer_at)
        ranked = (Scored(target, score, {}), *(s for s in result.ranked if s.entry is not target))
        return Result(Kind.ANSWER, question, ranked, result.districts)

    def _maybe(self, question: str, result: Result, after: bool) -> Result:
        """A question no topic answers surely, whose candidates still lean to a few topics
        (a long story spread over scams, costs and loans): those topics, one tap away, rather
        than the bare fallback. Not for a near-domain question (its note says whom to ask)
        nor a closing word ("ok để e nghĩ lại"). Where the learned model read the message, it
        must give the first candidate some weight (`maybe_model`) and not be sure that no
        topic answers (`maybe_out`): the lexical ranking leans to a topic on one shared word
        ("ai là tổng thống Mỹ"); a follow-up read without it leans to the topics around the
        one just shown."""
        floor = self.tuning.maybe_threshold
        if (result.kind is not Kind.FALLBACK or result.note or floor <= 0
                or not result.ranked or result.ranked[0].score < floor):
            return result
        features = result.ranked[0].features
        model = features.get("model")
        if (model is None and not after) or (model is not None and (
                model < self.tuning.maybe_model
                or features.get("out", 0.0) >= self.tuning.maybe_out)):
            return result
        if focus.closes(question):
            return result
        return dataclasses.replace(result, maybe=tuple(
            s.entry for s in result.ranked[:3] if s.score >= floor))

    def _ask(self, question: str, ctx: Context) -> Result:
        if not focus.clauses(question):
            return Result(Kind.EMPTY, question, ())
        if self._greets(question):
            thanks = any(t in text.canonical(question) for t in THANKS) or focus.closes(question)
            return Result(Kind.GREETING, question, (), thanks=thanks)
        joined = focus.joined(question)
        found = self._joined(question, joined, ctx) if joined else None
        if found is not None:
            return found
        before = self.kb.get(ctx.topic) if ctx.topic else None
        bare = self._names.bare(question)
        if bare is not None:
            named = self._bare(question, bare, before)
            if named is not None:
                return named
        if before is None:
            alone = self._facet_alone(question, ctx)
            if alone is not None:
                return alone
        near = self._near_domain(question)
        if near is not None and not self._shown_answers(question, before):
            q, plain = self._plain(question)
            return Result(Kind.FALLBACK, question, plain.ranked, q.districts,
                          note=near.reply, cap=self._below_answer())
        q, result = self._plain(question, lexical=before is not None and self._short(question))
        result = self._country_tie(question, result)
        if before is not None:
            return self._after(question, q, result, before, ctx.level)
        return self._implied(question, self._split(question, result))

    def _implied(self, question: str, result: Result) -> Result:
        """A question that asks a facet its topic leaves to another ("trường trung cấp nào
        học miễn phí": where to study, after the exemption): that topic's short answer to it
        comes under the answer, as a second question's would."""
        entry = result.entry
        if entry is None or result.also or not self.tuning.implied_facets:
            return result
        cues = self._cue_facets(question)
        own = tuple(f for f in cues if (f in FIRST_ASKED or (f in ALONE_ASKED and len(cues) == 1))
                    and self._facet_target(entry, f) == entry.id and entry.facet_answer(f))
        if own:
            return dataclasses.replace(result, asked=own, focused=True)
        also: list[Entry] = []
        asked: list[tuple[str, ...]] = []
        for facet in self._cue_facets(question):
            target = self.kb.get(self._facet_target(entry, facet) or "")
            if target is None or target is entry or not target.facet_answer(facet):
                continue
            if target in also:
                asked[also.index(target)] += (facet,)
            else:
                also.append(target)
                asked.append((facet,))
        if not also:
            return result
        # nothing else asked ("học chỗ nào" asks where and where to study: the same words)
        covered = set(asked[0]) | ({"where"} if "study-where" in asked[0] else set())
        whole = covered >= set(self._cue_facets(question))
        if "study-where" in asked[0]:  # the same words asked once, as where to study
            asked[0] = tuple(f for f in asked[0] if f != "where")
        if whole and self._only_asks_facets(question):
            # "học trung cấp ở đâu": nothing but the facet and a name; the answer is that
            # facet's, first (a student reads the first lines only)
            return Result(Kind.ANSWER, question, self._fixed([also[0]], self.tuning.name_score),
                          result.districts, asked=asked[0], focused=True)
        return dataclasses.replace(result, also=tuple(also[:1]), also_asked=tuple(asked[:1]))

    def _only_asks_facets(self, question: str) -> bool:
        """Whether the message is a facet's cue with nothing of its own beside it but names
        (a level, a country, a trade, a district) and neutral words."""
        canon = self._canon(question)
        asked = self._facets.asked(canon)
        if not asked.facets:
            return False
        names: list[str] = []
        for named in (self._mentions.find(canon, "levels"), self._country(question, canon)):
            if named is not None:
                names += [named.name, *named.aliases]
        allowed = self._beside_cues(question, canon, names)
        return all(w in allowed for w in asked.rest)

    def _learned(self, question: str, ctx: Context, rule: Result, chosen: str | None
                 ) -> Result:
        """The context model's choice for a message after a topic, in place of the rules'."""
        before = self.kb.get(ctx.topic or "")
        entry = self.kb.get(chosen or "")
        if entry is None or before is None:
            return Result(Kind.FALLBACK, question, rule.ranked, rule.districts,
                          cap=self._below_answer())
        score = max(self.tuning.name_score if entry is before else 0.0,
                    next((s.score for s in rule.ranked if s.entry is entry), 0.0),
                    self._answer_at)
        ranked = (Scored(entry, score, {}), *(s for s in rule.ranked if s.entry is not entry))
        cues = tuple(f for f in self._cue_facets(question) if before.facet(f) == entry.id)
        return self._again(question, Result(Kind.ANSWER, question, ranked, rule.districts,
                                            asked=cues, focused=bool(cues)), before)

    def _country_tie(self, question: str, result: Result) -> Result:
        """A country named ("vay ngân hàng chính sách để đi Hàn"): of two topics answered
        about equally, the one among the topics about going abroad is meant."""
        ties = self._ties(result)
        if not ties:
            return result
        groups = self._country_groups(question)
        if not groups or result.ranked[0].entry.id.split(".")[0] in groups:
            return result
        for other in ties:
            if other.entry.id.split(".")[0] in groups:
                ranked = (other, *(s for s in result.ranked if s is not other))
                return dataclasses.replace(result, ranked=ranked)
        return result

    def _after(self, question: str, q: _Query, alone: Result, before: Entry,
               level: str | None = None) -> Result:
        """A message read after a topic: a facet of it, a follow-up, or on its own (where the
        topic shown may still settle a tie)."""
        faceted = self._explained(question, before) or (
            self._facet(question, before, level) if before.facets else None)
        if faceted is None:  # a trade named with what every trade shares ("học hàn ở trường nào")
            faceted = self._trade_facet(question)
        if faceted is None and before.facets:
            faceted = self._swap_then_why(question, before)
        if faceted is not None:
            return faceted
        if self._reads_as_followup(question, q, alone):
            return self._again(question, self._in_context(question, q, before) or alone, before)
        return self._again(question, self._implied(question, self._split(
            question, self._near_tie(alone, before))), before)

    def _explained(self, question: str, before: Entry) -> Result | None:
        """"ủa vậy là sao", "nói rõ hơn đi": the whole answer just shown again, when nothing
        but the asking is said ("vậy 9+ là sao" names what it asks about)."""
        asked = self._asked_facets(question)
        if asked is None or asked != ((EXPLAIN,), ()):
            return None
        return Result(Kind.ANSWER, question, self._fixed([before], self.tuning.name_score))

    def _likes(self, question: str) -> bool:
        """The message says something is liked ("thích", "mê"), read as typed: folded, "mê"
        would be "mẹ"."""
        cues = self.kb.entities.interest_cues if self.kb.entities is not None else ()
        return not set(text.normalize(question).split()).isdisjoint(cues)  # (lower case)

    def _swap_then_why(self, question: str, before: Entry) -> Result | None:
        """"Còn Đức thì sao, nghe nói bên đó cần điều dưỡng?": a first clause that swaps the
        country, district or level named before, then words that say why. The swap is the
        question; the rest would have made the whole too long to read as a follow-up."""
        parts = focus.clauses(question)
        if len(parts) < 2 or not focus.is_followup(parts[0].text):
            return None
        first = parts[0].text
        if not self._mentioned(first):
            return None
        found = self._facet(first, before)
        return dataclasses.replace(found, question=question) if found is not None else None

    def _again(self, question: str, result: Result, before: Entry) -> Result:
        """The topic just shown, asked again for some of its facets ("mấy năm phải trả, làm hồ
        sơ ở đâu" after the loan): those facets are what the message wants, not the entry."""
        if result.entry is not before or result.also or result.focused:
            return result
        cues = self._cue_facets(question)
        return dataclasses.replace(result, asked=cues, focused=True) if cues else result

    def reads_alone(self, question: str) -> bool:
        """Whether `ask` gives this message the same result whatever the previous topic: only
        a bare name or a short message that reads as a follow-up is read against it (the
        steps of `ask`, without the previous topic)."""
        if not focus.clauses(question) or self._greets(question):
            return True
        if self._names.bare(question) is not None or self._short(question):
            return False  # a short one is read without the model after a topic
        if self._near_domain(question) is not None:
            # declined, unless the topic just shown is the one that answers it
            return self._plain(question)[1].entry is None
        if self._asked_facets(question) is not None:
            return False  # a facet or an entity after a topic: the topic's table decides
        q, result = self._plain(question)
        if self.context_model is not None and weighs(result):
            # the learned reading weighs the topic shown for any such message: after it, the
            # rules' sure answer to another topic may be kept on it (context_model.applies)
            return False
        if self._ties(result):
            return False  # the topic just shown may settle which of two topics is meant
        return not self._reads_as_followup(question, q, result)

    def refocuses(self, question: str) -> str | None:
        """The topic after which a message that reads alone gets only facet answers: its own
        answer, when it asks facets of it ("cao đẳng học mấy năm" right after the VET levels)."""
        cues = self._cue_facets(question)
        if not cues:
            return None
        entry = self._plain(question)[1].entry
        return entry.id if entry is not None and any(entry.facet_answer(f) for f in cues) \
            else None

    def _near_domain(self, question: str) -> OutOfScope | None:
        """The near-domain rule the message matches, unless a topic answers it with little
        doubt: "trường có chỗ ở nội trú không" names lodging ("chỗ ở", as abroad) but the
        boarding topic covers every word of it."""
        parts = focus.clauses(question)
        asked = [c for c in parts if c.asking] or [c for c in parts if c.weight > 0]
        near = self._near.match(" ".join(_canon(c.text) for c in asked),  # as focus.asked
                                " ".join(c.text for c in asked))
        if near is None:
            return None
        if near.firm:
            return near  # one company, one day's timetable: no topic knows it, however sure
        _, plain = self._plain(question)
        sure = plain.kind is Kind.ANSWER and (plain.score >= NEAR_YIELD or self._model_sure(
            plain.ranked[0]))
        return None if sure else near

    def _model_rejects(self, best: Scored) -> bool:
        """The learned model is sure no topic answers, and the lexical ranking is not sure
        of one; or the model alone, not sure enough, would answer a topic the lexical ranking
        barely knows."""
        t = self.tuning
        lexical = best.features.get("lexical", 1.0)
        return (best.features.get("out", 0.0) >= t.model_reject
                and lexical < t.model_reject_lexical) or (
            lexical < t.model_lexical_floor and not self._model_sure(best))

    def _model_sure(self, best: Scored) -> bool:
        """The learned model is sure enough of this topic to override a lexical rule."""
        return best.features.get("model", 0.0) >= self.tuning.model_override

    def _shown_answers(self, question: str, before: Entry | None) -> bool:
        """The topic just shown answers the message on its own: a near-domain word in it
        ("tham quan" after the admission fairs: visiting a school, not tourism) is about it."""
        if before is None:
            return False
        _, plain = self._plain(question)
        return plain.entry is not None and plain.entry.id == before.id

    def _plain(self, question: str, lexical: bool = False) -> tuple[_Query, Result]:
        """The message's query and its classification without any previous topic (`lexical`:
        without the learned model either)."""
        reads = self._lexical_reads if lexical else self._plain_reads
        found = reads.get(question)
        if found is None:
            q, ranked = self._ranked(question, lexical, False)
            if self._lost_abroad(question, ranked):
                # a country named, and no topic about going abroad among the candidates:
                # "đi Đức học điều dưỡng có mất tiền không" names no word of them but Germany
                q, ranked = self._ranked(question, lexical, True)
            found = (q, self._classify(question, q, ranked,
                                       lexical=lexical and self.model is not None))
            if len(reads) >= PLAIN_READS:
                reads.clear()  # bounded; refilled by the messages still asked
            reads[question] = found
        return found

    def _ranked(self, question: str, lexical: bool, abroad: bool
                ) -> tuple[_Query, tuple[Scored, ...]]:
        """The message's query and plain ranking (`abroad`: with "nước ngoài" added). The
        fused ranking remembers its lexical one, which a lexical reading then takes as is:
        the same query (a message's query depends on the message only) ranked alike."""
        key = (question, abroad)
        if lexical:
            kept = self._unfused.get(key)
            if kept is not None:
                return kept
        q = self._query(question, abroad=self.tuning.country_abroad) if abroad else \
            self._query(question)
        if lexical:
            return q, tuple(self._rank(q, fuse=False))
        unfused: list[Scored] = []
        ranked = tuple(self._rank(q, unfused=unfused))
        if len(self._unfused) >= PLAIN_READS:
            self._unfused.clear()  # bounded, as the plain readings
        self._unfused[key] = (q, tuple(unfused))
        return q, ranked

    def _country_groups(self, question: str) -> set[str]:
        """The topic groups of the country a message names ("overseas"), if it names one."""
        country = self._country(question)
        return {t.split(".")[0] for t in country.topics} if country is not None else set()

    def _lost_abroad(self, question: str, ranked: tuple[Scored, ...]) -> bool:
        """A country named, and none of the best topics about going there."""
        groups = self._country_groups(question) if self.tuning.country_abroad else set()
        if not groups:
            return False
        top = ranked[: self.tuning.abroad_candidates]
        return not any(s.entry.id.split(".")[0] in groups for s in top)

    def _short(self, question: str) -> bool:
        """Short enough to be read without the model after a topic (model_min_words). Words
        are counted as read, synonyms put in, not as typed (text.typed_length, which the facet
        and follow-up checks use): "vậy em nên học nghề gì" is the model's to read."""
        return self.model is not None and len(self._own_words(question)) <= \
            self.tuning.model_min_words

    def _greets(self, question: str) -> bool:
        if len(question) > GREETING_CHARS and text.normal_length_at_least(
                question) > GREETING_CHARS:
            return False  # a long message, told without normalising it whole
        return len(text.normalize(question)) <= GREETING_CHARS and (
            text.is_greeting(question) or self._calls_out(question) or self._thanks(question)
            or self._introduces(question))

    def _introduces(self, question: str) -> bool:
        """"Xin chào, tui là phụ huynh ở Thủ Thừa": a greeting, then who is writing, and
        nothing asked yet: greeted back and asked what they want, not answered a topic."""
        parts = focus.clauses(question)
        if len(parts) < 2 or "?" in question or focus.asks(question):
            return False
        if not text.is_greeting(parts[0].text):
            return False
        rest = " ".join(p.text for p in parts[1:])
        return _INTRODUCES.search(f" {text.canonical(rest)} ") is not None

    def _thanks(self, question: str) -> bool:
        """"Dạ cảm ơn ad, để tôi bàn lại với con": thanks that close a conversation, with
        words about what the family will do next but nothing asked."""
        canon = f" {text.canonical(question)} "
        if not any(f" {t} " in canon for t in THANKS):
            return focus.closes(question)
        # "để tui kêu nó nhắn hỏi thêm", "tui đỡ lo phần nào": asking someone later and "phần
        # nào" (somewhat) ask nothing of the bot; a question mark or another cue does
        return "?" not in question and not focus.asks(_LATER_ASKING.sub(" ", question))

    def _calls_out(self, question: str) -> bool:
        """"hú ad ơi", "ê bot": calling the bot, with nothing the knowledge base knows."""
        toks = text.analyze(question)
        if len(toks) > 3 or not any(t.text in VOCATIVES for t in toks):
            return False
        return not any(not t.stop and t.text in self._vocab_set for t in toks)

    def _below_answer(self) -> float:
        return self._answer_at - 0.0001

    def _classify(self, question: str, q: _Query, ranked: tuple[Scored, ...],
                  in_context: bool = False, lexical: bool = False) -> Result:
        suggest_at, answer_at = ((self.tuning.suggest_threshold, self.tuning.answer_threshold)
                                 if lexical else (self._suggest_at, self._answer_at))
        if not ranked or ranked[0].score < suggest_at or self._model_rejects(ranked[0]):
            return Result(Kind.FALLBACK, question, ranked, q.districts, cap=self._below_answer())
        # A bare keyword is ambiguous on its own; after a topic, that topic settles it.
        if ranked[0].score < answer_at or (
                not in_context and self._ambiguous(question, q, ranked)):
            return Result(Kind.SUGGEST, question, ranked, q.districts, cap=self._below_answer())
        return Result(Kind.ANSWER, question, ranked, q.districts)

    def _ambiguous(self, question: str, q: _Query, ranked: tuple[Scored, ...]) -> bool:
        """A bare keyword ("học phí", "nước ngoài") that several topics match about equally."""
        # (the model does not settle it: it is over-sure of a word or two, "học phí")
        if len(q.unigrams) > self.tuning.bare_words or len(ranked) < 2:
            return False
        if self.tuning.bare_tokens and len(text.normalize(question).split()) \
                > self.tuning.bare_tokens:
            return False  # a sentence around the keyword ("em không biết mình thích nghề gì")
        w = self.tuning.rank_weights
        if ranked[0].features.get("fuzzy", 0.0) >= EXACT and \
                ranked[1].features.get("fuzzy", 0.0) < EXACT - EXACT_MARGIN:
            return False  # one topic has this very phrasing ("hướng nghiệp là gì")
        first, second = (sum(w[f] * s.features.get(f, 0.0) for f in w) for s in ranked[:2])
        return second >= self.tuning.bare_ratio * first

    # --- a message that is only a name -------------------------------------------------------
    def _fixed(self, entries: Iterable[Entry | None], score: float) -> tuple[Scored, ...]:
        return tuple(Scored(e, score, {}) for e in entries if e is not None)

    def _bare(self, question: str, bare: Bare, before: Entry | None) -> Result | None:
        t = self.tuning
        if bare.district is not None and self.kb.districts is not None:
            return self._bare_district(question, bare.district, before,
                                       self.kb.districts.topic)
        named = bare.named
        if named is None:
            return None
        topics = [self.kb.get(i) for i in named.topics]
        if bare.group == "countries" and before is not None and any(
                before.facet(f) for f in self._facets.asked(self._canon(question)).facets):
            return None  # "Nhật có thi không" after the requirements: the facet's row reads it
        if bare.group == "countries":
            # "còn Đài Loan thì sao" right after the costs of going abroad: same question,
            # another country (the topic's facet table says which). A bare name with no
            # "còn" after a topic that does not declare it: the country's own line.
            target = self.kb.get(before.facet("country") or "") if before is not None else None
            if target is None and before is not None and focus.is_followup(question) \
                    and before.id.split(".")[0] == named.topics[0].split(".")[0]:
                target = before
            if target is not None:
                topics = [target, *(e for e in topics if e is not target)]
            return Result(Kind.ANSWER, question, self._fixed(topics, t.name_score), named=named)
        if before is not None:
            # "cao đẳng?" after a topic with nothing for it: the previous question decides
            # (_in_context)
            return self._bare_after(question, bare.group, named, topics, before)
        if len(topics) == 1:
            return Result(Kind.ANSWER, question, self._fixed(topics, t.name_score), named=named)
        return Result(Kind.SUGGEST, question, self._fixed(topics, self._below_answer()),
                      named=named, cap=self._below_answer())

    def _bare_after(self, question: str, group: str, named: Named,
                    topics: list[Entry | None], before: Entry) -> Result | None:
        """A level or a school type named alone right after a topic."""
        target: Entry | None = None
        if group == "levels":
            # "còn sơ cấp thì sao" right after a topic: the same question about that level
            # (the corpus conversations stay on the topic just shown 36 times in 41), or the
            # topic its facet table names (after the trung cấp exemption, the other groups).
            own = before.id in named.topics  # "còn trung cấp" after the trung cấp exemption
            target = (before if own else self.kb.get(before.facet("level") or "")) or (
                before if focus.is_followup(question)
                and before.id.split(".")[0] in LEVEL_GROUPS else None)
        elif group == "school_types":
            # "còn GDTX?" after the THPT tuition: the same question about that school type
            target = self.kb.get(before.facet("school") or "")
        if target is None:
            return None
        return Result(Kind.ANSWER, question, self._fixed(
            [target, *(e for e in topics if e is not target)], self.tuning.name_score))

    def _bare_district(self, question: str, district: District, before: Entry | None,
                       targets: str) -> Result:
        """A district's name alone (`targets`: the topic of the districts' own figures)."""
        # After a topic that answers per district ("hộ khẩu Tân Trụ" after the province's
        # college support), that topic; "còn Kiến Tường" after any other topic, the same
        # question there (the topic just shown); otherwise the district's targets.
        topic = (before.facet("district") or (before.id if focus.is_followup(question)
                                               else None) if before is not None else None) \
            or targets
        if "hoc" in self._canon(question).split():  # "học ở Tân An được không"
            trades = self.kb.facets.trades if self.kb.facets is not None else {}
            topic = (before.facet("study-where") or before.facet("where")
                     if before is not None else None) or trades.get("study-where") or topic
        entry = self.kb.get(topic)
        return Result(Kind.ANSWER, question, self._fixed([entry], self.tuning.name_score),
                      (district,), note=district.note)

    # --- follow-ups --------------------------------------------------------------------------
    def _canon(self, question: str) -> str:
        """The message's canonical text, from its clauses (each analysed once and kept)."""
        found = self._canons.get(question)
        if found is None:
            found = " ".join(_canon(c.text) for c in focus.clauses(question))
            if len(self._canons) >= CLAUSE_CACHE:
                self._canons.clear()
            self._canons[question] = found
        return found

    def _country(self, question: str, canon: str | None = None) -> Named | None:
        """The country a message names (`canon`: its canonical text, when the caller has it);
        a district's name is no country ("Đức Huệ" is not Germany)."""
        form = self._canon(question) if canon is None else canon
        return self._mentions.find(self._no_districts(form), "countries", question)

    def _no_districts(self, canon: str) -> str:
        """The text without the district names it holds: "Đức Huệ" names no country."""
        for district in self._districts_in(canon):
            for form in self._districts.forms(district):
                canon = f" {canon} ".replace(f" {form} ", " ").strip()
        return canon

    def _mentioned(self, question: str) -> tuple[str, ...]:
        """The entity facets a message names: country, level, school type, district, trade."""
        canon = self._canon(question)
        found = [f for f, named in (("country", self._country(question, canon)),
                                    ("level", self._mentions.find(canon, "levels", question)),
                                    ("school", self._mentions.find(canon, "school_types",
                                                                   question)))
                 if named is not None]
        if self._districts_in(canon):
            found.append("district")
        if self._trades.find(question) is not None:
            found.append("trade")
        return tuple(found)

    def _facet(self, question: str, before: Entry, level: str | None = None) -> Result | None:
        """A short follow-up asking one facet of the topic just shown ("đăng ký ở đâu", "vay
        được nhiêu", "mất bao lâu", "còn Hàn Quốc thì sao"): the topic's facet table answers,
        provided the message's other words name nothing the two topics do not know. A facet
        the table has no row for may be the `level` named before's (facets.yaml `levels`)."""
        asked = self._asked_facets(question)
        if asked is None:
            return None
        wanted, rest = asked
        facet, target = self._facet_row(question, wanted, before, level)
        if SAME in wanted:
            facet, target = SAME, before  # "Đài Loan cũng vậy hả": the question just answered
        if target is None and wanted == ("country",) and not focus.is_followup(question):
            # "Đức có tuyển không" after a topic with no country in its table: a question about
            # the country itself, its own first topic (as the name alone would be)
            country = self._country(question)
            facet = "country"
            target = self.kb.get(country.topics[0]) if country and country.topics else None
        if target is None:
            return None
        known = self._known_words(before) | self._known_words(target)
        if facet not in ("district", "where", "study-where") \
                and before.facet("district") != target.id \
                and self._districts_in(self._canon(question)):
            return None  # a district named beside a facet: the ranking reads it
        # (unless the district's own row is that topic: "riêng Đức Hòa là bao nhiêu")
        # ("học ở đâu cho gần Đức Huệ": a district beside "where" only says near what)
        if any(w not in known for w in rest):
            return None  # "co dc vay ko" after the VET levels asks about a loan, not a facet
        cues = tuple(f for f in wanted if f in self._facets.cue_names
                     and (self._facet_target(before, f) or before.id) == target.id)
        for narrow, wide in (("study-where", "where"), ("salary", "how-much")):
            if narrow in cues and target.facet_answer(narrow):
                cues = tuple(f for f in cues if f != wide)  # the same words, asked once
        return Result(Kind.ANSWER, question, self._fixed([target], self.tuning.name_score),
                      self._districts_in(self._canon(question)), asked=cues,
                      focused=facet != SAME)

    def _facet_row(self, question: str, wanted: tuple[str, ...], before: Entry,
                   level: str | None) -> tuple[str | None, Entry | None]:
        """The facet asked and the topic that answers it: a level or school type named here,
        else the shown topic's table, else a row for a topic without one."""
        facet, target = self._named_here(question, wanted)
        if facet is None:
            facet = next((f for f in wanted if before.facet(f)), None)
            target = self.kb.get(before.facet(facet) or "") if facet is not None else None
        if facet is None:
            facet, target = self._rowless_facet(wanted, before, level)
        return facet, target

    def _named_here(self, question: str, wanted: tuple[str, ...]
                    ) -> tuple[str | None, Entry | None]:
        """A level or a school type named in this very message with a facet its row in
        facets.yaml `levels` answers ("còn nếu em học cấp 3 thì có tốn tiền không" after the
        scholarships): that row, whatever the topic shown says of the facet."""
        facets = self.kb.facets
        if facets is None or not facets.levels:
            return None, None
        canon = self._canon(question)
        for group in ("levels", "school_types"):
            named = self._mentions.find(canon, group, question)
            row = facets.levels.get(named.name, {}) if named is not None else {}
            facet = next((f for f in wanted if f in row), None)
            if facet is not None:
                return facet, self.kb.get(row[facet])
        return None, None

    def _rowless_facet(self, wanted: tuple[str, ...], before: Entry,
                       level: str | None) -> tuple[str | None, Entry | None]:
        """The first facet asked, when the topic shown has no row for any: the level named
        before's ("học phí bao nhiêu" after the routes, cao đẳng named), or the default of
        where to study near a place ("học ở đâu gần Bến Lức"), whatever was shown."""
        facets = self.kb.facets
        if facets is None or not wanted:
            return None, None
        first = wanted[0]
        by_level = facets.levels.get(level or "", {}) if before.id in facets.level_after else {}
        if first in by_level:
            return first, self.kb.get(by_level[first])
        if first in facets.defaults and "district" in wanted:
            return first, self.kb.get(facets.defaults[first])
        return None, None

    @staticmethod
    def _facet_target(before: Entry, facet: str) -> str | None:
        """The topic `before`'s table names for `facet`; where to study is where, for a
        table that does not tell them apart (after the levels, "học ở đâu" gets the
        college's where-to-study answer, not its address)."""
        found = before.facet(facet)
        return before.facet("where") if found is None and facet == "study-where" else found

    def _facet_alone(self, question: str, ctx: Context) -> Result | None:
        """A facet asked with no topic shown: of a trade named ("học nấu ăn ở đâu"), or of a
        country named before with no topic answered yet ("e muon di Uc", then "ton bao
        nhieu": that country's first topic's facet table answers)."""
        found = self._trade_facet(question, first=ctx.topic is None)
        country = self._mentions.named("countries", ctx.country)
        if found is None and country is not None and country.topics:
            shown = self.kb.get(country.topics[0])
            found = self._facet(question, shown) if shown is not None else None
        return found

    def _trade_facet(self, question: str, first: bool = False) -> Result | None:
        """A trade named with a facet every trade shares, read alone ("học nấu ăn ở đâu",
        "hoc tc ke toan o dau", "học hàn mất bao lâu"): the topic facets.yaml names for it
        (where to study: the province's colleges), whatever the ranking makes of the trade.
        A `first` message may name the trade alone ("em muốn học nghề hàn")."""
        trades = self.kb.facets.trades if self.kb.facets is not None else {}
        if not trades:
            return None
        canon = self._canon(question)
        words = canon.split()
        if self._surely_own(words) > FACET_REST:
            return None  # (the test at the end, settled early: a long message is read here)
        trade = self._trades.find(question)
        if trade is None:
            return None
        if not {"hoc", "nghe", "day"} & set(words):
            return None  # not about learning it ("visa du lịch ở được bao lâu")
        asked = self._facets.asked(canon)
        studies = bool({"hoc", "day"} & set(words))  # "học nấu ăn ở đâu", "chỗ nào dạy hàn"
        facets = tuple("study-where" if f == "where" and studies else f for f in asked.facets)
        facet = next((f for f in facets if f in trades), None)
        target = self.kb.get(trades[facet]) if facet is not None else None
        # the trade alone ("em muốn học nghề hàn"): where it is taught, under the trade's line
        # (a liked thing, "em thích nấu ăn", is the interest's); nothing else may be asked
        alone = first and target is None and not facets and studies \
            and not self._likes(question) and len(focus.clauses(question)) == 1
        if alone:
            facet = "study-where"
            target = self.kb.get(trades.get(facet, ""))
        if target is None or facet is None or (facets and facets[0] != facet):
            return None  # another facet asked first ("học hàn tốn bao nhiêu, học ở đâu")
        level = self._mentions.find(canon, "levels")
        allowed = self._beside_cues(question, canon, [
            *TRADE_WORDS, *((level.name, *level.aliases) if level is not None else ())])
        allowed |= {w for phrase in text.lexicon().greeting_phrases for w in phrase}
        if len([w for w in asked.rest if w not in allowed]) > (0 if alone else FACET_REST):
            return None  # a sentence of its own around them: the ranking reads it
        return Result(Kind.ANSWER, question, self._fixed([target], self.tuning.name_score),
                      self._districts_in(canon), asked=(facet,), focused=True)

    def _surely_own(self, words: list[str]) -> int:
        """How many of a message's canonical words are surely words of its own beside any
        facet cue: in no cue, and not among the words `_beside_cues` may allow for any message
        (every neutral, question and stop word, every trade's, level's and district's name,
        the trade words and greetings). At most the count `_trade_facet` tests, cheaply."""
        beside = self.__dict__.get("_beside_words")
        if beside is None:
            beside = self.__dict__["_beside_words"] = self._beside_any()
        return sum(1 for w in words if w not in beside)

    def _beside_any(self) -> frozenset[str]:
        lex = text.lexicon()
        words = set(self._facets.neutral | lex.question_words | self._facets.cue_words)
        # a stop token's text: a stopword folded, or an unaccented stopword (text.analyze)
        words |= {text.fold_word(w) for w in (*lex.stopwords, *lex.unaccented_stopwords)}
        words |= lex.unaccented_stopwords
        names: list[str] = [*TRADE_WORDS]
        entities = self.kb.entities
        if entities is not None:
            names += [w for trade in entities.trades for w in trade.words]
            names += [n for level in entities.groups()["levels"]
                      for n in (level.name, *level.aliases)]
        words |= {w for name in names for w in text.canonical(name).split()}
        for district in (self.kb.districts.districts if self.kb.districts is not None else ()):
            words |= {w for form in self._districts.forms(district) for w in form.split()}
        words |= {w for phrase in lex.greeting_phrases for w in phrase}
        return frozenset(words)

    def _beside_cues(self, question: str, canon: str, names: list[str]) -> set[str]:
        """The words a facet's cue may have beside it without making the message a sentence
        of its own: neutral and question words, particles, the trade and districts it names,
        and `names` (a country or a level named)."""
        allowed = set(self._facets.neutral | text.lexicon().question_words)
        allowed |= {tok.text for tok in text.analyze(question) if tok.stop}
        trade = self._trades.find(question)
        names = [*names, *(trade.words if trade else ())]
        allowed |= {w for name in names for w in text.canonical(name).split()}
        allowed |= {w for district in self._districts_in(canon)
                    for form in self._districts.forms(district) for w in form.split()}
        return allowed

    def _known_words(self, entry: Entry) -> frozenset[str]:
        """The words a topic knows: its phrasings, title, tags and short answer."""
        found = self._answer_words.get(entry.id)
        if found is None:
            found = self._doc_terms[self._index[entry.id]] | frozenset(
                text.content_tokens(entry.answer))
            self._answer_words[entry.id] = found
        return found

    def _asked_facets(self, question: str) -> tuple[tuple[str, ...], tuple[str, ...]] | None:
        """The facets a short message asks (cue facets first, then the entities it names)
        and its words that are neither cue, name, question word nor neutral; None when it
        cannot be a facet follow-up whatever came before (too long, nothing asked, a VET
        level or too many words of its own: "cao đẳng học mấy năm" stands alone)."""
        own = text.typed_length(question)
        if own > 2 * self.tuning.followup_words:
            return None
        canon = self._canon(question)
        asked = self._facets.asked(canon)
        wanted = (*_study_where(canon, asked.facets), *self._mentioned(question))
        age = age_words(canon)  # "17t đi được không", "18 tuổi rồi cần giấy tờ gì"
        if age:
            wanted = (*wanted, AGE)
        # The words that ask a facet do not make a message long: "vay dc nhiu, lam ho so o
        # dau" asks two facets in seven words of its own.
        if not wanted or own - asked.covered > self.tuning.followup_words:
            return None
        level = self._mentions.find(canon, "levels")
        if level is not None and "level" not in wanted[: len(asked.facets)]:
            return None
        country = self._country(question, canon)
        # a school type swapped alone ("học cấp 3 được nữa hả"); beside a cue it names what the
        # question is about ("GDTX học phí có mắc không": the ranking reads it)
        school = None if asked.facets else self._mentions.find(canon, "school_types", question)
        allowed = self._beside_cues(question, canon, [
            *((country.name, *country.aliases) if country else ()),
            *((school.name, *school.aliases) if school else ())])
        rest = tuple(w for w in asked.rest if w not in allowed and w not in age)
        if len(rest) > FACET_REST:
            return None
        return wanted, rest

    def _lead(self, topic: str, country: Named | None, level: Named | None,
              ctx: Context, school: Named | None = None) -> Named | None:
        """The entity whose own line comes first on `topic`: the country named here or before,
        else the level ("học cao đẳng có được miễn học phí không": the exemptions lead with
        what they mean for cao đẳng), else the school type named here ("còn GDTX?" after the
        THPT tuition)."""
        for found in (country or self._mentions.named("countries", ctx.country),
                      level or self._mentions.named("levels", ctx.level), school):
            if found is not None and found.line_on(topic):
                return found
        return None

    def _carry(self, question: str, result: Result, ctx: Context) -> Result:
        """The conversation after this message, and the entity the answer leads with."""
        if result.kind is Kind.EMPTY:
            return dataclasses.replace(result, context=ctx)
        canon = self._canon(question)
        country = self._country(question, canon)
        level = self._mentions.find(canon, "levels")
        districts = result.districts or self._districts_in(canon)
        entry = result.entry
        trade = self._trades.find(question)
        result_group = self._results.find(question)  # "làm khảo sát ra nhóm kỹ thuật"
        liked = result_group or (self._interests.find(question) if self._likes(question)
                                 else None)
        here = Context(country=country.name if country is not None else None,
                       district=districts[0].name if districts else None,
                       level=level.name if level is not None else None,
                       trade=trade.name if trade is not None else None,
                       interest=liked.name if liked is not None else None)
        after = Context(topic=entry.id if entry is not None else ctx.topic,
                        country=here.country or ctx.country,
                        district=here.district or ctx.district, level=here.level or ctx.level,
                        trade=here.trade or ctx.trade, interest=here.interest or ctx.interest)
        changes: dict[str, object] = {"context": after, "mentioned": here}
        if entry is not None and result.named is None:
            lead = self._lead(entry.id, country, level, ctx,
                              self._mentions.find(canon, "school_types", question))
            if lead is not None:
                changes["lead"] = lead
            # the trade named here, or earlier when where to learn it is asked ("học ở đâu"
            # after "muốn học nghề điện"); not under every later answer
            if trade is None and {"where", "study-where", "contact"} & set(result.asked):
                trade = self._trades.named(ctx.trade)
            if trade is not None and self.kb.entities is not None \
                    and entry.id in self.kb.entities.trade_topics:
                changes["trade"] = self.kb.entities.line_for(trade)
            line = self._interest_line(entry.id, result_group, liked, ctx)
            if line is not None:
                changes["interest"] = line
            carried = self.kb.districts
            # (not under whether the figures still hold, nor the whole country's: those answers
            # are about every district)
            if not result.districts and ctx.district and carried is not None \
                    and entry.id == carried.topic and not WIDER_THAN_DISTRICT & set(result.asked):
                district = carried.by_name(ctx.district)
                if district is not None:
                    changes["districts"] = (district,)
        return dataclasses.replace(result, **changes)  # type: ignore[arg-type]

    def _interest_line(self, topic: str, result_group: Interest | None, liked: Interest | None,
                       ctx: Context) -> str | None:
        """What the answer leads with of a survey result named, or of what this message or
        an earlier one says it likes ("em thích vẽ", then "vậy em nên học nghề gì")."""
        entities = self.kb.entities
        if entities is None:
            return None
        if result_group is not None and topic in entities.result_topics:
            return entities.result_line_for(result_group)
        interest = liked or self._interests.named(ctx.interest)
        if interest is not None and topic in entities.interest_topics:
            return entities.interest_line_for(interest)
        return None

    def _carried(self, question: str, ctx: Context) -> Context | None:
        """The conversation after a message, its topic aside, without reading it for a topic
        (the context model's training: a turn with no topic before it gives no row, only
        the entities it carries); None where only the reading tells (no clause, two joined
        questions, a bare name: their readings name the districts themselves)."""
        if not focus.clauses(question) or focus.joined(question) \
                or self._names.bare(question) is not None:
            return None
        return self._carry(question, Result(Kind.FALLBACK, question, ()), ctx).context

    def _own_words(self, question: str) -> list[str]:
        """The content words of a message ("còn", "vậy", "thì sao" are stopwords)."""
        return [tok.text for tok in text.analyze(question) if not tok.stop]

    def _reads_as_followup(self, question: str, q: _Query, result: Result) -> bool:
        """Short, and either it says so ("còn", "vậy", "thì sao") or alone it is unsure."""
        if text.typed_length(question) > self.tuning.followup_words:
            # A longer message no topic answers alone ("có người nói đóng 50tr trước là bao
            # đậu, tin được không" after the scams): the topic just shown may place it.
            return result.kind is not Kind.ANSWER
        if focus.is_followup(question):
            return True
        return result.kind is not Kind.ANSWER or result.score < self.tuning.followup_self

    def _frame(self, before: Entry) -> dict[str, float]:
        """The previous topic's words, as a light context for the follow-up."""
        toks = [tok for raw in (before.title, *before.tags) for tok in text.content_tokens(raw)]
        terms = Counter(_terms(toks))
        total = sum(terms.values()) or 1
        return {term: self.tuning.frame_weight * c / total for term, c in terms.items()}

    def _prior(self, before: Entry) -> dict[int, float]:
        prior: dict[int, float] = {}
        group = before.id.split(".")[0]
        for i, e in enumerate(self.entries):
            if e.id.split(".")[0] == group:
                prior[i] = 0.5
        for rel in before.related:
            if rel in self._index:
                prior[self._index[rel]] = 0.7
        prior[self._index[before.id]] = SHOWN if before.id in self._index else 0.0
        return prior

    def _near_tie(self, result: Result, before: Entry) -> Result:
        """Two topics answer a message about equally ("có được vay tiền để cho nó đi không"
        after the costs of working abroad: the student loan or the loan for going abroad):
        the one beside the topic just shown (same group or related) is meant."""
        group = before.id.split(".")[0]
        near = {before.id, *before.related}

        def beside(entry: Entry) -> bool:
            return entry.id in near or entry.id.split(".")[0] == group

        if beside(result.ranked[0].entry):
            return result
        for other in self._ties(result):
            if beside(other.entry):
                ranked = (other, *(s for s in result.ranked if s is not other))
                return dataclasses.replace(result, ranked=ranked)
        return result

    def _ties(self, result: Result) -> tuple[Scored, ...]:
        """The runners-up answered about as surely as the first topic."""
        tie = self.tuning.context_tie
        if result.kind is not Kind.ANSWER or len(result.ranked) < 2 or tie <= 0:
            return ()
        first = result.ranked[0].score
        if first >= TIE_SURE:
            return ()  # answered with next to no doubt: the topic before cannot move it
        return tuple(s for s in result.ranked[1:3]
                     if s.score >= self._answer_at and first - s.score <= tie)

    def _in_context(self, question: str, q: _Query, before: Entry) -> Result | None:
        """The message ranked with the topic just shown as context (remembered for the same
        message, query and topic: the context model reads it again after the rules, with the
        query read with the model where the rules read a short one without it: equal values,
        terms in the same order, so the same sums)."""
        found = self._framed.get((question, before.id))
        if found is not None and (found[0] is q or (
                found[0] == q and list(found[0].terms.items()) == list(q.terms.items()))):
            return found[1]
        result = self._read_in_context(question, q, before)
        if len(self._framed) >= PLAIN_READS:
            self._framed.clear()  # bounded, as the plain readings
        self._framed[(question, before.id)] = (q, result)
        return result

    def _read_in_context(self, question: str, q: _Query, before: Entry) -> Result | None:
        asking = text.lexicon().question_words
        own = [w for w in self._own_words(question) if w not in asking]
        if not own and not q.districts:
            # "thì sao?", "vậy hả", "ở đâu?": nothing new is asked but where, when or how much;
            # the previous topic again.
            return Result(Kind.ANSWER, question, self._fixed([before], self.tuning.name_score))
        terms = dict(q.terms)
        for term, weight in self._frame(before).items():
            terms[term] = terms.get(term, 0.0) + weight
        canon = " ".join([q.canon, *text.content_tokens(before.title)])
        framed = _Query(terms, q.unigrams, canon, (canon, q.canon), q.districts, q.trust,
                        q.marks)
        ranked = tuple(self._rank(framed, prior=self._prior(before), own=q, after=before))
        if not ranked:
            return None
        # Read without the model (model_in_context off), the scores are lexical: so are the
        # thresholds.
        result = self._classify(question, framed, ranked, in_context=True,
                                lexical=self.model is not None
                                and not self.tuning.model_in_context)
        return result if result.kind is not Kind.FALLBACK else None

    # --- two questions in one message --------------------------------------------------------
    def _joined(self, question: str, parts: tuple[str, ...], ctx: Context) -> Result | None:
        """Questions joined by "và", "với lại", "còn": each read after the one before it (the
        second is often a follow-up of the first); the first answered is the answer, the
        others are offered ("Bạn cũng hỏi"). A part no topic answers (military service beside
        working in Korea) does not sink the others."""
        results: list[Result] = []
        for part in parts:
            found = self._carry(part, self._ask(part, ctx), ctx)
            ctx = found.context
            results.append(found)
        answered = [r for r in results if r.entry is not None]
        if not answered:
            return None
        main = answered[0]
        assert main.entry is not None  # noqa: S101 - answered holds answers only
        also: list[Entry] = []
        asked: list[tuple[str, ...]] = []
        leads: list[Named | None] = []
        for r in answered[1:]:
            if r.entry is not None and r.entry.id != main.entry.id and r.entry not in also:
                also.append(r.entry)
                asked.append(self._cue_facets(r.question))
                leads.append(r.lead)  # the country it names, with its line on that topic
        # "chỉ tiêu của tỉnh bao nhiêu, còn huyện Đức Huệ thì nhiêu": a later part on the same
        # topic that names a district asks for that district's own figures
        districts = tuple(dict.fromkeys(
            [*main.districts, *(d for r in answered[1:] if r.entry is main.entry
                                for d in r.districts)]))
        return dataclasses.replace(main, question=question, also=tuple(also[:2]),
                                   also_asked=tuple(asked[:2]), also_lead=tuple(leads[:2]),
                                   focused=False, districts=districts)

    def _split(self, question: str, whole: Result) -> Result:
        """A message that asks several things: answer it and offer what else it asks ("Bạn cũng
        hỏi: ..."). Each asking clause is ranked alone, then, if unsure, with the rest of the
        message as light context."""
        parts = focus.clauses(question)
        asking = [k for k, c in enumerate(parts) if c.asking]
        if len(asking) < 2:
            return whole
        answered: list[Result] = []
        for k in asking[: self.tuning.also_clauses]:
            if len(text.content_tokens(parts[k].text)) < 2:
                continue  # "Tôi muốn hỏi hai việc:" asks nothing yet
            # The clause alone first; when alone it is unsure, with the rest as light context
            # (unless the message as a whole matched nothing: then context would only invent).
            contexts = (0.0,) if whole.kind is Kind.FALLBACK else (0.0, focus.STORY)
            for context in contexts:
                weights = {j: (1.0 if j == k else min(parts[j].weight, context))
                           for j in range(len(parts))}
                q = self._query(question, weights)
                # A second question needs only its best topics: fewer candidates to compare;
                # the lexical ranking alone finds it about as well as with the model (see
                # model_in_split), for a fraction of the time.
                fuse = self.tuning.model_in_split or whole.kind is Kind.FALLBACK
                found = self._classify(question, q, tuple(self._rank(
                    q, candidates=self.tuning.also_candidates, fuse=fuse)),
                    lexical=self.model is not None and not fuse)
                if found.kind is Kind.SUGGEST and not fuse and self.model is not None \
                        and self.tuning.model_when_unsure:
                    # the lexical ranking is unsure of this clause ("Đi làm sao cho khỏi bị
                    # lừa?"): the model reads it too, as it reads a whole message
                    found = self._classify(question, q, tuple(self._rank(
                        q, candidates=self.tuning.also_candidates, fuse=True)))
                if found.entry is not None:
                    answered.append(dataclasses.replace(found, question=parts[k].text))
                    break
        if not answered:
            return whole
        # The message as a whole decides the main answer when it can; otherwise the first
        # clause that a topic answers does.
        main = whole if whole.entry is not None else answered[0]
        assert main.entry is not None  # noqa: S101 - answered holds answers only
        also: list[Entry] = []
        asked: list[tuple[str, ...]] = []
        leads: list[Named | None] = []
        for r in answered:
            entry = r.entry
            if entry is not None and entry.id != main.entry.id and entry not in also:
                also.append(entry)
                asked.append(self._cue_facets(r.question))
                country = self._country(r.question, _canon(r.question))
                leads.append(country if country is not None and country.line_on(entry.id)
                             else None)
        return dataclasses.replace(main, question=question, districts=whole.districts,
                                   also=tuple(also[:2]), also_asked=tuple(asked[:2]),
                                   also_lead=tuple(leads[:2]))

    def _cue_facets(self, part: str) -> tuple[str, ...]:
        """The facets one question of a message asks by a cue ("ở đâu", "bao nhiêu")."""
        return self._facets.asked(self._canon(part)).facets


def related_entries(kb: KnowledgeBase, entry: Entry) -> list[Entry]:
    return [e for e in (kb.get(r) for r in entry.related) if e is not None]


def vocabulary(entries: Iterable[Entry]) -> set[str]:
    return {tok for e in entries for q in e.questions for tok in text.content_tokens(q)}
