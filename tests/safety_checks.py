"""Checks the safety round tests share: a message read by the cues alone (the model off) and by
the whole detector."""

from __future__ import annotations

import dataclasses

from bot.answering.knowledge import KnowledgeBase
from bot.answering.safety import Concern, Detector


def cues_only(kb: KnowledgeBase) -> Detector:
    """The rules themselves, not the model."""
    assert kb.safety is not None
    return dataclasses.replace(kb.safety, model=None)


def assert_answered_as_usual(kb: KnowledgeBase, text: str) -> None:
    assert kb.safety is not None
    assert cues_only(kb).detect(text) is None
    assert kb.safety.detect(text) is None


def assert_refused(kb: KnowledgeBase, text: str) -> None:
    assert kb.safety is not None
    for detector in (cues_only(kb), kb.safety):
        found = detector.detect(text)
        assert found is not None and found.concern is Concern.ILLEGAL
