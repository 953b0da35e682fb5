"""Question types, one module each, behind a small registry: what a question of that type
shows, which taps it takes, how a typed answer is read, how an answer reads back and which
spreadsheet columns it fills in an export.

Adding a type is one module here, named for the type, holding its `KIND`: the registry finds
it, and a question's `type` is valid when a module of that name exists.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.intents import Intent
from bot.surveys.model import Answers, InvalidAnswer, Question, Survey, register_type
from bot.views import Choice, Row

Cell = str | int | float  # a spreadsheet cell; text is made formula-safe by the export


@dataclass
class Screen:
    """What a question type adds to its screen: lines under the question, rows of choices."""

    lines: list[str] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class Context:
    survey: Survey
    question: Question
    answers: Answers
    choice: Callable[[str, Intent], Choice]  # (label, what a tap does) -> a Choice
    school_name: Callable[[str], str | None]

    @property
    def current(self) -> Any:
        return self.answers.get(self.question.id)


class Kind(Protocol):
    typed: bool  # answered by typing a message rather than by a tap
    holds_school: bool  # the answer is a school code: the response's school, read by name
    toggles: bool  # several choices, each tap turns one on or off, a last tap moves on
    typed_choice: bool  # a typed choice label ("lớp 9") counts as tapping it
    has_choices: bool  # the question lists its choices (at least two) in the survey file

    def screen(self, ctx: Context) -> Screen: ...

    def tap(self, question: Question, answers: Answers, code: str,
            school: Callable[[str], str | None]) -> Any: ...

    def parse(self, question: Question, text: str) -> Any: ...

    def label(self, question: Question, value: Any) -> str: ...

    def columns(self, question: Question, codes: bool) -> list[str]: ...

    def cells(self, question: Question, value: Any, codes: bool) -> list[Cell]: ...


class Base:
    """Defaults: no tap accepted, no typing, the value shown as it is, one export column."""

    typed = False
    holds_school = False
    toggles = False
    typed_choice = False
    has_choices = False

    def screen(self, ctx: Context) -> Screen:
        return Screen()

    def tap(self, question: Question, answers: Answers, code: str,
            school: Callable[[str], str | None]) -> Any:
        from bot import messages

        raise InvalidAnswer(messages.SURVEY_STALE_CHOICE)

    def parse(self, question: Question, text: str) -> Any:
        from bot import messages

        raise InvalidAnswer(messages.SURVEY_STALE_CHOICE)

    def label(self, question: Question, value: Any) -> str:
        return str(value)

    def columns(self, question: Question, codes: bool) -> list[str]:
        """Export header cells: the question's full text as KoBo exports it, or its id in the
        analysts' codes-only variant."""
        return [heading(question, codes)]

    def cells(self, question: Question, value: Any, codes: bool) -> list[Cell]:
        """An answer's export cells, one per column (an unanswered question leaves them
        empty, which the export does)."""
        return [str(value)]


def heading(question: Question, codes: bool) -> str:
    """A question's column: its id for analysts, else its whole text (never cut)."""
    return question.id if codes else " ".join(question.text.split())


def as_number(value: Any) -> Cell:
    """A stored number as a number cell; anything else stays visible as text."""
    if isinstance(value, bool):  # JSON true/false is no number here
        return str(value)
    if isinstance(value, int | float):
        return value
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return str(value)
    return int(number) if number.is_integer() else number


def label(question: Question, value: Any) -> str:
    """An answer as a person reads it (each question type says how)."""
    return "—" if value is None else kind(question.type).label(question, value)


def names() -> tuple[str, ...]:
    """The question types (a survey question's `type`)."""
    return tuple(sorted(_KINDS))


def kind(name: str) -> Kind:
    return _KINDS[name]


def _load() -> dict[str, Kind]:
    """Every module of this package is a question type, named for it, holding its KIND; each
    is registered with the model, which validates a question's `type` against them. Loaded at
    the end of this module: each type module imports this one for Base, Context and Screen."""
    found: dict[str, Kind] = {}
    for module in pkgutil.iter_modules(__path__):
        found[module.name] = importlib.import_module(f"{__name__}.{module.name}").KIND
        register_type(module.name, found[module.name].has_choices)
    return found


_KINDS = _load()
