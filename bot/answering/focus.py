"""Find what is asked inside a message: a parent writes a greeting, a family story, then the
question. Each clause gets a weight for matching: the asking clauses count fully, the story a
little (it still says which grade, district or household), greetings not at all.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from bot.answering import text

ASKING = 1.0
NEAR_ASKING = 0.6  # a clause in the same sentence as the question: "học trung cấp, có ... không"
STORY = 0.25
UNSURE_LAST = 1.0  # no clause asks anything: the last sentence is most likely the point
UNSURE_REST = 0.4
GREETING_WORDS = 10  # a longer clause is not only a greeting
STORY_CLAUSES = 5  # story clauses weighed at most (the nearest the question); more: weight 0
SHORT = 14  # content words: a message this short is one thought, weighed as a whole

# Sentences end at . ! ? … ; or a new line; a dot between digits is a decimal point.
_SENTENCE = re.compile(r"((?<!\d)\.(?!\d)|[!?…;\n]|\.\.+)")
_CLAUSE = re.compile(r",(?!\d)|:")  # "40,12" is a decimal comma
# Two questions in one sentence: "... không và ... ở đâu", "... với lại ...", "... còn ...".
# "hay" / "hoặc" join two questions only before a verb that asks again ("có chỗ nào cho vay
# hay có học bổng gì không"); "trung cấp hay cao đẳng" is one question, a choice.
_JOINED = re.compile(r"\s+(?:và|va|với lại|voi lai|vs lại|vs lai|với cả|voi ca|còn|thêm là"
                     r"|(?:hay|hoặc|hoac)(?:\s+là|\s+la)?(?=\s+(?:có|co|được|duoc|dc|đc)\s))\s+",
                     re.IGNORECASE)
JOINED_PART_WORDS = 2  # content words each joined question needs
JOINED_CHARS = 500  # a longer message is a story: its asking clauses are split elsewhere
JOINED_PARTS = 3


@dataclass(frozen=True)
class Clause:
    text: str
    weight: float
    asking: bool


def _words(clause: str) -> list[str]:
    return list(text.expanded(text.normalize(clause)))


class Cues:
    """Phrases looked up by their first word, accented or (for unaccented input) folded: an
    accented word must match a cue as typed ("đâu" is not "đậu"); an unaccented one matches
    the cue's folded form."""

    def __init__(self, phrases: tuple[tuple[str, ...], ...]) -> None:
        # each cue with its words folded (worked out once: folding is the slow part)
        self.exact: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        self.folded: dict[str, list[tuple[tuple[str, ...], tuple[str, ...]]]] = {}
        # ... and every run of words that `at` accepts as a cue, by length: a word matches a
        # cue's word as written, or (typed without accents) its folded form, so a cue of n
        # words is accepted as any of a few n-tuples; `anywhere` then asks one set question
        # per length instead of trying the cues word by word.
        runs: dict[int, set[tuple[str, ...]]] = {}
        for cue in phrases:
            if cue:
                pair = (cue, tuple(text.fold(c) for c in cue))
                self.exact.setdefault(cue[0], []).append(pair)
                self.folded.setdefault(pair[1][0], []).append(pair)
                accepted: list[tuple[str, ...]] = [()]
                for word, folded in zip(*pair, strict=True):
                    forms = {word, folded} if folded.isascii() else {word}
                    accepted = [(*run, form) for run in accepted for form in forms]
                runs.setdefault(len(cue), set()).update(accepted)
        self._runs = {n: frozenset(found) for n, found in runs.items()}
        self._singles = frozenset(run[0] for run in self._runs.get(1, ()))

    @staticmethod
    def _matches(word: str, cue: str, folded: str) -> bool:
        return word == cue or (word.isascii() and word == folded)

    def at(self, words: list[str], i: int) -> bool:
        """Whether a cue starts at words[i]."""
        word = words[i]
        candidates = self.folded.get(word, ()) if word.isascii() else self.exact.get(word, ())
        for cue, folded in candidates:
            n = len(cue)
            if i + n <= len(words) and all(self._matches(w, c, f) for w, c, f in
                                           zip(words[i:i + n], cue, folded, strict=True)):
                return True
        return False

    def anywhere(self, words: list[str]) -> bool:
        """Whether a cue starts at any of the words (`at` somewhere)."""
        for n, runs in self._runs.items():
            if n == 1:
                if not self._singles.isdisjoint(words):
                    return True
            elif not runs.isdisjoint(zip(*(words[k:] for k in range(n)), strict=False)):
                return True
        return False


