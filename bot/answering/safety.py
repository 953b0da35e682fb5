"""Messages in which a child may be in danger, or that ask for help with something illegal.

Read once, first, for every typed message: before survey text, before the answer cache and
before topic ranking. The wording lives in knowledge/data/safety.yaml so that a counsellor can
extend it without code; each cue is a small pattern over the same canonical text the engine
reads (accents folded, teencode and Southern forms expanded), so "muốn chết", "muon chet" and
"mún chít" are one cue. Missing a crisis is worse than a false alarm: cues are broad, and only
idioms ("mệt muốn chết") and explicit framings ("có đúng luật không") hold them back.
A word typed with accents is read with them (safety_marks.py): a cue word that raises a message
does not match an ordinary word typed with a mark it lacks ("dễ" is no "để", "chị" no "chỉ");
one typed without accents, or with fewer, matches as before.

Pattern syntax (one string per cue):
  words         whole words, in order: `không muốn sống`
  (a|b c)       one of the alternatives; `(...)?` makes the group optional
  ~ or ~N       up to 3 (or N) other words in between: `muốn ~ chết`
  -word         the next word is not this one: `giả -đình` (folded, "gia đình" is not "giả")
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from bot.answering import yamlfile
from bot.answering.safety_marks import plain, read_marked, stem, word_pattern
from bot.answering.safety_model import NONE, SafetyModel
from bot.answering.text import analyze, canonical, normalize
from bot.answering.yamlfile import Problem

SAFETY_FILE = ("data", "safety.yaml")
DEFAULT_GAP = 3
NEAR = 20  # words: how far a framing reaches (a short message is framed by it as a whole)
MAX_GAP = 12
LENIENT = "\0"  # a memo key's prefix: the cue compiled to read words folded
# A laughing emoticon or emoji: a joke the writer flags ("chắc tự tử quá =))"). Reading drops
# them, so they are looked for in the message as typed.
_LAUGHS = r"[=:;]\)\)|:v\b|\bxD\b|[\U0001F602\U0001F923\U0001F606\U0001F601{}]"
_LAUGH = re.compile(_LAUGHS.format("\U0001F605"))
# A phrase in quotation marks in a message that laughs ("nó nói đậu EPS thì nó 'tự sát' 😂") is
# someone's joke repeated: every labelled set and the safety corpus hold 21 such messages, all
# ordinary. Not the nervous 😅: a threat quoted beside it may be real.
_JOKING = re.compile(_LAUGHS.format(""))
_QUOTED = re.compile(r"[\"“”]([^\"“”]{1,80})[\"“”]|(?<!\w)['‘’]([^'‘’]{1,80})['‘’](?!\w)")
_TOKEN = re.compile(r"\(|\)\?|\)|\||~\d*|-[^\s()|~]+|[^\s()|~]+")


class Concern(StrEnum):
    SELF_HARM = "self-harm"
    ABUSE = "abuse"
    DANGER = "danger"
    ILLEGAL = "illegal"


CRISES = (Concern.SELF_HARM, Concern.DANGER, Concern.ABUSE)  # checked in this order


@dataclass(frozen=True)
class Finding:
    """What the message was read as: the concern, the legal-way topic of an illegal request,
    and whether the person seems to be (or to speak of someone) working or living abroad."""

    concern: Concern
    topic: str | None = None
    abroad: bool = False
    risk: str | None = None  # an illegal request: what the law says and what happens

    @property
    def crisis(self) -> bool:
        return self.concern is not Concern.ILLEGAL


class PatternError(ValueError):
    pass


def _words(words: list[str], strict: bool) -> str:
    """A run of plain words, read as messages are read; `strict`: each matches a word typed
    without accents or with its own only (safety_marks.py), else any word folded alike."""
    for word in words:
        if not normalize(word):  # punctuation, or a list item run into the line above
            raise PatternError(f"'{word}' không phải là chữ")
    read = read_rules(" ".join(words)) if strict else read_canonical(" ".join(words))
    return "".join(word_pattern(w) + " " for w in read.split())


def _operator(tok: str, strict: bool) -> str:
    """The regular expression of one operator token: ( ) )? | ~N -word."""
    if tok in ("(", ")", ")?", "|"):
        return "(?:" if tok == "(" else tok
    if tok.startswith("-"):  # the next word is not this one ("giả", not "gia đình")
        return "(?!" + _words([tok[1:]], strict) + ")"
    gap = int(tok[1:]) if len(tok) > 1 else DEFAULT_GAP
    if gap > MAX_GAP:
        raise PatternError(f"'~{gap}' quá xa (tối đa ~{MAX_GAP})")
    return rf"(?:\S+ ){{0,{gap}}}"


def compile_pattern(pattern: str, strict: bool = True) -> str:
    """One cue as a regular expression over " word word ... " (the rules' text, spaced).
    `strict`: a cue that raises a message reads typed accents; a framing or an idiom that holds
    one back (`strict=False`) reads words folded, as it was written to ("khó" for "khổ")."""
    out: list[str] = []
    words: list[str] = []
    depth = 0
    for tok in _TOKEN.findall(pattern):
        if tok[0] not in "()|~-":
            words.append(tok)
            continue
        out.append(_words(words, strict))
        words = []
        depth += {"(": 1, ")": -1, ")?": -1}.get(tok, 0)
        if depth < 0:
            raise PatternError("thừa dấu ')'")
        out.append(_operator(tok, strict))
    out.append(_words(words, strict))
    if depth:
        raise PatternError("thiếu dấu ')'")
    body = "".join(out)
    if not re.sub(r"[(?:)|!]|\\S\+ |\{0,\d+\}", "", body).strip():
        raise PatternError("mẫu không có chữ nào")
    return body  # a valid expression by construction (words escaped, groups balanced)


Firsts = frozenset[str] | None  # the words a cue can start with; None: any word


class _Starts:
    """Reads a cue's tokens for the words a match can start with."""

    def __init__(self, pattern: str) -> None:
        self.tokens = _TOKEN.findall(pattern)
        self.pos = 0

    def _run(self, first: str) -> str:
        """The first word of a run of plain words, read as compile_pattern reads the run."""
        run = [first]
        while self.pos < len(self.tokens) and self.tokens[self.pos][0] not in "()|~-":
            run.append(self.tokens[self.pos])
            self.pos += 1
        return read_canonical(" ".join(run)).split()[0]

    def seq(self) -> tuple[set[str] | None, bool]:
        """First words of a sequence up to `|` or `)`, and whether it can match nothing."""
        found: set[str] = set()
        open_ = True  # nothing that must match has been read yet
        while self.pos < len(self.tokens) and self.tokens[self.pos] not in ("|", ")", ")?"):
            tok = self.tokens[self.pos]
            self.pos += 1
            if not open_ or tok.startswith("-"):
                continue
            if tok.startswith("~"):
                return None, True
            if tok == "(":
                sub, open_ = self.group()
                if sub is None:
                    return None, True
                found |= sub
            else:
                found.add(self._run(tok))
                open_ = False
        return found, open_

    def group(self) -> tuple[set[str] | None, bool]:
        found: set[str] | None = set()
        empty = False
        while True:
            sub, sub_empty = self.seq()
            found = None if found is None or sub is None else found | sub
            empty = empty or sub_empty
            tok = self.tokens[self.pos] if self.pos < len(self.tokens) else ")"
            self.pos += 1
            if tok != "|":
                return found, empty or tok == ")?"


def first_words(pattern: str) -> Firsts:
    """The words a match of this cue can start with (None when it may start anywhere): a
    message is only searched for the cues one of its words can start."""
    found, empty = _Starts(pattern).seq()
    return None if found is None or empty else frozenset(found)


class Cues:
    """Alternative cues, each compiled when first needed and searched only when a word of the
    message can start it: a message is checked against a handful of cues, not hundreds, and a
    process that reads no message (`kb check`, exports) compiles none."""

    def __init__(self, bodies: list[str], firsts: list[Firsts]) -> None:
        self.bodies = tuple(bodies)
        self.firsts = tuple(firsts)
        self._compiled: list[re.Pattern[str] | None] = [None] * len(bodies)
        self._anywhere = [i for i, f in enumerate(firsts) if f is None]
        self._by_word: dict[str, list[int]] = {}
        for i, f in enumerate(firsts):
            for word in f or ():
                self._by_word.setdefault(word, []).append(i)
        self._vocabulary = frozenset(self._by_word)
        self._by_word_compiled: dict[str, re.Pattern[str]] = {}

    def _regex(self, i: int) -> re.Pattern[str]:
        compiled = self._compiled[i]
        if compiled is None:
            compiled = self._compiled[i] = re.compile(" (?:" + self.bodies[i] + ")")
        return compiled

    def _candidates(self, words: frozenset[str]) -> list[int]:
        hit = words & self._vocabulary  # most words of a message start no cue at all
        if not hit:
            return self._anywhere
        found = set(self._anywhere)
        for word in hit:
            found.update(self._by_word[word])
        return sorted(found)  # in file order, as written

    def search(self, text: str, words: frozenset[str]) -> bool:
        """Whether a cue matches: each tried only where one of its first words stands, not
        scanned across the text (a long message holds many words that start some cue)."""
        if any(self._regex(i).search(text) for i in self._anywhere):
            return True
        hit = words & self._vocabulary
        if not hit:
            return False
        starts = _starts(text)
        for word in hit:
            at = starts.get(word)
            if at is not None:
                regex = self._starting(word)
                if any(regex.match(text, i) for i in at):
                    return True
        return False

    def spans(self, text: str, words: frozenset[str]) -> list[tuple[int, int]]:
        """Where the cues match: (first word, last word) by word index."""
        found = [m.span() for i in self._anywhere for m in self._regex(i).finditer(text)]
        starts = _starts(text)
        for word in words & self._vocabulary:
            regex = self._starting(word)
            found += [m.span() for at in starts.get(word, ()) if (m := regex.match(text, at))]
        return [(text.count(" ", 0, a), text.count(" ", 0, b - 1)) for a, b in found]

    def _starting(self, word: str) -> re.Pattern[str]:
        """Every cue that starts with this word, as one expression: one match per place."""
        compiled = self._by_word_compiled.get(word)
        if compiled is None:
            bodies = "|".join(f"(?:{self.bodies[i]})" for i in self._by_word[word])
            compiled = self._by_word_compiled[word] = re.compile(f" (?:{bodies})")
        return compiled

    def remove(self, text: str, words: frozenset[str]) -> str:
        """The text with every match replaced by a placeholder word (a cue is only rewritten
        where it matches at one of its first words: most match nowhere)."""
        for i in self._candidates(words):
            firsts = self.firsts[i]
            if firsts is not None:
                starts = _starts(text)
                regex = self._regex(i)
                # only the first words the text holds (one set operation in C: a cue may
                # start with dozens of words, where a message holds one or two of them)
                if not any(regex.match(text, at) for w in starts.keys() & firsts
                           for at in starts[w]):
                    continue
            text = self._regex(i).sub(" _ ", text)
        return text

    def warm(self) -> None:
        for i in range(len(self.bodies)):
            self._regex(i)
        for word in self._by_word:
            self._starting(word)

    @classmethod
    def joined(cls, *parts: Cues | None) -> Cues | None:
        bodies = [b for p in parts if p for b in p.bodies]
        firsts = [f for p in parts if p for f in p.firsts]
        return cls(bodies, firsts) if bodies else None


@lru_cache(maxsize=16)
def _starts(text: str) -> dict[str, list[int]]:
    """Where each word of a spaced text (" word word ") starts: the offset of its space."""
    found: dict[str, list[int]] = {}
    pos = 0
    for word in text.split(" "):
        if word:
            found.setdefault(stem(word), []).append(pos - 1)
        pos += len(word) + 1
    return found


def near(these: list[tuple[int, int]], those: list[tuple[int, int]]) -> bool:
    """Whether two sets of spans (word indices) come within NEAR words of each other: a
    framing ("có đúng luật không") speaks of what is near it, not of another sentence of a
    long message."""
    return any(b0 <= a1 + NEAR and a0 <= b1 + NEAR for a0, a1 in these for b0, b1 in those)


# Words that turn from what was said to something else (folded): "nhưng", "à mà", "còn một
# chuyện", "còn con thì". A framing of a career question before one ("có hợp pháp không. À mà
# tụi nó sẽ tới nhà đánh em") says nothing of what comes after it.
_TURN = re.compile(r"\b(?:nhung|a ma|con (?:mot )?chuyen|chuyen khac|voi lai|noi that|that ra"
                   r"|con (?:em|e|con|tui|minh|chau|toi|nha) thi)\b")


def _unsaid(calm: list[tuple[int, int]], spans: list[tuple[int, int]],
            text: str) -> list[tuple[int, int]]:
    """Framings or words that all is well, less where a turn ("nhưng", "à mà", `_TURN`) after
    one leads to what was found ("giờ em ổn rồi nhưng dượng lại vô phòng em mỗi tối": the danger
    is the present one)."""
    words = plain(text).split()
    return [(a, b) for a, b in calm
            if not any(b <= s0 and _TURN.search(" ".join(words[b:s0])) for s0, _ in spans)]


def _union(bodies: list[str], firsts: list[Firsts]) -> Cues | None:
    return Cues(bodies, firsts) if bodies else None


@dataclass(frozen=True)
class IllegalGroup:
    name: str
    topic: str
    risk: str
    cues: Cues
    words: frozenset[str] = frozenset()  # what the group is about, canonical: "thi", "visa"

    def mentions(self, text: str, words: frozenset[str]) -> int:
        """How many of the group's words the message holds (text spaced: " word word ")."""
        text = plain(text)
        return sum(1 for w in self.words if (" " in w and f" {w} " in text) or w in words)


@dataclass(frozen=True)
class Detector:
    """The compiled rules; `detect` is a few regular-expression searches."""

    ignore: Cues | None
    crisis: tuple[tuple[Concern, Cues, Cues | None], ...]
    illegal: tuple[IllegalGroup, ...]
    request: Cues | None
    illegal_unless: Cues | None
    abroad: Cues | None
    always: tuple[tuple[Concern, Cues], ...] = ()  # read before idioms and `unless`
    model: SafetyModel | None = None  # the learned second opinion (safety_model.py)
    # The writer's own plan ("tôi tính làm", "e mượn tên bạn"): a framing question after it
    # ("có sao không", "công ty nói được") does not hold back a cue the model reads as illegal.
    intent: Cues | None = None
    # The speaker says there is no danger (`reassured`: a joke they flag, a hardship that is
    # over, a question in general or about helping someone): it holds back a crisis or illegal
    # cue or the model's reading when the model also reads the message as ordinary
    # (REASSURED_VETO), never an `always` cue.
    reassured: Cues | None = None
    # Idioms removed at detection only (`asides`): the model is fitted on its training text with
    # them in it, where the corpus's ordinary messages that hold them teach it they are ordinary
    # ("sống ở quê"); removing them there too would lose that and refit the model (moving the
    # readings of borderline crises) for a change of the rules.
    asides: Cues | None = None
    # A plan to go abroad ("e muốn nghỉ học đi xkld"): near the words that say "abroad", the
    # person is still at home, and the crisis reply's first line is not the embassy's.
    abroad_plans: Cues | None = None
    # What the model's illegal reading needs to outweigh a crisis cue (see _asked_for).
    ILLEGAL_OVER_CRISIS: ClassVar[float | None] = 0.7
    SELF_HARM_YIELD: ClassVar[float | None] = 0.8
    ILLEGAL_SURE: ClassVar[float | None] = 0.8  # ... with no group's cue in the message
    FRAMED_VETO: ClassVar[float | None] = 0.4  # see _ordinary
    # By-author CV (ten authors): 0.6 holds back 9 look-alikes of 3,389 and loses no crisis,
    # also inside 1,000-character messages; 0.45 lost crises there and in safety_eval10.
    REASSURED_VETO: ClassVar[float | None] = 0.6  # see _reassures
    # A model crisis reading this sure (the three crisis classes together) is not held back by
    # a framing ("làm chui", "tìm việc", "tai nạn ... gãy" beside a beating told). By-author CV
    # (eleven authors): crisis 1,590 -> 1,597 of 1,605 (0.95: 1,598; 0.9: 1,599), look-alikes
    # 188 -> 189 of 3,628 at each; illegal and topic questions unchanged. 0.9 raises two framed
    # questions of test_safety_round14 the model reads at 0.93 and 0.949: too near 0.95.
    CRISIS_OVER_FRAMING: ClassVar[float | None] = 0.98

    def warm(self, wait: bool = True) -> None:
        """Fit or load the model and compile every expression now (the bot does, before its
        first message). `wait=False` compiles them in a background thread instead: about 0.3 s
        of a 2-core machine's start that no first message needs whole (each cue it needs is
        compiled on use; compiling one twice in a race is harmless)."""
        if self.model is not None:
            self.model.warm()
        if wait:
            self._compile()
        else:
            threading.Thread(target=self._compile, name="safety-compile", daemon=True).start()

    def _compile(self) -> None:
        every: list[Cues | None] = [self.ignore, self.request, self.illegal_unless, self.abroad,
                                    self.intent, self.reassured, self.asides, self.abroad_plans]
        every += [c for _, cues, unless in self.crisis for c in (cues, unless)]
        every += [g.cues for g in self.illegal] + [a for _, a in self.always]
        for cues in every:
            if cues is not None:
                cues.warm()

    def trained_on(self, messages: Sequence[tuple[str, str | None]]) -> Detector:
        """The same rules with the model trained on its own examples and these labelled
        messages (text, concern or None) instead of the corpus: cross-validation."""
        if self.model is None:
            return self
        return dataclasses.replace(
            self, model=self.model.trained_on(as_read(messages, self.ignore)))

    def detect(self, message: str) -> Finding | None:
        if _JOKING.search(message):
            message = _QUOTED.sub(" ", message)
        # the rules read each word with the accents it was typed with (safety_marks.py)
        text = f" {read_rules(message)} "
        if text == "  ":
            return None
        words = frozenset(plain(text).split())
        for concern, always in self.always:  # plain words no idiom can explain away
            if always.search(text, words):
                return Finding(concern, None, self._abroad(text, words))
        for said in (self.ignore, self.asides):  # idioms and negations say nothing of danger
            if said is not None:
                text = said.remove(text, words)
                words = frozenset(plain(text).split())  # nor do their words signal one
        abroad = self._abroad(text, words)
        calm = self._calm(message, text, words)
        found = self._crisis(text, words, abroad, calm) or \
            self._illegal(text, words, abroad, calm)
        found = found or self._second_opinion(message, text, words, abroad, calm)
        if found is not None and found.concern is Concern.ILLEGAL and len(words) < 2:
            return None  # one word ("GIA", "giả", "lậu") asks for nothing to refuse
        return found

    def _abroad(self, text: str, words: frozenset[str]) -> bool:
        """Whether the person (or someone they speak of) is abroad: a cue that says so, not
        only inside a plan to go (`abroad_plans`)."""
        if self.abroad is None or not self.abroad.search(text, words):
            return False
        plans = self.abroad_plans
        if plans is None or not plans.search(text, words):
            return True
        planned = plans.spans(text, words)
        return any(not near([span], planned) for span in self.abroad.spans(text, words))

    def _calm(self, message: str, text: str, words: frozenset[str]) -> list[tuple[int, int]]:
        """Where the speaker says there is no danger (word spans; a laughing emoticon in a
        short message: everywhere), or none."""
        found = self.reassured.spans(text, words) if self.reassured is not None and \
            self.reassured.search(text, words) else []
        if not found and len(words) <= 2 * NEAR and _LAUGH.search(message):
            found = [(0, len(text.split()))]
        return found

    def _reassures(self, calm: list[tuple[int, int]], spans: list[tuple[int, int]],
                   text: str) -> bool:
        """Whether the speaker's word that all is well (`calm`) stands near what was found
        (`spans`) and the model reads the message as ordinary enough (REASSURED_VETO)."""
        needed = self.REASSURED_VETO
        calm = _unsaid(calm, spans, text)
        if not calm or needed is None or self.model is None or not near(spans, calm):
            return False
        return self.model.probabilities(plain(text)).get(NONE, 0.0) >= needed

    def _crisis(self, text: str, words: frozenset[str], abroad: bool,
                calm: list[tuple[int, int]]) -> Finding | None:
        for concern, cues, unless in self.crisis:
            if cues.search(text, words) and not self._framed(cues, unless, text, words):
                if self._reassures(calm, cues.spans(text, words), text):
                    continue  # "giỡn thôi", "giờ cháu ổn rồi": told, and the model agrees
                if self.model is not None and self.model.overrules(plain(text), crisis=True):
                    return None  # the model is sure it is ordinary: the cue's false alarm
                refusal = self._asked_for(text, words, abroad, concern)
                if refusal is not None:  # "keep my papers so I am not caught"
                    return refusal
                return Finding(concern, None, abroad)
        return None

    def _asked_for(self, text: str, words: frozenset[str], abroad: bool,
                   concern: Concern) -> Finding | None:
        """An illegal act's cue that the model reads as an illegal request outweighs an abuse
        or danger cue (a worker asking how to run from the contract speaks of running away and
        being caught; a bribe of "đưa tiền" near "giữ hồ sơ"): with a request cue when the
        model's likeliest class is illegal, or without one when it is sure (ILLEGAL_OVER_CRISIS).
        A self-harm cue only yields to a request the model is sure of (SELF_HARM_YIELD): folded
        words make some self-harm cues match plain requests, but a crisis must not be lost."""
        if self.model is None or not self.illegal:
            return None
        probs = self.model.probabilities(plain(text))
        if not probs or max(probs, key=lambda k: probs[k]) != Concern.ILLEGAL.value:
            return None
        p = probs[Concern.ILLEGAL.value]
        group = next((g for g in self.illegal if g.cues.search(text, words)), None)
        if group is None:  # no group's cue: only a sure reading, of an abuse or danger cue
            sure = self.ILLEGAL_SURE
            if sure is None or p < sure or concern is Concern.SELF_HARM:
                return None
            group = max(self.illegal, key=lambda g: g.mentions(text, words))
        asks = self.request is not None and self.request.search(text, words)
        if concern is Concern.SELF_HARM:
            needed = self.SELF_HARM_YIELD if asks else None
        else:
            needed = 0.0 if asks else self.ILLEGAL_OVER_CRISIS
        if needed is None or p < needed:
            return None
        return Finding(Concern.ILLEGAL, group.topic, abroad, group.risk)

    def _illegal(self, text: str, words: frozenset[str], abroad: bool,
                 calm: list[tuple[int, int]]) -> Finding | None:
        for group in self.illegal:
            if group.cues.search(text, words):
                if self._reassures(calm, group.cues.spans(text, words), text):
                    return None  # "mua bằng... à không, sách ôn", a question for a lesson
                framed = self._framed(group.cues, self.illegal_unless, text, words)
                asks = self.request is not None and self.request.search(text, words)
                if self.model is not None and self.model.overrules(plain(text)):
                    return None  # the model is sure it is ordinary: a cue's false alarm
                if framed and asks and self._ordinary(text):
                    return None  # a question about the law, a scam or a fake, asked politely
                asks = asks or (framed and self._intends(group.cues, text, words))
                if asks or not framed:
                    seen = self.model.read(plain(text), words) if self.model is not None else None
                    if seen is not None and seen[0] in CRISES:  # a crisis outweighs a refusal
                        return Finding(Concern(seen[0]), None, abroad)
                    return Finding(Concern.ILLEGAL, group.topic, abroad, group.risk)
        return None

    def _ordinary(self, text: str) -> bool:
        """Whether the model reads a framed message as ordinary surely enough that a request
        cue in it ("chỉ giúp", "ở đâu uy tín") asks for the legal way, not the act
        (FRAMED_VETO: the probability of "ordinary" needed; None: never)."""
        needed = self.FRAMED_VETO
        if needed is None or self.model is None:
            return False
        probs = self.model.probabilities(plain(text))
        return bool(probs) and probs.get(NONE, 0.0) >= needed

    def _intends(self, cues: Cues, text: str, words: frozenset[str]) -> bool:
        """Whether the writer states their own plan near the cue (`intent`) and the model's
        likeliest reading is an illegal request: "tôi tính làm, có bị gì không" asks the
        risk of one's own act, "làm bằng giả có bị đi tù không" only the law."""
        if self.intent is None or self.model is None or not self.intent.search(text, words):
            return False
        if not near(cues.spans(text, words), self.intent.spans(text, words)):
            return False
        probs = self.model.probabilities(plain(text))
        return bool(probs) and max(probs, key=lambda k: probs[k]) == Concern.ILLEGAL.value

    @staticmethod
    def _framed(cues: Cues, unless: Cues | None, text: str, words: frozenset[str]) -> bool:
        """Whether a framing (`unless`) holds back what these cues found: one near a match."""
        if unless is None or not unless.search(text, words):
            return False
        spans = cues.spans(text, words)
        return near(spans, _unsaid(unless.spans(text, words), spans, text))

    def _model_framed(self, unless: Cues | None, text: str, words: frozenset[str],
                      turns: bool = False) -> bool:
        """Whether a framing holds back the model's reading: one near a signal word (`turns`:
        not one before a turn, for a crisis; an illegal reading after "nhưng" stays framed, as
        it was: unframed, it raised ordinary long questions)."""
        if unless is None or self.model is None or not unless.search(text, words):
            return False
        signals = self.model.signal_spans(plain(text))
        framing = unless.spans(text, words)
        return near(signals, _unsaid(framing, signals, text) if turns else framing)

    def _second_opinion(self, message: str, text: str, words: frozenset[str], abroad: bool,
                        calm: list[tuple[int, int]]) -> Finding | None:
        """What the model reads in a message no cue caught. A question about the law or a
        victim's rights (`unless`) holds back abuse, danger and illegal readings, never a
        first-person crisis of self-harm nor a crisis reading the model is sure of
        (CRISIS_OVER_FRAMING)."""
        if self.model is None or all(t.stop or not t.text.isalpha() for t in analyze(message)):
            # a pronoun and particles alone ("em đây ạ"), or with only numbers and symbols
            # beside them ("00E"), say nothing for a model
            return None
        seen = self.model.read(plain(text), words)
        if seen is None or self._reassures(calm, self.model.signal_spans(plain(text)), text):
            return None
        concern = Concern(seen[0])
        if concern is Concern.ILLEGAL:
            if not self.illegal:
                return None
            framed = self._model_framed(self.illegal_unless, text, words)
            asks = self.request is not None and self.request.search(text, words)
            if framed and not asks and not (self.intent is not None
                                            and self.intent.search(text, words)):
                return None
            # The model names no group: the one whose words the message holds most (the first
            # group, the papers, when none), for its legal way and its risk.
            group = max(self.illegal, key=lambda g: g.mentions(text, words))
            return Finding(concern, group.topic, abroad, group.risk)
        if concern is not Concern.SELF_HARM and not self._sure_crisis(seen[1]):
            unless = next((u for c, _, u in self.crisis if c is concern), None)
            if self._model_framed(unless, text, words, True):
                return None
        return Finding(concern, None, abroad)

    def _sure_crisis(self, p: float) -> bool:
        """Whether the model's crisis reading is sure enough to outweigh a framing."""
        return self.CRISIS_OVER_FRAMING is not None and p >= self.CRISIS_OVER_FRAMING


NO_RULES = Detector(None, (), (), None, None, None)


@dataclass
class Memo:
    """What reading safety.yaml computes from its text alone: each cue's expression and
    first words, each example as the model reads it (with the idioms and negations `rules`
    it was read with), each signal and group word's canonical form."""

    cues: dict[str, tuple[str, Firsts]] = dataclasses.field(default_factory=dict)
    rules: tuple[str, ...] = ()
    examples: dict[str, str] = dataclasses.field(default_factory=dict)
    words: dict[str, str] = dataclasses.field(default_factory=dict)  # signal and group words

    def valid(self) -> bool:
        # a memo pickled by an older version may lack a field: it is rebuilt, not a crash
        if not all(hasattr(self, f.name) for f in dataclasses.fields(self)):
            return False
        return (isinstance(self.cues, dict) and isinstance(self.examples, dict)
                and isinstance(self.rules, tuple) and isinstance(self.words, dict)
                and all(isinstance(k, str) and isinstance(v, str)
                        for k, v in self.words.items())
                and all(isinstance(k, str) and isinstance(v, tuple) and len(v) == 2
                        and isinstance(v[0], str)
                        and (v[1] is None or isinstance(v[1], frozenset))
                        for k, v in self.cues.items())
                and all(isinstance(k, str) and isinstance(v, str)
                        for k, v in self.examples.items()))


class MemoFile:
    """The Memo of the last start on disk, beside the fitted models: reading ~600 cues and
    ~400 examples through the lexicon was half of a cached start's knowledge load. Keyed by
    the code that reads them and the lexicon (their only inputs besides the text itself); a
    cue or example edited or added is read now and the file rewritten with this read's only.
    A missing, corrupt or unwritable file only means reading them all."""

    def __init__(self) -> None:
        from importlib import resources

        from bot.answering.model_cache import code_digest, default_cache_dir

        h = hashlib.sha256(f"safety memo 1 {code_digest('safety', 'text')}\n".encode())
        h.update(resources.files("bot").joinpath("data/lexicon.yaml").read_bytes())
        self.path = default_cache_dir() / f"safety-read-{h.hexdigest()[:24]}.pickle"

    def read(self) -> Memo:
        from bot.answering.model_cache import cached_only

        found = cached_only(self.path, Memo)
        return found if found is not None and found.valid() else Memo()

    def write(self, known: Memo, now: Memo) -> None:
        from bot.answering.model_cache import write_pickle

        if now != known:
            write_pickle(self.path, now, "safety memo")


# --- loading and checking ----------------------------------------------------------------------
class _Reader:
    """Reads safety.yaml, collecting every problem with its line."""

    def __init__(self, path: Path, rel: str, data: Any,
                 memo: Memo | None = None) -> None:
        self.path, self.rel, self.data = path, rel, data
        self.problems: list[Problem] = []
        self.known = memo or Memo()  # as the last start read them
        self.memo = Memo()  # as read now: the next start's

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.rel, line, message))

    def canonical(self, item: object) -> str:
        """A signal or group word as messages are read ("" if not a string): compounds
        joined as in a message ("hộ chiếu" is "hochieu" there, so "ho chieu" never matched);
        from the memo when the last start read it (~10 ms of a start through the lexicon)."""
        if not isinstance(item, str):
            return ""
        found = self.known.words.get(item)
        if found is None:
            found = read_canonical(item)
        self.memo.words[item] = found
        return found

    def line(self, *loc: int | str) -> int:
        return yamlfile.line_of(self.data, loc, 1)

    def patterns(self, loc: tuple[int | str, ...], required: bool,
                 strict: bool = False) -> Cues | None:
        """The cues at `loc`; `strict` for those that raise a message (compile_pattern)."""
        node: Any = self.data
        for key in loc:
            if isinstance(node, dict):
                node = node.get(key)
            elif isinstance(node, list) and isinstance(key, int) and key < len(node):
                node = node[key]
            else:
                node = None
        where = ".".join(str(k) for k in loc)
        if node is None:
            if required:
                self.add(self.line(*loc), f"{where}: cần ít nhất một mẫu")
            return None
        if not isinstance(node, list) or (required and not node):
            self.add(self.line(*loc), f"{where}: phải là một danh sách mẫu không rỗng")
            return None
        bodies, firsts = [], []
        for i, item in enumerate(node):
            if not isinstance(item, str) or not item.strip():
                self.add(self.line(*loc, i), f"{where}[{i}]: mẫu phải là một chuỗi chữ")
                continue
            try:
                key = item if strict else f"{LENIENT}{item}"
                body, first = self.known.cues.get(key) or (compile_pattern(item, strict),
                                                           first_words(item))
                self.memo.cues[key] = body, first
                bodies.append(body)
                firsts.append(first)
            except PatternError as exc:
                self.add(self.line(*loc, i), f"{where}[{i}] '{item}': {exc}")
        return _union(bodies, firsts)


