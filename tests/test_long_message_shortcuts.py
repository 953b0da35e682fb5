"""Round 10's shortcuts for long messages give the readings of the full work: facet cues found
word by word as their expressions find them, names found once per message as a fresh search
finds them, asking cues found by one set question per length, normalize skipping only the
expressions that cannot match, a query's clauses merged in one go, clashing accents worked
out once."""

from __future__ import annotations

import dataclasses
import random
import re
import unicodedata

from bot.answering import focus, text
from bot.answering.entities import Mentions, Trades
from bot.answering.facets import YIELDING, Asked, FacetCues
from bot.answering.retrieval import DISTRICT_TERM


def _by_expressions(cues: FacetCues, canon: str) -> Asked:
    """FacetCues.asked as each facet's expression reads the text, every covered character
    blanked."""
    found: list[tuple[int, int, str]] = []
    covered = [False] * len(canon)
    for name, pattern in cues._patterns:
        for match in pattern.finditer(canon):
            found.append((match.start(), match.start() - match.end(), name))
            for k in range(match.start(), match.end()):
                covered[k] = True
    rest = "".join(" " if covered[k] else ch for k, ch in enumerate(canon)).split()
    # a yielding facet's match inside another's longer match asks nothing
    spans = [(start, start - back) for start, back, _ in found]
    kept = [f for f, (a, b) in zip(found, spans, strict=True) if f[2] not in YIELDING
            or not any(c <= a and b <= d and (c, d) != (a, b) for c, d in spans)]
    ordered = tuple(dict.fromkeys(name for _, _, name in sorted(kept)))
    return Asked(ordered, tuple(rest), len(canon.split()) - len(rest))


def _messages(kb) -> list[str]:
    phrasings = [q for e in kb.entries for q in e.questions]
    long = " ".join(phrasings[::5])  # a long message asking many facets
    return [*phrasings, long, "", "  ", "bao nhiêu tuổi", "học ở đâu, mất bao lâu"]


def test_facet_cues_are_found_as_their_expressions_find_them(kb):
    cues = FacetCues(kb.facets)
    asked = 0
    for message in _messages(kb):
        canon = text.canonical(message)
        expected = _by_expressions(cues, canon)
        assert cues.asked(canon) == expected
        asked += bool(expected.facets)
    assert asked > 20
    # Cue words in any order and spacing (double, leading, trailing spaces): overlapping cues,
    # a longer cue at the same place, the same cue twice in a row.
    words = sorted({w for found in cues._firsts.values() for _, cue in found for w in cue})
    rng = random.Random(10)
    for _ in range(3000):
        picked = [rng.choice([*words, "hoc", "xyz"]) for _ in range(rng.randint(0, 10))]
        canon = "".join(w + rng.choice((" ", " ", "  ")) for w in picked)
        canon = canon if rng.random() < 0.5 else " " + canon.rstrip()
        assert cues.asked(canon) == _by_expressions(cues, canon)


def test_names_found_once_are_the_names_a_fresh_search_finds(kb):
    mentions, trades = Mentions(kb), Trades(kb)
    messages = [*_messages(kb), "còn Hàn Quốc thì sao", "hạn nộp hồ sơ", "học nghề điện"]
    found = 0
    for message in messages * 2:  # the second time from memory
        canon = text.canonical(message)
        for group in Mentions.GROUPS:
            assert mentions.find(canon, group, message) == mentions._find(canon, group, message)
            found += mentions.find(canon, group, message) is not None
        # the same words typed with other accents name another thing, or none
        assert mentions.find(canon, "countries", "han") == mentions._find(canon, "countries",
                                                                           "han")
        assert trades.find(message) == trades._find(message)
    assert found
    mentions.forget()
    trades.forget()
    assert not mentions._found and not trades._found


def _cues_at_each_word(cues: focus.Cues, words: list[str]) -> bool:
    """Cues.anywhere as trying every cue where its first word stands."""
    return any(cues.at(words, i) for i, w in enumerate(words)
               if (w in cues.folded if w.isascii() else w in cues.exact))


