"""A short typed answer (cleaned of control characters, bounded in length)."""

from __future__ import annotations

from typing import Any

from bot.surveys import model
from bot.surveys.kinds import Base, Context, Screen


class Text(Base):
    typed = True

    def screen(self, ctx: Context) -> Screen:
        current = ctx.current
        return Screen([f"({current})"]) if current is not None else Screen()

    def parse(self, question: model.Question, text: str) -> Any:
        return model.clean_text(question, text)


KIND = Text()
