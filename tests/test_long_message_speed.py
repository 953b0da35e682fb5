"""The shortcuts that make a long message cheaper to read give the same readings as the full
work: name patterns tried only where their first word stands, and a story's asking clause
compared only where it can raise a returned entry's closeness."""

from __future__ import annotations

import pytest
from rapidfuzz import fuzz, process

from bot.answering import entities, text
from bot.answering.entities import Districts, Mentions, NearDomain, Trades


def _messages(kb) -> list[str]:
    """Phrasings of every topic, some wrapped in a story naming districts and countries."""
    plain = [q for e in kb.entries for q in e.questions]
    names = [n for d in kb.districts.districts for n in (d.name, *d.aliases)]
    story = [f"Nhà tôi ở {names[k % len(names)]}, con tôi học lớp 9, muốn đi Hàn Quốc hay "
             f"Nhật. {q}" for k, q in enumerate(plain[::7])]
    return plain + story + ["", "   ", "a  b", "han quoc", "Đức Huệ", "giáo dục đức"]


def _districts_full(d: Districts, canon: str) -> tuple[tuple[object, ...], str]:
    """Districts.find without the first-word filter (every pattern tried)."""
    if d._any is None or not d._any.search(canon):
        return (), " ".join(canon.split())
    found: list[tuple[int, object]] = []
    rest = canon
    for pattern, district in d.patterns:
        match = pattern.search(rest)
        if match and all(x is not district for _, x in found):
            first = pattern.search(canon)
            found.append((first.start() if first else match.start(), district))
            rest = pattern.sub(" ", rest)
    return tuple(x for _, x in sorted(found, key=lambda pd: pd[0])), " ".join(rest.split())


def test_district_search_finds_what_every_pattern_finds(kb):
    d = Districts(kb)
    canons = [text.canonical(m) for m in _messages(kb)]
    assert any(d.find(c)[0] for c in canons)  # the set names districts
    for canon in canons:
        assert d.find(canon) == _districts_full(d, canon)
        tokens = canon.split()
        full: set[int] = set()
        joined = " ".join(tokens)
        starts, pos = [], 0
        for tok in tokens:
            starts.append(pos)
            pos += len(tok) + 1
        for pattern, _ in d.patterns:
            for match in pattern.finditer(joined):
                lo, hi = match.start() + (joined[match.start()] == " "), match.end()
                full.update(i for i, st in enumerate(starts) if lo <= st < hi)
        assert d.covered(tokens) == full


def test_mentions_and_near_domain_match_as_the_patterns_do(kb):
    mentions = Mentions(kb)
    near = NearDomain(kb.out_of_scope)
    found = 0
    for message in _messages(kb):
        canon = text.canonical(message)
        for group in Mentions.GROUPS:
            pattern, forms = mentions._groups[group]
            if group == "countries":
                expected = next((forms[m.group(1)] for m in pattern.finditer(
                    entities.NOT_COUNTRIES.sub(" ", canon))
                    if mentions._spellings.fits(m.group(1), message)), None)
            else:
                match = pattern.search(canon)
                expected = forms[match.group(1)] if match else None
            assert mentions.find(canon, group, message) == expected
            found += expected is not None
        expected_rule = next((rule for rule, any_of, and_any, unless, named in near.rules
                              if named is None  # no typed text given: no proper name
                              and any_of.pattern is not None and any_of.pattern.search(canon)
                              and (and_any is None or (and_any.pattern is not None
                                                       and and_any.pattern.search(canon)))
                              and not (unless.pattern and unless.pattern.search(canon))),
                             None)
        assert near.match(canon) is expected_rule
    assert found  # countries and levels are named in the set


def test_a_story_clause_is_held_as_the_full_comparison_holds_it(engine, kb):
    story = engine.tuning.story_fuzzy
    checked = 0
    for message in _messages(kb)[-60:]:
        q = engine._query(message)
        if not q.story:
            continue
        top = engine._candidates(engine._bm25(q)[0], None, 5)
        fuzzy = engine._fuzzy(q, top)
        held = engine._held(q, fuzzy)
        lead = list(q.pieces[1:2] or q.pieces[:1])
        for i in top:
            full = max((float(s) / 100 for s in process.cdist(
                lead, engine._phrasings[i], scorer=fuzz.token_set_ratio)[0]), default=0.0)
            assert max(fuzzy[i], story * held[i]) == max(fuzzy[i], story * full)
            checked += 1
    assert checked


@pytest.mark.parametrize("closeness", [0.9, 0.95, 1.0])
def test_a_close_plain_match_needs_no_story_comparison(engine, kb, closeness):
    """Closeness this high cannot be raised (story_fuzzy x 100 is below it): the cutoff
    stays within what rapidfuzz accepts and nothing is raised."""
    q = engine._query(_messages(kb)[-60])
    assert q.story
    top = engine._candidates(engine._bm25(q)[0], None, 5)
    held = engine._held(q, dict.fromkeys(top, closeness))
    assert all(engine.tuning.story_fuzzy * h <= closeness for h in held.values())


def test_trades_are_found_as_the_pattern_finds_them(kb):
    trades = Trades(kb)
    assert trades._pattern is not None
    messages = [*_messages(kb), "muốn học nghề điện", "hoc nghe han", "em thích sửa xe"]
    found = 0
    for message in messages:
        match = trades._pattern.search(entities._folded(message))
        expected = trades._forms[match.group(1)] if match else None
        assert trades.find(message) == expected
        found += expected is not None
    assert found
