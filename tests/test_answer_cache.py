"""The answer cache: a repeated question is ranked once, a previous topic that can change the
reply is part of the key, the cache stays within its size and no caller can change a reply."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from bot.answering.answers import compose
from bot.answering.assistant import Assistant
from bot.answering.evaluation import QuestionSet
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from bot.config import ConfigError, Settings
from tests.conftest import TODAY, rules_only

ROOT = Path(__file__).resolve().parent.parent
FOLLOW_UP = "còn Đài Loan thì sao"  # a bare country: read against the topic before it
STANDALONE = "con tôi học hết lớp 9 muốn học trung cấp nghề thì có phải đóng học phí không"


def fresh(kb: KnowledgeBase, engine: Engine, size: int = 4096,
          today: dt.date = TODAY) -> Assistant:
    return Assistant(kb, engine, lambda: today, size)


def test_the_same_question_twice_gives_the_same_reply_the_second_time_from_the_cache(kb, engine):
    assistant = fresh(kb, engine)
    first = assistant.timed_answer("hoc phi trung cap")
    second = assistant.timed_answer("hoc phi trung cap")
    assert not first.cached and second.cached
    assert second.reply == first.reply == compose(kb, engine.ask("hoc phi trung cap"), TODAY)
    stats = assistant.cache.stats()
    assert (stats.hits, stats.misses, stats.size) == (1, 1, 1)
    assert stats.hit_rate == 0.5


def test_a_follow_up_after_another_topic_is_another_key_with_its_own_reply(kb, engine):
    assistant = fresh(kb, engine)
    after_costs = assistant.timed_answer(FOLLOW_UP, "overseas.costs")
    after_markets = assistant.timed_answer(FOLLOW_UP, "overseas.markets")
    assert not after_costs.cached and not after_markets.cached
    assert after_costs.reply.entry_id == "overseas.costs"  # the same question, another country
    assert after_markets.reply.entry_id != after_costs.reply.entry_id
    assert assistant.timed_answer(FOLLOW_UP, "overseas.costs").cached
    assert assistant.cache.stats().size == 2


def test_a_question_that_stands_alone_shares_one_reply_whatever_came_before(kb, engine):
    engine = rules_only(kb, engine)
    assistant = fresh(kb, engine)
    alone = assistant.timed_answer(STANDALONE, None)
    after = assistant.timed_answer(STANDALONE, "overseas.costs")
    assert after.cached and after.reply == alone.reply
    assert after.reply == compose(kb, engine.ask(STANDALONE, "overseas.costs"), TODAY)


def test_a_short_question_answered_surely_on_its_own_is_no_follow_up_and_shares_its_reply(
        kb, engine):
    engine = rules_only(kb, engine)
    assistant = fresh(kb, engine)
    first = assistant.timed_answer("cao dang hoc may nam", "overseas.costs")
    later = assistant.timed_answer("cao dang hoc may nam", "streaming.targets")
    assert not first.cached and later.cached
    assert later.reply == compose(kb, engine.ask("cao dang hoc may nam", "streaming.targets"),
                                  TODAY)
    # A bare keyword stays a question of its context: "học phí" of the topic just read.
    assistant.answer("hoc phi", "overseas.costs")
    assert not assistant.timed_answer("hoc phi", "streaming.targets").cached


def test_cached_replies_are_exactly_what_the_engine_says_for_every_previous_topic(kb, engine):
    """Whatever order the questions come in, a remembered reply equals the one computed for
    that question after that topic: sharing a reply across topics never changes an answer."""
    asked = QuestionSet.load(ROOT / "tests" / "data" / "eval.yaml")
    questions = [q for q, _ in asked.in_scope][:80] + list(asked.out_of_scope)[:20] + [
        FOLLOW_UP, "còn Đức?", "Hàn", "vậy cao đẳng học mấy năm", "có được vay không z",
        "thì sao?", "con ben luc", "cảm ơn ad"]
    topics = [None, "overseas.costs", "overseas.markets", "streaming.targets", "vet.levels"]
    assistant = fresh(kb, engine)
    for previous in topics:
        for question in questions:
            expected = compose(kb, engine.ask(question, previous), TODAY)
            assert assistant.answer(question, previous) == expected, (question, previous)
    # with the learned context model, only what it never reads is shared across topics: the
    # near-domain questions declined with a note, the thanks
    assert assistant.cache.stats().hits > 0


def test_with_the_context_model_an_answer_after_a_topic_is_its_own_key(kb, engine):
    # the rules answer this the same after any topic; the learned reading may keep it on the
    # topic shown, so the reply after one topic is never served after another
    assert engine.context_model is not None
    assert rules_only(kb, engine).reads_alone(STANDALONE)
    assert not engine.reads_alone(STANDALONE)
    assistant = fresh(kb, engine)
    assistant.answer(STANDALONE, "overseas.costs")
    after = assistant.timed_answer(STANDALONE, "vet.levels")
    assert not after.cached
    assert after.reply == compose(kb, engine.ask(STANDALONE, "vet.levels"), TODAY)


def test_the_cache_keeps_at_most_its_size_dropping_the_least_recently_used(kb, engine):
    assistant = fresh(kb, engine, size=3)
    for question in ("hoc phi", "xkld", "cao dang la gi"):
        assistant.answer(question)
    assert assistant.timed_answer("hoc phi").cached  # used again: now the most recent
    assistant.answer("vay von hoc nghe")  # a fourth: "xkld", the least recently used, goes
    assert assistant.cache.stats().size == 3
    assert assistant.timed_answer("hoc phi").cached
    assert not assistant.timed_answer("xkld").cached


def test_with_the_cache_off_every_reply_is_computed(kb, engine):
    assistant = fresh(kb, engine, size=0)
    assistant.answer("hoc phi")
    again = assistant.timed_answer("hoc phi")
    assert not again.cached
    assert assistant.cache.stats().size == 0 and assistant.cache.stats().hits == 0


def test_a_remembered_reply_cannot_be_changed_by_whoever_got_it(kb, engine):
    assistant = fresh(kb, engine)
    reply = assistant.answer("hoc phi trung cap")
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.text = "changed"  # type: ignore[misc]
    assert isinstance(reply.sources, tuple) and isinstance(reply.suggestions, tuple)
    assert assistant.answer("hoc phi trung cap").text != "changed"


def test_a_new_day_starts_a_new_cache_so_out_of_date_warnings_follow_the_date(kb, engine):
    day = [TODAY]
    assistant = Assistant(kb, engine, lambda: day[0])
    assistant.answer("hoc phi trung cap")
    day[0] = TODAY + dt.timedelta(days=1)
    assert not assistant.timed_answer("hoc phi trung cap").cached


def test_a_new_knowledge_base_comes_with_an_empty_cache(kb, engine):
    first = fresh(kb, engine)
    first.answer("hoc phi")
    assert fresh(kb, engine).cache.stats().size == 0


def test_the_cache_size_comes_from_the_environment():
    assert Settings.from_env({}).answer_cache == 4096
    assert Settings.from_env({"CAREERBOT_ANSWER_CACHE": "0"}).answer_cache == 0
    with pytest.raises(ConfigError, match="CAREERBOT_ANSWER_CACHE"):
        Settings.from_env({"CAREERBOT_ANSWER_CACHE": "many"})
