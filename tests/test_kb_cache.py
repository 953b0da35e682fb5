"""The knowledge base kept on disk for the next start (bot/answering/kb_cache.py): a second
load reads no YAML and gives the same knowledge base and answers; an edit of the knowledge or
another version of the code reads the YAML again; a corrupt, foreign, shared-writable or
symlinked file is never read; the file is readable by its owner alone."""

from __future__ import annotations

import json
import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering import kb_cache, knowledge, text, yamlfile
from bot.answering.knowledge import KnowledgeBase, KnowledgeError
from bot.answering.retrieval import Engine

ROOT = Path(__file__).resolve().parent.parent
ASKED = ("học trung cấp có được miễn học phí không", "đi xuất khẩu lao động nhật cần gì",
         "con tôi học xong lớp 9 nên học gì")
MODELS = os.environ.get("CAREERBOT_MODEL_CACHE")  # the suite's, before a test points it away


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(folder))
    return folder


def _stored(cache: Path) -> list[Path]:
    return sorted(cache.glob("knowledge-*.pickle"))


def _without_yaml(monkeypatch: pytest.MonkeyPatch, folder: Path) -> KnowledgeBase:
    """A load that fails if it parses a knowledge file (the safety rules' own file aside:
    read at every load)."""
    parse = yamlfile.load

    def only_safety(path: Path, data: bytes | None = None) -> object:
        assert path.name in {"safety.yaml", "off_topic.yaml"}, f"parsed {path}"
        return parse(path, data)

    with monkeypatch.context() as m:
        m.setattr(yamlfile, "load", only_safety)
        return knowledge.load(folder)


