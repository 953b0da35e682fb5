"""Vietnamese text normalisation for matching.

`normalize` gives the canonical accented form (NFC, lower case, one tone placement, clean);
`canonical` gives the form used for matching: normalised, teencode and Southern speech
expanded from the lexicon (bot/data/lexicon.yaml), accent-folded. `normalize` is idempotent;
`canonical` is a one-way projection (an unaccented "hong" means "không").
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from bot.answering import yamlfile

# Combining tone marks; the other combining marks (breve, circumflex, horn) belong to the vowel.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_BASE_VOWELS = set("aăâeêioôơuưy")
_MARKED_VOWELS = set("ăâêôơư")
# Clusters that take the tone on the first vowel when nothing follows them ("hòa", "thủy"):
# the traditional placement; the newer one ("hoà", "thuỷ") is mapped onto it.
_OPEN_FIRST = {"oa", "oe", "uy"}
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff]"
)
# Runs of anything but letters and digits (the underscore too); the words are split on spaces
# afterwards, so a run is one space.
_NON_WORD = re.compile(r"[\W_]+")
_RUN3 = re.compile(r"(\w)\1{2,}")
_PLUS_ROUTE = re.compile(r"(\d)\s*\+")  # "9+" is the name of a study route, not punctuation
_DIGIT = re.compile(r"\d")  # _LETTER_DIGIT needs one
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")
_MAX_INPUT = 4000  # longer messages are cut: matching never needs more, and it bounds the work


def _split_tone(word: str) -> tuple[str, str | None]:
    """Return the word without its tone mark (NFD letters kept) and the tone mark, if any."""
    tone = None
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONES:
            tone = tone or ch
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def _tone_position(word: str) -> int | None:
    """Index of the letter that carries the tone in `word` (a toneless NFC syllable)."""
    positions = [i for i, ch in enumerate(word) if ch in _BASE_VOWELS]
    if not positions:
        return None
    # "qu" and "gi" are consonants when another vowel follows: quả, già.
    if len(positions) > 1 and ((word.startswith("qu") and positions[0] == 1)
                               or (word.startswith("gi") and positions[0] == 1)):
        positions = positions[1:]
    # The vowels of the syllable's nucleus are contiguous; take the first run.
    run = [positions[0]]
    for p in positions[1:]:
        if p != run[-1] + 1:
            break
        run.append(p)
    marked = [p for p in run if word[p] in _MARKED_VOWELS]
    if marked:
        return marked[-1]  # ươ takes the tone on ơ; otherwise there is only one
    if len(run) == 1:
        return run[0]
    if run[-1] + 1 < len(word):  # a final consonant follows: toán, hoàng, khuyến
        return run[-1]
    if len(run) == 3:
        return run[1]
    return run[0]  # ai, ao, oa, uy, ... open at the end: the first vowel


def place_tone(word: str) -> str:
    """Put a syllable's tone mark on the canonical vowel ("hoà" -> "hòa", "thuỷ" -> "thủy")."""
    bare, tone = _split_tone(word)
    if tone is None:
        return word
    pos = _tone_position(bare)
    if pos is None:
        return word
    marked = unicodedata.normalize("NFC", bare[pos] + tone)
    return bare[:pos] + marked + bare[pos + 1:]


