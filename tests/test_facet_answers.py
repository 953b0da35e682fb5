"""Gists and facet answers invent nothing: every figure they state is in the entry itself."""
from __future__ import annotations

import re

from bot.answering import knowledge

# A figure: a number followed by a unit users read as money, share or duration.
_FIGURE = re.compile(r"\d[\d.,/]*\s*(?:đ|triệu|%|tháng|năm)", re.IGNORECASE)


def test_every_figure_in_gists_and_facet_answers_is_in_the_entry() -> None:
    kb = knowledge.load()
    checked = 0
    for entry in kb.entries:
        source = " ".join(t for t in (entry.answer, entry.details, entry.caveat or "") if t)
        texts = [entry.gist or ""] + [text for _, text in entry.facet_answers]
        for text in texts:
            for figure in _FIGURE.findall(text):
                checked += 1
                assert figure in source, f"{entry.id}: {figure!r} is not in the entry"
    assert checked > 0  # the knowledge base does state figures in its short answers


def test_every_topic_can_answer_as_a_second_question_and_most_answer_their_facets() -> None:
    kb = knowledge.load()
    assert kb.facets is not None
    missing = [e.id for e in kb.entries if not e.gist]
    assert missing == []  # a parent's second question gets a sentence, not only a button
    cue_facets = set(kb.facets.cues) - {"same"}
    answered = [(e.id, f) for e in kb.entries for f, _ in e.facet_answers]
    assert all(f in cue_facets for _, f in answered)
    # the facets a topic's own table keeps on it are the follow-ups it must answer briefly
    kept = [(e.id, f) for e in kb.entries for f, t in e.facets if t == e.id and f in cue_facets]
    unanswered = [k for k in kept if k not in answered]
    assert len(unanswered) <= len(kept) // 5, unanswered