def test_asking_cues_are_found_as_word_by_word(kb):
    lex = text.lexicon()
    sets = [focus._cues(lex.asking), focus._cues(tuple((w,) for w in lex.asking_final)),
            focus._cues(lex.followup), focus._cues(lex.followup_start)]
    lists = [focus._words(p) for m in _messages(kb) for p, _ in focus._sentences(m)]
    lists += [focus._words(m.q) for m in kb.corpus.messages[::9]]
    words = sorted({w for c in sets for found in c.exact.values() for cue, folded in found
                    for w in (*cue, *folded)} | {"hoc", "khong"})
    rng = random.Random(11)
    lists += [[rng.choice(words) for _ in range(rng.randint(0, 6))] for _ in range(3000)]
    found = 0
    for words_ in lists:
        for cues in sets:
            expected = _cues_at_each_word(cues, words_)
            assert cues.anywhere(words_) is expected, words_
            found += expected
    assert found > 100


_OLD_NON_WORD = re.compile(r"[^\w]+|_+")


def _normalize_every_expression(raw: str) -> str:
    """normalize as it was, every expression run on every text (without the remembered
    forms: this only reads)."""
    cut = unicodedata.normalize("NFKC", raw[:text._MAX_INPUT])
    cut = text._INVISIBLE.sub("", cut).lower()
    cut = text._PLUS_ROUTE.sub(r"\1 cộng ", cut)
    cut = _OLD_NON_WORD.sub(" ", cut)
    cut = text._LETTER_DIGIT.sub(" ", cut)
    return " ".join(text._clean_word(w) for w in cut.split())


def test_normalize_skips_only_expressions_that_cannot_match(kb):
    texts = [*_messages(kb), *(m.q for m in kb.corpus.messages[::7]),
             "lớp 9a1", "học 9+ ở đâu", "9 + 3", "a_b__c", "x9y", "１２３abc", "_+_", "۳a"]
    rng = random.Random(12)
    alphabet = [*"ab9+_ -.,!?", "\u200b", "\u00ad", "é", "đ", "１", "²", "٣", "9+", "a_b"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
              for _ in range(5000)]
    for raw in texts:
        assert text.normalize(raw) == _normalize_every_expression(raw), raw


def test_a_query_merges_its_clauses_as_one_by_one(engine, kb):
    """Trust (the least of any clause) and accents (the first clause's) merged in one go
    equal the clause-by-clause merge; the terms keep their order."""
    checked = low = 0
    for message in [*_messages(kb)[::3], *(m.q for m in kb.corpus.messages[::11])]:
        parts = focus.clauses(message)
        for weights in (None, dict.fromkeys(range(len(parts)), focus.STORY)):
            q = engine._query(message, weights)
            trust: dict[str, float] = {}
            marks: dict[str, str] = {}
            for k, clause in enumerate(parts):
                if (clause.weight if weights is None else weights[k]) <= 0:
                    continue
                done = engine._clause(clause.text)
                for tok, confidence in done.trust.items():
                    trust[tok] = min(trust.get(tok, 1.0), confidence)
                for folded, mark in done.marks:
                    marks.setdefault(folded, mark)
            if q.districts:
                trust[DISTRICT_TERM] = 1.0
            assert q.trust == trust and q.marks == marks, message
            checked += 1
            low += any(v < 1 for v in trust.values())
    assert checked and low  # some clause had a guessed typo correction


def test_clashing_accents_worked_out_once_are_those_of_every_spelling(engine, kb):
    def spelt_otherwise(q, term: str) -> frozenset[int]:
        out: frozenset[int] = frozenset()
        for syllable in term.split("_"):
            mark, by = q.marks.get(syllable), engine._spelled.get(syllable)
            if mark is None or by is None:
                continue
            for other, docs in by.items():
                if other != mark:
                    out |= docs - by.get(mark, frozenset())
        return out

    clashing = 0
    for message in [*_messages(kb), "lương bao nhiêu", "luồng xanh", "học hàn", "hạn chót"]:
        q = engine._query(message)
        for term in q.terms:
            assert engine._clashes(q, term) == spelt_otherwise(q, term), (message, term)
            clashing += bool(engine._clashes(q, term))
    q = engine._query("học phí")
    for syllable in list(engine._spelled)[:200]:  # accents no entry uses, too
        for mark in (*engine._spelled[syllable], "zz"):
            odd = dataclasses.replace(q, marks={syllable: mark})
            assert engine._clashes(odd, syllable) == spelt_otherwise(odd, syllable)
    assert clashing
