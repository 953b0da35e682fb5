"""A 1-5 rating, all five in one row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import intents as i
from bot.surveys import model
from bot.surveys.kinds import Base, Cell, Context, Screen, as_number


class Scale(Base):
    def screen(self, ctx: Context) -> Screen:
        q, s = ctx.question, ctx.survey
        return Screen(rows=[tuple(ctx.choice(("✅" if ctx.current == n else "") + str(n),
                                             i.SurveyAnswer(s.id, q.id, str(n)))
                                  for n in range(1, 6))])

    def tap(self, question: model.Question, answers: model.Answers, code: str,
            school: Callable[[str], str | None]) -> Any:
        return model.check_scale(code)

    def cells(self, question: model.Question, value: Any, codes: bool) -> list[Cell]:
        return [as_number(value)]


KIND = Scale()
