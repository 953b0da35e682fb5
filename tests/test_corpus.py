"""The training corpus (knowledge/training/): loaded beside the knowledge base, checked by
`kb check` with file and line, keyed by a digest the models' caches use."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.answering import knowledge

TOPICS = """\
messages:
  - {q: "hoc trung cap co mat tien ko", id: tuition.trung-cap-free}
  - {q: "vay von di nhat va hoc phi tc", id: overseas.loan, also: tuition.trung-cap-free}
  - {q: "diem chuan bach khoa nhiu", id: null, kind: oos}
conversations:
  - persona: student
    turns:
      - {q: "hoc cd may nam", id: vet.levels, tag: open}
      - {q: "hoc o dau", id: college.long-an, tag: follow}
"""
SAFETY = """\
messages:
  - {text: "ho bat em lam khong cho ve", concern: abuse}
  - {text: "met muon xiu voi bai tap", concern: null, note: idiom}
"""


def write(folder: Path, topics: str = TOPICS, safety: str = SAFETY) -> None:
    shutil.rmtree(folder / "training", ignore_errors=True)  # the bundled corpus: not this test's
    (folder / "training" / "topics").mkdir(parents=True, exist_ok=True)
    (folder / "training" / "safety").mkdir(parents=True, exist_ok=True)
    (folder / "training" / "topics" / "a.yaml").write_text(topics, encoding="utf-8")
    (folder / "training" / "safety" / "a.yaml").write_text(safety, encoding="utf-8")


def test_the_corpus_is_loaded_with_the_knowledge_base(knowledge_copy: Path) -> None:
    write(knowledge_copy)
    corpus = knowledge.load(knowledge_copy).corpus
    assert [m.id for m in corpus.messages] == [
        "tuition.trung-cap-free", "overseas.loan", None]
    assert corpus.messages[1].also == "tuition.trung-cap-free"
    assert [t.id for t in corpus.conversations[0].turns] == ["vet.levels", "college.long-an"]
    assert [m.concern for m in corpus.safety] == ["abuse", None]


def test_check_names_an_unknown_topic_with_its_file_and_line(knowledge_copy: Path) -> None:
    write(knowledge_copy, TOPICS.replace("id: college.long-an", "id: college.nowhere"))
    problems = knowledge.check(knowledge_copy)
    assert [(p.file, p.line) for p in problems] == [
        ("knowledge/training/topics/a.yaml", 9)]
    assert "college.nowhere" in problems[0].message


def test_check_rejects_an_unknown_concern_or_field(knowledge_copy: Path) -> None:
    write(knowledge_copy, TOPICS.replace("kind: oos", "kind: rude"),
          SAFETY.replace("concern: abuse", "concern: sad"))
    problems = knowledge.check(knowledge_copy)
    assert sorted((p.file, p.line) for p in problems) == [
        ("knowledge/training/safety/a.yaml", 2), ("knowledge/training/topics/a.yaml", 4)]


def test_the_digest_follows_the_files(knowledge_copy: Path) -> None:
    write(knowledge_copy)
    before = knowledge.load(knowledge_copy).corpus.digest
    write(knowledge_copy, TOPICS.replace("nhiu", "bao nhieu"))
    assert knowledge.load(knowledge_copy).corpus.digest != before
