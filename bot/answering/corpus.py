"""The training corpus in knowledge/training/: messages written by independent authors (people
who read only the topic list, the laws and the province's documents, never the knowledge base or
an evaluation set), for the learned models to learn how people really write.

    knowledge/training/topics/*.yaml   messages: [{q, id, also?, kind?}]   a topic's message
                                       conversations: [{persona, turns: [{q, id, tag}]}]
    knowledge/training/safety/*.yaml   messages: [{text, concern, note?}]  crisis, illegal, none

It is training data only: nothing here is shown to a user or matched as a phrasing. `careerbot kb
check` checks that every id and concern exists; a test checks that no evaluation message was
copied here.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from bot.answering import yamlfile
from bot.answering.yamlfile import Problem

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Tag = Literal["open", "follow", "entity", "switch", "oos", "social"]
CONCERNS = ("self-harm", "abuse", "danger", "illegal")


class _Model(BaseModel):
    # Validators are built on first use: a start with its models cached never parses the
    # corpus (see knowledge._Model).
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)


class Message(_Model):
    """One message and the topic that answers it (None: no topic; `kind` says why)."""

    q: Text
    id: str | None
    also: str | None = None  # a second question in the same message: its topic
    kind: Literal["oos", "social"] | None = None


class Turn(_Model):
    q: Text
    id: str | None
    tag: Tag
    ok: tuple[str, ...] = ()


class Conversation(_Model):
    persona: Text
    turns: tuple[Turn, ...]


class SafetyMessage(_Model):
    text: Text
    concern: Literal["self-harm", "abuse", "danger", "illegal"] | None
    note: str | None = None


class _TopicFile(_Model):
    messages: tuple[Message, ...] = ()
    conversations: tuple[Conversation, ...] = ()


class _SafetyFile(_Model):
    messages: tuple[SafetyMessage, ...] = ()


@dataclass(frozen=True)
class _Parsed:
    messages: tuple[Message, ...] = ()
    conversations: tuple[Conversation, ...] = ()
    safety: tuple[SafetyMessage, ...] = ()


class Corpus:
    """The corpus's messages, parsed when first needed: a process whose models come from the
    disk cache never needs them (parsing the files costs a few tenths of a second)."""

    def __init__(self, messages: tuple[Message, ...] = (),
                 conversations: tuple[Conversation, ...] = (),
                 safety: tuple[SafetyMessage, ...] = (), digest: str = "",
                 parse: Callable[[], _Parsed] | None = None) -> None:
        self.digest = digest  # a hash of the files as read: models trained on them are keyed by it
        self._parsed = None if parse is not None else _Parsed(messages, conversations, safety)
        self._parse = parse
        self._lock = threading.Lock()

    def _read(self) -> _Parsed:
        found = self._parsed
        if found is None:
            with self._lock:
                found = self._parsed
                if found is None:
                    assert self._parse is not None  # noqa: S101 - set when not parsed
                    found = self._parsed = self._parse()
        return found

    @property
    def messages(self) -> tuple[Message, ...]:
        return self._read().messages

    @property
    def conversations(self) -> tuple[Conversation, ...]:
        return self._read().conversations

    @property
    def safety(self) -> tuple[SafetyMessage, ...]:
        return self._read().safety

    def __len__(self) -> int:
        return len(self.messages) + sum(len(c.turns) for c in self.conversations) + len(
            self.safety)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Corpus):
            return NotImplemented
        return self.digest == other.digest and self._read() == other._read()

    def __hash__(self) -> int:
        return hash(self.digest)


EMPTY = Corpus()
CHECKED = ("corpus", "yamlfile")  # the code that reads and checks the files


def read(root: Path, ids: set[str], rel: Callable[[Path], str]) -> tuple[Corpus, list[Problem]]:
    """The corpus under root/training, and every problem found in it (file and line). Files
    already found without a problem (the same bytes, topic ids and checking code: a marker in
    the model cache's folder) are parsed only when their messages are first needed."""
    folder = root / "training"
    paths = [("topics", p) for p in sorted((folder / "topics").glob("*.yaml"))]
    paths += [("safety", p) for p in sorted((folder / "safety").glob("*.yaml"))]
    digest = hashlib.sha256()
    files: list[tuple[str, Path, bytes]] = []  # parsed later from these very bytes
    for kind, path in paths:
        files.append((kind, path, path.read_bytes()))
        digest.update(f"{kind}/".encode() + path.name.encode() + files[-1][2])
    marker = _marker(digest.hexdigest(), ids)
    if marker.exists():
        return Corpus(digest=digest.hexdigest()[:24],
                      parse=lambda: _parse_all(files, ids, rel)[0]), []
    parsed, problems = _parse_all(files, ids, rel)
    if not problems:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # an unwritable cache only means checking the files at every load
    return Corpus(parsed.messages, parsed.conversations, parsed.safety,
                  digest.hexdigest()[:24]), problems


def _marker(digest: str, ids: set[str]) -> Path:
    from bot.answering.model_cache import code_digest, default_cache_dir

    key = hashlib.sha256(f"{digest} {code_digest(*CHECKED)} {sorted(ids)}".encode())
    return default_cache_dir() / f"corpus-{key.hexdigest()[:24]}.checked"


def _parse_all(files: list[tuple[str, Path, bytes]], ids: set[str],
               rel: Callable[[Path], str]) -> tuple[_Parsed, list[Problem]]:
    problems: list[Problem] = []
    topics: list[_TopicFile] = []
    safety: list[_SafetyFile] = []
    for kind, path, data in files:
        if kind == "topics":
            raw, parsed = _parse(path, data, _TopicFile, rel, problems)
            if isinstance(parsed, _TopicFile):
                topics.append(parsed)
                problems += _unknown_ids(parsed, raw, ids, rel(path))
        else:
            _, parsed = _parse(path, data, _SafetyFile, rel, problems)
            if isinstance(parsed, _SafetyFile):
                safety.append(parsed)
    return _Parsed(messages=tuple(m for f in topics for m in f.messages),
                   conversations=tuple(c for f in topics for c in f.conversations),
                   safety=tuple(m for f in safety for m in f.messages)), problems


def _parse(path: Path, data: bytes, model: type[_TopicFile] | type[_SafetyFile],
           rel: Callable[[Path], str], problems: list[Problem]) -> tuple[Any, _Model | None]:
    try:
        raw = yamlfile.load(path, data)
    except yamlfile.YamlError as exc:
        problems.append(Problem(rel(path), exc.problem.line, exc.problem.message))
        return None, None
    try:
        return raw, model.model_validate(raw or {})
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(x) for x in err["loc"]) or "(gốc)"
            problems.append(Problem(rel(path), yamlfile.line_of(raw, err["loc"], 1),
                                    f"{where}: {err['msg']}"))
        return raw, None


def _unknown_ids(parsed: _TopicFile, raw: Any, ids: set[str], file: str) -> list[Problem]:
    """A topic id the knowledge base does not have, where it is named."""
    named: list[tuple[tuple[str | int, ...], str | None]] = []
    for i, m in enumerate(parsed.messages):
        named += [(("messages", i, "id"), m.id), (("messages", i, "also"), m.also)]
    for i, c in enumerate(parsed.conversations):
        for j, t in enumerate(c.turns):
            named.append((("conversations", i, "turns", j, "id"), t.id))
            named += [(("conversations", i, "turns", j, "ok"), k) for k in t.ok]
    return [Problem(file, yamlfile.line_of(raw, loc, 1), f"training: mục '{topic}' không tồn tại")
            for loc, topic in named if topic is not None and topic not in ids]
