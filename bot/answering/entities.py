"""Names as data: former districts, countries, VET levels, school types, and near-domain rules.

Everything is matched on the canonical form (accents folded, teencode expanded, synonyms
applied), as whole words, so "can giuoc", "Cần Giuộc" and "huyện cần giuộc" are one name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Generic, TypeVar

from bot.answering import text
from bot.answering.knowledge import (
    District,
    Interest,
    KnowledgeBase,
    Named,
    OutOfScope,
    Redirect,
    Trade,
)


def first_words(forms: Iterable[str]) -> frozenset[str] | None:
    """The first words of a set of whole-word forms: a text holding none of them as a word
    holds no form (a set look-up instead of a regular expression's scan of a long message).
    None when some form has no first word to check (then the search always runs)."""
    firsts = set()
    for form in forms:
        first = form.split(" ", 1)[0]
        if not first:
            return None
        firsts.add(first)
    return frozenset(firsts)


MEMO = 4096  # messages whose names found are remembered


def spaced_words(forms: Iterable[str]) -> re.Pattern[str] | None:
    """text.whole_words's pattern for the text with a space put before it (" " + canon): the
    same matches one character on, group 1 the form found. Beginning with a space, a search
    tries only where a word starts, not the start-or-space alternative at every character
    (two to three times faster on a long message)."""
    ordered = sorted({f for f in forms if f}, key=len, reverse=True)
    if not ordered:
        return None
    return re.compile(" (" + "|".join(re.escape(f) for f in ordered) + ")(?= |$)")


def words_of(canon: str) -> frozenset[str]:
    """The words of a canonical text, as whole-word patterns delimit them (by spaces)."""
    return frozenset(canon.split(" "))


class Phrases:
    """Whole-word search for any of a set of phrases in canonical text."""

    def __init__(self, phrases: Iterable[str]) -> None:
        forms = [text.canonical(p) for p in phrases]
        self._forms = forms
        self._spaced = spaced_words(forms)
        self.firsts = first_words(f for f in forms if f)

    @functools.cached_property
    def pattern(self) -> re.Pattern[str] | None:
        """The phrases as text.whole_words reads them (what `search` finds one character on;
        compiled only when asked for)."""
        return text.whole_words(self._forms)

    def search(self, canon: str, words: frozenset[str] | None = None) -> re.Match[str] | None:
        """The first phrase in `canon` (`words`: its words, when the caller has them); the
        match is in " " + canon (group 1 the phrase)."""
        if self._spaced is None:
            return None
        if words is not None and self.firsts is not None and self.firsts.isdisjoint(words):
            return None
        return self._spaced.search(" " + canon)

    def __contains__(self, canon: str) -> bool:
        return self.search(canon) is not None


class Districts:
    """Finds a former district's name in a question, accented or not."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.patterns: list[tuple[re.Pattern[str], District]] = []
        # each pattern's name's first word, or "" when it has none (then it is always tried)
        self._firsts: list[str] = []
        self._heads: frozenset[str] | None = frozenset()
        self._any: re.Pattern[str] | None = None
        self._forms: dict[int, tuple[str, ...]] = {}
        if kb.districts is None:
            return
        names = [(text.canonical(n), d) for d in kb.districts.districts
                 for n in (d.name, *d.aliases)]
        # The same, searched in the text with a space put before it (" " + canon): beginning
        # with the name's own letters, a search skips to where they stand instead of trying
        # the start-or-space alternative at every character of a long message.
        self._spaced: list[re.Pattern[str]] = []
        for name, district in sorted(names, key=lambda nd: -len(nd[0])):
            self.patterns.append((re.compile(rf"(?:^| ){re.escape(name)}(?= |$)"), district))
            self._spaced.append(re.compile(rf" {re.escape(name)}(?= |$)"))
            self._firsts.append(name.split(" ", 1)[0])
        # every name's first word (None when some name has none: then always searched)
        self._heads = frozenset(self._firsts) if all(self._firsts) else None
        # one search tells most messages (no district named) apart from the rest
        self._any = text.whole_words(n for n, _ in names)
        # each district's names as canonical forms, the longest name (as written) first
        self._forms = {id(d): tuple(f for f in (text.canonical(n) for n in sorted(
            (d.name, *d.aliases), key=len, reverse=True)) if f) for d in kb.districts.districts}

    def forms(self, district: District) -> tuple[str, ...]:
        """A district's names in canonical form, longest first (as written)."""
        found = self._forms.get(id(district))
        if found is not None:
            return found
        return tuple(f for f in (text.canonical(n) for n in sorted(
            (district.name, *district.aliases), key=len, reverse=True)) if f)

    def find(self, canon: str) -> tuple[tuple[District, ...], str]:
        """Every district named in the question (in order of mention) and the rest of it."""
        if self._any is None or not self._any.search(canon):
            return (), " ".join(canon.split())
        found: list[tuple[int, District]] = []
        # Searched with a space before the text (see _spaced): a match's start is then one
        # past the pattern's own (its space, or 0 at the text's start); a name taken out
        # leaves a space, so the text keeps one in front and the rest reads the same.
        spaced = " " + canon
        rest = spaced
        # A name is only tried where its first word is a word of the text (removing names
        # from `rest` adds no word to it).
        words = words_of(canon)
        for (_, district), pattern, head in zip(self.patterns, self._spaced, self._firsts,
                                                strict=True):
            if head and head not in words:
                continue
            match = pattern.search(rest)
            if match and all(d is not district for _, d in found):
                first = pattern.search(spaced)
                found.append((max((first or match).start() - 1, 0), district))
                rest = pattern.sub(" ", rest)
        return tuple(d for _, d in sorted(found, key=lambda pd: pd[0])), " ".join(rest.split())

    def covered(self, tokens: list[str]) -> set[int]:
        """Positions of the tokens that spell a district's name."""
        if self._heads is not None and self._heads.isdisjoint(tokens):
            return set()  # no name's first word among them (most clauses)
        canon = " ".join(tokens)
        starts, pos = [], 0
        for tok in tokens:
            starts.append(pos)
            pos += len(tok) + 1
        out: set[int] = set()
        words = words_of(canon)
        for (pattern, _), head in zip(self.patterns, self._firsts, strict=True):
            if head and head not in words:
                continue
            for match in pattern.finditer(canon):
                lo, hi = match.start() + (canon[match.start()] == " "), match.end()
                out.update(i for i, st in enumerate(starts) if lo <= st < hi)
        return out


@dataclass(frozen=True)
class Bare:
    """A message that is only a name."""

    group: str  # "districts", "countries", "levels", "school_types"
    named: Named | None = None
    district: District | None = None


def _core(canon: str) -> str:
    """The words of a name or message that are not filler ("huyện", "đi", "còn ... thì sao")."""
    filler = text.lexicon().filler
    return " ".join(w for w in canon.split() if w not in filler)


BARE_CHARS = 80  # longer than any name with its filler ("còn huyện Cần Giuộc thì sao")


class Names:
    """Recognises a message that consists of one name only."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self._bare: dict[str, Bare] = {}
        if kb.districts is not None:
            for d in kb.districts.districts:
                for name in (d.name, *d.aliases):
                    self._bare.setdefault(_core(text.canonical(name)), Bare("districts",
                                                                            district=d))
        if kb.entities is not None:
            for group, items in kb.entities.groups().items():
                for item in items:
                    for name in (item.name, *item.aliases):
                        key = _core(text.canonical(name)) or text.canonical(name)
                        self._bare.setdefault(key, Bare(group, named=item))
        self._bare.pop("", None)
        self._spellings = Spellings(n for item in (kb.entities.countries if kb.entities else ())
                                    for n in (item.name, *item.aliases))

    def bare(self, question: str) -> Bare | None:
        if len(question) > BARE_CHARS:
            return None
        canon = text.canonical(question)
        if "vay" in canon.split() and any(
                t.text == "vay" and not t.stop for t in text.analyze(question)):
            return None  # "vay" here is to borrow, not the filler "vậy" it folds onto
        core = _core(canon)
        found, form = self._bare.get(core), core
        if found is None:
            found, form = self._bare.get(canon), canon
        if found is not None and found.group == "countries" \
                and not self._spellings.fits(form, question):
            return None  # "hạn?" asks about a deadline, not Korea
        return found


# One Vietnamese syllable, accents folded: a word that is not one ("pouyuen", "samsung") is
# a foreign name when typed after "công ty".
_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}"
                       r"(?:ng|nh|ch|[cmnpt])?")


class NamedAfter:
    """A proper name typed shortly after one of some head words ("công ty Hoàng Long", "cty
    xkld Hoa Sen", "cty pouyuen"): a capitalised word, or a lower-case one no Vietnamese
    syllable spells (and no teencode: "cty xkld" is no name), within a few words of the head
    and the same clause; not one of the generic words that follow such heads ("Trung tâm Dịch
    vụ việc làm", "công ty Nhật")."""

    WINDOW = 5  # words after the head a name may come ("công ty xuất khẩu lao động ABC")

    def __init__(self, heads: Iterable[str], generic: Iterable[str]) -> None:
        spellings = {s for h in heads for s in (h.lower(), text.fold(h.lower()))}
        self.pattern = re.compile(r"(?<!\w)(?:" + "|".join(
            re.escape(s).replace(r"\ ", r"\s+") for s in sorted(spellings, key=len, reverse=True))
            + r")((?:\s+[^\s.,;:!?]+){1," + str(self.WINDOW) + "})", re.IGNORECASE)
        self.generic = frozenset(text.fold(g.lower()) for g in generic)

    def _is_name(self, words: list[str]) -> bool:
        """Whether the first word after the head that is not generic (a listed word, or
        teencode such as "xkld") is a name."""
        for word in words:
            folded = text.fold(word.lower())
            if folded in self.generic or text.canonical(word) != folded:
                continue  # "cty xkld Hoa Sen", "Công ty xuất khẩu lao động ABC"
            if any(c.isdigit() for c in word):
                return False
            if word[0].isupper():
                return True
            return _SYLLABLE.fullmatch(folded) is None
        return False

    def found(self, typed: str) -> bool:
        return any(self._is_name(m.group(1).split()) for m in self.pattern.finditer(typed))


class NearDomain:
    """Questions that share the bot's words but that no topic answers (out_of_scope.yaml)."""

    def __init__(self, rules: Iterable[OutOfScope]) -> None:
        self.rules = [(r, Phrases(r.any), Phrases(r.and_any) if r.and_any else None,
                       Phrases(r.unless), NamedAfter(r.any, r.not_names) if r.named else None)
                      for r in rules]

    def match(self, canon: str, typed: str = "") -> OutOfScope | None:
        """The first rule the canonical text matches; `typed`, the same words as typed, for
        the rules that need a proper name."""
        words = words_of(canon)
        for rule, any_of, and_any, unless, named in self.rules:
            if any_of.search(canon, words) is not None and (
                    and_any is None or and_any.search(canon, words) is not None) \
                    and unless.search(canon, words) is None \
                    and (named is None or named.found(typed)):
                return rule
        return None


# Ordinary words that fold to a country's name: "giáo dục" (and "gdtx", "giáo dục thường
# xuyên"), "thể dục", "đạo đức" are not Germany; "nghề hàn", "hàn xì" (welding; "học nghề"
# reads "... nghề nghiệp hàn") are not Korea; "nhiều nhất", "tốt nhất", "thống nhất", "sợ
# nhất", "nhút nhát" typed without accents are not Japan (canonical text is accent-folded);
# "hết hạn", "gia hạn", "giới hạn", "đúng hạn" are not Korea ("khi nào het han" got a block on
# workers abroad), though "qua Hàn" and "thôi, Hàn thì sao" are.
NOT_COUNTRIES_WORDS = (
    r"(?:(?:giao|the|dao) duc|(?:nghe|tho|nghiep|het|gia|gioi|dung|truoc|ky|ngan|dai) han"
    r"|han (?:xi|dien|que|tig|mig|hoi)"
    r"|(?:nhieu|tot|cao|lon|it|thap|re|mac|de|kho|hay|nhanh|lau|gan|xa|hot|dong|on|tin"
    r"|dang|hop|toan|trong|moi|cuoi|dau|thu|duy|thong|hang|chac|gioi|manh|ngon|dep|hon"
    r"|cham|som|muon|ky|vui|buon|khoe|ben|giau|ngheo|sach|lanh|nong|dai|ngan|rong|chuan"
    r"|so|lo|thich|ghet|nhut)"
    r" nhat)(?= |$)")
NOT_COUNTRIES = re.compile(r"(?:^| )" + NOT_COUNTRIES_WORDS)
_NOT_COUNTRIES_SPACED = re.compile(" " + NOT_COUNTRIES_WORDS)  # for " " + canon


class Spellings:
    """The diacritics each word of a set of names is written with ("hàn" in "Hàn Quốc"): a
    word typed with other diacritics is another word ("hạn nộp" is a deadline, "tốt nhất" is
    not Japan), while one typed without any may still be the name ("di han" is Korea)."""

    def __init__(self, names: Iterable[str]) -> None:
        found: dict[str, set[str]] = {}
        for name in names:
            for word in text.expand(text.normalize(name).split(), text.lexicon()):
                found.setdefault(text.fold_word(word), set()).add(text.marks(word))
        self._marks = {w: frozenset(m) for w, m in found.items()}
        self._watched = frozenset(self._marks)

    def fits(self, form: str, typed: str) -> bool:
        """Whether the message `typed` may spell the canonical name `form` it matched: no word
        of it typed only with diacritics the names never have."""
        # read after the lexicon's spellings, which keep or give the marks: "Nhựt" is "nhật"
        # (Japan), Southern "nhứt" is "nhất" (most: "kiếm việc nhứt" names no country)
        spelled = " ".join(text.expanded(text.normalize(typed)))
        seen = text.typed_marks(spelled, self._watched)
        for word in form.split():
            allowed, used = self._marks.get(word), seen.get(word)
            if allowed and used and "" not in used and not used & allowed:
                return False
        return True


class Mentions:
    """The first country and the first VET level a message names anywhere in it (the
    conversation carries them: "mất bao lâu" after a question about Korea is about Korea)."""

    GROUPS = ("countries", "levels", "school_types")

    def __init__(self, kb: KnowledgeBase) -> None:
        # (canon, group, typed) -> what `find` found: the engine asks for a message's country
        # and level in several steps (facets, abroad, the conversation carried)
        self._found: dict[tuple[str, str, str], Named | None] = {}
        self._forms: dict[str, dict[str, Named]] = {}  # group -> canonical name -> entity
        self._spaced: dict[str, re.Pattern[str]] = {}  # the names, for " " + canon
        self._firsts: dict[str, frozenset[str] | None] = {}
        self._spellings = Spellings(())
        if kb.entities is None:
            return
        groups = kb.entities.groups()
        for group in self.GROUPS:
            forms: dict[str, Named] = {}
            for item in groups[group]:
                for name in (item.name, *item.aliases):
                    key = text.canonical(name)
                    if key:
                        forms.setdefault(key, item)
            spaced = spaced_words(forms)
            if spaced is not None:
                self._forms[group] = forms
                self._spaced[group] = spaced
                self._firsts[group] = first_words(f for f in forms if f)
        self._spellings = Spellings(n for item in groups["countries"]
                                    for n in (item.name, *item.aliases))

    def find(self, canon: str, group: str, typed: str = "") -> Named | None:
        """The first name of a group in `canon`; for a country, one that the message as
        `typed` spells with the name's own diacritics or none ("hạn nộp" names no country)."""
        key = (canon, group, typed)
        if key in self._found:
            return self._found[key]
        named = self._find(canon, group, typed)
        if len(self._found) >= MEMO:
            self._found.clear()  # bounded: user input is unbounded
        self._found[key] = named
        return named

    def forget(self) -> None:
        """Forget what was found (benchmarks measure the work, not the memory)."""
        self._found.clear()

    @functools.cached_property
    def _groups(self) -> dict[str, tuple[re.Pattern[str], dict[str, Named]]]:
        """Each group's names as text.whole_words reads them, with the entity of each (what
        `find` finds one character on; compiled only when asked for)."""
        found = {group: (text.whole_words(forms), forms) for group, forms in self._forms.items()}
        return {group: (pattern, forms) for group, (pattern, forms) in found.items()
                if pattern is not None}

    def _find(self, canon: str, group: str, typed: str) -> Named | None:
        forms = self._forms.get(group)
        if forms is None:
            return None
        pattern = self._spaced[group]
        firsts = self._firsts[group]
        if firsts is not None and firsts.isdisjoint(words_of(canon)):
            return None  # no name's first word in it (NOT_COUNTRIES only removes words)
        if group != "countries":
            match = pattern.search(" " + canon)
            return forms[match.group(1)] if match else None
        # (a word taken out leaves a space: the text keeps one in front)
        for match in pattern.finditer(_NOT_COUNTRIES_SPACED.sub(" ", " " + canon)):
            if self._spellings.fits(match.group(1), typed):
                return forms[match.group(1)]
        return None

    def named(self, group: str, name: str | None) -> Named | None:
        """The entity of a group by its name (as kept in a conversation's context)."""
        found = self._forms.get(group)
        if found is None or name is None:
            return None
        return next((n for n in found.values() if n.name == name), None)


W = TypeVar("W", Trade, Interest)


class Worded(Generic[W]):
    """The first of some things a message names by one of their words. Read on the folded
    text without the lexicon's expansions, which insert words ("học nghề" gets "giáo dục
    nghề nghiệp" added)."""

    def __init__(self, items: Iterable[W], words: Callable[[W], Iterable[str]] | None = None,
                 ) -> None:
        forms: dict[str, W] = {}
        for item in items:
            for word in (words(item) if words is not None else item.words):
                key = _folded(word)
                if key:
                    forms.setdefault(key, item)
        self._forms: dict[str, W] = forms
        self._found: dict[str, W | None] = {}  # message -> what `find` found (see Mentions)
        self._spaced = spaced_words(forms)  # for " " + the text
        self._firsts = first_words(f for f in forms if f)

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        """The words as text.whole_words reads them (what `find` finds one character on;
        compiled only when asked for)."""
        return text.whole_words(self._forms)

    def named(self, name: str | None) -> W | None:
        """The thing of a name kept in a conversation's context."""
        return next((t for t in self._forms.values() if t.name == name), None) if name else None

    def find(self, message: str) -> W | None:
        if message in self._found:
            return self._found[message]
        found = self._find(message)
        if len(self._found) >= MEMO:
            self._found.clear()
        self._found[message] = found
        return found

    def forget(self) -> None:
        self._found.clear()

    def _find(self, message: str) -> W | None:
        if self._spaced is None:
            return None
        folded, words = folded_words(message)
        if self._firsts is not None and self._firsts.isdisjoint(words):
            return None  # no trade's first word in it: no need to scan it
        match = self._spaced.search(" " + folded)
        return self._forms[match.group(1)] if match else None


class Trades(Worded[Trade]):
    """The first trade a message names ("hoc nghe dien" names the electrician's trade)."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb.entities.trades if kb.entities else ())


class Interests(Worded[Interest]):
    """The first interest a message names ("e thích vẽ", "nó mê sửa xe")."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb.entities.interests if kb.entities else ())


class SurveyResults(Worded[Interest]):
    """The interest survey's group a message names as a result ("con làm khảo sát ra nhóm kỹ
    thuật"): the interest of that group."""

    def __init__(self, kb: KnowledgeBase) -> None:
        super().__init__(kb.entities.interests if kb.entities else (), lambda i: i.results)


class Redirects:
    """Words that move an answer to another topic (knowledge/data/entities.yaml `stages` and
    `signals`): "em học lớp 12, sợ rớt tốt nghiệp" is not the lớp 10 entrance exam; "bao đậu,
    không cần thi" is a promise to check, not the costs."""

    def __init__(self, kb: KnowledgeBase) -> None:
        found = (*kb.entities.stages, *kb.entities.signals) if kb.entities else ()
        self._redirects = [(Phrases(r.cues), Phrases(r.unless), r) for r in found]
        self.topics = frozenset(t for r in found for t in r.instead_of)
        self.from_none = any(r.when_none for r in found)

    def instead(self, canon: str, topic: str | None) -> Redirect | None:
        """The redirect whose topic answers `canon` in place of `topic` (None: no topic)."""
        for cues, unless, redirect in self._redirects:
            moves = topic in redirect.instead_of if topic is not None else redirect.when_none
            if moves and cues.search(canon) is not None and unless.search(canon) is None:
                return redirect
        return None


@cache
def _fold_table() -> dict[int, str]:
    """Each accented letter of Vietnamese (NFC) to its bare letter, for str.translate: a
    long message folds in microseconds (unicodedata's decomposition takes a millisecond)."""
    table = {c: text.fold(chr(c)) for c in range(0xC0, 0x1EFA)}
    return {c: f for c, f in table.items() if len(f) == 1 and f != chr(c)}


def _folded(message: str) -> str:
    return text.normalize(message).translate(_fold_table())


@functools.lru_cache(maxsize=MEMO)
def folded_words(message: str) -> tuple[str, frozenset[str]]:
    """A message folded (`_folded`) and its words: the trade, interest and survey-result
    finders read the same message in turn, and folding a long one is ~0.1 ms (forgotten with
    the engine's caches)."""
    folded = _folded(message)
    return folded, words_of(folded)
