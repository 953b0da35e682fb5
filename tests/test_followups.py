"""Whole conversations as people type them (issue 18, "What fails today"): follow-ups read
against the conversation so far, facets, entities carried, two questions in one message, and
the entity asked about first. Through the chat core (a real database) and `ask --json`."""

from __future__ import annotations

import json

import pytest

from bot.bootstrap import build_conversation
from bot.views import View, flatten
from tests.cli_run import careerbot


@pytest.fixture
async def chat(svc):
    """Send messages as one user of the chat core; returns each reply's text."""
    account = await svc.accounts.resolve("web", "visitor-f")

    async def say(*messages: str) -> list[str]:
        talk = build_conversation(svc)
        return [_text(await talk.handle_text(account, m)) for m in messages]

    return say


def _text(view: View) -> str:
    return "\n".join(p.text for v in flatten(view) for p in v.parts)


def _body(reply: str) -> str:
    """The answer under its title: what a phone shows first."""
    return reply.split("\n", 1)[1]


def _said(country) -> str:
    """A country's line as the answer leads with it: under the country's name."""
    return f"{country.name}: {country.line}"


def _shows(kb, reply: str, topic: str) -> bool:
    """The reply answers from this topic: its short answer, or (a follow-up asking one facet)
    that facet's answer under the topic's title."""
    entry = kb.get(topic)
    return entry.short.splitlines()[0] in reply or (
        reply.splitlines()[0] == entry.title
        and any(answer in reply for _, answer in entry.facet_answers))


async def test_a_parent_story_before_a_confirming_question_is_answered(chat, kb):
    (reply,) = await chat("Xin chào. Con gái tôi đang học lớp 9 ở Bến Lức, học lực trung bình. "
                          "Tôi nghe nói học trung cấp được miễn học phí. Có đúng không bạn?")
    assert _shows(kb, reply, "tuition.trung-cap-free")


async def test_where_after_free_vocational_tuition_goes_to_admission(chat, kb):
    _, where = await chat("hoc trung cap co dc mien hoc phi ko z", "học ở đâu")
    assert _shows(kb, where, "college.admission")
    assert not _shows(kb, where, "support.student-loan")


async def test_a_loan_question_after_college_years_is_not_the_same_answer_again(chat, kb):
    first, loan = await chat("cđ hoc may nam vay a", "co dc vay ko")
    assert _shows(kb, first, "vet.levels")
    assert _shows(kb, loan, "support.student-loan") and not _shows(kb, loan, "vet.levels")


async def test_a_country_named_earlier_carries_to_how_long(chat, kb):
    _, korea, how_long = await chat("chi phí đi xklđ bao nhiêu", "còn Hàn Quốc thì sao",
                                        "mất bao lâu")
    line = _said(kb.entities.countries[0])
    assert kb.entities.countries[0].name == "Hàn Quốc"
    assert _shows(kb, korea, "overseas.costs") and _body(korea).startswith(line)
    # Korea is kept: its line (4 years 10 months under EPS) comes first.
    assert _body(how_long).startswith(line) and not _shows(kb, how_long, "overseas.costs")


async def test_facets_of_the_overseas_loan_stay_on_it(chat, kb):
    _, how_much, where = await chat("đi xklđ có vay ngân hàng được không", "vay được nhiêu",
                                    "đăng ký ở đâu")
    assert _shows(kb, how_much, "overseas.loan")
    assert _shows(kb, where, "overseas.loan") and not _shows(kb, where, "college.admission")


async def test_which_countries_is_the_markets_topic(chat, kb):
    (reply,) = await chat("đi làm việc ở nước ngoài có những nước nào")
    assert _shows(kb, reply, "overseas.markets") and not _shows(kb, reply, "overseas.costs")


async def test_a_bare_country_after_scams_is_the_countrys_own_programme(chat, kb):
    _, taiwan = await chat("làm sao biết công ty xkld lừa đảo", "Đài Loan")
    assert not _shows(kb, taiwan, "overseas.scams")
    assert _body(taiwan).startswith(_said(kb.entities.countries[2]))


@pytest.mark.parametrize(("message", "topic"), [("tin dung hssv la gi", "support.student-loan"),
                                                ("huong nghiep la gi", "streaming.what-is")])
async def test_short_definitions_are_answered(chat, kb, message, topic):
    (reply,) = await chat(message)
    assert _shows(kb, reply, topic)


@pytest.mark.parametrize(("message", "first", "second"), [
    ("học trung cấp có miễn học phí không và học ở đâu", "tuition.trung-cap-free",
     "college.admission"),
    ("cao đẳng học mấy năm với lại có được vay vốn đi học không", "vet.levels",
     "support.student-loan"),
])
def test_two_questions_joined_by_a_word_offer_the_second(engine, message, first, second):
    result = engine.ask(message)
    assert result.entry is not None and result.entry.id == first
    assert [e.id for e in result.also] == [second]