@lru_cache(maxsize=8)
def _cues(phrases: tuple[tuple[str, ...], ...]) -> Cues:
    return Cues(phrases)


_ASKING: list[tuple[text.Lexicon, Cues, Cues]] = []  # built once per lexicon


def _asking_cues(lex: text.Lexicon) -> tuple[Cues, Cues]:
    """(the words that ask at the end of a clause, the phrases that ask anywhere)."""
    if not _ASKING or _ASKING[0][0] is not lex:
        _ASKING[:] = [(lex, _cues(tuple((w,) for w in lex.asking_final)), _cues(lex.asking))]
    return _ASKING[0][1], _ASKING[0][2]


def _has_cue(words: list[str]) -> bool:
    final, anywhere = _asking_cues(text.lexicon())
    if words and final.at(words, len(words) - 1):
        return True
    return anywhere.anywhere(words)


def asks(message: str) -> bool:
    """Whether any part of the message asks something (a question mark or an asking cue)."""
    return "?" in message or any(_has_cue(_words(p)) for p, _ in _sentences(message))


# "Dạ để em về nói ảnh", "ok để e làm thử", "vậy để tôi lên trường hỏi lại": a closing word
# that says what the writer will do next (an acknowledgement, then "để" + who), asking nothing.
_ACKNOWLEDGE = frozenset({"dạ", "da", "ok", "oke", "okay", "ờ", "ừ", "ừm", "uh", "um", "vâng",
                          "vậy", "thôi", "rồi", "thế", "z", "v", "à", "ạ", "hihi", "hehe",
                          "haha", "kk", "oki", "okie", "hay", "quá", "ghê", "thiệt"})
# (unaccented too, where "để ..." leaves no other reading: "ok de toi ban voi gia dinh"; not
# "chi", "co", "chu": "để có", "để chi")
_WHO = frozenset({"em", "e", "tôi", "tui", "mình", "mk", "con", "cháu", "chị", "anh", "cô",
                  "chú", "bác", "tao", "t", "nhà", "ba", "má", "mẹ",
                  "toi", "minh", "chau", "bac", "me"})
_LATER = frozenset({"hỏi", "hoi"})  # "để tôi hỏi lại": asking someone else later
_CHOICE = frozenset({"hay", "nên", "nen", "hơn", "hon"})


def closes(message: str) -> bool:
    """A closing that says what the writer will do next and asks nothing."""
    low = unicodedata.normalize("NFC", message).lower()
    if "?" in message or ("để" not in low and "de" not in low):
        return False  # (read for every short message: most have no "để" at all)
    words = [w for w in _words(message) if w.isalnum()]
    k = 0
    while k < len(words) and words[k] in _ACKNOWLEDGE:
        k += 1
    if not (k + 1 < len(words) and words[k] in ("để", "de") and words[k + 1] in _WHO):
        return False
    if _CHOICE & set(words[k:]):  # "để e đi làm hay đi học thì tốt hơn" weighs a choice
        # (not "hay quá, để e nói nó": praise before it)
        return False
    return not any(_has_cue([w for w in _words(p) if w not in _LATER]) for p, _ in
                   _sentences(message))


def is_followup(message: str) -> bool:
    """The message says it follows on from what was shown: "còn ...", "vậy ...", "thì sao"."""
    lex = text.lexicon()
    words = _words(message)
    return bool(words) and (_cues(lex.followup_start).at(words, 0)
                            or _cues(lex.followup).anywhere(words))


