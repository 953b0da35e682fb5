"""Answers, the topic menu and the welcome as Views (no channel in them)."""

from __future__ import annotations

from bot import intents as i
from bot import messages
from bot.answering.answers import Reply, Suggestion
from bot.answering.knowledge import KnowledgeBase, MenuGroup
from bot.answering.retrieval import Kind
from bot.answering.safety import Concern
from bot.views import Block, Choice, Part, Row, View


def _topic_rows(suggestions: tuple[Suggestion, ...] | list[Suggestion], back: str = ""
                ) -> list[Row]:
    return [(Choice("👉 " + s.title, i.Topic(s.id, back)),) for s in suggestions]


def answer_parts(reply: Reply) -> tuple[Part, ...]:
    parts = []
    if reply.title:
        parts.append(Part(Block.TITLE, reply.title))
    parts.append(Part(Block.TEXT, reply.text))
    if reply.sources:
        parts.append(Part(Block.SOURCES, messages.SOURCES, tuple(reply.sources)))
    return tuple(parts)


def answer_view(reply: Reply, ask_id: int | None, back_group: str = "",
                replace: bool = False) -> View:
    """The short answer with its choices: the other question asked, details, related topics,
    feedback, back to the menu group."""
    assert reply.entry_id is not None  # noqa: S101 - only answers have an entry
    rows: list[Row] = [(Choice(messages.ALSO_BUTTON.format(title=s.title),
                               i.Topic(s.id, back_group)),) for s in reply.also]
    if reply.details:
        rows.append((Choice(messages.DETAILS_BUTTON, i.Details(reply.entry_id)),))
    rows.extend(_topic_rows(reply.suggestions[:3], back_group))
    if ask_id is not None:
        rows.append((Choice(messages.VOTE_UP, i.Vote(ask_id, True)),
                     Choice(messages.VOTE_DOWN, i.Vote(ask_id, False))))
    if back_group:
        rows.append((Choice(messages.BACK, i.Group(back_group)),))
    return View(answer_parts(reply), tuple(rows), replace=replace)


def details_view(reply: Reply) -> View:
    """The details, then the documents with their full titles (the answer shows short ones)."""
    parts = [Part(Block.TITLE, messages.DETAILS_TITLE.format(title=reply.title or "")),
             Part(Block.TEXT, reply.details or "")]
    if reply.references:
        parts.append(Part(Block.SOURCES, messages.SOURCES, tuple(reply.references)))
    return View(tuple(parts))


def _menu_and_counsel(counsel: bool) -> Row:
    menu = Choice(messages.MENU_BUTTON, i.Menu())
    return (menu, Choice(messages.COUNSEL_BUTTON, i.CounselOpen())) if counsel else (menu,)


def safety_view(reply: Reply, counsel: bool = True) -> View:
    """The crisis reply with one tap to an urgent counsellor ticket, or the refusal of an
    illegal request with the legal way: no menu, no votes, no other topic."""
    assert reply.concern is not None  # noqa: S101 - only safety replies have a concern
    if reply.concern is Concern.ILLEGAL:
        return View((Part(Block.TEXT, reply.text),),
                    tuple((Choice(messages.SAFETY_LEGAL_BUTTON.format(title=s.title),
                                  i.Topic(s.id)),) for s in reply.suggestions))
    hint = messages.SAFETY_COUNSEL_HINT if counsel else messages.SAFETY_NO_COUNSEL_HINT
    rows: tuple[Row, ...] = ((Choice(messages.SAFETY_COUNSEL_BUTTON,
                                      i.CounselOpen(reply.concern.value)),),) if counsel else ()
    # the topic the message also asked about comes after the counsellor, never before
    rows += tuple((Choice(messages.SAFETY_ASKED_BUTTON.format(title=s.title), i.Topic(s.id)),)
                  for s in reply.suggestions)
    return View((Part(Block.TEXT, reply.text), Part(Block.STRONG, hint)), rows)


def reply_view(reply: Reply, ask_id: int | None, back_group: str = "",
               replace: bool = False, counsel: bool = True) -> View:
    """Any engine reply as a View; `counsel`: a counsellor can be reached from here."""
    if reply.kind is Kind.SAFETY:
        return safety_view(reply, counsel)
    if reply.entry_id is not None:
        return answer_view(reply, ask_id, back_group, replace)
    if reply.suggestions:
        head = reply.text if reply.text != messages.DID_YOU_MEAN else messages.SUGGEST_HEAD
        return View((Part(Block.TEXT, head),),
                    (*_topic_rows(reply.suggestions), _menu_and_counsel(counsel)),
                    replace=replace)
    if reply.kind is Kind.FALLBACK:
        return View((Part(Block.TEXT, reply.text),), (_menu_and_counsel(counsel),),
                    replace=replace)
    return View((Part(Block.TEXT, reply.text),), ((Choice(messages.MENU_BUTTON, i.Menu()),),),
                replace=replace)


def _pairs(choices: list[Choice]) -> tuple[Row, ...]:
    return tuple(tuple(choices[k:k + 2]) for k in range(0, len(choices), 2))


def menu_view(kb: KnowledgeBase, replace: bool = False) -> View:
    """The topic groups, then one's own data (a web page has no command menu to find it in)."""
    mine = (Choice(messages.MY_DATA_BUTTON, i.PrivacyView()),
            Choice(messages.ERASE_BUTTON, i.PrivacyErase()))
    return View((Part(Block.TEXT, messages.MENU_TITLE),),
                (*_pairs([Choice(g.title, i.Group(g.id)) for g in kb.menu]), mine),
                replace=replace)


def group_view(kb: KnowledgeBase, group: MenuGroup) -> View:
    rows: list[Row] = [(Choice(entry.title, i.Topic(entry.id, group.id)),)
                       for entry in (kb.get(t) for t in group.topics) if entry is not None]
    rows.append((Choice(messages.BACK, i.Menu()),))
    return View((Part(Block.TITLE, messages.GROUP_ICON + group.title),
                 Part(Block.TEXT, messages.GROUP_PICK)), tuple(rows), replace=True)


def welcome_view() -> View:
    choices = [Choice(label, i.ChooseAudience(code))
               for code, label in messages.AUDIENCE_LABELS.items()]
    return View((Part(Block.TEXT, messages.WELCOME),), _pairs(choices))
