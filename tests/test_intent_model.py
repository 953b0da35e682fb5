"""The learned intent model: trained from the knowledge base and the training corpus, cached by
their content."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering import knowledge
from bot.answering.corpus import Message
from bot.answering.intent_model import (
    DEFAULT,
    OUT,
    IntentModel,
    corpus_examples,
    features_text,
    knowledge_key,
)
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
    ("coi cty xkld co giay phep that ko bang cach nao", "overseas.scams"),
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


@pytest.fixture(scope="module")
def base_only(kb) -> IntentModel:
    """The same model trained on the knowledge base's own phrasings alone."""
    return IntentModel.train(kb, dataclasses.replace(DEFAULT, corpus=False))


def _says(model: IntentModel, message: str) -> str | None:
    """The model's reading: its best topic, or None when "no topic" is likelier."""
    topic, prob, out = _best(model, message)
    return topic if prob > out else None


# Written for this test (not from any evaluation or development set, nor from the corpus):
# said the way the corpus's authors write, which the base's phrasings do not cover.
@pytest.mark.parametrize(("message", "topic"), [
    # (two privacy messages are now read by the phrasings alone too, since the knowledge
    # edits of rounds 6 and 9)
    ("qua nhựt làm mà chủ hổng trả lương thì kêu ai", "overseas.rights"),
    ("nhà nghèo mà muốn đi nhựt thì mượn tiền ở đâu được", "overseas.loan"),
])
def test_the_corpus_teaches_the_model_what_the_phrasings_alone_miss(model, base_only, message,
                                                                   topic):
    assert _says(base_only, message) != topic
    assert _says(model, message) == topic


def test_the_corpus_makes_the_model_surer_that_no_topic_answers(model, base_only):
    # (round 19: the stage-of-schooling wrappers took the base-only reading to 0.80, so a fixed
    # gap of 0.2 above it was out of reach; the corpus still takes it past 0.95)
    message = "ad ơi cho em xin link phim hay"
    assert _best(model, message)[2] > 0.95 > _best(base_only, message)[2]


def test_corpus_messages_train_their_topic_or_none_and_both_parts_of_two_questions():
    pairs = corpus_examples((
        Message(q="hoc tc co mat tien ko", id="tuition.trung-cap-free"),
        Message(q="diem chuan bach khoa nhiu", id=None, kind="oos"),
        Message(q="vay von di nhat duoc bao nhieu va hoc o dau", id="overseas.loan",
                also="college.admission")))
    assert ("diem chuan bach khoa nhiu", OUT) in pairs
    assert ("vay von di nhat duoc bao nhieu", "overseas.loan") in pairs
    assert ("hoc o dau", "college.admission") in pairs
    assert ("vay von di nhat duoc bao nhieu va hoc o dau", "overseas.loan") in pairs


def test_a_corpus_edit_changes_the_cache_key_and_retrains(knowledge_copy, tmp_path,
                                                          monkeypatch):
    kb = knowledge.load(knowledge_copy)
    assert kb.corpus.messages
    cache = tmp_path / "cache"
    IntentModel.load(kb, cache)
    monkeypatch.setattr(IntentModel, "train", classmethod(
        lambda cls, kb, *a: pytest.fail("trained again although cached")))
    IntentModel.load(kb, cache)  # same corpus: from the cache
    topics = next(p for p in sorted((knowledge_copy / "training" / "topics").glob("*.yaml"))
                  if "messages:\n" in p.read_text(encoding="utf-8"))
    topics.write_text(topics.read_text(encoding="utf-8").replace(
        "messages:\n", "messages:\n  - {q: \"trung cap voi so cap cai nao lau hon\", "
        "id: vet.levels}\n", 1), encoding="utf-8")
    edited = knowledge.load(knowledge_copy)
    assert edited.corpus.digest != kb.corpus.digest
    assert knowledge_key(edited) != knowledge_key(kb)
    with pytest.raises(pytest.fail.Exception, match="trained again"):
        IntentModel.load(edited, cache)


def test_the_default_engine_has_the_model_on(engine):
    assert engine.model is not None and engine.tuning.model_weight > 0
