"""The knowledge base: complete, sourced, short enough, and every error reported as file:line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.answering import knowledge
from bot.answering.knowledge import (
    MAX_ANSWER,
    MAX_DETAILS,
    MAX_SOURCES,
    MAX_SOURCES_LINE,
    REQUIRED_IDS,
)
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


def test_check_reports_a_key_given_twice_on_its_line(knowledge_copy):
    # pyyaml keeps the second of two equal keys silently: a facet answer written twice had
    # replaced the first unseen
    path = knowledge_copy / "vet.yaml"
    _edit(path, "  answer: |", "  gist: \"một\"\n  gist: \"hai\"\n  answer: |")
    line = next(i for i, t in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if t == '  gist: "hai"')
    assert any(p.startswith(f"knowledge/vet.yaml:{line}: ") and "khóa 'gist' lặp lại" in p
               for p in _problems(knowledge_copy))


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
    seen: dict[str, object] = {}
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


def test_check_reports_a_gist_or_facet_answer_too_long_and_an_answer_to_no_cue_facet(
        knowledge_copy):
    path = knowledge_copy / "vet.yaml"
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    levels = next(e for e in entries if e["id"] == "vet.levels")
    levels["gist"] = "dài " * 90
    levels["facet_answers"] = {"how-long": "lâu " * 100, "country": "Nhật Bản", "whenever": "sớm"}
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    problems = _problems(knowledge_copy)
    for pattern in (r"vet\.yaml:\d+: vet\.levels: gist dài \d+ ký tự, tối đa 240",
                    r"vet\.yaml:\d+: vet\.levels: facet_answers\.how-long dài \d+ ký tự, "
                    r"tối đa 360",
                    r"vet\.yaml:\d+: vet\.levels: facet_answers: .*'country'",
                    r"vet\.yaml:\d+: vet\.levels: facet_answers: .*'whenever'"):
        assert any(re.search(pattern, p) for p in problems), (pattern, problems)


def test_every_facet_table_names_known_facets_and_topics(kb):
    assert kb.facets is not None
    ids = {e.id for e in kb.entries}
    tables = [e for e in kb.entries if e.facets]
    assert len(tables) >= 20
    for e in tables:
        for facet, topic in e.facets:
            assert facet in kb.facets.names and topic in ids, (e.id, facet)
# --- sources: few, short, registered, and honest about what was replaced -------------------
def _sources_line(kb, entry) -> str:
    return knowledge.sources_line(kb.cite(s) for s in entry.sources)


def test_answers_cite_at_most_three_sources_in_a_line_a_phone_can_show(kb):
    for e in kb.entries:
        assert len(e.sources) <= MAX_SOURCES, e.id
        assert len(_sources_line(kb, e)) <= MAX_SOURCES_LINE, (e.id, _sources_line(kb, e))


def test_every_cited_document_is_registered_with_its_issuer(kb):
    for e in kb.entries:
        for s in e.sources:
            doc = kb.document(s)
            assert doc is not None, (e.id, s)
            assert (s.type, s.issuer) == (doc.type, doc.issuer), (e.id, s)


def test_entries_citing_a_replaced_document_name_its_replacement_in_the_caveat(kb):
    replaced = {d.number: d.replaced_by for d in kb.documents if d.replaced_by}
    assert {"81/2021/NĐ-CP": "238/2025/NĐ-CP", "74/2014/QH13": "124/2025/QH15"}.items() \
        <= replaced.items()
    citing = [(e, replaced[s.number]) for e in kb.entries for s in e.sources
              if s.number in replaced]
    assert citing
    for e, by in citing:
        assert e.caveat and "/".join(by.split("/")[:2]) in e.caveat, (e.id, by)


def test_the_draft_plan_is_shown_short_under_the_answer_and_in_full_with_the_details(kb):
    from bot.answering.answers import entry_reply
    from bot.answering.views import details_view

    entry = kb.get("streaming.targets")
    reply = entry_reply(kb, entry, entry.reviewed)
    draft = next(d for d in kb.documents if d.seed == "001_f9ddfa278fe470e2.txt")
    assert draft.short and draft.type == "Kế hoạch (dự thảo)"
    assert any(draft.short in s and "dự thảo" in s for s in reply.sources)
    assert not any(draft.title in s for s in reply.sources)
    shown = details_view(reply).parts[-1]
    assert any(draft.title in s for s in shown.items)


def test_check_reports_a_fourth_source_on_its_line(knowledge_copy, kb):
    path = knowledge_copy / "support.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  sources:\n", text.index("id: support.student-loan")) + len("  sources:\n")
    extra = "    - type: Luật\n      number: 69/2020/QH14\n      issuer: Quốc hội\n" * 3
    path.write_text(text[:start] + extra + text[start:], encoding="utf-8")
    line = text[:start].count("\n") + 1 + 3 * 3  # the fourth source
    problems = _problems(knowledge_copy)
    assert f"knowledge/support.yaml:{line}: support.student-loan: " \
           f"{3 + len(kb.get('support.student-loan').sources)} nguồn, " \
           f"tối đa {MAX_SOURCES}" in problems
    assert len([p for p in problems if "support.student-loan" in p]) == 1, problems


def test_check_reports_a_sources_line_too_long_for_a_phone(knowledge_copy):
    _edit(knowledge_copy / "data" / "documents.yaml", "short: Hướng nghiệp, phân luồng năm 2025",
          "short: " + "rất dài " * 40)
    problems = [p for p in _problems(knowledge_copy) if "dòng nguồn dài" in p]
    assert problems and all(re.match(r"knowledge/\w+\.yaml:\d+: [\w.-]+: dòng nguồn dài \d+ ký tự, "
                                      rf"tối đa {MAX_SOURCES_LINE}", p) for p in problems)
    assert any("streaming.targets" in p for p in problems)


def test_check_reports_a_document_missing_from_the_registry(knowledge_copy):
    path = knowledge_copy / "overseas.yaml"
    text = path.read_text(encoding="utf-8")
    _edit(path, "number: 69/2020/QH14", "number: 69/2099/QH14")
    line = text[:text.index("number: 69/2020/QH14")].count("\n") + 1
    problems = _problems(knowledge_copy)
    assert problems == [f"knowledge/overseas.yaml:{line}: overseas.overview: '69/2099/QH14' "
                        "không có trong data/documents.yaml"]


def test_check_reports_a_document_attributed_to_another_body(knowledge_copy):
    path = knowledge_copy / "overseas.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("seed: 002_c2db045c1a23c625.txt")
    issuer = text.rindex("issuer: ", 0, at)
    old = text[issuer:text.index("\n", issuer)]
    path.write_text(text[:issuer] + "issuer: UBND tỉnh Long An" + text[issuer + len(old):],
                    encoding="utf-8")
    line = text[:issuer].count("\n") + 1
    problems = _problems(knowledge_copy)
    assert len(problems) == 1, problems
    assert re.fullmatch(rf"knowledge/overseas\.yaml:{line}: overseas\.[\w-]+: nguồn "
                        r"'002_c2db045c1a23c625\.txt' ghi issuer 'UBND tỉnh Long An', "
                        r"data/documents\.yaml ghi 'UBND thị xã Duyên Hải \(ngoài Long An\)'",
                        problems[0])


def test_check_reports_a_replaced_document_cited_without_its_replacement_in_the_caveat(
        knowledge_copy):
    path = knowledge_copy / "vet.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  caveat: >-\n", text.index("id: vet.levels"))
    end = text.index("  details:", start)
    path.write_text(text[:start] + "  caveat: Hỏi phòng tuyển sinh của trường.\n" + text[end:],
                    encoding="utf-8")
    problems = _problems(knowledge_copy)
    assert problems and all(re.match(r"knowledge/vet\.yaml:\d+: vet\.levels: '[^']+' đã được thay "
                                     r"bằng [^ ]+ từ \d\d/\d\d/\d{4}: caveat phải nói điều này",
                                     p) for p in problems), problems
    assert any("'74/2014/QH13' đã được thay bằng 124/2025/QH15 từ 01/01/2026" in p
               for p in problems)


def test_check_reports_a_replacement_missing_from_the_registry(knowledge_copy):
    path = knowledge_copy / "data" / "documents.yaml"
    _edit(path, "replaced_by: 124/2025/QH15", "replaced_by: 999/2026/QH15")
    problems = _problems(knowledge_copy)
    assert any(re.match(r"knowledge/data/documents\.yaml:\d+: '74/2014/QH13': replaced_by "
                        r"'999/2026/QH15' không có trong data/documents\.yaml", p)
               for p in problems), problems