def read(root: Path, topic_ids: set[str], rel: Callable[[Path], str] = str,
         ordinary: Sequence[str] = (), corpus: Labelled = (),
         digest: str = "") -> tuple[Detector, list[Problem]]:
    """The detector from `root`/data/safety.yaml and the problems found in it (file:line).
    `ordinary`: questions the bot answers (the knowledge base's), the model's ordinary class;
    `corpus`: the training corpus's labelled messages (text, concern or None: ordinary) and
    every ordinary message of its topic files (or what returns them: read only when the model
    is fitted), `digest` its hash (knowledge/training/).

    A missing file is an error: without it no crisis would be recognised."""
    path = root.joinpath(*SAFETY_FILE)
    if not path.exists():
        return NO_RULES, [Problem(rel(path), 0, "thiếu tệp dữ liệu an toàn (data/safety.yaml)")]
    try:
        data = yamlfile.load(path)
    except yamlfile.YamlError as exc:
        return NO_RULES, [Problem(rel(path), exc.problem.line, exc.problem.message)]
    memo = MemoFile()
    r = _Reader(path, rel(path), data, memo.read())
    if not isinstance(data, dict):
        r.add(1, "safety.yaml phải là một bảng (mapping)")
        return NO_RULES, r.problems
    known = {"idioms", "negations", "abroad", "abroad_plans", "concerns", "illegal",
             "examples", "model", "reassured", "asides"}
    for key in data:
        if key not in known:
            r.add(r.line(key), f"khoá lạ '{key}' (dùng: {', '.join(sorted(known))})")
    idioms, negations = (r.patterns((key,), required=True) for key in ("idioms", "negations"))
    ignore = Cues.joined(idioms, negations)
    crisis, always = _read_crisis(r)
    groups = _read_groups(r, topic_ids)
    request = r.patterns(("illegal", "request"), required=True, strict=True)
    illegal_unless = r.patterns(("illegal", "unless"), required=False)
    intent = r.patterns(("illegal", "intent"), required=False, strict=True)
    abroad = r.patterns(("abroad",), required=True)
    reassured = r.patterns(("reassured",), required=False)
    asides = r.patterns(("asides",), required=False)
    abroad_plans = r.patterns(("abroad_plans",), required=False)
    model = _read_model(r, ordinary, ignore, corpus, digest)
    memo.write(r.known, r.memo)
    return Detector(ignore, tuple(crisis), tuple(groups), request, illegal_unless,
                    abroad, always, model, intent, reassured, asides, abroad_plans), r.problems


