"""The bundled training corpus (knowledge/training/): written apart from every evaluation and
development set, and broad enough to learn each required topic from."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from bot.answering.corpus_guard import Guard
from bot.answering.knowledge import REQUIRED_IDS

DATA = Path(__file__).resolve().parent / "data"
MIN_PER_TOPIC = 20


def _corpus_texts(kb) -> list[str]:
    corpus = kb.corpus
    return [*(m.q for m in corpus.messages), *(t.q for c in corpus.conversations
                                              for t in c.turns), *(m.text for m in corpus.safety)]


@pytest.mark.parametrize("path", sorted(DATA.glob("*.yaml")), ids=lambda p: p.stem)
def test_no_test_message_is_in_the_training_corpus(path, kb):
    """No message of tests/data (question sets, conversations, safety sets) of four canonical
    words or more is a message of knowledge/training/ (a long one not even inside one).
    Only a count is reported: the messages are evaluation data."""
    guard = Guard.of_files([path])
    assert guard.equal
    texts = _corpus_texts(kb)
    assert texts
    copied = sum(guard.copied(t) for t in texts)
    assert copied == 0


def test_the_guard_catches_a_copy_and_a_long_copy_wrapped_in_a_story():
    guard = Guard.of(["liên thông là sao vậy",
                      "con tôi học lớp 9 ở Bến Lức, muốn học nghề hàn, học ở đâu, tốn bao "
                      "nhiêu, có được vay không vậy bạn"])
    assert guard.copied("lien thong la sao z")  # the same message, typed otherwise
    assert guard.copied("Chào bạn. Con tôi học lớp 9 ở Bến Lức, muốn học nghề hàn, học ở "
                        "đâu, tốn bao nhiêu, có được vay không vậy bạn? Cảm ơn")
    assert not guard.copied("trung cấp liên thông là sao vậy ad")  # short, inside: chance


def test_every_required_topic_has_enough_corpus_messages(kb):
    counts = Counter(m.id for m in kb.corpus.messages)
    thin = {topic: counts[topic] for topic in REQUIRED_IDS if counts[topic] < MIN_PER_TOPIC}
    assert thin == {}


def test_the_corpus_has_out_of_scope_messages_and_conversations(kb):
    assert sum(m.id is None for m in kb.corpus.messages) >= 20
    assert len(kb.corpus.conversations) >= 50
