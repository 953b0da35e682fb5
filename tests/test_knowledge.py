"""The knowledge base: complete, sourced, short enough, and every error reported as file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.answering import knowledge
from bot.answering.knowledge import MAX_ANSWER, MAX_DETAILS, REQUIRED_IDS
from bot.answering.text import canonical


def test_the_bundled_knowledge_base_has_no_problems():
    assert knowledge.check(Path(__file__).resolve().parent.parent / "knowledge") == []


def test_every_required_topic_exists_exactly_once(kb):
    ids = [e.id for e in kb.entries]
    assert len(ids) == len(set(ids))
    assert set(REQUIRED_IDS) <= set(ids)
    assert len(REQUIRED_IDS) == len(set(REQUIRED_IDS)) == 33


def test_entries_are_short_enough_for_a_phone_and_sourced(kb):
    for e in kb.entries:
        assert len(e.short) <= MAX_ANSWER, e.id
        assert len(e.details) <= MAX_DETAILS, e.id
        assert e.sources and all(s.cite() for s in e.sources), e.id
        assert len(e.questions) >= 6, e.id


def test_unconfirmed_entries_say_so_and_name_someone_to_ask(kb):
    for e in kb.entries:
        if e.confidence == "check":
            assert e.caveat, e.id
            assert re.search(r"hỏi|liên hệ", e.caveat, re.I), e.id


def test_questions_include_unaccented_phrasings(kb):
    for e in kb.entries:
        assert any(q.isascii() for q in e.questions), e.id


def test_district_targets_are_the_fifteen_former_districts_of_seed_001(kb):
    t = kb.districts
    assert t is not None and len(t.districts) == 15
    assert (t.thcs_total, t.thpt_total) == (40.12, 45.81)
    assert t.by_name("Tân Thạnh").thpt == 65.22
    assert t.by_name("duc hoa").thcs == 40.39


def test_menu_reaches_every_required_topic(kb):
    in_menu = {topic for group in kb.menu for topic in group.topics}
    assert set(REQUIRED_IDS) <= in_menu


# --- kb check finds what is wrong, with file and line ----------------------------------------
def _problems(root: Path) -> list[str]:
    return [str(p) for p in knowledge.check(root)]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_check_reports_broken_yaml_with_its_line(knowledge_copy):
    (knowledge_copy / "vet.yaml").write_text("- id: vet.levels\n  title: [unclosed\n")
    problems = _problems(knowledge_copy)
    assert any(re.match(r"knowledge/vet\.yaml:\d+: YAML không hợp lệ", p) for p in problems)


def test_check_reports_a_duplicate_id(knowledge_copy):
    _edit(knowledge_copy / "vet.yaml", "id: vet.transfer", "id: vet.levels")
    problems = _problems(knowledge_copy)
    assert any("trùng id 'vet.levels'" in p and p.startswith("knowledge/vet.yaml:")
               for p in problems)
    assert any("thiếu mục bắt buộc 'vet.transfer'" in p for p in problems)


def test_check_reports_an_unknown_related_id_on_its_line(knowledge_copy):
    path = knowledge_copy / "vet.yaml"
    text = path.read_text(encoding="utf-8")
    _edit(path, "related: [", "related: [vet.nothing, ")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "related: [" in t)
    assert f"knowledge/vet.yaml:{line}: vet.levels: related 'vet.nothing' không tồn tại" in \
        _problems(knowledge_copy)[0] or any("vet.nothing" in p for p in _problems(knowledge_copy))


def test_check_reports_a_missing_source(knowledge_copy):
    path = knowledge_copy / "bot.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  sources:")
    end = text.index("\n  confidence:", start)
    path.write_text(text[:start] + "  sources: []" + text[end:], encoding="utf-8")
    assert any("sources" in p and "at least 1" in p for p in _problems(knowledge_copy))


def test_check_reports_an_answer_that_is_too_long(knowledge_copy):
    _edit(knowledge_copy / "vet.yaml", "  answer: |\n", "  answer: |\n    " + "dài " * 200 + "\n")
    assert any("answer + caveat dài" in p for p in _problems(knowledge_copy))


def test_check_reports_a_phrasing_used_by_two_entries(knowledge_copy, kb):
    taken = kb.get("vet.levels").questions[0]
    _edit(knowledge_copy / "bot.yaml", "  questions:\n", f"  questions:\n    - '{taken.upper()}'\n")
    assert any("câu hỏi trùng" in p and "vet.levels" in p for p in _problems(knowledge_copy))


def test_check_reports_an_unknown_seed_document(knowledge_copy):
    _edit(knowledge_copy / "streaming.yaml", "seed: 001_f9ddfa278fe470e2.txt", "seed: 999_nope.txt")
    assert any("seed '999_nope.txt'" in p for p in _problems(knowledge_copy))


def test_check_reports_an_unconfirmed_entry_without_caveat(knowledge_copy):
    path = knowledge_copy / "vet.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"\n  caveat: >-?\n(    .*\n)+", "\n", text, count=1)
    text = re.sub(r"\n  caveat: .*\n", "\n", text, count=1)
    path.write_text(text, encoding="utf-8")
    assert any("cần có caveat" in p for p in _problems(knowledge_copy))


def test_check_reports_an_unknown_menu_topic(knowledge_copy):
    _edit(knowledge_copy / "menu.yaml", "topics: [vet.levels,", "topics: [vet.gone, vet.levels,")
    assert any(p.startswith("knowledge/menu.yaml:") and "vet.gone" in p
               for p in _problems(knowledge_copy))


def test_check_reports_an_unknown_field(knowledge_copy):
    _edit(knowledge_copy / "vet.yaml", "  title:", "  titel: x\n  title:")
    assert any("titel" in p and "Extra inputs" in p for p in _problems(knowledge_copy))


def test_check_reports_a_missing_folder(tmp_path):
    assert "không tìm thấy thư mục" in _problems(tmp_path / "nowhere")[0]


def test_loading_a_broken_folder_raises_with_every_problem(knowledge_copy):
    _edit(knowledge_copy / "vet.yaml", "id: vet.transfer", "id: vet.levels")
    with pytest.raises(knowledge.KnowledgeError) as err:
        knowledge.load(knowledge_copy)
    assert len(err.value.problems) >= 2


def test_phrasings_are_unique_after_normalisation(kb):
    seen = {}
    for e in kb.entries:
        for q in e.questions:
            assert canonical(q) not in seen, (q, seen.get(canonical(q)))
            seen[canonical(q)] = e.id


def test_check_reports_an_unknown_facet_name_and_an_unknown_facet_topic(knowledge_copy):
    _edit(knowledge_copy / "overseas.yaml", "facets: {where: overseas.loan,",
          "facets: {wherever: overseas.nowhere,")
    problems = _problems(knowledge_copy)
    assert any(re.search(r"overseas\.yaml:\d+: overseas\.loan: facets: .*'wherever'", p)
               for p in problems), problems
    assert any(re.search(r"overseas\.yaml:\d+: overseas\.loan: facets\.wherever: "
                         r"mục 'overseas\.nowhere' không tồn tại", p) for p in problems), problems


def test_every_facet_table_names_known_facets_and_topics(kb):
    assert kb.facets is not None
    ids = {e.id for e in kb.entries}
    tables = [e for e in kb.entries if e.facets]
    assert len(tables) >= 20
    for e in tables:
        for facet, topic in e.facets:
            assert facet in kb.facets.names and topic in ids, (e.id, facet)
