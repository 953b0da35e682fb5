"""Loading the learned models from the disk cache: a fresh process reads the fits without
importing scikit-learn or canonicalising the training texts (the key hashes them as written),
and the n-gram analyzers pickled with the fits give exactly scikit-learn's n-grams."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot.answering import knowledge, safety
from bot.answering.sparse_linear import CharGrams, WordGrams, analyzer

ROOT = Path(__file__).resolve().parent.parent

SETTINGS = [dict(analyzer="char_wb", ngram_range=(2, 5)),
            dict(analyzer="char_wb", ngram_range=(2, 4)),
            dict(analyzer="char_wb", ngram_range=(1, 3)),
            dict(analyzer="word", ngram_range=(1, 2), token_pattern=r"\S+"),
            dict(analyzer="word", ngram_range=(2, 3), token_pattern=r"\S+"),
            dict(analyzer="word", ngram_range=(1, 1), token_pattern=r"\S+")]


@pytest.mark.parametrize("settings", SETTINGS, ids=str)
def test_our_analyzers_give_scikit_learns_ngrams(settings):
    vectorizer = TfidfVectorizer(**settings).fit(["a b c"])
    theirs, ours = vectorizer.build_analyzer(), analyzer(vectorizer)
    assert isinstance(ours, (CharGrams, WordGrams))
    rng = random.Random(7)
    letters = "ab cđễÔ\t\nxy0?"
    docs = ["xin chào   bạn  ơi", "", " a ", "Con Tôi 17 tuổi,\tđi XKLĐ được không?"]
    docs += ["".join(rng.choice(letters) for _ in range(rng.randint(0, 40))) for _ in range(500)]
    for doc in docs:
        assert ours(doc) == theirs(doc), doc


def test_an_analyzer_we_cannot_reproduce_is_refused():
    with pytest.raises(ValueError, match="no fast analyzer"):
        analyzer(TfidfVectorizer(analyzer="char", ngram_range=(2, 3)).fit(["abc"]))


PROBE = """
import json, sys
from pathlib import Path
from bot.answering import knowledge
from bot.answering.retrieval import Engine
kb = knowledge.load(Path(sys.argv[1]))
engine = Engine(kb)
kb.safety.warm()
result = engine.ask("học trung cấp có được miễn học phí không")
found = kb.safety.detect("em muốn chết cho xong")
print(json.dumps({"sklearn": "sklearn" in sys.modules, "scipy": "scipy" in sys.modules,
                  "read": kb.safety.model.source._read is not None,
                  "answer": result.entry.id if result.entry else None,
                  "crisis": bool(found and found.crisis)}))
"""


def _probe(folder: Path, cache: Path) -> dict[str, object]:
    env = {**os.environ, "CAREERBOT_MODEL_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE, str(folder)], env=env, check=True,
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    found: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return found


def test_a_cached_load_reads_no_training_text_and_imports_no_scikit_learn(tmp_path):
    cache = tmp_path / "cache"
    first = _probe(ROOT / "knowledge", cache)  # trains both models, fills the cache
    assert first["sklearn"] and first["read"]
    again = _probe(ROOT / "knowledge", cache)
    assert again == {**first, "sklearn": False, "scipy": False, "read": False}
    assert again["answer"] is not None and again["crisis"]


def test_the_safety_key_follows_the_texts_as_written(knowledge_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    kb = knowledge.load(knowledge_copy)
    assert kb.safety.model is not None
    key = kb.safety.model.key
    assert kb.safety.model.source._read is None  # the key is known without reading them
    question = "trung cấp với sơ cấp cái nào học lâu hơn"
    read = safety.read_canonical(question)
    assert read.startswith("trung cap voi so cap")  # as the rules read it ("lâu" is time)
    # A knowledge question is not one of the model's messages (round 15): editing a topic
    # does not retrain it.
    vet = knowledge_copy / "vet.yaml"
    vet.write_text(vet.read_text(encoding="utf-8").replace(
        "questions:\n", f"questions:\n    - {question}\n", 1), encoding="utf-8")
    topic_edited = knowledge.load(knowledge_copy)
    assert topic_edited.safety.model is not None and topic_edited.safety.model.key == key
    # An ordinary example of safety.yaml is: editing it retrains.
    rules = knowledge_copy / "data" / "safety.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        "\n  none:\n", f"\n  none:\n    - {question}\n", 1), encoding="utf-8")
    edited = knowledge.load(knowledge_copy)
    assert edited.safety.model is not None and edited.safety.model.key != key
    assert (read, "none") in edited.safety.model.examples
    assert knowledge.load(knowledge_copy).safety.model.key == edited.safety.model.key


def test_a_checked_corpus_is_parsed_only_when_needed(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    first = knowledge.load(ROOT / "knowledge")  # checks the files, leaves a marker
    assert first.corpus._parsed is not None
    again = knowledge.load(ROOT / "knowledge")
    assert again.corpus._parsed is None  # checked before: not parsed at load
    assert again.corpus == first.corpus and len(again.corpus) == len(first.corpus)
    assert again.corpus._parsed is not None


def test_a_corpus_problem_is_reported_at_every_load(knowledge_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    assert knowledge.check(knowledge_copy) == []
    (knowledge_copy / "training" / "topics" / "bad.yaml").write_text(
        "messages:\n  - {q: \"học nghề ở đâu\", id: no.such-topic}\n", encoding="utf-8")
    for _ in range(2):  # nothing marks a corpus with a problem as checked
        problems = knowledge.check(knowledge_copy)
        assert any("no.such-topic" in p.message for p in problems)


def test_the_library_version_is_read_beside_the_package_as_its_metadata_says():
    """The models' cache keys name scikit-learn's version: read from its dist-info folder
    directly (importlib.metadata's search of the whole path was ~11 ms of a cached start),
    the same string importlib.metadata gives."""
    from importlib.metadata import version

    from bot.answering import model_cache

    assert model_cache._dist_info_version() == version("scikit-learn")
    model_cache.library_version.cache_clear()
    assert model_cache.library_version() == version("scikit-learn")
