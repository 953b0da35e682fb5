"""How the engine reads a message (issue 18, round 8): "dk" as a condition, a deadline typed
without accents, where to STUDY after a topic that sends "where" elsewhere, near-domain words
that fold onto ordinary ones, and training variants that do not shift when the knowledge base
grows. The phrasings are this file's own (none from a set)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from bot.answering import intent_model, text
from bot.answering.answers import compose
from bot.answering.context import Context
from bot.answering.context_model import TOPIC_FEATURES, WIDTH, ContextModel
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine


def _answered(engine: Engine, message: str, previous: str | None = None) -> str | None:
    result = engine.ask(message, previous)
    return result.entry.id if result.entry is not None else None


def test_dk_after_need_or_enough_is_a_condition_and_elsewhere_still_can():
    assert text.canonical("cần dk gì") == "can dieu kien gi"
    assert text.canonical("du dk vay von ko") == "du dieu kien vay von khong"
    assert text.canonical("cac dk de di nhat") == "cac dieu kien de di nhat"
    assert text.canonical("co dk ko") == "co duoc khong"
    assert text.canonical("hoc dk ko") == "hoc duoc khong"


def test_a_deadline_typed_without_accents_names_no_country(engine):
    for message in ("han chot khi nao", "han chot nop ho so la ngay nao"):
        assert "han" not in text.canonical(message).split(), message
        assert engine._mentioned(message) == (), message
    assert _answered(engine, "han chot nop ho so vao trung cap khi nao") == "college.admission"


def test_where_to_study_after_the_labour_market_is_the_province_s_colleges(engine):
    assert _answered(engine, "học ở đâu", "guidance.labor-market") == "college.long-an"
    assert _answered(engine, "nghe do hoc truong nao", "guidance.labor-market") == "college.long-an"
    # where the jobs are stays on the labour market
    assert _answered(engine, "tìm việc ở đâu", "guidance.labor-market") == "guidance.labor-market"
    # a topic with "where" only answers where to study with it
    assert _answered(engine, "học ở đâu", "vet.levels") == "college.long-an"


def test_where_and_how_long_after_the_other_exemptions(engine):
    assert _answered(engine, "vậy học ở đâu", "tuition.other-exemptions") == "college.long-an"
    assert _answered(engine, "học mất bao lâu", "tuition.other-exemptions") == "vet.levels"


def test_near_domain_words_that_fold_onto_ordinary_ones_decline_nothing(engine):
    for message in ("học xong trung cấp muốn học lại từ đầu được không",  # not "học lái"
                    "muốn liên thông thì phải học thêm mấy năm nữa",  # not extra classes
                    "trường có chỗ ở cho học sinh ở xa không"):  # not lodging abroad
        assert engine._near_domain(message) is None, message
    for message in ("học lái xe ô tô ở đâu", "con tôi cần học thêm toán ở đâu",
                    "bên Đài Loan có món gì ngon"):
        assert engine._near_domain(message) is not None, message


def test_the_shown_topic_needs_the_words_known_only_where_a_country_is_the_link(kb, engine):
    """An eager model (always the topic shown) is held back only where the message's one link
    to that topic is a country it names."""
    weights = np.zeros(WIDTH)
    weights[TOPIC_FEATURES.index("shown")] = 10.0
    eager = Engine(kb, engine.tuning, engine.model, context_model=ContextModel(weights, 0.0, 1))
    health = "e bi hen suyen co sao ko"
    assert engine._ask(health, Context(topic="overseas.requirements")).entry is None  # rules
    assert _answered(eager, health, "overseas.requirements") == "overseas.requirements"
    assert _answered(eager, "ở Úc người ta có thân thiện không", "overseas.markets") is None


def test_training_variants_of_a_phrasing_do_not_shift_when_another_is_added(kb: KnowledgeBase):
    """Each text's typo and greeting variants come from its own seed: a phrasing added to one
    topic leaves every other topic's training texts as they were."""
    texts, labels = intent_model.training_set(kb)
    entry = kb.entries[0]
    grown = entry.model_copy(update={"questions": (*entry.questions, "một cách hỏi mới thêm")})
    bigger = dataclasses.replace(kb, entries=(grown, *kb.entries[1:]))
    texts2, labels2 = intent_model.training_set(bigger)
    others = [t for t, label in zip(texts, labels, strict=True) if label != entry.id]
    others2 = [t for t, label in zip(texts2, labels2, strict=True) if label != entry.id]
    assert others == others2
    assert len(texts2) > len(texts)