def _is_greeting(clause: str, words: list[str]) -> bool:
    if len(words) > GREETING_WORDS:
        return False
    if text.is_greeting(clause):
        return True
    # "Chào bot, ...", "Dạ em chào anh chị ban tư vấn": a salutation at the start. Its
    # addressee "(ban) tư vấn" asks nothing: parents greet the bot so, and read as asking it
    # sent their story to the counsellor topic.
    rest = _without_addressee(words)
    return len(rest) <= 7 and not _SALUTATIONS.isdisjoint(words[:3]) and not _has_cue(rest)


_SALUTATIONS = frozenset({"chào", "chao", "kính"})
_ADDRESSEE = _SALUTATIONS | {"gửi", "ban", "bạn", "anh", "chị", "các", "admin", "bot", "thầy",
                             "cô", "chú", "em", "e"}


def _without_addressee(words: list[str]) -> list[str]:
    """The words less "tư vấn" where it names whom the salutation greets ("chào ban tư vấn",
    "chào anh chị tư vấn"): "tư vấn" after an addressee word, never at the start."""
    out = list(words)
    for k in range(len(out) - 1, 1, -1):
        if out[k - 1:k + 1] in (["tư", "vấn"], ["tu", "van"]) and out[k - 2] in _ADDRESSEE:
            del out[k - 1:k + 1]
    return out


def _sentences(message: str) -> list[tuple[str, bool]]:
    """(sentence, ends with a question mark)."""
    parts = _SENTENCE.split(message)
    out: list[tuple[str, bool]] = []
    for i in range(0, len(parts), 2):
        body = parts[i].strip()
        mark = parts[i + 1] if i + 1 < len(parts) else ""
        if body:
            out.append((body, "?" in mark))
    return out


@dataclass(frozen=True)
class _Found:
    sentence: int
    text: str
    asking: bool
    greeting: bool


def _pieces(message: str) -> list[_Found]:
    """Every clause, with the sentence it belongs to and whether it asks or greets."""
    found: list[_Found] = []
    sentences = _sentences(message)
    for n, (sentence, question_mark) in enumerate(sentences):
        pieces = [p.strip() for p in _CLAUSE.split(sentence) if p.strip()]
        # People greet and thank at the start or the end, never in the middle of the story.
        edge = n in (0, len(sentences) - 1)
        for j, piece in enumerate(pieces):
            words = _words(piece)
            if not words:
                continue
            greeting = edge and _is_greeting(piece, words)
            asking = not greeting and (_has_cue(words)
                                       or (question_mark and j == len(pieces) - 1))
            found.append(_Found(n, piece, asking, greeting))
    return found


def _weight(f: _Found, asking_sentences: set[int], last: int) -> float:
    if f.greeting:
        return 0.0
    if f.asking:
        return ASKING
    if not asking_sentences:
        return UNSURE_LAST if f.sentence == last else UNSURE_REST
    return NEAR_ASKING if f.sentence in asking_sentences else STORY


def _confirms(found: list[_Found]) -> list[_Found]:
    """"Tôi nghe nói học trung cấp được miễn học phí. Có đúng không bạn?": a question that only
    asks to confirm makes the sentence before it the one that asks."""
    confirming = text.lexicon().confirming
    asking = [f for f in found if f.asking]
    if not asking:
        return found
    if any(set(text.content_tokens(f.text)) - confirming for f in asking):
        # another clause asks too: a confirming one still asks about the clause it closes,
        # in its own sentence ("Tôi nghe phải đóng 200 triệu, có đúng không? Đi sao cho khỏi
        # bị lừa?" asks two things)
        closed = {k - 1 for k, f in enumerate(found) if f.asking and k > 0
                and not set(text.content_tokens(f.text)) - confirming
                and found[k - 1].sentence == f.sentence and not found[k - 1].greeting}
        return [dataclasses.replace(f, asking=True) if k in closed else f
                for k, f in enumerate(found)]
    first = min(f.sentence for f in asking)
    told = [f.sentence for f in found if f.sentence < first and not f.greeting]
    if not told:
        return found
    point = max(told)
    return [dataclasses.replace(f, asking=True) if f.sentence == point else f for f in found]


