"""/unanswered and /stats, for the admins named in the configuration: what the bot could not
answer, which answers were disliked, and how much it is used."""

from __future__ import annotations

from bot import intents as i
from bot import messages
from bot.people.access import admin_refusal
from bot.people.accounts import Account
from bot.screens import Handlers, Screens, text_view
from bot.views import View


def _short_time(iso_time: str) -> str:
    return iso_time[:16].replace("T", " ")


class AdminScreens(Screens):
    def handlers(self) -> Handlers:
        return {i.Unanswered: self.unanswered, i.Stats: self.stats}

    async def unanswered(self, account: Account, intent: i.Intent) -> View:
        svc = self.svc
        refusal = admin_refusal(svc, account)
        if refusal is not None:
            return text_view(refusal)
        lines = [messages.UNANSWERED_HEAD]
        lines += [messages.UNANSWERED_ROW.format(n=n, text=r.text or "", count=r.count,
                                                 last=_short_time(r.last_at))
                  for n, r in enumerate(await svc.asks.unanswered(), 1)] \
            or [messages.UNANSWERED_NONE]
        disliked = await svc.asks.disliked()
        if disliked:
            lines += ["", messages.DISLIKED_HEAD]
            lines += [messages.DISLIKED_ROW.format(entry=d.entry_id, count=d.count,
                                                   question=d.last_question or "—")
                      for d in disliked]
        return text_view("\n".join(lines))

    async def stats(self, account: Account, intent: i.Intent) -> View:
        svc = self.svc
        refusal = admin_refusal(svc, account)
        if refusal is not None:
            return text_view(refusal)
        s = await svc.asks.stats()
        audiences = ", ".join(f"{messages.AUDIENCE_LABELS.get(a, messages.UNKNOWN)}: {n}"
                              for a, n in s.by_audience.items()) or messages.NONE_YET
        per_day = ", ".join(f"{d[8:10]}/{d[5:7]}: {n}" for d, n in s.per_day) \
            or messages.NONE_YET
        top = ", ".join(f"{e} ({n})" for e, n in s.top_topics) or messages.NONE_YET
        safety = ", ".join(f"{d[8:10]}/{d[5:7]}: {n}" for d, n in s.safety_per_day) \
            or messages.NONE_YET
        return text_view(messages.STATS.format(users=s.users, audiences=audiences,
                                               per_day=per_day, rate=round(100 * s.answer_rate),
                                               questions=s.questions, top=top, safety=safety))
