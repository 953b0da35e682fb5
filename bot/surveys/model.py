"""Surveys as data: the definitions in knowledge/surveys/*.yaml and the pure logic over them.

A survey is a list of questions; each has a type (single, multi, scale, text, number, school),
choices with stable codes, and optional skip rules (`when`: show the question, or a choice, only
if earlier answers match). Answers are plain JSON values keyed by question id: a code, a list of
codes, an integer, a number or a string. Nothing here knows about Telegram or SQLite.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from bot.answering import yamlfile
from bot.answering.yamlfile import LineDict, Problem

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,12}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
TopicId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(\.[a-z0-9-]+)+$")]
Answers = Mapping[str, Any]
MAX_TEXT = 300


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Choice(_Model):
    code: Code
    label: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    when: dict[Code, tuple[Code, ...]] = {}


class Scale(_Model):
    low: Text = "Hoàn toàn không thích"
    high: Text = "Rất thích"


# The question types, one module each in bot/surveys/kinds, which register here as the package
# loads (bot/surveys/__init__.py): a type's name -> whether its questions list their choices.
TYPES: dict[str, bool] = {}


def register_type(name: str, has_choices: bool) -> None:
    TYPES[name] = has_choices


class Question(_Model):
    id: Code
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=600)]
    type: str  # one of the question types, bot/surveys/kinds (one module each)
    required: bool = True
    choices: tuple[Choice, ...] = ()
    when: dict[Code, tuple[Code, ...]] = {}
    min: float | None = None  # number: smallest value; multi: fewest choices
    max: float | None = None  # number: largest value; multi: most choices
    max_length: int = Field(default=100, ge=1, le=MAX_TEXT)  # text answers
    scale: Scale = Scale()
    dimension: Code | None = None  # scored surveys: which dimension the item measures
    hint: Text | None = None

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in TYPES:
            raise ValueError(f"kiểu câu hỏi phải là một trong: {', '.join(sorted(TYPES))}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Question:
        listed = TYPES.get(self.type, False)
        if listed and len(self.choices) < 2:
            raise ValueError("câu hỏi lựa chọn cần ít nhất 2 lựa chọn")
        if not listed and self.choices:
            raise ValueError(f"câu hỏi kiểu {self.type} không có choices")
        codes = [c.code for c in self.choices]
        if len(codes) != len(set(codes)):
            raise ValueError("trùng mã lựa chọn")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min lớn hơn max")
        return self

    def choice(self, code: str) -> Choice | None:
        return next((c for c in self.choices if c.code == code), None)


class ResultType(_Model):
    """One scored dimension (e.g. a RIASEC type) and what to tell the student about it."""

    name: Text
    description: Text
    trades: tuple[Text, ...] = ()
    levels: Text | None = None
    topics: tuple[TopicId, ...] = ()


class ReportMap(_Model):
    """Which questions and codes the school report reads (needs survey only)."""

    grade: Code
    thcs: Code  # the grade code of lớp 9 respondents
    thpt: Code  # the grade code of lớp 12 respondents
    plan: Code
    vocational: tuple[Code, ...]  # plans counted against the THCS -> sơ cấp/trung cấp target
    college: tuple[Code, ...]  # plans counted against the THPT -> cao đẳng target
    abroad: Code  # multi: countries
    trades: Code  # multi: fields of interest
    counsellor: Code
    counsellor_yes: Code


class Survey(_Model):
    id: Code
    version: int = Field(ge=1)
    title: Text
    description: Text
    audience: tuple[Literal["student9", "student12", "parent", "staff"], ...] = Field(min_length=1)
    source: Text
    minutes: int = Field(default=5, ge=1, le=60)
    questions: tuple[Question, ...] = Field(min_length=1)
    results: dict[Code, ResultType] = {}  # scored surveys: one entry per dimension
    top: int = Field(default=3, ge=1, le=6)  # scored surveys: how many top types to show
    report: ReportMap | None = None

    def question(self, qid: str) -> Question | None:
        return next((q for q in self.questions if q.id == qid), None)


# --- skip rules and progress -----------------------------------------------------------------
def _matches(rule: Mapping[str, tuple[str, ...]], answers: Answers) -> bool:
    """Every question named in the rule has an answer among its codes (any, for multi)."""
    for qid, codes in rule.items():
        value = answers.get(qid)
        given = value if isinstance(value, list) else [value]
        if not any(str(v) in codes for v in given if v is not None):
            return False
    return True


def visible(survey: Survey, answers: Answers) -> list[Question]:
    """The questions this respondent is asked, given their answers so far."""
    return [q for q in survey.questions if _matches(q.when, answers)]


def choices_for(question: Question, answers: Answers) -> list[Choice]:
    return [c for c in question.choices if _matches(c.when, answers)]


def relevant(survey: Survey, answers: Answers) -> dict[str, Any]:
    """Only the answers to questions still visible (a changed answer can hide later ones)."""
    shown = {q.id for q in visible(survey, answers)}
    return {k: v for k, v in answers.items() if k in shown}


def next_question(survey: Survey, answers: Answers, skipped: frozenset[str] = frozenset()
                  ) -> Question | None:
    """The first visible question not answered (or skipped) yet; None when complete."""
    for q in visible(survey, answers):
        if q.id not in answers and q.id not in skipped:
            return q
    return None


def previous_question(survey: Survey, answers: Answers, current: str) -> Question | None:
    shown = visible(survey, answers)
    ids = [q.id for q in shown]
    if current not in ids:
        return shown[-1] if shown else None
    index = ids.index(current)
    return shown[index - 1] if index > 0 else None


def _may_match(rule: Mapping[str, tuple[str, ...]], answers: Answers,
               decided: frozenset[str]) -> bool:
    """Like _matches, but a condition on a question not decided yet (neither answered nor
    skipped) may still hold."""
    return all(_matches({qid: codes}, answers) or (qid not in answers and qid not in decided)
               for qid, codes in rule.items())


def applicable(survey: Survey, answers: Answers, skipped: frozenset[str] = frozenset()
               ) -> list[Question]:
    """The questions that apply to this respondent so far: those shown, and those a later
    answer may still bring (a skip rule on a question not reached yet). The total only goes
    down as answers rule questions out, so "Câu 9/9" is never followed by "Câu 10/10"."""
    return [q for q in survey.questions if _may_match(q.when, answers, skipped)]


def position(survey: Survey, answers: Answers, qid: str,
             skipped: frozenset[str] = frozenset()) -> tuple[int, int]:
    """("Câu 3/12"): the question's number among those that apply, and how many apply."""
    ids = [q.id for q in applicable(survey, answers, skipped)]
    return (ids.index(qid) + 1 if qid in ids else len(ids), len(ids))


