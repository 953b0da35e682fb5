"""Gists and facet answers of the tuition, college and guidance topics: present, short, honest."""
from __future__ import annotations

import re

import pytest

from bot.answering import knowledge
from bot.answering.knowledge import Entry

SCOPE = ("tuition.", "college.", "guidance.")
# Words a short answer uses when the knowledge base does not know the fact.
_UNKNOWN = re.compile(r"chưa có|không có|chưa biết|chưa rõ|chưa xác nhận|chưa đối chiếu",
                      re.IGNORECASE)
_ADDRESSING = re.compile(r"\b(?:em|anh chị|chào)\b", re.IGNORECASE)


@pytest.fixture(scope="module")
def entries() -> list[Entry]:
    found = [e for e in knowledge.load().entries if e.id.startswith(SCOPE)]
    assert len(found) == 12
    return found


def _texts(entry: Entry) -> list[tuple[str, str]]:
    return [("gist", entry.gist or ""), *entry.facet_answers]


def test_every_topic_in_scope_has_a_gist_and_facet_answers(entries):
    for entry in entries:
        assert entry.gist, f"{entry.id}: no gist"
        assert entry.facet_answers, f"{entry.id}: no facet answers"


def test_a_facet_answer_is_not_the_whole_entry_again(entries):
    # The complaint was the whole ~560-character answer repeated for a one-fact follow-up.
    for entry in entries:
        for facet, text in entry.facet_answers:
            assert len(text) < len(entry.answer), f"{entry.id}.{facet} is as long as the answer"
            assert text.strip() not in entry.answer, f"{entry.id}.{facet} copies the answer"


def test_what_the_bot_does_not_know_comes_with_someone_to_ask(entries):
    for entry in entries:
        for name, text in _texts(entry):
            if _UNKNOWN.search(text):
                assert "hỏi" in text.lower(), f"{entry.id}.{name}: unknown, but whom to ask?"


def test_tuition_figures_keep_the_warning_that_the_rules_changed_in_2025(entries):
    # NĐ 238/2025 replaced NĐ 81/2021 and NQ 217/2025 was not checked: who is exempt and how
    # much must say so, not state the old rule as today's.
    for entry in entries:
        if not entry.id.startswith("tuition."):
            continue
        for facet in ("who", "how-much"):
            text = entry.facet_answer(facet)
            assert text is not None, f"{entry.id}: no {facet} answer"
            assert "238/2025" in text or "chưa đối chiếu" in text, f"{entry.id}.{facet}"


def test_short_answers_address_nobody(entries):
    # Parents read them too: no "em", "anh chị" or greeting.
    for entry in entries:
        for name, text in _texts(entry):
            assert not _ADDRESSING.search(text), f"{entry.id}.{name}: {text!r}"