EXAMPLE_KEYS = (*(c.value for c in Concern), NONE)
MIN_EXAMPLES = 5


def _as_read(message: str, ignore: Cues | None) -> str:
    """A message as the model reads it in `detect`: canonical, idioms and negations removed."""
    text = f" {read_canonical(message)} "
    if ignore is not None:
        text = ignore.remove(text, frozenset(text.split()))
    return text.strip()


# "giá" (a price) folds onto "gia" like "giả" (fake): "dịch thuật hồ sơ giá bao nhiêu" asked
# for forged papers. Typed with its accent it is the price: the rules read it as "giatien".
_PRICE = re.compile(r"(?<!\w)giá(?!\w)")
# "lâu" (long, "mất bao lâu") folds onto "lậu" (smuggled, fake): typed with its accent, or
# after "bao" without, it is time ("làm hộ chiếu mất bao lâu" was a forged-paper request).
_LONG = re.compile(r"(?<!\w)(?:lâu|(?<=bao )lau)(?!\w)")
# "hộ chiếu" (a passport) holds "hộ" (on someone's behalf, "thi hộ", "làm hộ"): one word.
_PASSPORT = re.compile(r"(?<!\w)h[ộo] chi[ếe]u(?!\w)")


# Compounds holding a cue or signal word that say nothing of one: playing an instrument, rating
# a school, sleepy, a cigarette, Sunday, a homeroom teacher, a school's partner or results
# ("đánh giá" was a beating, "buồn ngủ" sadness, "chủ nhiệm" a boss, "liên kết" folded "kẹt"):
# read as one word, typed with their accents or, where no other reading folds onto them,
# without ("danh may" may be "đánh mày", "ket qua" "kẹt quá").
_COMPOUND = re.compile(
    r"(?<!\w)(?:đánh (?:giá|đàn|trống|máy|vần|răng|dấu|cờ|võ|nguội|cầu lông|bóng bàn|bóng chuyền)"
    r"|danh (?:gia|dan|van|rang)|bu[ồo]n ng[ủu]|thu[ốo]c l[áa]"
    r"|chủ (?:nhật|nhiệm|đề|yếu|động|tịch)|chu (?:nhat|nhiem|de|yeu|dong)"
    r"|(?:liên|tổng|cam|đoàn|sơ) kết|kết (?:quả|thúc|nối|luận|bạn)"
    r"|(?:lien|tong|cam|doan) ket|ket (?:thuc|luan))(?!\w)")


