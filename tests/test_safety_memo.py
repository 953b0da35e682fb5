"""safety.yaml as read by the last start, kept on disk (safety.MemoFile): a start reads its
cues and examples from it instead of through the lexicon; an edited cue or example is read
afresh, and a corrupt or foreign file is rebuilt, never trusted or fatal."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from bot.answering import knowledge, safety
from bot.answering.knowledge import KnowledgeBase

ROOT = Path(__file__).resolve().parent.parent


def _signature(kb: KnowledgeBase) -> tuple[object, ...]:
    """Everything the memo stands in for: every list of cues (expressions, first words) and
    the model's key (a hash of its examples as read)."""
    d = kb.safety
    every = [d.ignore, d.request, d.illegal_unless, d.abroad]
    every += [c for _, cues, unless in d.crisis for c in (cues, unless)]
    every += [g.cues for g in d.illegal] + [a for _, a in d.always]
    assert d.model is not None
    return (tuple((c.bodies, c.firsts) if c else None for c in every), d.model.key,
            tuple(g.words for g in d.illegal), d.model.signals)


def _fresh(folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[object, ...]:
    """The signature read with an empty cache (no memo at all)."""
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "empty"))
    found = _signature(knowledge.load(folder))
    return found


def test_a_second_load_reads_the_cues_and_examples_from_the_memo(tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    first = _signature(knowledge.load(ROOT / "knowledge"))
    assert safety.MemoFile().path.exists()

    def unexpected(*args: object) -> None:
        raise AssertionError("read through the lexicon again")

    with monkeypatch.context() as m:
        m.setattr(safety, "compile_pattern", unexpected)
        m.setattr(safety, "first_words", unexpected)
        m.setattr(safety, "_as_read", unexpected)
        m.setattr(safety, "canonical", unexpected)  # the signal and group words
        again = _signature(knowledge.load(ROOT / "knowledge"))
    assert again == first
    assert any(g.words for g in knowledge.load(ROOT / "knowledge").safety.illegal)


def test_an_edited_cue_and_example_are_read_afresh(knowledge_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    before = knowledge.load(knowledge_copy)
    found = before.safety.detect("tối qua em nốc hết nước rửa chén")
    assert found is None or not found.crisis
    path = knowledge_copy / "data" / "safety.yaml"
    old_cue, new_cue = "nốc ~3 (rượu|thuốc|chai|vỉ|lọ)", "nốc ~3 (rượu|thuốc|chai|vỉ|lọ|nước rửa)"
    old_example = "tối qua em đứng ngoài ban công lâu lắm, suýt nữa là bước qua"
    new_example = "tối qua em đứng ngoài ban công lâu lắm, suýt nữa là nhảy xuống"
    raw = path.read_text(encoding="utf-8")
    assert old_cue in raw and old_example in raw
    path.write_text(raw.replace(old_cue, new_cue).replace(old_example, new_example),
                    encoding="utf-8")

    edited = knowledge.load(knowledge_copy)  # the memo of the unedited file is on disk
    found = edited.safety.detect("tối qua em nốc hết nước rửa chén")
    assert found is not None and found.crisis
    assert edited.safety.model is not None and before.safety.model is not None
    assert edited.safety.model.key != before.safety.model.key
    memo = safety.MemoFile().read()
    assert new_cue in memo.cues and old_cue not in memo.cues
    assert new_example in memo.examples and old_example not in memo.examples
    assert _signature(edited) == _fresh(knowledge_copy, tmp_path, monkeypatch)


def _older_memo() -> bytes:
    """A memo pickled before a field was added: unpickled, it lacks that attribute."""
    memo = safety.Memo()
    del memo.__dict__["words"]
    return pickle.dumps(memo)


@pytest.mark.parametrize("content", [
    b"not a pickle at all",
    b"",
    pickle.dumps({"cues": "wrong"}),
    pickle.dumps(safety.Memo(cues={"chết": ("x", 1)})),  # type: ignore[dict-item]
    pickle.dumps(safety.Memo(examples={"em buồn": 3})),  # type: ignore[dict-item]
    _older_memo(),
], ids=["garbage", "empty", "not-a-memo", "bad-cue", "bad-example", "older-version"])
def test_a_corrupt_memo_is_rebuilt(content, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    path = safety.MemoFile().path
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    kb = knowledge.load(ROOT / "knowledge")
    assert kb.safety.detect("em muốn chết cho xong") is not None
    rebuilt = safety.MemoFile().read()
    assert rebuilt.valid() and len(rebuilt.cues) > 100 and len(rebuilt.examples) > 100
    assert _signature(kb) == _fresh(ROOT / "knowledge", tmp_path, monkeypatch)


def test_warming_in_the_background_compiles_every_cue_and_reads_the_same(tmp_path,
                                                                         monkeypatch):
    import threading

    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path / "cache"))
    messages = ["em muốn chết cho xong", "mệt muốn chết luôn á", "làm giả bằng cấp ở đâu",
                "học trung cấp có được miễn học phí không", "tối qua em nốc hết vỉ thuốc"]
    waited = knowledge.load(ROOT / "knowledge").safety
    waited.warm()
    kb = knowledge.load(ROOT / "knowledge")
    kb.safety.warm(wait=False)  # as the Assistant does: returns before the expressions exist
    assert [kb.safety.detect(m) for m in messages] == [waited.detect(m) for m in messages]
    for thread in threading.enumerate():
        if thread.name == "safety-compile":
            thread.join(60)
    d = kb.safety
    every = [d.ignore, d.request, d.illegal_unless, d.abroad]
    every += [c for _, cues, unless in d.crisis for c in (cues, unless)]
    every += [g.cues for g in d.illegal] + [a for _, a in d.always]
    for cues in every:
        if cues is not None:
            assert None not in cues._compiled
            assert cues._by_word_compiled.keys() == cues._by_word.keys()