def test_an_exam_a_language_or_an_age_asked_after_an_overseas_topic_is_the_requirements(engine):
    for shown in ("overseas.costs", "overseas.scams", "overseas.loan", "overseas.overview"):
        for message in ("vậy phải thi gì", "co can tieng ko", "mấy tuổi thì đi được"):
            assert _answered(engine, message, shown) == "overseas.requirements", (shown, message)
    # the loan's own papers stay on the loan
    assert _answered(engine, "làm hồ sơ vay ở đâu", "overseas.loan") == "overseas.loan"


def test_a_trade_named_alone_after_a_topic_that_holds_trades_keeps_the_topic(engine):
    assert engine._mentioned("còn điện lạnh") == ("trade",)
    assert _answered(engine, "còn điện lạnh", "guidance.labor-market") == "guidance.labor-market"
    assert _answered(engine, "may mac thi sao", "guidance.labor-market") == "guidance.labor-market"
    assert _answered(engine, "con nau an", "college.long-an") == "college.long-an"
    # its words are the trade's, not words the topic lacks
    assert engine._asked_facets("còn nghề hàn thì sao") is not None


def test_two_questions_joined_by_or_before_a_verb_get_the_second_as_a_button(engine):
    from bot.answering import focus
    message = ("Chào bot, nhà tôi thuộc hộ cận nghèo, con đậu cao đẳng mà tôi lo không nổi. "
               "Có chỗ nào cho vay hay có học bổng gì không?")
    assert len(focus.joined(message)) == 2
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id == "support.student-loan"
    assert [e.id for e in result.also] == ["support.scholarship-boarding"]
    # a choice between two things is one question
    assert focus.joined("học trung cấp hay cao đẳng thì tốt hơn") == ()


def test_where_to_study_and_how_long_after_the_diploma_s_worth(engine):
    assert _answered(engine, "vậy học ở đâu", "vet.degree-value") == "college.long-an"
    assert _answered(engine, "học mất bao lâu", "vet.degree-value") == "vet.levels"
    # where one works afterwards is not where one studies
    assert _answered(engine, "ra trường làm ở đâu", "vet.degree-value") != "college.long-an"


def test_one_person_s_name_one_file_s_status_and_one_company_s_hiring_are_declined(engine):
    for message in ("thầy hiệu trưởng trường em tên gì vậy ad",
                    "hồ sơ vay của nhà tôi ngân hàng duyệt chưa",
                    "nhà máy giày ở Đức Hòa tháng này có tuyển công nhân không"):
        result = engine.ask(message)
        assert result.entry is None and result.note is not None, message
    # the general questions beside them are answered
    assert _answered(engine, "ở Long An nghề nào đang cần nhiều người") == "guidance.labor-market"
    assert _answered(engine, "công ty đưa người đi Nhật cần giấy phép gì") is not None


def test_whether_one_may_borrow_after_a_school_topic_asks_the_student_loan(engine):
    for shown in ("tuition.other-exemptions", "support.scholarship-boarding", "vet.transfer"):
        for message in ("vậy có vay được không", "vay thêm dc hông"):
            assert _answered(engine, message, shown) == "support.student-loan", (shown, message)
    # after the workers' loan it is that loan
    assert _answered(engine, "vay thêm dc hông", "overseas.loan") == "overseas.loan"


