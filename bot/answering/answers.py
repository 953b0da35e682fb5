"""Turn an engine result into what a user reads: text, sources, details and suggestions.

Pure and shared: the terminal chat, `careerbot ask --json` and the Telegram handlers all show
the same reply for the same question.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import re
from dataclasses import dataclass

from bot import messages
from bot.answering import focus, service_fee, text
from bot.answering.context import Context
from bot.answering.knowledge import (
    District,
    Entry,
    KnowledgeBase,
    Named,
    format_percent,
    sources_line,
)
from bot.answering.retrieval import Kind, Result
from bot.answering.safety import Concern, Finding


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str


@dataclass(frozen=True)
class Reply:
    kind: Kind
    entry_id: str | None
    score: float
    text: str
    title: str | None = None
    details: str | None = None
    sources: tuple[str, ...] = ()  # short citations, for the line under the answer
    references: tuple[str, ...] = ()  # the same documents with full titles, for the details
    suggestions: tuple[Suggestion, ...] = ()
    stale: bool = False
    also: tuple[Suggestion, ...] = ()  # a second question of the same message: one tap away
    concern: Concern | None = None  # a safety reply: what the message was read as
    context: Context | None = None  # the entities its message named (None: a topic view)

    def as_json(self, ms: float) -> dict[str, object]:
        """The `careerbot ask --json` contract (shared/design.md)."""
        concern = {"concern": self.concern.value} if self.concern is not None else {}
        return {
            "id": self.entry_id,
            "kind": self.kind.value,
            "score": math.floor(self.score * 10_000) / 10_000,  # never rounded up past a cut
            "answer": self.text,
            "sources": list(self.sources),
            "suggestions": [{"id": s.id, "title": s.title} for s in self.suggestions],
            "also": [s.id for s in self.also],
            **concern,
            "ms": round(ms, 3),
        }

    def after(self, before: Context) -> Context:
        """The conversation once this reply is shown: its topic (or the one before, if it shows
        none) and the entities named so far (those its message named, else the ones before).
        Only what the message itself says is kept in the reply: a cached reply serves every
        conversation it does not depend on."""
        named = self.context or Context()
        return Context(topic=self.entry_id or before.topic,
                       country=named.country or before.country,
                       district=named.district or before.district,
                       level=named.level or before.level,
                       trade=named.trade or before.trade,
                       interest=named.interest or before.interest)


def district_lines(kb: KnowledgeBase, districts: tuple[District, ...]) -> list[str]:
    targets = kb.districts
    if targets is None:
        return []
    return [
        targets.district_line.format(
            kind=d.kind, name=d.name, year=targets.year, thcs=format_percent(d.thcs),
            thpt=format_percent(d.thpt), thcs_label=targets.thcs_label,
            thpt_label=targets.thpt_label, thcs_total=format_percent(targets.thcs_total),
            thpt_total=format_percent(targets.thpt_total),
        ) + (f"\n⚠️ {d.warning}" if d.warning else "")
        for d in districts
    ]


def _named_line(named: Named, topic: str | None = None) -> str:
    """A country's line under its name: read first on a phone, it must say which country.
    Under a topic with its own line about the country, that line."""
    line = named.line_on(topic) if topic is not None else None
    return f"{named.name}: {line or named.line}"


def _without_bullet_of(text: str, name: str) -> str:
    """The answer without its bullet about the one country its lead line already gave ("- Hàn
    Quốc (EPS): ..." under "Hàn Quốc: ..."): the same facts twice on a phone. A bullet that
    names it with another ("- Nhật Bản (...) và Đài Loan: ...") stays."""
    def about_it(line: str) -> bool:
        head = line.split(":", 1)[0]
        return line.startswith(f"- {name}") and " và " not in head
    return "\n".join(line for line in text.splitlines() if not about_it(line))


def _stale_line(entry: Entry) -> str:
    return messages.STALE.format(date=entry.reviewed.strftime("%d/%m/%Y"))


def _suggestions(entries: list[Entry]) -> tuple[Suggestion, ...]:
    return tuple(Suggestion(e.id, e.title) for e in entries)


def entry_reply(kb: KnowledgeBase, entry: Entry, today: dt.date, score: float = 1.0,
                districts: tuple[District, ...] = (), named: Named | None = None,
                note: str | None = None, lead: Named | None = None,
                trade: str | None = None, interest: str | None = None) -> Reply:
    """The reply that shows one entry: short answer, warnings, sources, related topics.

    What was asked comes first (a student on a phone reads the first lines only): a named
    district's own figures, the country's own line. With `named` (the message was only a
    country's name) its other topics are offered; with `lead` (a country named in a longer
    question, or earlier in the conversation) the general answer follows its line; `note`
    says what an ambiguous name was taken to mean."""
    parts: list[str] = [interest] if interest else []  # "e thích vẽ": that group's trades
    if kb.districts is not None and entry.id == kb.districts.topic:
        parts.extend(district_lines(kb, districts))
    if named is not None and named.line:
        parts.append(_named_line(named))
        if entry.id != named.topics[0]:  # the same question about another country
            parts.append(entry.short)
    else:
        if lead is not None and lead.line_on(entry.id):
            parts.append(_named_line(lead, entry.id))
            parts.append(_without_bullet_of(entry.short, lead.name))
        else:
            parts.append(entry.short)
    if trade:  # the trade asked about, after the general answer ("muốn học nghề điện")
        parts.append(trade)
    if note:
        parts.append(f"ℹ️ {note}")
    stale = entry.is_stale(today)
    if stale:
        parts.append(_stale_line(entry))
    nearby = [kb.get(t) for t in named.topics] if named is not None else []
    nearby += [kb.get(r) for r in entry.related]
    related: list[Entry] = []
    for e in nearby:
        if e is not None and e.id != entry.id and e not in related:
            related.append(e)
    return Reply(
        kind=Kind.ANSWER, entry_id=entry.id, score=score, text="\n".join(parts),
        title=entry.title, details=entry.details,
        sources=tuple(kb.cite(s) for s in entry.sources),
        references=tuple(kb.cite(s, full=True) for s in entry.sources),
        suggestions=_suggestions(related[:4] if named else related), stale=stale,
    )


# A parent or step-parent named in a crisis message ("ba e nhậu về là đánh e với má", "ba má
# chửi quá trời, e hong muon song nua"): the trusted adult to tell is then someone outside
# the home first (free typing 21). As typed, accents kept ("mà" is not "má"); unaccented, the
# pairs only.
_PARENT = re.compile(r"(?:^|\W)(ba|bố|cha|mẹ|má|dượng|tía|ba me|ba ma|bo me|cha me)(?=\W|$)")


def _names_a_parent(question: str) -> bool:
    return bool(_PARENT.search(text.normalize(question)))


def safety_reply(kb: KnowledgeBase, found: Finding, asked: Entry | None = None,
                 question: str = "") -> Reply:
    """The crisis reply (who to call, a trusted adult) or the refusal with the legal way.

    Never a topic answer: the legal way of a refused request is one tap away, not shown; so
    is the topic a crisis message also asks about (`asked`), after the help. A message that
    names a parent (`question`) is pointed to an adult outside the home first."""
    if found.crisis:
        # Abroad, the embassy and the company that sent the worker are who can act there: that
        # line comes first (a phone shows the first lines), then 111 for a minor, what works
        # from abroad instead of 113 and 115, and what the family at home can do.
        opening = messages.SAFETY_OPENING_ABROAD if found.abroad and found.concern in (
            Concern.ABUSE, Concern.DANGER) else messages.SAFETY_OPENING[found.concern.value]
        lines = [opening, messages.SAFETY_ABROAD, messages.SAFETY_CALL_ABROAD,
                 messages.SAFETY_EMERGENCY_ABROAD, messages.SAFETY_FAMILY_ABROAD] \
            if found.abroad else [opening, messages.SAFETY_CALL, messages.SAFETY_EMERGENCY,
                                  messages.SAFETY_ADULT_OUTSIDE if _names_a_parent(question)
                                  else messages.SAFETY_ADULT]
        later = _suggestions([asked]) if asked is not None else ()
        if later:
            lines.append(messages.SAFETY_ASKED_TOO)
        return Reply(Kind.SAFETY, None, 1.0, "\n".join(lines), suggestions=later,
                     concern=found.concern)
    legal = kb.get(found.topic) if found.topic else None
    way = (Suggestion(legal.id, legal.title),) if legal is not None else ()
    text = " ".join(t for t in (messages.SAFETY_ILLEGAL_HEAD, found.risk,
                                 messages.SAFETY_ILLEGAL_TAIL if way else None) if t)
    return Reply(Kind.SAFETY, None, 1.0, text, suggestions=way, concern=found.concern)


def compose(kb: KnowledgeBase, result: Result, today: dt.date) -> Reply:
    # The entities the message named only (see Reply.after): a reply shared across
    # conversations carries nothing of any one of them.
    reply = _compose(kb, result, today)
    if result.kind is Kind.ANSWER and result.entry is not None:
        reply = _fee_first(kb, result.entry, result.question, reply)
    if result.kind in FEELING_KINDS and _feels(kb, result.question):
        reply = dataclasses.replace(reply, text=f"{messages.FEELING}\n{reply.text}")
    return dataclasses.replace(reply, context=result.mentioned)


FEELING_KINDS = (Kind.ANSWER, Kind.SUGGEST, Kind.FALLBACK)


def _fee_first(kb: KnowledgeBase, entry: Entry, question: str, reply: Reply) -> Reply:
    """A fee in months of wage and a contract's length stated: the comparison with the cap
    comes first, from the answer's topic or a topic it points to (a scam question about a
    fee is set against the costs topic's cap)."""
    near = (entry, *(kb.get(i) for i in (*entry.related, *(t for _, t in entry.facets))))
    cap = next((e.fee_cap for e in near if e is not None and e.fee_cap is not None), None)
    asked = service_fee.demand(question) if cap is not None else None
    if cap is None or asked is None:
        return reply
    return dataclasses.replace(reply, text=f"{asked.line(cap)}\n{reply.text}")


def _feels(kb: KnowledgeBase, question: str) -> bool:
    """The message tells of a feeling (entities.yaml `feelings`): a phrase as typed, with its
    accents, or one of the unaccented phrases that fold into nothing else."""
    entities = kb.entities
    if entities is None:
        return False
    typed = _phrases(entities.feelings, False)
    folded = _phrases(entities.feelings_unaccented, True)
    if typed and typed.search(text.normalize(question)):
        return True
    return bool(folded and folded.search(focus.folded(question)))


@functools.lru_cache(maxsize=8)
def _phrases(cues: tuple[str, ...], fold: bool) -> re.Pattern[str] | None:
    return text.whole_words((text.canonical if fold else text.normalize)(c) for c in cues)


def facet_lines(entry: Entry, asked: tuple[str, ...]) -> list[str]:
    """The entry's short answers to the facets asked, in the order asked."""
    return list(dict.fromkeys(a for a in (entry.facet_answer(f) for f in asked) if a))


# Facets whose answer comes before the country's line: a sum of money asked about ("đi Nhật
# mà đòi 200 triệu có đúng không") is set against the caps first, and whether one country
# costs less ("còn Hàn thì có rẻ hơn không") gets the comparison first; the country is context.
BEFORE_COUNTRY = frozenset({"amount", "cheaper"})


def focused_reply(kb: KnowledgeBase, entry: Entry, today: dt.date, score: float,
                  lines: list[str], lead: Named | None = None,
                  trade: str | None = None, asked: tuple[str, ...] = ()) -> Reply:
    """A follow-up asking only a facet of a topic ("vay được nhiêu" after the loan): that
    facet's answer, not the whole entry again; the whole entry stays one tap away. A country
    asked about ("mất bao lâu" after Korea) still comes first, unless a sum was asked."""
    whole = entry_reply(kb, entry, today, score)
    head = [_named_line(lead, entry.id)] if lead is not None and lead.line_on(entry.id) else []
    first = BEFORE_COUNTRY.isdisjoint(asked)
    text = "\n".join([*head, *lines] if first else [*lines, *head])
    if trade:
        text += "\n" + trade
    if whole.stale:
        text += "\n" + _stale_line(entry)
    return dataclasses.replace(whole, text=text,
                               suggestions=(Suggestion(entry.id, messages.WHOLE_ANSWER),
                                            *whole.suggestions))


def _second(kb: KnowledgeBase, reply: Reply, also: tuple[Entry, ...],
            asked: tuple[tuple[str, ...], ...], leads: tuple[Named | None, ...] = ()) -> Reply:
    """The other questions of the message answered briefly under the first (a parent expects
    both answered), each from its facet answer, the line of the country it names, or its gist,
    with its sources; the whole answer stays one tap away ("Bạn cũng hỏi")."""
    text, sources = [reply.text], list(reply.sources)
    for k, entry in enumerate(also):
        lines = facet_lines(entry, asked[k] if k < len(asked) else ())
        lead = leads[k] if k < len(leads) else None
        line = lead.line_on(entry.id) if lead is not None else None
        own = lead is not None and entry.id in lead.lines  # the country's line on this topic
        brief = f"{lead.name}: {line}" if lead and line and (own or not lines) \
            else " ".join(lines) if lines else entry.gist
        if not brief:
            continue
        text.append(messages.SECOND_ANSWER.format(title=entry.title, text=brief))
        sources += [c for c in (kb.cite(s) for s in entry.sources[:1]) if c not in sources]
    return dataclasses.replace(reply, text="\n".join(text), sources=tuple(sources),
                               also=_suggestions(list(also)))


def _compose(kb: KnowledgeBase, result: Result, today: dt.date) -> Reply:
    if result.kind is Kind.ANSWER and result.entry is not None:
        lines = facet_lines(result.entry, result.asked) if result.focused else []
        if lines and not result.districts:
            return focused_reply(kb, result.entry, today, result.score, lines, result.lead,
                                 result.trade, result.asked)
        reply = entry_reply(kb, result.entry, today, result.score, result.districts,
                            result.named, result.note, result.lead, result.trade,
                            result.interest)
        return _second(kb, reply, result.also, result.also_asked, result.also_lead)
    if result.kind is Kind.SUGGEST:
        text = messages.NAMED_SUGGEST.format(name=result.named.name) if result.named \
            else messages.DID_YOU_MEAN
        return Reply(Kind.SUGGEST, None, result.score, text,
                     suggestions=_suggestions(list(result.suggestions)))
    if result.kind is Kind.GREETING:
        return Reply(Kind.GREETING, None, 0.0,
                     messages.THANKS if result.thanks else messages.GREETING)
    if result.kind is Kind.EMPTY:
        return Reply(Kind.EMPTY, None, 0.0, messages.EMPTY)
    if result.note:  # a near-domain question: say whom to ask instead
        return Reply(Kind.FALLBACK, None, result.score,
                     f"{result.note}\n{messages.NEAR_DOMAIN_TAIL}")
    if result.maybe:
        return Reply(Kind.FALLBACK, None, result.score, messages.FALLBACK_MAYBE,
                     suggestions=_suggestions(list(result.maybe)))
    return Reply(Kind.FALLBACK, None, result.score, messages.FALLBACK)


def plain_text(reply: Reply, numbered: bool = False) -> str:
    """A reply as plain text for a terminal: answer, sources, suggestions."""
    lines = [reply.text]
    if reply.sources:
        lines.append(sources_line(reply.sources))
    if reply.also:
        lines.append(f"❓ {messages.ALSO}:")
    for i, s in enumerate(reply.also, 1):
        lines.append(f"  {i}. {s.title}" if numbered else f"  - {s.title} [{s.id}]")
    if reply.suggestions and reply.kind is Kind.ANSWER:
        lines.append(f"👉 {messages.RELATED}:")
    for i, s in enumerate(reply.suggestions, len(reply.also) + 1):
        lines.append(f"  {i}. {s.title}" if numbered else f"  - {s.title} [{s.id}]")
    return "\n".join(lines)
