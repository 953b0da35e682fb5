"""The learned intent model: trained from the knowledge base alone, cached by its content."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering import knowledge
from bot.answering.intent_model import IntentModel, features_text, knowledge_key
from bot.answering.retrieval import Engine, Tuning


@pytest.fixture(scope="module")
def model(kb) -> IntentModel:
    return IntentModel.train(kb)


def _best(model: IntentModel, message: str) -> tuple[str, float, float]:
    p = model.predict(features_text(message))
    topic, prob = max(p.topics.items(), key=lambda kv: kv[1])
    return topic, prob, p.out


@pytest.mark.parametrize(("message", "topic"), [
    ("hoc trung capp co mat tienn hoc ko", "tuition.trung-cap-free"),  # typos
    ("vay 100 trieu di nhat duoc khong", "overseas.loan"),
    # ("cty" is teencode for "công ty": "làm sao biết cty xkld có giấy phép" is now a phrasing)
    ("kiểm tra cty xkld có giấy phép không bằng cách nào", "overseas.scams"),
])
def test_the_model_reads_topics_it_was_never_shown_verbatim(model, kb, message, topic):
    known = {features_text(q) for e in kb.entries for q in e.questions}
    assert features_text(message) not in known
    best, prob, out = _best(model, message)
    assert best == topic and prob > out


def test_the_model_has_an_out_of_scope_class(model):
    _, prob, out = _best(model, "giá xăng hôm nay bao nhiêu")
    assert out > prob


def test_the_cache_is_keyed_by_the_knowledge_and_reused(knowledge_copy, tmp_path, monkeypatch):
    kb = knowledge.load(knowledge_copy)
    key = knowledge_key(kb)
    cache = tmp_path / "cache"
    first = IntentModel.load(kb, cache)
    files = list(cache.glob("intent-*.pickle"))
    assert len(files) == 1 and key in files[0].name

    def no_training(kb: object) -> IntentModel:
        raise AssertionError("trained again although cached")

    monkeypatch.setattr(IntentModel, "train", classmethod(lambda cls, kb: no_training(kb)))
    again = IntentModel.load(kb, cache)
    assert _best(again, "vay von di xkld")[0] == _best(first, "vay von di xkld")[0]
    # A knowledge edit changes the key: the next load trains a new model (not the cached one).
    vet = knowledge_copy / "vet.yaml"
    vet.write_text(vet.read_text(encoding="utf-8").replace(
        "questions:\n", "questions:\n    - trung cấp với sơ cấp cái nào học lâu hơn\n", 1),
        encoding="utf-8")
    edited = knowledge.load(knowledge_copy)
    assert knowledge_key(edited) != key == knowledge_key(kb)
    with pytest.raises(AssertionError, match="trained again"):
        IntentModel.load(edited, cache)


def test_an_unwritable_cache_still_gives_a_model(kb, model, tmp_path, monkeypatch):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    monkeypatch.setattr(IntentModel, "train", classmethod(lambda cls, kb: model))
    assert IntentModel.load(kb, blocked / "cache") is model


def test_with_no_weight_the_engine_neither_loads_nor_uses_a_model(kb, monkeypatch):
    monkeypatch.setattr(IntentModel, "load", classmethod(
        lambda cls, kb, cache_dir=None: pytest.fail("loaded")))
    assert Engine(kb, dataclasses.replace(Tuning.default(), model_weight=0.0)).model is None


def test_a_fused_engine_ranks_with_the_models_probability(kb, model):
    tuning = dataclasses.replace(Tuning.default(), model_weight=0.5)
    engine = Engine(kb, tuning, model)
    ranked = engine.ask("hoc trung capp co mat tienn hoc ko").ranked
    assert ranked and "model" in ranked[0].features
    assert ranked[0].entry.id == "tuition.trung-cap-free"