def _reading(message: str) -> str:
    text = _COMPOUND.sub(lambda m: m[0].replace(" ", ""), normalize(message))
    text = _PRICE.sub("giátiền", text)
    return _PASSPORT.sub("hộchiếu", _LONG.sub("lâuthờigian", text))


def read_canonical(message: str) -> str:
    """The canonical text the model reads (and the rules, less the typed accents)."""
    return canonical(_reading(message))


def read_rules(message: str) -> str:
    """The canonical text the rules read: each word typed with accents marked with them."""
    return read_marked(_reading(message))


Labelled = Sequence[tuple[str, str | None]] | Callable[[], Sequence[tuple[str, str | None]]]


def _read_model(r: _Reader, ordinary: Sequence[str], ignore: Cues | None,
                corpus: Labelled, digest: str) -> SafetyModel | None:
    """The learned second opinion: `examples` (a list of messages per concern and `none`)
    and `model` (`threshold`, `signals`, ...). Both are optional; when one is there, both are."""
    if r.data.get("examples") is None and r.data.get("model") is None:
        return None
    pairs = _read_examples(r, ignore)
    settings = _read_settings(r)
    if settings is None:
        return None
    signals, threshold, illegal, options = settings

    def read(messages: Sequence[tuple[str, str | None]], from_corpus: bool
             ) -> list[tuple[str, str]]:
        return _corpus_as_read(messages, ignore, digest) if from_corpus else \
            as_read(messages, ignore)

    texts = corpus if callable(corpus) else lambda: corpus

    # The knowledge base's questions and the corpus are read (canonicalised) only when the
    # model is fitted: a fit from the disk cache needs only their hash.
    return SafetyModel.written(pairs, ordinary, texts, read, signals, threshold, illegal,
                               digest=digest, rules=ignore.bodies if ignore else (), **options)


