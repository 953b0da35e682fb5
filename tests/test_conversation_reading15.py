"""Issue 18, round 15: what a message no topic answers surely still gets. The phrasings are
this file's own (none from a set)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot import intents as i
from bot import messages
from bot.answering import knowledge
from bot.answering.answers import compose
from bot.answering.context import Context
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine, Kind
from bot.answering.views import reply_view

TODAY = dt.date(2026, 12, 7)


def test_a_follow_up_declined_after_another_topic_offers_the_topics_it_leans_to(
        kb: KnowledgeBase, engine: Engine) -> None:
    # after the streaming targets, the learned reading of "có học bổng không" declines it; the
    # scholarship topic its words name is one tap away rather than the bare fallback
    result = engine.ask("co hoc bong ko z", Context(topic="streaming.targets"))
    assert result.kind is Kind.FALLBACK
    assert result.maybe and result.maybe[0].id == "support.scholarship-boarding"
    reply = compose(kb, result, TODAY)
    assert reply.text == messages.FALLBACK_MAYBE
    assert reply.suggestions[0].id == "support.scholarship-boarding"
    entry = kb.get("support.scholarship-boarding")
    assert entry is not None
    assert reply.as_json(1.0)["suggestions"] == [  # the `ask --json` contract
        {"id": entry.id, "title": entry.title}, {"id": "overseas.study-abroad", "title": kb.get(
            "overseas.study-abroad").title}]
    view = reply_view(reply, None)
    taps = [c.intent for row in view.rows for c in row]
    assert i.Topic("support.scholarship-boarding") in taps


def test_a_question_off_the_domain_gets_the_plain_fallback_without_topics(
        kb: KnowledgeBase, engine: Engine) -> None:
    # the lexical ranking leans to a topic on shared words ("ai", "đăng ký ... ở đâu"); the
    # model is sure no topic answers, so no topic is offered as if it might be meant
    for message in ("ai là tổng thống Mỹ", "dang ky ket hon o dau"):
        result = engine.ask(message)
        assert result.kind is Kind.FALLBACK and not result.maybe, message
        assert compose(kb, result, TODAY).suggestions == (), message


def test_a_closing_word_after_a_topic_offers_nothing(engine: Engine) -> None:
    for message in ("ok de e nghi lai", "thôi để tui hỏi ba nó"):
        result = engine.ask(message, Context(topic="overseas.costs"))
        assert result.entry is None and not result.maybe, message


def test_asking_to_have_the_answer_explained_shows_that_topic_again_whole(
        engine: Engine) -> None:
    # "ủa vậy là sao" right after a topic: the student did not follow the answer; the whole of
    # it again, not the fallback (before: "ủa" and the question words read as no topic)
    for topic, message in (("vet.transfer", "ủa vậy là sao"),
                           ("overseas.rights", "ơ chưa hiểu lắm ad"),
                           ("college.nq31-support", "nói lại dễ hiểu hơn đi")):
        result = engine.ask(message, Context(topic=topic))
        assert result.entry is not None and result.entry.id == topic, message
        assert not result.focused, message  # the whole answer, not one facet's line
    # naming what it asks about is a question of its own ("cao đẳng là sao")
    named = engine.ask("cao đẳng là sao", Context(topic="tuition.trung-cap-free"))
    assert named.entry is not None and named.entry.id != "tuition.trung-cap-free"


def test_a_student_in_lop_12_who_fears_failing_is_not_sent_to_the_lop_10_exam(
        kb: KnowledgeBase, engine: Engine) -> None:
    # "rớt", "không đậu" read like the lớp 10 entrance exam; lớp 12 or the university exam
    # named says the question is what comes after lớp 12
    assert kb.entities is not None and kb.entities.stages  # not passing on empty data
    for message in ("e dang hoc lop 12, hoc yeu qua, so rot tot nghiep thi co hoc nghe dc ko ad",
                    "thi đại học không đậu thì giờ em đi học gì được ad"):
        result = engine.ask(message)
        assert result.entry is not None, message
        assert result.entry.id == "streaming.after-grade12", message
    # the lớp 10 exam named with it keeps its own topic
    both = engine.ask("con tôi lớp 9 thi vô 10 rớt rồi, sau này muốn thi đại học thì sao")
    assert both.entry is not None and both.entry.id == "streaming.grade10-failed"


def test_kb_check_reports_a_stage_that_names_an_unknown_topic(knowledge_copy: Path) -> None:
    path = knowledge_copy / "data" / "entities.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    topic: streaming.after-grade12",
                                 "    topic: streaming.after-grade13"), encoding="utf-8")
    assert any("streaming.after-grade13" in str(p) for p in knowledge.check(knowledge_copy))


def test_a_scam_s_signs_ask_whether_to_trust_the_offer(kb: KnowledgeBase, engine: Engine
                                                       ) -> None:
    assert kb.entities is not None and kb.entities.signals
    # the costs or requirements the offer names are not what is asked
    for message in ("người ta nói đóng 120 triệu là bao đậu qua Nhật, khỏi thi tiếng luôn, "
                    "tin được hông ad",
                    "công ty đó lấy tiền rồi mà cả năm chưa cho con tui đi"):
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == "overseas.scams", message
    # read clause by clause: "có đi được không, cần học tiếng gì" is no "không cần học tiếng"
    plain = engine.ask("em 18 tuổi có đi Hàn được không, cần học tiếng gì")
    assert plain.entry is not None and plain.entry.id == "overseas.requirements"
    # and a message about school that says "không cần thi" is not moved to the scams
    school = engine.ask("ba tui kêu ko cần thi đại học, đi học nghề luôn cho rồi")
    assert school.entry is None or not school.entry.id.startswith("overseas.")


def test_where_to_learn_a_trade_named_between_the_words_is_where_to_study(
        engine: Engine) -> None:
    # after the labour market, "ở đâu" is where the jobs are; "học <trade> ở đâu" is where to
    # learn it, though the trade sits between "học" and "ở đâu"
    after = Context(topic="guidance.labor-market")
    for message in ("hoc han o dau gan nha v ad", "dạy nghề điện ở chỗ nào"):
        result = engine.ask(message, after)
        assert result.entry is not None and result.entry.id == "college.long-an", message
    work = engine.ask("học xong đi làm ở đâu", after)  # where to work, not to study
    assert work.entry is not None and work.entry.id == "guidance.labor-market"
