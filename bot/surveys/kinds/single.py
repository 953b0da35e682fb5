"""One choice among several; the chosen one is ticked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import intents as i
from bot.surveys import model
from bot.surveys.kinds import Base, Cell, Context, Screen


class Single(Base):
    has_choices = True
    typed_choice = True

    def screen(self, ctx: Context) -> Screen:
        q, s = ctx.question, ctx.survey
        return Screen(rows=[(ctx.choice(("✅ " if ctx.current == c.code else "") + c.label,
                                        i.SurveyAnswer(s.id, q.id, c.code)),)
                            for c in model.choices_for(q, ctx.answers)])

    def tap(self, question: model.Question, answers: model.Answers, code: str,
            school: Callable[[str], str | None]) -> Any:
        return model.check_choice(question, answers, code)

    def label(self, question: model.Question, value: Any) -> str:
        choice = question.choice(str(value))
        return choice.label if choice else str(value)

    def cells(self, question: model.Question, value: Any, codes: bool) -> list[Cell]:
        return [str(value) if codes else self.label(question, value)]


KIND = Single()