def fold(text: str) -> str:
    """Remove all diacritics; đ -> d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# Abbreviations whose run of letters is no emphasis: "cccd" (căn cước công dân, the citizen's
# ID card) collapsed to "cd", read as "cao đẳng" ("làm cccd giả ở đâu" asked about a college).
_KEEP_RUNS = frozenset({"cccd"})


@lru_cache(maxsize=65536)  # words repeat endlessly: normalise each spelling once
def _clean_word(word: str) -> str:
    # Moving a tone can make letters equal ("aaàa" -> "àaaa") and collapsing them can move a
    # tone again: repeat until nothing changes, so that normalising twice changes nothing.
    if word in _KEEP_RUNS:
        return word
    while True:
        cleaned = _RUN3.sub(r"\1", word)
        # No Vietnamese syllable ends in a doubled letter: "okk", "zậyy" are emphasis. But for
        # "uu": "ưu" typed without its mark ("cuu" is "cứu", "luu" "lưu", "huu" "hưu").
        if len(cleaned) > 2 and cleaned[-1] == cleaned[-2] and cleaned[-1].isalpha() \
                and not cleaned.endswith("uu"):
            cleaned = cleaned[:-1]
        cleaned = place_tone(cleaned)
        if cleaned == word:
            return word
        word = cleaned


# normalize's recent results: each is its own normal form (normalize is idempotent; a property
# test checks it), so analyze does not normalise them again. The safety reading hands analyze
# texts it has just normalised (about 13,000 corpus messages when its model is fitted, and
# every message it checks).
_NORMAL_FORMS: dict[str, None] = {}
_NORMAL_MEMO = 8192
_GIVEN_NORMAL: dict[str, str] = {}  # normal forms a start was given (see take_analyses)


def normal_length_at_least(text: str) -> int:
    """A lower bound of len(normalize(text)), read in C without cleaning each word (the slow
    part of normalising a long message): every run of letters and digits is a word of at
    least one letter, words are joined by one space, and the letter-digit splits only add
    words. 0 where normalize may add words ("9+") or cut its result and read it again."""
    cut = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text[:_MAX_INPUT])).lower()
    if "+" in cut or 3 * len(cut) > _MAX_INPUT:
        return 0
    return max(0, 2 * len(_NON_WORD.sub(" ", cut).split()) - 1)


@lru_cache(maxsize=8192)  # bounded: user input is unbounded
def normalize(text: str) -> str:
    """Canonical accented form: NFKC/NFC, lower case, tone placement, no punctuation or emoji."""
    result = _GIVEN_NORMAL.get(text)
    if result is None:
        result = _normalized(text)
    if len(_NORMAL_FORMS) >= _NORMAL_MEMO:
        _NORMAL_FORMS.clear()  # bounded, as the cache; refilled by the texts still read
    _NORMAL_FORMS[result] = None
    return result


def _normalized(text: str) -> str:
    text = unicodedata.normalize("NFKC", text[:_MAX_INPUT])
    text = _INVISIBLE.sub("", text).lower()
    if "+" in text:  # (each expression is skipped where it cannot match: most clauses)
        text = _PLUS_ROUTE.sub(r"\1 cộng ", text)
    text = _NON_WORD.sub(" ", text)
    if _DIGIT.search(text):
        text = _LETTER_DIGIT.sub(" ", text)
    result = " ".join(_clean_word(w) for w in text.split())
    if len(result) > _MAX_INPUT:  # splitting "9a1" into "9 a 1" can lengthen it: normalise the
        result = normalize(result[:_MAX_INPUT])  # cut text again, so a second pass agrees
    return result


def forget_normal_forms() -> None:
    """Forget normalize's remembered results and the words expanded from them (benchmarks
    measure the work, not the memory), and the analyses a start was given."""
    _NORMAL_FORMS.clear()
    expanded.cache_clear()
    _GIVEN.clear()
    _GIVEN_NORMAL.clear()


@dataclass(frozen=True)
class Lexicon:
    """Expansion tables, all keyed by normalised words (see bot/data/lexicon.yaml)."""

    words: dict[str, str]
    unaccented: dict[str, str]
    final: dict[str, str]
    after_number: dict[str, str]
    context: dict[str, tuple[tuple[frozenset[str], str], ...]]
    phrases: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]
    stopwords: frozenset[str]
    unaccented_stopwords: frozenset[str]
    question_words: frozenset[str]
    greetings: re.Pattern[str]  # any greeting phrase, longest first, as whole words
    greeting_phrases: frozenset[tuple[str, ...]] = frozenset()  # the same, as word tuples
    asking: tuple[tuple[str, ...], ...] = ()  # normalised phrases that mark a question
    asking_final: frozenset[str] = frozenset()  # ... and words that do so at a clause's end
    # Folded content words of a question that only asks to confirm what was said before it
    # ("Có đúng không?", "Vậy có tin được không?"): the sentence before is the point.
    confirming: frozenset[str] = frozenset()
    followup: tuple[tuple[str, ...], ...] = ()  # normalised phrases that mark a follow-up
    filler: frozenset[str] = frozenset()  # folded words that may surround a bare name
    literal_when_accented: frozenset[str] = frozenset()  # see analyze()
    literal_before: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    # ... and after one of these words: "có được vay không" borrows, "được vậy" is rare
    literal_after: dict[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    followup_start: tuple[tuple[str, ...], ...] = ()  # ... and those that open one

    @classmethod
    def from_mapping(cls, data: dict[str, Any]) -> Lexicon:
        def table(name: str) -> dict[str, str]:
            return {normalize(str(k)): normalize(str(v)) for k, v in (data.get(name) or {}).items()}

        context = {
            normalize(word): tuple(
                (frozenset(fold(normalize(p)) for p in rule["prev"]), normalize(rule["to"]))
                for rule in rules
            )
            for word, rules in (data.get("context") or {}).items()
        }
        phrases = tuple(sorted(
            ((tuple(fold(normalize(k)).split()), tuple(fold(normalize(v)).split()))
             for k, v in (data.get("phrases") or {}).items()),
            key=lambda kv: -len(kv[0]),
        ))
        return cls(
            words=table("words"),
            unaccented=table("unaccented"),
            final=table("final"),
            after_number=table("after_number"),
            context=context,
            phrases=phrases,
            stopwords=frozenset(normalize(w) for w in data.get("stopwords") or ()),
            unaccented_stopwords=frozenset(
                fold(normalize(w)) for w in data.get("unaccented_stopwords") or ()),
            question_words=frozenset(fold(normalize(w)) for w in data.get("question_words") or ()),
            greetings=re.compile("(?!)"),  # filled in below, once expansion works
            asking=tuple(tuple(normalize(str(p)).split()) for p in data.get("asking") or ()),
            asking_final=frozenset(normalize(str(w)) for w in data.get("asking_final") or ()),
            confirming=frozenset(_fold_word(normalize(str(w)))
                                 for w in data.get("confirming") or ()),
            followup=tuple(tuple(normalize(str(p)).split()) for p in data.get("followup") or ()),
            literal_when_accented=frozenset(normalize(str(w)) for w in
                                            data.get("literal_when_accented") or ()),
            literal_before={normalize(str(w)): frozenset(normalize(str(n)) for n in nexts)
                            for w, nexts in (data.get("literal_before") or {}).items()},
            literal_after={normalize(str(w)): frozenset(normalize(str(n)) for n in before)
                           for w, before in (data.get("literal_after") or {}).items()},
            followup_start=tuple(tuple(normalize(str(p)).split())
                                 for p in data.get("followup_start") or ()),
            filler=frozenset(w for p in data.get("filler") or ()
                             for w in fold(normalize(str(p))).split()),
        )

    @functools.cached_property
    def plain(self) -> dict[str, tuple[str, ...]]:
        """What a word becomes when no neighbour can change it: `words`, else `unaccented`
        for a word typed without accents (an empty replacement keeps the word)."""
        out = {w: tuple(v.split()) for w, v in self.unaccented.items() if w.isascii() and v}
        for w, v in self.words.items():
            if v:
                out[w] = tuple(v.split())
            else:
                out.pop(w, None)
        return out

    @functools.cached_property
    def phrase_starts(self) -> frozenset[str]:
        """The first words of `phrases`."""
        return frozenset(phrase[0] for phrase, _ in self.phrases)

    @functools.cached_property
    def greeting_longest(self) -> int:
        """The most words of a greeting phrase (a greeting check asks it: not worked out
        again over every phrase at each check)."""
        return max((len(p) for p in self.greeting_phrases), default=0)

    @functools.cached_property
    def contextual(self) -> frozenset[str]:
        """Words whose expansion depends on their neighbours or place."""
        return frozenset(self.context) | frozenset(self.after_number) | frozenset(self.final)

    def with_greetings(self, phrases: list[str]) -> Lexicon:
        """Greeting phrases as typed and as the matcher sees them ("ad ơi" -> "admin oi")."""
        forms = {fold(normalize(p)) for p in phrases}
        forms |= {" ".join(_fold_word(w) for w in expand(normalize(p).split(), self))
                  for p in phrases}
        pattern = "|".join(re.escape(g) for g in sorted(forms - {""}, key=len, reverse=True))
        return dataclasses.replace(
            self, greetings=re.compile(f"(?:^| )(?:{pattern})(?= |$)"),
            greeting_phrases=frozenset(tuple(f.split()) for f in forms if f))


@cache
def lexicon() -> Lexicon:
    raw = resources.files("bot").joinpath("data/lexicon.yaml").read_text(encoding="utf-8")
    data = yamlfile.plain(raw)
    return Lexicon.from_mapping(data).with_greetings([str(g) for g in data.get("greetings")
                                                      or ()])


def _is_unaccented(word: str) -> bool:
    return word.isascii()


def expand(words: list[str], lex: Lexicon) -> list[str]:
    """Expand teencode and abbreviations word by word, using context where they are ambiguous."""
    out: list[str] = []
    plain = lex.plain
    for i, word in enumerate(words):
        repl = _in_place(words, i, lex) if word in lex.contextual else None
        if repl is not None:
            out.extend((repl or word).split())
        else:  # most words: one lookup
            out.extend(plain.get(word, (word,)))
    return out


@lru_cache(maxsize=8192)  # bounded: user input is unbounded
def expanded(normalized: str) -> tuple[str, ...]:
    """A normalised text's words, teencode and abbreviations expanded: a clause is read for
    its asking cues, its tokens and its accents, each from the same words."""
    return tuple(expand(normalized.split(), lexicon()))


def _in_place(words: list[str], i: int, lex: Lexicon) -> str | None:
    """What words[i] becomes where it stands (after a given word or a number, or last), or
    None where its place changes nothing."""
    word = words[i]
    if word in lex.context:
        prev = fold(words[i - 1]) if i else ""
        found = next((to for prevs, to in lex.context[word] if prev in prevs), None)
        if found is not None:
            return found
    if word in lex.after_number and i and words[i - 1].isdigit():
        return lex.after_number[word]
    if word in lex.final and i == len(words) - 1 and i > 0:
        return lex.final[word]
    return None


_Y_AS_I = re.compile(r"^([bcdghklmnpqrstvx]+)y$")
# The shape of a Vietnamese syllable, accents folded: onset, vowels, final consonant. A word of
# this shape may be a real word the knowledge base lacks; one of another shape is a typo.
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?"
    r"(?:[aeiouy]{1,3})(?:ch|nh|ng|[cmnpt])?$"
)


def is_syllable(folded: str) -> bool:
    """True for a well-formed (folded) Vietnamese syllable such as "luong", "banh"."""
    return bool(_SYLLABLE.match(folded))


@lru_cache(maxsize=65536)
def _fold_word(word: str) -> str:
    word = fold(word)
    # kỹ/kĩ, lý/lí, tỷ/tỉ, quy/qui are the same syllable spelt two ways.
    return _Y_AS_I.sub(r"\1i", word)


fold_word = _fold_word  # a word as the matcher sees it: accents folded, "kỹ"/"kĩ" spelt one way


@lru_cache(maxsize=65536)  # words repeat endlessly
def marks(word: str) -> str:
    """The diacritics of a word, in order: "hàn" and "hạn" fold alike but differ here."""
    if word.isascii():
        return ""
    found = "".join(ch for ch in unicodedata.normalize("NFD", word) if unicodedata.combining(ch))
    return ("đ" if "đ" in word else "") + found


@lru_cache(maxsize=8192)
def typed_marks(text: str, watched: frozenset[str]) -> dict[str, frozenset[str]]:
    """For each watched folded word of a message as typed, the diacritics it was typed with
    ("" when typed without any): a name's spelling can be checked against them. Not expanded:
    a word that only teencode yields ("Nhựt" -> "nhật") was not typed with other diacritics."""
    found: dict[str, set[str]] = {}
    for word in normalize(text).split():
        folded = _fold_word(word)
        if folded in watched:
            found.setdefault(folded, set()).add(marks(word))
    return {w: frozenset(m) for w, m in found.items()}


@dataclass(frozen=True)
class Token:
    """A folded matching token; `stop` marks function words and particles."""

    text: str
    stop: bool


@lru_cache(maxsize=65536)  # words repeat endlessly: one (immutable) token per spelling
def _token(word: str, stop: bool) -> Token:
    return Token(_fold_word(word), stop)


def _apply_phrases(toks: list[Token], lex: Lexicon) -> list[Token]:
    """Replace multi-word synonyms (folded, longest first) by their canonical wording."""
    texts = [t.text for t in toks]  # kept equal to the tokens' texts
    present = set(texts)
    if present.isdisjoint(lex.phrase_starts):
        return toks  # no phrase can start here (most clauses)
    for phrase, target in lex.phrases:
        if phrase[0] not in present:  # most phrases cannot match: skip them cheaply
            continue
        n, i, first = len(phrase), 0, phrase[0]
        while i + n <= len(toks):
            try:  # the next place the phrase may start (a long message: one C-level search)
                i = texts.index(first, i, len(toks) - n + 1)
            except ValueError:
                break
            if tuple(texts[i:i + n]) == phrase:
                new = [Token(w, w in lex.unaccented_stopwords) for w in target]
                toks[i:i + n] = new
                texts[i:i + n] = target
                present.update(target)
                i += len(new)
            else:
                i += 1
    return toks


# Analyses a start was given rather than worked out: the knowledge cache (kb_cache) brings its
# topics' and rules' analyses, made by the same code and lexicon (its key hashes both), instead
# of reading ~900 phrasings through the lexicon again (~30 ms of a cached start).
_GIVEN: dict[str, tuple[Token, ...]] = {}
Analyses = dict[str, tuple[str, tuple[tuple[str, bool], ...]]]


def analyses_of(texts: Iterable[str]) -> Analyses:
    """These texts' normal forms and analyses (token text, stop), for `take_analyses`."""
    return {t: (normalize(t), tuple((tok.text, tok.stop) for tok in analyze(t))) for t in texts}


