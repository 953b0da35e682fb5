"""How the engine reads a message inside a conversation (issue 18, round 3): a near-domain word
beside a topic that clearly answers, a story around a short question, a longer message that
only the topic just shown can place. The phrasings are this file's own (none from a set)."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering.context import Context
from bot.answering.retrieval import Engine, Kind, Tuning


@pytest.fixture(scope="module")
def lexical(kb) -> Engine:
    """The engine without the learned model: the rules below are its (the model, on by
    default, often answers these messages alone, and rightly)."""
    return Engine(kb, dataclasses.replace(Tuning.default(), model_weight=0.0))


def _answered(engine: Engine, message: str, previous: str | Context | None = None) -> str | None:
    result = engine.ask(message, previous)
    return result.entry.id if result.entry is not None else None


# --- near-domain rules yield to a topic that answers every word ---------------------------------
def test_boarding_lodging_is_answered_though_lodging_abroad_is_out_of_scope(engine):
    assert _answered(engine, "học trung cấp ở xa nhà thì trường có chỗ ở nội trú không") \
        == "support.scholarship-boarding"


def test_weather_abroad_is_still_refused_with_its_pointer(engine):
    result = engine.ask("bên Hàn Quốc mùa đông thời tiết có lạnh lắm không")
    assert result.kind is Kind.FALLBACK and result.note is not None


def test_visiting_a_school_is_not_tourism(engine):
    assert _answered(engine, "trường nghề có cho học sinh lớp 9 đi tham quan trường không") \
        == "college.admission-fair"


def test_a_tourist_visa_is_still_refused(engine):
    result = engine.ask("xin visa du lịch Nhật đi chơi một tuần cần giấy tờ gì")
    assert result.kind is Kind.FALLBACK and result.note is not None


# --- a story around a short question -----------------------------------------------------------
def test_a_short_question_after_a_family_story_is_answered(engine):
    message = ("Chào bạn, tôi ở Đức Hòa. Thằng con tôi năm nay 19 tuổi, đã học xong cấp 3, nó "
               "tính qua Đài Loan làm nhà máy. Đi thì cần những điều kiện gì vậy?")
    assert _answered(engine, message) == "overseas.requirements"


def test_a_students_story_before_who_may_is_answered(engine):
    message = ("Dạ em chào anh chị. Nhà em ở Thủ Thừa, ba mẹ làm ruộng, em mới xong lớp 12 và "
               "muốn đi làm sớm phụ gia đình. Em nghe có nghị quyết của tỉnh hỗ trợ học cao "
               "đẳng. Ai được hưởng vậy ạ?")
    assert _answered(engine, message) == "college.nq31-support"


def test_a_story_with_an_out_of_scope_question_is_still_refused(engine):
    message = ("Chào bạn, tôi ở Cần Đước, con tôi học lớp 11. Dạo này nó hay thức khuya chơi "
               "game. Mà cho tôi hỏi giá lúa hôm nay bao nhiêu một ký vậy?")
    assert _answered(engine, message) is None


# --- a longer message after a topic ------------------------------------------------------------
def test_a_longer_message_no_topic_answers_alone_is_read_after_the_topic_shown(lexical, engine):
    # (no sign of a scam the engine reads alone: "bao đậu, không cần thi" now is, round 15)
    message = "người ta hứa đóng trước 50 triệu là chắc chắn đi được, tin được không"
    assert _answered(lexical, message) is None  # alone it is unsure ...
    assert _answered(lexical, message, "overseas.scams") == "overseas.scams"  # ... not here
    assert _answered(engine, message, "overseas.scams") == "overseas.scams"


def test_a_longer_unrelated_message_after_a_topic_is_still_refused(engine):
    message = "mà dạo này em buồn quá, bạn thân chuyển trường đi xa rồi không còn ai chơi"
    assert _answered(engine, message, "overseas.scams") is None


def test_a_longer_message_read_after_a_topic_is_not_shared_across_topics(lexical):
    # The reply cache keys such a message by the topic before it (Assistant._context).
    assert not lexical.reads_alone(
        "người ta hứa đóng trước 50 triệu là chắc chắn đi được, tin được không")


# --- the topic just shown, asked for a detail its phrasings lack -------------------------------
def test_a_detail_of_the_topic_just_shown_stays_on_it(engine):
    message = "hằng năm hay tổ chức vô tháng mấy"
    assert _answered(engine, message) is None  # alone: which event?
    assert _answered(engine, message, "college.admission-fair") == "college.admission-fair"


def test_an_off_topic_detail_after_a_topic_is_still_refused(engine):
    assert _answered(engine, "ở Nhật có món gì ngon không", "overseas.markets") is None


# --- thanks that close a conversation ----------------------------------------------------------
def test_thanks_with_what_the_family_will_do_next_is_a_goodbye(engine):
    result = engine.ask("Dạ cảm ơn bạn nhiều, để tối nay tôi bàn lại với ba nó",
                        "overseas.rights")
    assert result.kind is Kind.GREETING and result.thanks and result.entry is None


def test_thanks_before_a_question_still_answers_it(engine):
    result = engine.ask("cảm ơn, vậy đi Đài Loan có bị trừ lương không", "overseas.rights")
    assert result.kind is Kind.ANSWER


# --- "where" beside a district; district names are not countries --------------------------------
def test_where_near_a_district_follows_the_topics_facet_table(engine):
    assert _answered(engine, "vậy học ở đâu cho gần Cần Đước", "tuition.trung-cap-free") \
        == "college.admission"
    assert _answered(engine, "vay ở đâu gần Thủ Thừa", "overseas.loan") == "overseas.loan"


def test_a_district_named_like_a_country_names_no_country(kb, engine):
    result = engine.ask("Học ở đâu cho gần Đức Hòa?", "vet.levels")
    assert result.context.country is None and result.context.district is not None
    # where to study after the levels: the topic the levels' facet table names
    assert result.entry is not None and result.entry.id == kb.get("vet.levels").facet("where")


def test_boarding_lodging_is_not_living_abroad_even_when_the_topic_is_less_sure(engine):
    # "chỗ ở nội trú": the near-domain rule for life abroad says `unless: [nội trú]`
    result = engine.ask("nha e o xa, di hoc co cho o noi tru ko")
    assert result.note is None and result.entry is not None
    assert result.entry.id == "support.scholarship-boarding"


# --- a tie between two topics, settled by the topic just shown --------------------------------
LOAN = "hộ cận nghèo có được vay vốn cho con đi không"


def test_a_tie_goes_to_the_topic_beside_the_one_just_shown(lexical):
    # The lexical tie rule itself: the learned model's reading of this message alone moves with
    # the training corpus, so the rule is checked on the lexical engine.
    assert _answered(lexical, LOAN) == "support.student-loan"  # alone: a student loan
    assert _answered(lexical, LOAN, "overseas.costs") == "overseas.loan"  # after going abroad


def test_a_clear_winner_is_not_moved_by_the_topic_just_shown(engine):
    assert _answered(engine, "vay vốn ngân hàng chính sách để đóng học phí cao đẳng",
                     "overseas.costs") == "support.student-loan"


def test_a_message_with_a_tie_is_not_shared_across_topics(engine):
    assert not engine.reads_alone(LOAN)


# --- a long story: the clauses nearest the question count, a district named anywhere too -------
STORY = ("Chào bạn, tôi ở Tân Trụ. Nhà tôi làm ruộng, có ba đứa con. Đứa lớn đã lập gia đình, "
         "đứa giữa đi làm công nhân ở Bến Lức. Năm ngoái lúa mất mùa, heo cũng rớt giá. "
         "Ông bà nội thì già yếu, hay đau ốm. Tôi thì bán thêm tạp hóa ở đầu ngõ. "
         "Thằng út năm nay học xong lớp 9, học lực khá, nó thích sửa điện. "
         "Cho tôi hỏi học trung cấp nghề có được miễn học phí không?")


def test_only_the_story_nearest_the_question_is_weighed():
    from bot.answering import focus

    parts = focus.clauses(STORY)
    story = [c for c in parts if 0 < c.weight < focus.NEAR_ASKING]
    assert len(story) == focus.STORY_CLAUSES
    assert story[-1].text.startswith("nó thích sửa điện")  # nearest the question: kept
    assert not any("lập gia đình" in c.text for c in story)  # far from it: weight 0


def test_a_long_story_is_answered_and_its_district_still_found(engine):
    result = engine.ask(STORY)
    assert result.entry is not None and result.entry.id == "tuition.trung-cap-free"
    assert "Tân Trụ" in [d.name for d in result.districts]  # named in the first sentence


def test_a_confirming_question_ending_in_an_address_word_points_at_the_story():
    from bot.answering import focus

    parts = focus.clauses("Con tôi học xong lớp 9 ở Tân Trụ. Tôi nghe nói học trung cấp được "
                          "miễn học phí. Có đúng vậy không cháu?")
    asking = [c.text for c in parts if c.asking]
    assert "Tôi nghe nói học trung cấp được miễn học phí" in asking


# --- a country named settles a tie towards going abroad -----------------------------------------
def test_a_loan_to_go_to_a_named_country_is_the_overseas_loan(lexical, engine):
    message = "muốn qua Nhật làm thì vay ngân hàng chính sách được hông"
    result = lexical.ask(message)
    assert [s.entry.id for s in result.ranked[:2]] == ["overseas.loan", "support.student-loan"]
    assert result.ranked[1].score > result.ranked[0].score  # a tie, settled by the country
    assert result.entry is not None and result.entry.id == "overseas.loan"
    assert _answered(engine, message) == "overseas.loan"


def test_without_a_country_the_same_loan_question_is_the_student_loan(engine):
    assert _answered(engine, "muốn đi học thì vay ngân hàng chính sách được hông") \
        == "support.student-loan"
