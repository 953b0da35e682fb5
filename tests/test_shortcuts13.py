"""Round 13's shortcuts give what the full work gives: the safety rules' idioms are removed
from a message as when every first word of a cue was looked for (only those the message holds
are), and a greeting check bounds its phrases by the longest greeting worked out once."""

from __future__ import annotations

import random

from bot.answering import safety, text
from bot.answering.knowledge import KnowledgeBase
from bot.answering.safety import Cues


def _removed_in_full(cues: Cues, spaced: str, words: frozenset[str]) -> str:
    """Cues.remove as it was: every first word of a cue looked up in the message."""
    for i in cues._candidates(words):
        firsts = cues.firsts[i]
        if firsts is not None:
            starts = safety._starts(spaced)
            regex = cues._regex(i)
            if not any(regex.match(spaced, at) for w in firsts for at in starts.get(w, ())):
                continue
        spaced = cues._regex(i).sub(" _ ", spaced)
    return spaced


def _messages(kb: KnowledgeBase) -> list[str]:
    """The safety corpus, ordinary corpus messages, and long ones run together from both."""
    rng = random.Random(13)
    risky = [m.text for m in kb.corpus.safety]
    plain = [m.q for m in kb.corpus.messages]
    longs = [". ".join(rng.sample(risky + plain, rng.randint(3, 9))) for _ in range(300)]
    return [*risky, *plain[::5], *longs]


def test_idioms_are_removed_as_when_every_first_word_was_looked_for(kb: KnowledgeBase) -> None:
    ignore = kb.safety.ignore
    assert ignore is not None
    changed = 0
    for message in _messages(kb):
        spaced = f" {safety.read_canonical(message)} "
        words = frozenset(spaced.split())
        removed = ignore.remove(spaced, words)
        assert removed == _removed_in_full(ignore, spaced, words), message
        changed += removed != spaced
    assert changed > 100  # the idioms do match: the comparison says something


def test_a_greeting_check_reads_phrases_up_to_the_longest_greeting() -> None:
    lex = text.lexicon()
    assert lex.greeting_longest == max(len(p) for p in lex.greeting_phrases) > 1
    longest = next(p for p in lex.greeting_phrases if len(p) == lex.greeting_longest)
    assert text.is_greeting(" ".join(longest))
    assert text.is_greeting("dạ " + " ".join(longest))
    assert not text.is_greeting(" ".join(longest) + " học phí bao nhiêu")
