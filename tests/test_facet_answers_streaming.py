"""The streaming (phân luồng) and VET topics answer one facet or a second question briefly,
and their short texts keep the warnings of the entry about the 2025-2026 reforms."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot import messages
from bot.answering.answers import Suggestion, compose
from bot.answering.knowledge import Entry, KnowledgeBase
from bot.answering.retrieval import Engine
from tests.conftest import TODAY

KNOWLEDGE = Path(__file__).resolve().parents[1] / "knowledge"
FILES = ("streaming.yaml", "vet.yaml")


def _ids() -> list[str]:
    return [e["id"] for f in FILES for e in yaml.safe_load((KNOWLEDGE / f).read_text("utf-8"))]


def _cue_facets() -> set[str]:
    data = yaml.safe_load((KNOWLEDGE / "data" / "facets.yaml").read_text("utf-8"))
    return set(data["cues"]) - {"same"}


def _short_texts(entry: Entry) -> list[str]:
    return [entry.gist or ""] + [text for _, text in entry.facet_answers]


@pytest.fixture(scope="module")
def mine(kb: KnowledgeBase) -> list[Entry]:
    entries = [kb.get(i) for i in _ids()]
    assert len(entries) == 9 and all(e is not None for e in entries)
    return [e for e in entries if e is not None]


def test_every_streaming_and_vet_topic_has_a_gist_and_short_answers_to_cue_facets(mine):
    cues = _cue_facets()
    for entry in mine:
        assert entry.gist, entry.id
        facets = [facet for facet, _ in entry.facet_answers]
        assert len(facets) >= 2, entry.id
        assert set(facets) <= cues, entry.id


def test_durations_from_the_old_vet_law_name_the_law_that_replaced_it(mine):
    # Study times are those of Luật 74/2014; from 01/01/2026 Luật 124/2025 replaces it
    # (every entry's caveat says so): a short answer quoting them keeps that warning.
    checked = 0
    for entry in mine:
        for facet, text in entry.facet_answers:
            if "74/2014" in text:
                checked += 1
                assert "124/2025" in text, f"{entry.id}.{facet}"
    assert checked >= 4


def test_free_trung_cap_tuition_answers_name_the_decree_that_replaced_81_2021(mine):
    checked = 0
    for entry in mine:
        for text in _short_texts(entry):
            if "81/2021" in text:
                checked += 1
                assert "238/2025" in text and "chưa" in text, entry.id
    assert checked >= 3


def test_short_answers_name_someone_to_ask_when_the_bot_does_not_know(mine):
    checked = 0
    for entry in mine:
        for facet, text in entry.facet_answers:
            if "bot không có" in text.lower() or "bot chưa" in text.lower():
                checked += 1
                assert "hỏi" in text.lower(), f"{entry.id}.{facet}"
    assert checked >= 5


@pytest.mark.parametrize(("topic", "follow_up", "facet"), [
    ("vet.levels", "vậy học mấy năm", "how-long"),
    ("vet.transfer", "liên thông vậy mất bao lâu", "how-long"),
    ("vet.degree-value", "ra trường lương bao nhiêu", "salary"),
    ("vet.degree-value", "học vậy có tốn nhiều tiền không", "how-much"),
    ("streaming.targets", "vậy là bao nhiêu", "how-much"),
])
def test_a_follow_up_asking_one_facet_gets_that_short_answer(kb, engine: Engine, topic,
                                                             follow_up, facet):
    reply = compose(kb, engine.ask(follow_up, topic), TODAY)
    entry = kb.get(topic)
    assert entry is not None and reply.entry_id == topic
    assert reply.text.startswith(entry.facet_answer(facet) or "?")
    assert entry.answer not in reply.text
    assert reply.suggestions[0] == Suggestion(topic, messages.WHOLE_ANSWER)