def missing_required(survey: Survey, answers: Answers) -> list[Question]:
    return [q for q in visible(survey, answers) if q.required and q.id not in answers]


# --- validating an answer ------------------------------------------------------------------------
class InvalidAnswer(ValueError):
    """The message says, in Vietnamese, what is wrong and what to do."""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e"
                      r"\u2060-\u206f\ufeff]")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]", re.UNICODE)


def clean_text(question: Question, raw: str) -> str:
    """A text answer as stored: NFC, trimmed, no control characters; or InvalidAnswer."""
    from bot import messages

    text = unicodedata.normalize("NFC", raw).strip()
    if _CONTROL.search(text):
        raise InvalidAnswer(messages.SURVEY_BAD_CHARACTERS)
    if not text or not _LETTER_OR_DIGIT.search(text):
        raise InvalidAnswer(messages.SURVEY_EMPTY_TEXT)
    if len(text) > question.max_length:
        raise InvalidAnswer(messages.SURVEY_TOO_LONG.format(limit=question.max_length,
                                                            length=len(text)))
    return text


def parse_number(question: Question, raw: str) -> int | float:
    from bot import messages

    text = raw.strip().replace(" ", "").replace(",", ".")
    if not re.fullmatch(r"-?\d{1,9}(\.\d{1,3})?", text):
        raise InvalidAnswer(messages.SURVEY_NOT_A_NUMBER)
    value = float(text)
    if (question.min is not None and value < question.min) or \
            (question.max is not None and value > question.max):
        raise InvalidAnswer(messages.SURVEY_OUT_OF_RANGE.format(
            low=format_number(question.min), high=format_number(question.max)))
    return int(value) if value.is_integer() else value


def format_number(value: float | None) -> str:
    if value is None:
        return "…"
    return str(int(value)) if float(value).is_integer() else str(value).replace(".", ",")


def check_choice(question: Question, answers: Answers, code: str) -> str:
    if code not in {c.code for c in choices_for(question, answers)}:
        from bot import messages

        raise InvalidAnswer(messages.SURVEY_STALE_CHOICE)
    return code


def check_multi(question: Question, answers: Answers, codes: list[str]) -> list[str]:
    from bot import messages

    allowed = [c.code for c in choices_for(question, answers)]
    chosen = [c for c in allowed if c in set(codes)]  # keep the survey's order, drop strays
    low = int(question.min) if question.min is not None else (1 if question.required else 0)
    if len(chosen) < low:
        raise InvalidAnswer(messages.SURVEY_TOO_FEW.format(n=low))
    if question.max is not None and len(chosen) > int(question.max):
        raise InvalidAnswer(messages.SURVEY_TOO_MANY.format(n=int(question.max)))
    return chosen