def take_analyses(found: Analyses) -> None:
    """Take what `analyses_of` made earlier (same code, same lexicon) as normalize's and
    analyze's own."""
    tokens: dict[tuple[str, bool], Token] = {}  # one token per spelling, as _token
    for raw, (normal, toks) in found.items():
        _GIVEN_NORMAL[raw] = normal
        _GIVEN[raw] = tuple(tokens.get(t) or tokens.setdefault(t, Token(*t)) for t in toks)


@lru_cache(maxsize=8192)
def analyze(text: str) -> tuple[Token, ...]:
    """Normalise, expand teencode, fold, mark stopwords (decided before folding), synonyms."""
    given = _GIVEN.get(text)
    if given is not None:
        return given
    return tuple(_apply_phrases(_typed_tokens(text), lexicon()))


def _typed_tokens(text: str) -> list[Token]:
    """The tokens of a text before multi-word synonyms are put in: one per word typed."""
    lex = lexicon()
    normalized = text if text in _NORMAL_FORMS else normalize(text)
    # In a message typed with accents, "vay" is the word vay (to borrow), not "vậy" unaccented.
    accented = not normalized.isascii()
    toks = []
    words = expanded(normalized)
    for i, word in enumerate(words):
        stop = word in lex.stopwords or (
            _is_unaccented(word) and word in lex.unaccented_stopwords
            and not (accented and word in lex.literal_when_accented)
            and not (word in lex.literal_before and (
                i == 0 or (i + 1 < len(words) and words[i + 1] in lex.literal_before[word])))
            and not (i > 0 and words[i - 1] in lex.literal_after.get(word, ())))
        toks.append(_token(word, stop))
    return toks


