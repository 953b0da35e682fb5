"""Round 10's shortcuts for long messages give the readings of the full work: facet cues found
word by word as their expressions find them, and names found once per message as a fresh
search finds them."""

from __future__ import annotations

import random

from bot.answering import text
from bot.answering.entities import Mentions, Trades
from bot.answering.facets import Asked, FacetCues


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
    ordered = tuple(dict.fromkeys(name for _, _, name in sorted(found)))
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
