"""The student's school: typed and searched (see SurveyFlow), or confirmed with one tap when a
school link already told it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import intents as i
from bot import messages
from bot.surveys import model
from bot.surveys.kinds import Base, Context, Screen


class School(Base):
    holds_school = True
    typed = True

    def screen(self, ctx: Context) -> Screen:
        q, s, current = ctx.question, ctx.survey, ctx.current
        name = ctx.school_name(current) if isinstance(current, str) else None
        if name is None:
            return Screen()
        return Screen([messages.SURVEY_SCHOOL_KNOWN.format(name=name)],
                      [(ctx.choice(messages.SURVEY_SCHOOL_THIS,
                                   i.SurveyAnswer(s.id, q.id, current)),)])

    def tap(self, question: model.Question, answers: model.Answers, code: str,
            school: Callable[[str], str | None]) -> Any:
        if school(code) is None:
            raise model.InvalidAnswer(messages.SURVEY_STALE_CHOICE)
        return code


KIND = School()