@lru_cache(maxsize=8192)
def typed_length(text: str) -> int:
    """How many content words the writer typed: a synonym put in for a phrase ("học nghề" is
    read "học nghề giáo dục nghề nghiệp") makes no message longer than it was written."""
    return sum(not tok.stop for tok in _typed_tokens(text))


def whole_words(forms: Iterable[str]) -> re.Pattern[str] | None:
    """One search for any of these forms as whole words of a text (spaces around words), the
    longest first; group 1 is the form found. None when there is no form."""
    ordered = sorted({f for f in forms if f}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile("(?:^| )(" + "|".join(re.escape(f) for f in ordered) + ")(?= |$)")


def canonical(text: str) -> str:
    """The matching form: normalised, expanded, accent-folded, phrase synonyms applied."""
    return " ".join(t.text for t in analyze(text))


def tokens(text: str) -> list[str]:
    return [t.text for t in analyze(text)]


def content_tokens(text: str) -> list[str]:
    """Matching tokens without function words and particles."""
    return [t.text for t in analyze(text) if not t.stop]


def _only_greetings(words: list[str], particle: list[bool], lex: Lexicon) -> bool:
    """Whether the words split wholly into greeting phrases and particles (at least one
    greeting): "dạ chào buổi sáng" is "dạ" + "chào buổi sáng" though "dạ chào" is listed too.
    `particle` says word by word which are particles: in "vậy vay được nhiều không" the first
    "vay" is one and the second a loan."""
    longest = lex.greeting_longest
    # reach[i]: the first i words split so; its value says whether a greeting was among them.
    reach: dict[int, bool] = {0: False}
    for i in range(len(words)):
        if i not in reach:
            continue
        if particle[i]:
            reach[i + 1] = reach.get(i + 1, False) or reach[i]
        for n in range(1, min(longest, len(words) - i) + 1):
            if tuple(words[i:i + n]) in lex.greeting_phrases:
                reach[i + n] = True
    return reach.get(len(words), False)


# Words that ask whatever particles stand around them (not "ai": "có ai không" greets).
_QUESTION_WORDS = frozenset({"gì", "gi", "j", "sao", "nào", "đâu", "bao"})


def is_greeting(text: str) -> bool:
    """True when the message is only greetings, thanks or goodbyes (and particles)."""
    lex = lexicon()
    toks = analyze(text)
    normal = normalize(text)
    if not toks or _QUESTION_WORDS & set(normal.split()):
        return False  # "dạ bị gì", "ok lại sao": particles around a question word ask
    expanded = " ".join(t.text for t in toks)
    # As the matcher sees it ("ad ơi" -> "admin oi"), and as typed, folded ("ok thank you",
    # where the expanded "ok cam on you" would leave "you" after the longest match "ok cảm ơn").
    typed = " ".join(_fold_word(w) for w in normal.split())
    # The folded reading only for a message typed without accents: "vay được nhiêu" (how much
    # can one borrow) is not "vậy được nhiều".
    # word by word as the tokens say (a token of two words gives each its particle flag)
    pieces = [(w, t.stop) for t in toks for w in t.text.split()]
    if _only_greetings([w for w, _ in pieces], [p for _, p in pieces], lex):
        return True
    if typed == expanded or not normal.isascii():
        return False
    stop = {t.text for t in toks if t.stop} | lex.unaccented_stopwords
    words = typed.split()
    return _only_greetings(words, [w in stop for w in words], lex)