# The corpus as the model reads it, per corpus digest and idiom rules: its thousands of messages
# are canonicalised once in a process, not at every load of the knowledge base (tests and
# commands load it often; the lexicon does not change within a process).
_CORPUS_READ: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = {}


def _corpus_as_read(corpus: Sequence[tuple[str, str | None]], ignore: Cues | None, digest: str
                    ) -> list[tuple[str, str]]:
    if not digest:
        return as_read(corpus, ignore)
    key = (digest, ignore.bodies if ignore is not None else ())
    found = _CORPUS_READ.get(key)
    if found is None:
        found = _CORPUS_READ[key] = as_read(corpus, ignore)
    return found


def as_read(messages: Sequence[tuple[str, str | None]], ignore: Cues | None
            ) -> list[tuple[str, str]]:
    """Labelled messages (text, concern or None) as the model reads and learns them."""
    pairs = [(_as_read(text, ignore), concern or NONE) for text, concern in messages]
    return [(canon, label) for canon, label in pairs if canon]


def _read_examples(r: _Reader, ignore: Cues | None) -> list[tuple[str, str]]:
    examples = r.data.get("examples")
    pairs: list[tuple[str, str]] = []
    if not isinstance(examples, dict):
        r.add(r.line("examples"), "examples: cần một bảng (self-harm, abuse, danger, illegal, "
                                  "none), mỗi khoá là một danh sách câu")
        return pairs
    for key in examples:
        if key not in EXAMPLE_KEYS:
            r.add(r.line("examples", key),
                  f"examples: khoá lạ '{key}' (dùng: {', '.join(EXAMPLE_KEYS)})")
    rules = ignore.bodies if ignore else ()
    known = r.known.examples if r.known.rules == rules else {}
    r.memo.rules = rules
    for key in EXAMPLE_KEYS:
        node = examples.get(key)
        if not isinstance(node, list) or len(node) < MIN_EXAMPLES:
            r.add(r.line("examples", key) if key in examples else r.line("examples"),
                  f"examples.{key}: cần một danh sách ít nhất {MIN_EXAMPLES} câu")
            continue
        for i, item in enumerate(node):
            canon = "" if not isinstance(item, str) else \
                known[item] if item in known else _as_read(item, ignore)
            if canon:
                r.memo.examples[str(item)] = canon
            if not canon:
                r.add(r.line("examples", key, i), f"examples.{key}[{i}]: phải là một câu chữ")
                continue
            pairs.append((canon, key))
    return pairs