def _short(found: list[_Found]) -> bool:
    """At most SHORT content words outside greetings (counting stops once past it: a long
    message need not have every clause analysed here)."""
    content = 0
    for f in found:
        if not f.greeting:
            content += len(text.content_tokens(f.text))
            if content > SHORT:
                return False
    return True


@lru_cache(maxsize=4096)
def clauses(message: str) -> tuple[Clause, ...]:
    """The message as weighted clauses, in order."""
    found = _confirms(_pieces(message))
    if not found:
        return ()
    if len(found) == 1 or _short(found):
        return tuple(Clause(f.text, 0.0 if f.greeting and len(found) > 1 else 1.0,
                            f.asking or len(found) == 1) for f in found)
    asking_sentences = {f.sentence for f in found if f.asking}
    last = max((f.sentence for f in found if not f.greeting), default=-1)
    weights = [_weight(f, asking_sentences, last) for f in found]
    return tuple(Clause(f.text, w, f.asking) for f, w in zip(found, _cap_story(found, weights),
                                                               strict=True))


@lru_cache(maxsize=8)  # a reply reads it for its feeling line and for a fee stated
def folded(message: str) -> str:
    """The message as the matcher reads it (text.canonical), folded clause by clause as the
    engine already analysed it: analysing a 1,000-character message whole again cost about
    0.15 ms of its reply; the same words either way."""
    return " ".join(text.canonical(c.text) for c in clauses(message))


def _cap_story(found: list[_Found], weights: list[float]) -> list[float]:
    """At most STORY_CLAUSES story clauses count, those nearest the question: a long message
    is mostly story, and the far end of it says little about what is asked (and costs)."""
    story = [k for k, w in enumerate(weights) if 0 < w < NEAR_ASKING]
    if len(story) <= STORY_CLAUSES:
        return weights
    asking = [k for k, w in enumerate(weights) if w >= NEAR_ASKING] or [len(weights)]
    nearest = sorted(story, key=lambda k: min(abs(k - a) for a in asking))[:STORY_CLAUSES]
    keep = set(nearest)
    return [0.0 if k in story and k not in keep else w for k, w in enumerate(weights)]


def asked(message: str) -> str:
    """The asking part of the message as one text (the whole message when nothing asks)."""
    parts = clauses(message)
    asking = [c.text for c in parts if c.asking]
    return " ".join(asking) if asking else " ".join(c.text for c in parts if c.weight > 0)


@lru_cache(maxsize=4096)
def joined(message: str) -> tuple[str, ...]:
    """The questions of a message that joins them with "và", "với lại", "còn" ("học trung cấp
    có miễn học phí không và học ở đâu"), each asking on its own; () when it does not."""
    if len(message) > JOINED_CHARS or not _JOINED.search(message):
        return ()
    if not all(_asks_before(message[:m.start()]) for m in _JOINED.finditer(message)):
        return ()
    parts = [p.strip(" ,.?!") for p in _JOINED.split(message)]
    parts = [p for p in parts if p]
    if not 2 <= len(parts) <= JOINED_PARTS or any(
            len(text.content_tokens(p)) < JOINED_PART_WORDS or not _has_cue(_words(p))
            for p in parts):
        return ()
    return tuple(parts)


def _asks_before(head: str) -> bool:
    """The words before a joining "và" / "còn" end a question: the sentence they close asks
    ("có miễn học phí không và học ở đâu") or ends with a comma or a question mark. "Nhà tôi
    còn thiếu nợ" is "still", inside a story, not a second question."""
    head = head.rstrip()
    if head.endswith((",", "?")):
        return True
    last = _SENTENCE.split(head)[-1] if head else ""
    return _has_cue(_words(last))
