"""A trade named in a question ("học xong lớp 9 muốn học nghề điện") is not silently dropped:
the answer says, after the general answer, what the bot can and cannot tell about that trade
(free typing: the trade asked about was ignored). The trades and the line are data
(knowledge/data/entities.yaml), checked by `careerbot kb check`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.answering import knowledge
from bot.answering.answers import compose
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from tests.conftest import TODAY


def _line(kb: KnowledgeBase, name: str) -> str:
    assert kb.entities is not None
    trade = next(t for t in kb.entities.trades if t.name == name)
    line = kb.entities.line_for(trade)
    assert line is not None and name in line
    return line


@pytest.mark.parametrize(("message", "trade"), [
    ("em học hết lớp 9 rồi, muốn đi học nghề điện", "điện"),
    ("hoc xong lop 9 tinh hoc nghe dien cong nghiep", "điện"),
    ("em thích sửa xe máy, nên chọn nghề sao", "sửa xe, công nghệ ô tô"),
])
def test_the_trade_named_is_spoken_of_after_the_answer(kb, engine, message, trade):
    result = engine.ask(message)
    assert result.entry is not None and kb.entities is not None
    assert result.entry.id in kb.entities.trade_topics
    reply = compose(kb, result, TODAY)
    line = _line(kb, trade)
    assert line in reply.text and reply.text.index(line) > reply.text.index(
        result.entry.answer.splitlines()[0])


@pytest.mark.parametrize("message", [
    "số điện thoại trường cao đẳng long an",  # "điện" alone is no trade
    "học xong lớp 9 thì học gì",  # no trade named
])
def test_no_trade_line_without_a_trade(kb, engine, message):
    reply = compose(kb, engine.ask(message), TODAY)
    assert "bot chưa có danh sách; hỏi phòng tuyển sinh" not in reply.text


def test_no_trade_line_under_a_topic_it_does_not_belong_to(kb, engine):
    """Going abroad as a nurse: the country's line speaks of it, not the trade's."""
    result = engine.ask("đi Đức làm điều dưỡng cần điều kiện gì")
    assert result.entry is not None and result.entry.id.startswith("overseas.")
    assert result.trade is None


def _problems(root: Path) -> list[str]:
    return [str(p) for p in knowledge.check(root)]


def test_kb_check_wants_the_trade_name_in_the_line(knowledge_copy):
    path = knowledge_copy / "data" / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Nghề {name}:", "Nghề này:"), encoding="utf-8")
    assert any("trade_line phải có {name}" in p for p in _problems(knowledge_copy))


def test_kb_check_reports_a_word_given_to_two_trades(knowledge_copy):
    path = knowledge_copy / "data" / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("words: [kế toán, nghề kế toán]",
                                 "words: [kế toán, nghề kế toán, thợ điện]"), encoding="utf-8")
    assert any("trùng với nghề" in p for p in _problems(knowledge_copy))


def test_kb_check_reports_an_unknown_trade_topic(knowledge_copy):
    path = knowledge_copy / "data" / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("trade_topics: [streaming.after-grade9,",
                                 "trade_topics: [vet.nothing, streaming.after-grade9,"),
                    encoding="utf-8")
    assert any("vet.nothing" in p for p in _problems(knowledge_copy))


def test_the_engine_has_trades_loaded(kb: KnowledgeBase, engine: Engine):
    """Not a test passing on an empty list: the bundled data has trades."""
    assert kb.entities is not None and len(kb.entities.trades) >= 10


def test_the_trade_is_carried_to_where_to_learn_it(kb, engine):
    """"học ở đâu" right after "muốn học cao đẳng điều dưỡng": where to study that trade, with
    its line; a later question on something else does not repeat it."""
    first = engine.ask("hoc xong 12 muon hoc cao dang dieu duong")
    assert first.context.trade == "điều dưỡng"
    where = engine.ask("học ở đâu", first.context)
    reply = compose(kb, where, TODAY)
    assert where.context.trade == "điều dưỡng"
    assert _line(kb, "điều dưỡng") in reply.text
    later = engine.ask("mất bao lâu", where.context)
    assert later.trade is None
    # without the trade named before, "học ở đâu" has no trade line
    plain = engine.ask("học ở đâu", dataclasses.replace(first.context, trade=None))
    assert plain.trade is None


def test_the_reply_cache_keeps_conversations_with_other_trades_apart(kb, engine):
    """The assistant's reply cache is keyed by the trade carried too."""
    from bot.answering.assistant import Assistant
    from bot.answering.context import Context

    assistant = Assistant(kb, engine)
    ctx = Context(topic="streaming.after-grade9")
    electric = assistant.answer("học ở đâu", dataclasses.replace(ctx, trade="điện"))
    nursing = assistant.answer("học ở đâu", dataclasses.replace(ctx, trade="điều dưỡng"))
    assert _line(kb, "điện") in electric.text
    assert _line(kb, "điều dưỡng") in nursing.text


@pytest.mark.parametrize("message", [
    "e muon hoc nghe han",  # welding, typed without accents: not Korea
    "thợ hàn đi làm ở đâu",
])
def test_welding_names_no_country(engine, message):
    result = engine.ask(message)
    assert result.context.country is None
    assert result.context.trade == "cơ khí, hàn"


@pytest.mark.parametrize("message", [
    "đi bộ đội xong về có được ưu tiên học nghề không",  # "ưu tiên": no "tiện", no "tiền"
    "cao đẳng y tiền học bao nhiêu",
])
def test_no_trade_is_read_in_priority_or_money(engine, message):
    assert engine.ask(message).context.trade is None


def test_priority_is_no_fee():
    """"ưu tiên" folds onto "tiền": "ưu tiên học nghề" was read as tuition ("tiền học")."""
    from bot.answering.text import canonical

    assert "hoc phi" not in canonical("được ưu tiên học nghề không")
    assert "hoc phi" in canonical("tiền học bao nhiêu")


def test_the_quick_folding_is_the_folding(kb):
    """Trades are matched on text folded by a translation table (fast on long messages):
    the same as the engine's folding for every Vietnamese message of the corpus."""
    from bot.answering import text
    from bot.answering.entities import _folded

    messages = [m.q for m in kb.corpus.messages][:3000]
    assert messages
    latin = [m for m in messages if all(ord(c) < 0x2000 for c in m)]
    assert [m for m in latin if _folded(m) != text.fold(text.normalize(m))] == []
