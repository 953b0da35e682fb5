"""An interest the writer names ("e thích vẽ", "nó mê sửa quạt"): the reply leads with the
interest survey's group for it and a few of its trades, then the general answer. The phrasings
are this file's own."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from bot.answering import knowledge
from bot.answering.answers import compose
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine

TODAY = dt.date(2026, 12, 6)


def _first_line(engine: Engine, kb: KnowledgeBase, message: str) -> tuple[str | None, str]:
    result = engine.ask(message)
    shown = compose(kb, result, TODAY).text
    return (result.entry.id if result.entry is not None else None), shown.splitlines()[0]


def test_a_liked_activity_leads_with_its_group_and_trades(engine, kb):
    topic, first = _first_line(engine, kb, "em thích vẽ với thiết kế áo, nên chọn nghề gì ạ")
    assert topic == "guidance.choose-career"
    assert first.startswith("Bạn thích vẽ") and "Nghệ thuật" in first
    assert "Thiết kế đồ họa" in first and "/khaosat" in first
    topic, first = _first_line(engine, kb, "con tôi mê sửa quạt, tháo ra ráp lại hoài, "
                                           "học xong lớp 9 nên cho nó học gì")
    assert topic in kb.entities.interest_topics and "Kỹ thuật" in first


def test_no_interest_line_without_a_word_of_liking_or_under_another_topic(engine, kb):
    # naming machines says nothing of liking them; "mẹ" is not "mê"
    for message in ("học xong lớp 9 học nghề về máy móc được không",
                    "mẹ em bảo học xong lớp 9 đi học nghề sửa máy, em nên chọn nghề gì"):
        assert "Bạn thích" not in compose(kb, engine.ask(message), TODAY).text, message
    # the levels are not about choosing: no survey group there
    result = engine.ask("em thích sửa máy, học trung cấp mấy năm")
    assert result.entry is not None and result.entry.id not in kb.entities.interest_topics
    assert "Bạn thích" not in compose(kb, result, TODAY).text


def test_each_interest_names_a_survey_group_and_trades_it_lists(kb):
    survey = yaml.safe_load((knowledge.default_dir() / "surveys" / "riasec.yaml")
                            .read_text(encoding="utf-8"))
    groups = {r["name"]: set(r["trades"]) for r in survey["results"].values()}
    assert kb.entities.interests
    for interest in kb.entities.interests:
        named = [trades for name, trades in groups.items() if name.startswith(interest.group)]
        assert len(named) == 1, interest.group
        assert set(interest.examples) <= named[0], interest.name


def test_the_check_wants_the_line_s_fields_and_existing_topics(knowledge_copy: Path):
    path = knowledge_copy / "data" / "entities.yaml"
    raw = path.read_text(encoding="utf-8")
    path.write_text(raw.replace("ví dụ nghề:\n  {examples}", "ví dụ nghề: vài nghề")
                    .replace("interest_topics: [guidance.choose-career,",
                             "interest_topics: [guidance.no-such-topic,"), encoding="utf-8")
    problems = [str(p) for p in knowledge.check(knowledge_copy)]
    assert any("interest_line phải có" in p for p in problems)
    assert any("guidance.no-such-topic" in p for p in problems)