def _number(r: _Reader, settings: dict[str, Any], key: str) -> float | None:
    """A probability setting of `model` (strictly between 0 and 1), or None if it is wrong."""
    value = settings.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        r.add(r.line("model", key), f"model.{key}: phải là một số giữa 0 và 1")
        return None
    return float(value)


MODEL_KEYS = ("threshold", "illegal_threshold", "unsignalled", "veto", "crisis_veto",
              "long_threshold", "long_illegal_threshold", "long_veto", "long_crisis_veto",
              "signals")
Settings = tuple[list[str], float, float | None, dict[str, float]]


def _read_settings(r: _Reader) -> Settings | None:
    """(signals, threshold, illegal_threshold, {the optional ones}) from `model`,
    or None when they are missing or wrong."""
    settings = r.data.get("model")
    if not isinstance(settings, dict):
        r.add(r.line("model"), "model: cần threshold (0..1) và signals (danh sách từ)")
        return None
    for key in settings:
        if key not in MODEL_KEYS:
            r.add(r.line("model", key), f"model: khoá lạ '{key}' (dùng: {', '.join(MODEL_KEYS)})")
    threshold = _number(r, settings, "threshold")
    illegal = _number(r, settings, "illegal_threshold") if "illegal_threshold" in settings \
        else None
    options = {}
    for key in ("unsignalled", "veto", "crisis_veto", "long_threshold", "long_illegal_threshold",
                "long_veto", "long_crisis_veto"):  # optional
        value = _number(r, settings, key) if key in settings else None
        if value is not None:
            options[key] = value
    signals: list[str] = []
    raw_signals = settings.get("signals")
    if not isinstance(raw_signals, list) or not raw_signals:
        r.add(r.line("model", "signals"), "model.signals: cần một danh sách từ không rỗng")
        raw_signals = []
    for i, item in enumerate(raw_signals):
        canon = r.canonical(item)
        if not canon:
            r.add(r.line("model", "signals", i), f"model.signals[{i}]: phải là một từ")
            continue
        signals.append(canon)
    return (signals, threshold, illegal, options) if threshold is not None and signals else None


