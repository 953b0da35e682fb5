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
    model_config = ConfigDict(frozen=True, extra="forbid")


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
class Corpus:
    messages: tuple[Message, ...] = ()
    conversations: tuple[Conversation, ...] = ()
    safety: tuple[SafetyMessage, ...] = ()
    digest: str = ""  # a hash of the files as read: models trained on them are keyed by it

    def __len__(self) -> int:
        return len(self.messages) + sum(len(c.turns) for c in self.conversations) + len(
            self.safety)


EMPTY = Corpus()


def read(root: Path, ids: set[str], rel: Callable[[Path], str]) -> tuple[Corpus, list[Problem]]:
    """The corpus under root/training, and every problem found in it (file and line)."""
    folder = root / "training"
    problems: list[Problem] = []
    digest = hashlib.sha256()
    topics: list[_TopicFile] = []
    safety: list[_SafetyFile] = []
    for path in sorted((folder / "topics").glob("*.yaml")):
        digest.update(b"topics/" + path.name.encode() + path.read_bytes())
        raw, parsed = _parse(path, _TopicFile, rel, problems)
        if isinstance(parsed, _TopicFile):
            topics.append(parsed)
            problems += _unknown_ids(parsed, raw, ids, rel(path))
    for path in sorted((folder / "safety").glob("*.yaml")):
        digest.update(b"safety/" + path.name.encode() + path.read_bytes())
        _, parsed = _parse(path, _SafetyFile, rel, problems)
        if isinstance(parsed, _SafetyFile):
            safety.append(parsed)
    corpus = Corpus(
        messages=tuple(m for f in topics for m in f.messages),
        conversations=tuple(c for f in topics for c in f.conversations),
        safety=tuple(m for f in safety for m in f.messages),
        digest=digest.hexdigest()[:24])
    return corpus, problems


def _parse(path: Path, model: type[_TopicFile] | type[_SafetyFile],
           rel: Callable[[Path], str], problems: list[Problem]) -> tuple[Any, _Model | None]:
    try:
        raw = yamlfile.load(path)
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
