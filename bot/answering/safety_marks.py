"""The safety rules' reading of a message: the canonical words with the accents they were typed
with, so that a cue word only matches a word typed without accents or with its own.

Folded, many ordinary words are cue words: "chị" (a parent's "anh chị") is "chỉ (em cách)",
"cò" (a broker) is "có", "mời" and "mới" are "mối", "dí" is "đi". A word typed with a mark its
cue word lacks is another word; a word typed with fewer marks (no tone, "chêt") or none still
matches, as before. The learned model reads the folded text as it always did (`plain`).

Each word of the rules' text is its folded form, then MARK and a letter per diacritic when it
was typed with any ("co's" for "có", "chi'j" for "chị"); a cue word compiles to its folded form
and an optional run of its own diacritics' letters (`word_pattern`).
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import lru_cache

from bot.answering.text import canonical, expanded, fold_word, marks, normalize

MARK = "'"  # never in a normalised word (punctuation is dropped)
# A letter per diacritic: the five tones, then circumflex, breve, horn and đ.
_CODES = {"\u0300": "f", "\u0301": "s", "\u0309": "r", "\u0303": "x", "\u0323": "j",
          "\u0302": "a", "\u0306": "b", "\u031b": "w", "đ": "d"}
_MARKED = re.compile(MARK + "[a-z]+")


@lru_cache(maxsize=65536)  # words repeat endlessly
def _code(word: str) -> str:
    return "".join(sorted({_CODES[m] for m in marks(word) if m in _CODES}))


def read_marked(normal: str) -> str:
    """The canonical text of a normalised message, each word typed with accents marked. A word
    a phrase synonym put in place of others (the lexicon's) carries no mark: it matches as
    before."""
    words = canonical(normal).split()
    if normal.isascii():
        return " ".join(words)
    typed = expanded(normalize(normal))
    folded = [fold_word(w) for w in typed]
    codes = [_code(w) for w in typed]
    out = list(words)
    if folded == words:
        blocks = [(0, 0, len(words))]
    else:  # phrases replaced some words: mark the words that stand as typed
        blocks = [(b.a, b.b, b.size) for b in SequenceMatcher(
            None, folded, words, autojunk=False).get_matching_blocks()]
    for a, b, size in blocks:
        for k in range(size):
            if codes[a + k]:
                out[b + k] = f"{words[b + k]}{MARK}{codes[a + k]}"
    return " ".join(out)


def word_pattern(token: str) -> str:
    """A cue word of the rules' text as an expression: its folded form, and only its own
    diacritics if typed with any (a cue word written without accents takes any)."""
    word, _, code = token.partition(MARK)
    return re.escape(word) + (f"(?:{MARK}[{code}]+)?" if code else f"(?:{MARK}[a-z]+)?")


def plain(text: str) -> str:
    """The rules' text as the model reads it: folded words, no marks."""
    return _MARKED.sub("", text) if MARK in text else text


def stem(word: str) -> str:
    """A word of the rules' text without its marks."""
    return word.partition(MARK)[0]