def _answers(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """Answers and safety findings, the models read from the suite's usual cache (not fitted
    again in the test's empty one)."""
    with monkeypatch.context() as m:
        if MODELS is None:
            m.delenv("CAREERBOT_MODEL_CACHE", raising=False)
        else:
            m.setenv("CAREERBOT_MODEL_CACHE", MODELS)
        engine = Engine(kb)
        found: list[tuple[object, ...]] = []
        for q in ASKED:
            r = engine.ask(q)
            found.append((r.kind, r.entry.id if r.entry else None, r.score,
                          tuple(e.id for e in r.suggestions), kb.safety.detect(q)))
    return found


def test_a_second_load_reads_no_yaml_and_is_the_same(cache, monkeypatch):
    first = knowledge.load(ROOT / "knowledge")
    assert len(_stored(cache)) == 1
    again = _without_yaml(monkeypatch, ROOT / "knowledge")
    assert again == first  # entries, menu, districts, documents, entities, rules, facets
    assert again.locations == first.locations and again.root == first.root
    assert again.safety.model is not None and first.safety.model is not None
    assert again.safety.model.key == first.safety.model.key
    assert again.corpus.digest == first.corpus.digest
    assert _answers(again, monkeypatch) == _answers(first, monkeypatch)


def test_the_file_is_readable_by_its_owner_alone(cache):
    knowledge.load(ROOT / "knowledge")
    (path,) = _stored(cache)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not list(cache.glob("*.tmp"))  # written whole, then renamed


def test_an_edit_of_the_knowledge_reads_the_yaml_again(knowledge_copy, cache, monkeypatch):
    knowledge.load(knowledge_copy)
    vet = knowledge_copy / "vet.yaml"
    vet.write_text(vet.read_text(encoding="utf-8").replace(
        "title: ", "title: (sửa) ", 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed"):
        _without_yaml(monkeypatch, knowledge_copy)
    edited = knowledge.load(knowledge_copy)
    assert any(e.title.startswith("(sửa) ") for e in edited.entries)
    assert len(_stored(cache)) == 2  # one per content
    assert _without_yaml(monkeypatch, knowledge_copy) == edited


def test_an_edit_of_a_data_file_reads_the_yaml_again(knowledge_copy, cache, monkeypatch):
    knowledge.load(knowledge_copy)
    facets = knowledge_copy / "data" / "facets.yaml"
    facets.write_text(facets.read_text(encoding="utf-8") + "\n# sửa\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="parsed"):
        _without_yaml(monkeypatch, knowledge_copy)


def test_a_knowledge_problem_is_never_stored(knowledge_copy, cache):
    menu = knowledge_copy / "menu.yaml"
    menu.write_text(menu.read_text(encoding="utf-8") + "- id: x\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(KnowledgeError):
            knowledge.load(knowledge_copy)
    assert _stored(cache) == []


def test_a_corpus_problem_is_reported_though_the_rest_is_stored(knowledge_copy, cache):
    knowledge.load(knowledge_copy)
    (knowledge_copy / "training" / "topics" / "bad.yaml").write_text(
        "messages:\n  - {q: \"học nghề ở đâu\", id: no.such-topic}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"no\.such-topic"):
        knowledge.load(knowledge_copy)


def test_another_version_of_the_code_reads_the_yaml_again(cache, monkeypatch):
    knowledge.load(ROOT / "knowledge")
    monkeypatch.setattr(kb_cache, "FORMAT", "careerbot knowledge 0")
    with pytest.raises(AssertionError, match="parsed"):
        _without_yaml(monkeypatch, ROOT / "knowledge")
    knowledge.load(ROOT / "knowledge")
    assert len(_stored(cache)) == 2  # each version its own file


def test_an_identical_copy_elsewhere_shares_the_file(knowledge_copy, cache, monkeypatch):
    first = knowledge.load(ROOT / "knowledge")
    assert knowledge_copy.name == "knowledge" and knowledge_copy != ROOT / "knowledge"
    again = _without_yaml(monkeypatch, knowledge_copy)
    assert again.entries == first.entries and again.locations == first.locations
    assert again.root == knowledge_copy
    assert len(_stored(cache)) == 1


def test_the_key_follows_the_code(tmp_path, monkeypatch):
    code = tmp_path / "bot"
    (code / "data").mkdir(parents=True)
    (code / "a.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(kb_cache, "BOT", code)
    before = kb_cache.key(ROOT / "knowledge", "2")
    assert kb_cache.key(ROOT / "knowledge", "3") != before  # the library's version
    (code / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert kb_cache.key(ROOT / "knowledge", "2") != before


def _spoil(cache: Path, how: str) -> None:
    (path,) = _stored(cache)
    if how == "corrupt":
        path.write_bytes(path.read_bytes()[:1000])
    elif how == "garbage":
        path.write_bytes(b"not a pickle at all")
    elif how == "foreign":  # a valid pickle of another key (another version's file renamed)
        path.write_bytes(pickle.dumps(("0" * 32, pickle.loads(path.read_bytes())[1])))  # noqa: S301
    elif how == "other type":
        path.write_bytes(pickle.dumps({"entries": ()}))
    elif how == "writable by others":
        path.chmod(0o666)
    elif how == "folder writable by others":
        cache.chmod(0o777)
    elif how == "symlink":
        target = cache.parent / "elsewhere.pickle"
        target.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(target)


@pytest.mark.parametrize("how", ["corrupt", "garbage", "foreign", "other type",
                                 "writable by others", "folder writable by others",
                                 "symlink"])
def test_a_file_not_to_trust_is_not_read(how, cache, monkeypatch):
    first = knowledge.load(ROOT / "knowledge")
    _spoil(cache, how)
    with pytest.raises(AssertionError, match="parsed"):
        _without_yaml(monkeypatch, ROOT / "knowledge")
    assert knowledge.load(ROOT / "knowledge") == first


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0,
                    reason="giving a file to another user needs root")
def test_a_file_of_another_user_is_not_read(cache, monkeypatch):
    knowledge.load(ROOT / "knowledge")
    (path,) = _stored(cache)
    os.chown(path, 12345, 12345)
    with pytest.raises(AssertionError, match="parsed"):
        _without_yaml(monkeypatch, ROOT / "knowledge")


def test_a_file_others_may_only_read_is_read(cache, monkeypatch):
    """As the container image has it: written by root at build time, readable by all."""
    first = knowledge.load(ROOT / "knowledge")
    (path,) = _stored(cache)
    path.chmod(0o644)
    cache.chmod(0o755)
    assert _without_yaml(monkeypatch, ROOT / "knowledge") == first


def test_a_rejected_file_is_replaced_by_a_good_one(cache, monkeypatch):
    knowledge.load(ROOT / "knowledge")
    _spoil(cache, "garbage")
    knowledge.load(ROOT / "knowledge")  # reads the YAML, writes the file again
    _without_yaml(monkeypatch, ROOT / "knowledge")


def test_an_unwritable_folder_only_means_reading_the_yaml(tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(blocked / "cache"))  # under a file
    assert len(knowledge.load(ROOT / "knowledge").entries) > 30


VALIDATORS = """
import json, sys
from pathlib import Path
from bot.answering import corpus, intent_model, knowledge
kb = knowledge.load(Path(sys.argv[1]))
intent_model.knowledge_key(kb)  # what finds the cached intent model
print(json.dumps([cls.__name__ for cls in (knowledge.Entry, knowledge.Source, knowledge.Entities,
                                            knowledge.Facets, corpus.Message, corpus.Turn)
                  if cls.__pydantic_complete__]))
"""


def _built(cache: Path) -> list[str]:
    env = {**os.environ, "CAREERBOT_MODEL_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", VALIDATORS, str(ROOT / "knowledge")], env=env,
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout
    found: list[str] = json.loads(out)
    return found


def test_a_cached_start_builds_no_validator(cache):
    """Nor a serializer: the intent model's cache key reads the topics without one."""
    assert "Entry" in _built(cache)  # the first start validates the YAML
    assert _built(cache) == []  # the next builds no model's validator (defer_build)


def test_a_cached_load_gives_the_normal_forms_and_analyses_as_made_afresh(cache, monkeypatch):
    knowledge.load(ROOT / "knowledge")
    text.analyze.cache_clear()
    kb = knowledge.load(ROOT / "knowledge")  # from the cache, with the analyses
    texts = knowledge._phrasings(knowledge._Read(
        kb.entries, kb.menu, kb.districts, kb.documents, kb.locations, kb.entities,
        kb.out_of_scope, kb.facets))
    assert len(texts) > 900 and "máy tính" in texts and "đức hòa" in map(str.lower, texts)

    def unexpected(raw: str) -> str:
        raise AssertionError(f"read through the lexicon again: {raw}")

    text.analyze.cache_clear()
    text.normalize.cache_clear()
    with monkeypatch.context() as m:
        m.setattr(text, "_normalized", unexpected)
        normal = [text.normalize(t) for t in texts]
        m.setattr(text, "normalize", unexpected)
        given = [text.analyze(t) for t in texts]
    text.forget_normal_forms()  # forgets them too: a benchmark times the work
    text.analyze.cache_clear()
    text.normalize.cache_clear()
    with monkeypatch.context() as m, pytest.raises(AssertionError, match="again"):
        m.setattr(text, "_normalized", unexpected)
        text.normalize(texts[0])
    assert given == [text.analyze(t) for t in texts]
    assert normal == [text.normalize(t) for t in texts]
