"""Several choices, ticked one tap at a time, then "Xong"."""

from __future__ import annotations

from typing import Any

from bot import intents as i
from bot import messages
from bot.surveys import model
from bot.surveys.kinds import Base, Cell, Context, Screen, heading


class Multi(Base):
    has_choices = True
    toggles = True

    def screen(self, ctx: Context) -> Screen:
        q, s = ctx.question, ctx.survey
        out = Screen()
        if q.max is not None:
            out.lines.append(messages.SURVEY_MULTI_LIMIT.format(n=int(q.max)))
        chosen = set(ctx.current or [])
        for c in model.choices_for(q, ctx.answers):
            on = c.code in chosen
            # The choice says which state it sets, so a tap delivered twice changes nothing.
            out.rows.append((ctx.choice(("✅ " if on else "▫️ ") + c.label,
                                        i.SurveyToggle(s.id, q.id, c.code, not on)),))
        out.rows.append((ctx.choice(messages.SURVEY_DONE_MULTI, i.SurveyDone(s.id, q.id)),))
        return out

    def label(self, question: model.Question, value: Any) -> str:
        return ", ".join(c.label for c in question.choices if c.code in set(value)) or "—"

    def columns(self, question: model.Question, codes: bool) -> list[str]:
        """As KoBo: one column with the chosen choices, then one 0/1 column per choice named
        "question/choice"."""
        head = heading(question, codes)
        return [head, *(f"{head}/{c.code if codes else c.label}" for c in question.choices)]

    def cells(self, question: model.Question, value: Any, codes: bool) -> list[Cell]:
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        picked = [c for c in question.choices if c.code in chosen]
        # KoBo separates codes with a space; labels hold spaces, so they take a comma
        together = " ".join(c.code for c in picked) if codes \
            else ", ".join(c.label for c in picked)
        return [together, *(1 if c.code in chosen else 0 for c in question.choices)]


KIND = Multi()
