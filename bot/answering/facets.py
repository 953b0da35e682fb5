"""Which facet of the topic just shown a short follow-up asks for ("ở đâu", "bao nhiêu",
"mất bao lâu", "ai được", "đăng ký sao", "liên hệ ai"): cues are data (knowledge/data/facets.yaml),
matched as whole words on the canonical text; each topic says in its `facets:` table which topic
answers the facet after it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from bot.answering import text
from bot.answering.knowledge import Facets

SAME = "same"  # the cue facet for "the same question again" ("cũng vậy", facets.yaml)
EXPLAIN = "explain"  # ... and for "say that again, plainer" ("ủa vậy là sao", "ko hiểu")
# Facets whose cue inside another facet's longer cue asks nothing of its own (FacetCues.asked)
YIELDING = frozenset({"when"})
AGE = "age"  # the entity facet of an age given ("17t đi được không", "18 tuổi rồi thì sao")
# An age on the canonical text ("17t", "18 tuổi"): 10 to 69, with its unit
_AGE = re.compile(r"(?:^| )([1-6][0-9]) ?(t|tuoi)(?= |$)")


def age_words(canon: str) -> tuple[str, ...]:
    """The words of an age the message gives ("17 t" -> ("17", "t")), or ()."""
    found = _AGE.search(canon)
    return (found.group(1), found.group(2)) if found is not None else ()


@dataclass(frozen=True)
class Asked:
    facets: tuple[str, ...]  # the facets the message asks for, in the order they are written
    rest: tuple[str, ...]  # its canonical words outside every cue
    covered: int = 0  # its canonical words inside a cue


class FacetCues:
    def __init__(self, facets: Facets | None) -> None:
        self._forms: dict[str, set[str]] = {}  # facet -> its cues' canonical forms
        self._names: list[str] = []
        self._firsts: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self.neutral: frozenset[str] = frozenset()
        self.cue_names: frozenset[str] = frozenset()
        if facets is None:
            return
        for name, cues in facets.cues.items():
            forms = {text.canonical(c) for c in cues} - {""}
            if forms:
                self._forms[name] = forms
        # The cues as words, by their first word: a message's words are looked up once
        # instead of twelve expressions scanning it (a long message: most of the time here).
        # Per first word, each facet's cues in the order the expressions try them (longest
        # first; of two cues found at one place the longer has more words).
        names = list(self._forms)
        firsts: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for k, name in enumerate(names):
            for form in self._forms[name]:
                words = tuple(form.split(" "))
                firsts.setdefault(words[0], []).append((k, words))
        self._names = names
        self._firsts = {w: sorted(cues, key=lambda kc: (kc[0], -len(kc[1])))
                        for w, cues in firsts.items()}
        self.cue_names = frozenset(facets.cues) - {SAME, EXPLAIN}  # they ask it again
        self.neutral = frozenset(w for n in facets.neutral for w in text.canonical(n).split())

    @functools.cached_property
    def cue_words(self) -> frozenset[str]:
        """Every word of every cue (a word in none is outside every cue found)."""
        return frozenset(w for forms in self._forms.values() for f in forms for w in f.split())

    @functools.cached_property
    def _patterns(self) -> list[tuple[str, re.Pattern[str]]]:
        """Each facet's cues as one whole-word expression (what `asked` reads word by word;
        compiled only when asked for: the tests' full reading)."""
        found = [(name, text.whole_words(forms)) for name, forms in self._forms.items()]
        return [(name, pattern) for name, pattern in found if pattern is not None]

    def asked(self, canon: str) -> Asked:
        found: list[tuple[int, int, str]] = []
        spans: list[tuple[int, int]] = []
        # What each facet's expression finds (`_patterns`: a cue as whole words, from its
        # leading space; the longest cue at a place; the next match after its end), read
        # word by word.
        words = canon.split(" ")
        starts: list[int] = []
        at = 0
        for word in words:
            starts.append(at)
            at += len(word) + 1
        resume = [0] * len(self._names)
        firsts = self._firsts
        for i, word in enumerate(words):
            cues = firsts.get(word)
            if cues is None:
                continue
            for k, cue in cues:
                n = len(cue)
                if resume[k] > i or tuple(words[i:i + n]) != cue:
                    continue
                start = starts[i] - 1 if i else 0
                end = starts[i + n - 1] + len(words[i + n - 1])
                # at one place the longer cue is what is asked ("bao nhiêu tuổi", not
                # "bao nhiêu")
                found.append((start, start - end, self._names[k]))
                spans.append((start, end))
                resume[k] = i + n
        if not spans:
            rest = canon.split()
            return Asked((), tuple(rest), 0)
        # The text outside every cue, each covered stretch a space (as blanking each covered
        # character, without a loop over a long message's characters).
        pieces: list[str] = []
        at = 0
        for start, end in sorted(spans):
            if end <= max(at, start):
                continue  # inside a stretch already blanked (or empty)
            if start > at:
                pieces.append(canon[at:start])
            pieces.append(" ")
            at = end
        pieces.append(canon[at:])
        rest = "".join(pieces).split()
        # a cue of `when` inside a longer one asks nothing of its own ("bao giờ" in "bao giờ
        # phải trả": how long). Other facets keep theirs: "ở đâu" in "học ở đâu" is where,
        # which a table without a row for where to study answers.
        kept = [cue for cue, (a, b) in zip(found, spans, strict=True) if cue[2] not in YIELDING
                or not any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)]
        ordered = tuple(dict.fromkeys(name for _, _, name in sorted(kept)))
        return Asked(ordered, tuple(rest), len(canon.split()) - len(rest))