def check_scale(code: str) -> int:
    if code not in ("1", "2", "3", "4", "5"):
        from bot import messages

        raise InvalidAnswer(messages.SURVEY_STALE_CHOICE)
    return int(code)


# --- showing answers and scores ------------------------------------------------------------------
def scores(survey: Survey, answers: Answers) -> list[tuple[str, int]]:
    """Scored surveys: total per dimension, highest first (ties in the survey's order)."""
    order = list(survey.results)
    totals = dict.fromkeys(order, 0)
    for q in survey.questions:
        if q.dimension and isinstance(answers.get(q.id), int):
            totals[q.dimension] = totals.get(q.dimension, 0) + int(answers[q.id])
    return sorted(totals.items(), key=lambda kv: (-kv[1], order.index(kv[0])
                                                  if kv[0] in order else 99))


def school_year(day: Any) -> str:
    """The school year a date belongs to: it starts in September ("2026-2027")."""
    start = day.year if day.month >= 9 else day.year - 1
    return f"{start}-{start + 1}"


# --- loading and checking ------------------------------------------------------------------------
@dataclass(frozen=True)
class SurveySet:
    surveys: tuple[Survey, ...]

    def get(self, survey_id: str) -> Survey | None:
        return next((s for s in self.surveys if s.id == survey_id), None)

    def for_audience(self, audience: str | None) -> list[Survey]:
        if audience is None:
            return list(self.surveys)
        return [s for s in self.surveys if audience in s.audience]


def _check_questions(survey: Survey, rel: str, at: Callable[..., int]) -> list[Problem]:
    """Unique ids; skip rules only on earlier questions; scored items are scales."""
    problems: list[Problem] = []
    seen: list[str] = []
    for i, q in enumerate(survey.questions):
        if q.id in seen:
            problems.append(Problem(rel, at("questions", i), f"trùng id câu hỏi '{q.id}'"))
        for ref in [*q.when, *(k for c in q.choices for k in c.when)]:
            if ref not in seen:
                problems.append(Problem(rel, at("questions", i, "when"),
                                        f"{q.id}: điều kiện dựa vào '{ref}' "
                                        "không phải câu hỏi đứng trước"))
        if q.dimension and q.dimension not in survey.results:
            problems.append(Problem(rel, at("questions", i, "dimension"),
                                    f"{q.id}: dimension '{q.dimension}' không có trong results"))
        if q.dimension and q.type != "scale":
            problems.append(Problem(rel, at("questions", i, "type"),
                                    f"{q.id}: câu có dimension phải là kiểu scale"))
        seen.append(q.id)
    return problems


def _check_survey(survey: Survey, raw: Any, path: Path, rel: str, topic_ids: set[str]
                  ) -> list[Problem]:
    def at(*loc: int | str) -> int:
        return yamlfile.line_of(raw, loc, 1)

    problems = _check_questions(survey, rel, at)
    for code, result in survey.results.items():
        for topic in result.topics:
            if topic_ids and topic not in topic_ids:
                problems.append(Problem(rel, at("results", code),
                                        f"results.{code}: chủ đề '{topic}' không tồn tại"))
    if survey.report is not None:
        r = survey.report
        for name in ("grade", "plan", "abroad", "trades", "counsellor"):
            if survey.question(getattr(r, name)) is None:
                problems.append(Problem(rel, at("report", name),
                                        f"report.{name}: không có câu hỏi '{getattr(r, name)}'"))
    return problems


def check(root: Path, topic_ids: set[str] | None = None) -> tuple[SurveySet, list[Problem]]:
    """Load knowledge/surveys/*.yaml, with every problem as file:line."""
    folder = root / "surveys"
    surveys: list[Survey] = []
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        rel = str(path.relative_to(root.parent)) if root.parent in path.parents else str(path)
        try:
            raw = yamlfile.load(path)
        except yamlfile.YamlError as exc:
            problems.append(Problem(rel, exc.problem.line, exc.problem.message))
            continue
        if not isinstance(raw, LineDict):
            problems.append(Problem(rel, 1, "tệp khảo sát phải là một mapping (id, questions…)"))
            continue
        from pydantic import ValidationError

        try:
            survey = Survey.model_validate(raw)
        except ValidationError as exc:
            for err in exc.errors():
                where = ".".join(str(x) for x in err["loc"]) or "(gốc)"
                problems.append(Problem(rel, yamlfile.line_of(raw, err["loc"], 1),
                                        f"{where}: {err['msg']}"))
            continue
        problems += _check_survey(survey, raw, path, rel, topic_ids or set())
        if any(s.id == survey.id for s in surveys):
            problems.append(Problem(rel, 1, f"trùng id khảo sát '{survey.id}'"))
        surveys.append(survey)
    return SurveySet(tuple(surveys)), problems