Crisis = tuple[tuple[Concern, Cues, Cues | None], ...]
Always = tuple[tuple[Concern, Cues], ...]


def _read_crisis(r: _Reader) -> tuple[Crisis, Always]:
    concerns = r.data.get("concerns")
    if not isinstance(concerns, dict):
        r.add(r.line("concerns"), "concerns: cần self-harm, abuse và danger")
        return (), ()
    for key in concerns:
        if key not in {c.value for c in CRISES}:
            r.add(r.line("concerns", key), f"concerns: '{key}' không phải self-harm, abuse, danger")
    crisis, always = [], []
    for concern in CRISES:
        if concern.value not in concerns:
            r.add(r.line("concerns"), f"concerns: thiếu '{concern.value}'")
            continue
        node = concerns[concern.value]
        for key in node if isinstance(node, dict) else ():
            if key not in ("cues", "unless", "always"):
                r.add(r.line("concerns", concern.value, key),
                      f"concerns.{concern.value}: khoá lạ '{key}' (dùng: cues, unless, always)")
        cues = r.patterns(("concerns", concern.value, "cues"), required=True, strict=True)
        unless = r.patterns(("concerns", concern.value, "unless"), required=False)
        if cues is not None:
            crisis.append((concern, cues, unless))
        first = r.patterns(("concerns", concern.value, "always"), required=False, strict=True)
        if first is not None:
            always.append((concern, first))
    return tuple(crisis), tuple(always)


