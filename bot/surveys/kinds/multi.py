"""Several choices, ticked one tap at a time, then "Xong"."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.surveys import model
from bot.surveys.kinds import Base, Cell, Context, Screen


class Multi(Base):
    def screen(self, ctx: Context) -> Screen:
        q, s = ctx.question, ctx.survey
        out = Screen()
        if q.max is not None:
            out.lines.append(messages.SURVEY_MULTI_LIMIT.format(n=int(q.max)))
        chosen = set(ctx.current or [])
        for c in model.choices_for(q, ctx.answers):
            on = c.code in chosen
            # The choice says which state it sets, so a tap delivered twice changes nothing.
            out.rows.append((ctx.choice(("✅ " if on else "▫️ ") + c.label, "t", s.id, q.id,
                                        c.code, "0" if on else "1"),))
        out.rows.append((ctx.choice(messages.SURVEY_DONE_MULTI, "x", s.id, q.id),))
        return out

    def label(self, question: model.Question, value: Any) -> str:
        return ", ".join(c.label for c in question.choices if c.code in set(value)) or "—"

    def columns(self, question: model.Question, text: str) -> list[str]:
        return [f"{question.id}:{c.code} {c.label}" for c in question.choices]

    def cells(self, question: model.Question, value: Any) -> list[Cell]:
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        return [1 if c.code in chosen else 0 for c in question.choices]