async def test_korea_beside_military_service_is_answered_not_refused(chat, kb):
    (reply,) = await chat("đi Hàn Quốc cần điều kiện gì với lại có phải đi nghĩa vụ quân sự "
                          "không")
    assert _body(reply).startswith(_said(kb.entities.countries[0]))
    assert _shows(kb, reply, "overseas.requirements")


async def test_a_named_district_leads_the_answer(chat, kb):
    (reply,) = await chat("chỉ tiêu phân luồng ở Cần Giuộc là bao nhiêu")
    first = _body(reply).splitlines()[0]
    assert "Cần Giuộc" in first and "%" in first
    assert _shows(kb, reply, "streaming.targets")


async def test_the_district_named_earlier_carries_to_the_next_targets_answer(chat, kb):
    _, again = await chat("Tân Trụ", "chỉ tiêu phân luồng của tỉnh là bao nhiêu")
    assert _body(again).splitlines()[0].count("Tân Trụ") == 1


# --- ask --json with sessions ------------------------------------------------------------------
def _ask_json(*lines: dict[str, str]) -> list[dict[str, object]]:
    out = careerbot("ask", "--json", "-", stdin="\n".join(json.dumps(x, ensure_ascii=False)
                                                         for x in lines) + "\n")
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_ask_json_sessions_are_separate_conversations_read_in_order():
    rows = _ask_json(
        {"question": "chi phí đi xklđ bao nhiêu", "session": "a"},
        {"question": "hoc trung cap co dc mien hoc phi ko z", "session": "b"},
        {"question": "còn Hàn Quốc thì sao", "session": "a"},
        {"question": "học ở đâu", "session": "b"},
        {"question": "mất bao lâu", "session": "a"},
        {"question": "học ở đâu"},  # no session: no conversation
    )
    assert [r["id"] for r in rows[:5]] == ["overseas.costs", "tuition.trung-cap-free",
                                           "overseas.costs", "college.admission",
                                           "overseas.markets"]
    assert rows[4]["context"] == {"topic": "overseas.markets", "country": "Hàn Quốc"}
    assert rows[4]["session"] == "a" and rows[3]["session"] == "b"
    assert rows[5]["id"] != "college.admission" and "session" not in rows[5]


def test_ask_json_previous_still_works_and_overrides_a_sessions_topic():
    rows = _ask_json(
        {"question": "còn Đài Loan thì sao", "previous": "overseas.costs"},
        {"question": "làm sao biết công ty xkld lừa đảo", "session": "s"},
        {"question": "vay được nhiêu", "session": "s", "previous": "overseas.loan"},
    )
    assert rows[0]["id"] == "overseas.costs"
    assert rows[2]["id"] == "overseas.loan"


def test_a_reply_is_shared_across_conversations_it_does_not_depend_on(kb, engine):
    from bot.answering.assistant import Assistant
    from bot.answering.context import Context
    from tests.conftest import TODAY, rules_only

    engine = rules_only(kb, engine)  # which replies are shared: the rules' (see conftest)
    assistant = Assistant(kb, engine, lambda: TODAY)
    question = "hoc trung cap co mat hoc phi ko"
    first = assistant.timed_answer(question, Context())
    # The level named by the first message is kept, yet the same question after it is the
    # same reply; a country named before it is not (the answer may lead with it).
    after = first.reply.after(Context())
    assert after.level == "Trung cấp" and after.topic == "tuition.trung-cap-free"
    assert assistant.timed_answer(question, after).cached
    assert not assistant.timed_answer(question, Context(country="Hàn Quốc")).cached


async def test_a_country_line_leading_an_answer_names_the_country(chat, kb):
    # A phone shows the first line: it must say which country the facts are about.
    _, taiwan = await chat("đi xklđ tốn bao nhiêu tiền", "còn Đài Loan thì sao")
    assert _body(taiwan).startswith("Đài Loan: ")


def test_a_district_asked_again_after_a_topic_stays_on_it(engine):
    """"còn Kiến Tường" right after the counsellors is the same question there, not the
    district's streaming targets; a district named alone still gets its targets."""
    after = engine.ask("còn Kiến Tường thì sao", "guidance.counselor")
    assert after.entry is not None and after.entry.id == "guidance.counselor"
    assert [d.name for d in after.districts] == ["Kiến Tường"]
    alone = engine.ask("Kiến Tường", "guidance.counselor")
    assert alone.entry is not None and alone.entry.id == "streaming.targets"
