"""The short answers of the overseas, bot and child-safety topics invent no office and no
figure: where the knowledge base does not know, they say so."""
from __future__ import annotations

import pytest

from bot.answering import knowledge

# Offices and numbers a short answer may send a user to; each must come from the entry itself.
_PLACES = ("UBND xã/phường", "Trung tâm Dịch vụ việc làm", "Ngân hàng Chính sách xã hội",
           "NHCSXH", "Sở GD&ĐT", "Trung tâm Lao động ngoài nước", "Đại sứ quán",
           "Tổng lãnh sự quán", "111", "113", "114", "115", "/khaosat", "/xoadulieu",
           "/dulieucuatoi")

_FILES = ("overseas.yaml", "bot.yaml", "child-safety.yaml")

# Facets the entry itself says it has no figure for: the short answer must say so too, and
# state no number unless the entry knows part of it.
_UNKNOWN = [("overseas.loan", "how-much", False), ("overseas.loan", "how-long", False),
            ("overseas.study-abroad", "how-much", False),
            ("overseas.study-abroad", "who", False), ("overseas.study-abroad", "loan", False)]


def _entries() -> list[knowledge.Entry]:
    kb = knowledge.load()
    ids = set()
    for name in _FILES:
        text = (knowledge.default_dir() / name).read_text(encoding="utf-8")
        ids |= {line.split(":", 1)[1].strip() for line in text.splitlines()
                if line.startswith("- id:")}
    return [e for e in kb.entries if e.id in ids]


def test_every_entry_of_these_files_has_a_gist_and_facet_answers() -> None:
    entries = _entries()
    assert len(entries) == 11
    for entry in entries:
        assert entry.gist, entry.id
        assert entry.facet_answers, entry.id


def test_short_answers_name_only_offices_the_entry_names() -> None:
    checked = 0
    for entry in _entries():
        source = " ".join(t for t in (entry.answer, entry.details, entry.caveat or "") if t)
        for text in [entry.gist or ""] + [t for _, t in entry.facet_answers]:
            for place in _PLACES:
                if place in text:
                    checked += 1
                    assert place in source, f"{entry.id}: {place!r} is not in the entry"
    assert checked > 10


@pytest.mark.parametrize(("topic", "facet", "some_known"), _UNKNOWN)
def test_an_unknown_figure_is_said_to_be_unknown(topic: str, facet: str,
                                                 some_known: bool) -> None:
    entry = knowledge.load().get(topic)
    assert entry is not None
    text = entry.facet_answer(facet)
    assert text is not None and "chưa" in text.lower(), f"{topic}/{facet}: {text!r}"
    assert some_known or not any(ch.isdigit() for ch in text.replace("338/2025/NĐ-CP", "")
                   .replace("01/01/2026", "")), f"{topic}/{facet} states a figure: {text!r}"