def _read_groups(r: _Reader, topic_ids: set[str]) -> tuple[IllegalGroup, ...]:
    illegal = r.data.get("illegal")
    raw_groups = illegal.get("groups") if isinstance(illegal, dict) else None
    if not isinstance(raw_groups, list) or not raw_groups:
        r.add(r.line("illegal"), "illegal.groups: cần ít nhất một nhóm (name, topic, cues)")
        return ()
    groups = []
    for i, raw in enumerate(raw_groups):
        at = r.line("illegal", "groups", i)
        if not isinstance(raw, dict):
            r.add(at, f"illegal.groups[{i}]: phải có name, topic, cues")
            continue
        name, topic, risk = raw.get("name"), raw.get("topic"), raw.get("risk")
        if not isinstance(name, str) or not name.strip():
            r.add(at, f"illegal.groups[{i}]: thiếu name")
        if not isinstance(risk, str) or not risk.strip():
            r.add(at, f"illegal.groups[{i}]: thiếu risk (luật nói gì, người làm gặp gì)")
        if not isinstance(topic, str) or topic not in topic_ids:
            r.add(r.line("illegal", "groups", i, "topic"),
                  f"illegal.groups[{i}]: topic '{topic}' không tồn tại (nút cách làm đúng luật)")
        for key in raw:
            if key not in ("name", "topic", "risk", "cues", "words"):
                r.add(r.line("illegal", "groups", i, key), f"illegal.groups[{i}]: khoá lạ "
                      f"'{key}' (dùng: name, topic, risk, cues, words)")
        cues = r.patterns(("illegal", "groups", i, "cues"), required=True, strict=True)
        if cues is not None and isinstance(topic, str):
            groups.append(IllegalGroup(str(name), topic, str(risk).strip(), cues,
                                       _group_words(r, raw.get("words"), i)))
    return tuple(groups)


def _group_words(r: _Reader, raw: Any, i: int) -> frozenset[str]:
    """A group's optional `words` (what a message about it says), read as messages are read."""
    if raw is None:
        return frozenset()
    if not isinstance(raw, list):
        r.add(r.line("illegal", "groups", i, "words"),
              f"illegal.groups[{i}].words: phải là một danh sách từ")
        return frozenset()
    found = set()
    for j, item in enumerate(raw):
        canon = r.canonical(item)
        if not canon:
            r.add(r.line("illegal", "groups", i, "words", j),
                  f"illegal.groups[{i}].words[{j}]: phải là một từ")
            continue
        found.add(canon)
    return frozenset(found)


# --- measuring: the goals of the evaluation sets (tests/data/safety_*.yaml, bench/safety.py) -----
CRISIS_RECALL_GOAL = 0.97
ILLEGAL_REFUSED_GOAL = 0.90
FALSE_ALARM_GOAL = 0.05


@dataclass(frozen=True)
class Score:
    """How a detector reads a labelled set: {"text", "concern"} items, concern "none" for a
    message that must be answered as usual."""

    crisis: int
    crisis_found: int  # read as a crisis (any of the three): the crisis reply is shown
    illegal: int
    illegal_refused: int
    benign: int
    false_alarms: int
    exact: dict[str, tuple[int, int]]  # per concern: (read as exactly that concern, total)
    missed: tuple[str, ...]  # the texts read wrongly, for whoever extends the wording

    @property
    def crisis_recall(self) -> float:
        return self.crisis_found / self.crisis if self.crisis else 1.0

    @property
    def illegal_rate(self) -> float:
        return self.illegal_refused / self.illegal if self.illegal else 1.0

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarms / self.benign if self.benign else 0.0

    @property
    def meets_goals(self) -> bool:
        return (self.crisis_recall >= CRISIS_RECALL_GOAL
                and self.illegal_rate >= ILLEGAL_REFUSED_GOAL
                and self.false_alarm_rate <= FALSE_ALARM_GOAL)


def score(detector: Detector, items: Sequence[dict[str, Any]]) -> Score:
    counts = {"crisis": 0, "crisis_found": 0, "illegal": 0, "illegal_refused": 0, "benign": 0,
              "false_alarms": 0}
    exact: dict[str, list[int]] = {}
    missed = []
    for item in items:
        want = item["concern"] or "none"  # a set may write an ordinary message's concern as null
        found = detector.detect(item["text"])
        got = found.concern.value if found else "none"
        cell = exact.setdefault(want, [0, 0])
        cell[0] += got == want
        cell[1] += 1
        if want == "none":
            counts["benign"] += 1
            counts["false_alarms"] += found is not None
            right = found is None
        elif want == Concern.ILLEGAL.value:
            counts["illegal"] += 1
            right = got == want
            counts["illegal_refused"] += right
        else:
            counts["crisis"] += 1
            right = found is not None and found.crisis
            counts["crisis_found"] += right
        if not right:
            missed.append(f"[{want} -> {got}] {item['text']}")
    return Score(**counts, exact={k: (v[0], v[1]) for k, v in exact.items()},
                 missed=tuple(missed))
