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
