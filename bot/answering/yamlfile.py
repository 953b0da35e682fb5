"""Safe YAML loading that remembers line numbers, so that checks can say `file:line: message`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class LineDict(dict[Any, Any]):
    """A mapping from YAML with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict[Any, int]


class LineList(list[Any]):
    """A sequence from YAML with the line of each item (1-based)."""

    line: int = 0
    item_lines: list[int]


# libyaml's parser when pyyaml was built with it (about ten times faster on the knowledge
# base, which every command loads); the constructors, and so the safety, are the same.
_SafeBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):  # type: ignore[valid-type,misc]
    """pyyaml's safe loader; only the containers it builds carry line numbers."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict(loader.construct_mapping(node, deep=True))
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for k, _ in node.value:
        key = loader.construct_object(k, deep=True)
        # pyyaml keeps the last of two equal keys silently: an entry's second "how-much"
        # answer had replaced its first unseen
        if key in result.key_lines:
            raise yaml.constructor.ConstructorError(
                None, None, f"khóa '{key}' lặp lại (dòng {result.key_lines[key]})", k.start_mark)
        result.key_lines[key] = k.start_mark.line + 1
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_sequence(node, deep=True))
    result.line = node.start_mark.line + 1
    result.item_lines = [item.start_mark.line + 1 for item in node.value]
    return result


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)


@dataclass(frozen=True)
class Problem:
    """One error found in a data file."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class YamlError(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def plain(text: str) -> Any:
    """yaml.safe_load with libyaml's parser when there is one (the bot's own data files, read
    at every start: the pure-Python parser took a tenth of a cached start); same values."""
    return yaml.load(text, Loader=_SafeBase)  # noqa: S506 - SafeLoader or CSafeLoader


def load(path: Path, data: bytes | None = None) -> Any:
    """Load one YAML file with line numbers (`data`: its bytes, already read); a syntax error
    becomes a YamlError with its line."""
    try:
        text = path.read_text(encoding="utf-8") if data is None else \
            data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")  # as read_text
    except (OSError, UnicodeDecodeError) as exc:
        raise YamlError(Problem(str(path), 0, f"không đọc được tệp: {exc}")) from exc
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        reason = getattr(exc, "problem", None) or str(exc)
        raise YamlError(Problem(str(path), line, f"YAML không hợp lệ: {reason}")) from exc


def line_of(node: Any, loc: Sequence[int | str], default: int) -> int:
    """The line of the value at `loc` inside a loaded structure (best effort)."""
    line = getattr(node, "line", 0) or default
    for key in loc:
        if isinstance(node, LineDict) and key in node:
            line = node.key_lines.get(key, line)
            node = node[key]
        elif isinstance(node, LineList) and isinstance(key, int) and 0 <= key < len(node):
            line = node.item_lines[key]
            node = node[key]
        else:
            break
    return line
