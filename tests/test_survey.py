"""Survey definitions and the pure rules over them: skip rules, validation, scoring, checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.surveys import model as survey
from bot.surveys.model import InvalidAnswer
from tests.conftest import KNOWLEDGE


@pytest.fixture(scope="module")
def surveys(kb):
    found, problems = survey.check(KNOWLEDGE, {e.id for e in kb.entries})
    assert problems == []
    return found


def test_the_three_required_surveys_are_shipped(surveys):
    assert {s.id for s in surveys.surveys} == {"needs", "subjects", "riasec"}
    riasec = surveys.get("riasec")
    assert set(riasec.results) == {"r", "i", "a", "s", "e", "c"}
    assert all(q.type == "scale" and q.dimension for q in riasec.questions)


def test_skip_rules_hide_questions_and_choices(surveys):
    needs = surveys.get("needs")
    nine = {"grade": "9"}
    plan = needs.question("plan")
    codes9 = {c.code for c in survey.choices_for(plan, nine)}
    codes12 = {c.code for c in survey.choices_for(plan, {"grade": "12"})}
    assert "thpt" in codes9 and "dai_hoc" not in codes9
    assert "dai_hoc" in codes12 and "thpt" not in codes12
    shown = [q.id for q in survey.visible(needs, {**nine, "abroad": "no"})]
    assert "countries" not in shown
    assert "countries" in [q.id for q in survey.visible(needs, {**nine, "abroad": "maybe"})]


def test_changing_an_answer_drops_answers_to_hidden_questions(surveys):
    needs = surveys.get("needs")
    answers = {"grade": "9", "abroad": "yes", "countries": ["jp"]}
    assert "countries" in survey.relevant(needs, answers)
    assert "countries" not in survey.relevant(needs, {**answers, "abroad": "no"})


def test_next_previous_and_position_follow_the_visible_order(surveys):
    needs = surveys.get("needs")
    answers = {"grade": "9", "school": "X"}
    nxt = survey.next_question(needs, answers)
    assert nxt.id == "class"
    assert survey.next_question(needs, answers, frozenset({"class"})).id == "plan"
    assert survey.previous_question(needs, answers, "class").id == "school"
    assert survey.position(needs, answers, "class")[0] == 3


def test_text_answers_are_cleaned_and_bad_ones_refused(surveys):
    q = surveys.get("needs").question("class")
    assert survey.clean_text(q, "  9A1 ") == "9A1"
    assert survey.clean_text(q, "9A1\u0301"[:3]) == "9A1"
    for bad in ["", "   ", "😀", "...", "a\x00b", "x" * (q.max_length + 1)]:
        with pytest.raises(InvalidAnswer):
            survey.clean_text(q, bad)


def test_numbers_are_parsed_with_a_decimal_comma_and_checked_against_the_range():
    q = survey.Question(id="age", text="Tuổi?", type="number", min=10, max=25)
    assert survey.parse_number(q, "16") == 16
    assert survey.parse_number(q, "16,5") == 16.5
    for bad in ["abc", "9", "26", "1e3", "=1+1", ""]:
        with pytest.raises(InvalidAnswer):
            survey.parse_number(q, bad)


def test_multiple_choice_respects_min_and_max(surveys):
    q = surveys.get("subjects").question("g9_elective")
    answers = {"grade": "9"}
    with pytest.raises(InvalidAnswer):
        survey.check_multi(q, answers, ["vat_li"])  # at least four
    four = ["vat_li", "hoa_hoc", "sinh_hoc", "tin_hoc"]
    assert survey.check_multi(q, answers, [*four, "not_a_code"]) == four


def test_scores_rank_dimensions_and_ties_keep_the_survey_order(surveys):
    riasec = surveys.get("riasec")
    answers = {q.id: (5 if q.dimension == "s" else 3) for q in riasec.questions}
    ranked = survey.scores(riasec, answers)
    assert ranked[0] == ("s", 25)
    assert [d for d, _ in ranked[1:]] == ["r", "i", "a", "e", "c"]


@pytest.mark.parametrize(("day", "year"), [(dt.date(2026, 11, 23), "2026-2027"),
                                           (dt.date(2027, 5, 31), "2026-2027"),
                                           (dt.date(2027, 9, 1), "2027-2028")])
def test_the_school_year_starts_in_september(day, year):
    assert survey.school_year(day) == year


def _write(folder: Path, text: str) -> None:
    (folder / "surveys").mkdir(parents=True, exist_ok=True)
    (folder / "surveys" / "broken.yaml").write_text(text, encoding="utf-8")


BASE = """id: broken
version: 1
title: T
description: D
audience: [student9]
source: S
questions:
"""


@pytest.mark.parametrize(("questions", "message"), [
    ("  - {id: a, text: A, type: single, choices: [{code: x, label: X}, {code: y, label: Y}],"
     " when: {b: [x]}}\n  - {id: b, text: B, type: text}\n", "không phải câu hỏi đứng trước"),
    ("  - {id: a, text: A, type: text}\n  - {id: a, text: B, type: text}\n", "trùng id"),
    ("  - {id: a, text: A, type: single, choices: [{code: x, label: X}]}\n",
     "ít nhất 2 lựa chọn"),
    ("  - {id: Bad-Id, text: A, type: text}\n", "pattern"),
    ("  - {id: a, text: A, type: scale, dimension: z}\n", "không có trong results"),
    ("  - {id: a, text: A, type: dropdown}\n", "type"),
])
def test_survey_check_reports_broken_definitions_with_file_and_line(tmp_path, questions,
                                                                   message):
    root = tmp_path / "knowledge"
    _write(root, BASE + questions)
    _, problems = survey.check(root, set())
    assert problems, "the broken survey was accepted"
    assert any(message in p.message for p in problems), [str(p) for p in problems]
    assert all(p.file.endswith("broken.yaml") and p.line >= 1 for p in problems)


def test_every_survey_button_fits_in_64_bytes(surveys):
    from bot.intents import SurveyToggle
    from handlers.telegram.callbacks import encode

    for s in surveys.surveys:
        for q in s.questions:
            for c in q.choices or [survey.Choice(code="5", label="5")]:
                assert len(encode(SurveyToggle(s.id, q.id, c.code, True)).encode()) <= 64