def test_what_a_word_means_is_answered_not_offered_as_a_choice(engine):
    for message, topic in (("phân luồng là j z ad", "streaming.what-is"),
                           ("gdhn la gi vay", "streaming.what-is"),
                           ("trung cap la sao", "vet.levels"),
                           ("cao đẳng là gì", "vet.levels")):
        result = engine.ask(message)
        assert result.kind.value == "answer" and result.entry is not None, message
        assert result.entry.id == topic, message


def test_where_to_learn_a_trade_or_how_long_it_takes_asked_alone(engine, kb):
    for message in ("học nấu ăn ở đâu", "ad oi hoc tc ke toan o dau", "hoc nghe han o dau",
                    "muốn học điện công nghiệp thì học trường nào"):
        result = engine.ask(message)
        assert result.entry is not None and result.entry.id == "college.long-an", message
        assert result.asked == ("study-where",), message
    assert _answered(engine, "học hàn mất bao lâu") == "vet.levels"
    # not about learning the trade, or the trade is not what is asked
    assert _answered(engine, "visa du lich nhat dc o bao lau") != "vet.levels"
    assert engine._trade_facet("he 9+ hoc may nam") is None  # "học mấy", not tailoring
    # the reply leads with where to learn, then what the bot can say about the trade
    reply = compose(kb, engine.ask("học nấu ăn ở đâu"), dt.date(2026, 12, 6))
    first = reply.text.splitlines()[0]
    assert "trường trung cấp" in first and "Nghề nấu ăn" in reply.text


def test_a_longer_cue_at_the_same_place_is_what_is_asked(engine):
    # "bao nhiêu tuổi" is an age (the requirements), not "bao nhiêu" (the costs)
    assert engine._asked_facets("bao nhieu tuoi")[0][0] == "needs"
    assert _answered(engine, "bao nhieu tuoi", "overseas.requirements") == "overseas.requirements"
    assert _answered(engine, "tra may nam", "support.student-loan") == "support.student-loan"


def test_borrowing_beside_a_level_is_no_bare_level_name(engine):
    # folded, "vay" is also the filler "vậy": "cao đẳng vậy" is a bare level, this is a loan
    assert engine._names.bare("hoc cao dang co dc vay ko") is None
    assert engine._names.bare("cao dang thi sao vay") is not None
    assert _answered(engine, "hoc cao dang co dc vay ko") == "support.student-loan"


def test_studying_in_a_district_and_whether_it_is_free_after_a_school_topic(engine):
    # a district with "học" asks where to study there, not the district's streaming targets
    assert _answered(engine, "Học ở Tân An được không?", "tuition.other-exemptions") \
        == "college.long-an"
    assert _answered(engine, "học ở Đức Hòa được không") == "college.long-an"
    assert _answered(engine, "còn Bến Lức", "streaming.targets") == "streaming.targets"
    for shown in ("college.long-an", "streaming.nine-plus", "vet.levels"):
        assert _answered(engine, "hoc o do co mien phi ko", shown) == "tuition.trung-cap-free"


def test_a_facet_after_a_country_with_no_topic_answered_yet(engine):
    from bot.answering.context import Context
    after = Context(country="Úc")  # "e muon di uc" was offered a choice: no topic shown
    assert engine.ask("ton bao nhieu", after).entry.id == "overseas.costs"
    assert engine.ask("mat bao lau", after).entry.id == "overseas.markets"
    assert engine.ask("ton bao nhieu").entry is None  # nothing named: nothing to read it by


def test_a_country_s_lead_line_is_not_repeated_by_its_bullet_below(kb, engine):
    reply = compose(kb, engine.ask("đi xkld hàn quốc cần gì v"), dt.date(2026, 12, 6))
    lines = reply.text.splitlines()
    assert lines[0].startswith("Hàn Quốc:")
    assert not any(line.startswith("- Hàn Quốc") for line in lines)  # said once, first
    # a bullet naming the country with another stays
    japan = compose(kb, engine.ask("đi nhật làm việc được không"), dt.date(2026, 12, 6))
    assert japan.text.splitlines()[0].startswith("Nhật Bản:")
    assert any(line.startswith("- Nhật Bản") and "Đài Loan" in line
               for line in japan.text.splitlines())
