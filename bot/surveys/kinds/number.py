"""A typed number within the question's bounds."""

from __future__ import annotations

from typing import Any

from bot.surveys import model
from bot.surveys.kinds import Base, Cell, Context, Screen, as_number


class Number(Base):
    typed = True

    def screen(self, ctx: Context) -> Screen:
        current = ctx.current
        return Screen([f"({self.label(ctx.question, current)})"]) if current is not None \
            else Screen()

    def parse(self, question: model.Question, text: str) -> Any:
        return model.parse_number(question, text)

    def label(self, question: model.Question, value: Any) -> str:
        return model.format_number(float(value))

    def cells(self, question: model.Question, value: Any, codes: bool) -> list[Cell]:
        return [as_number(value)]


KIND = Number()
