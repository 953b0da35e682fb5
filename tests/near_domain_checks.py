"""Checks the conversation-reading tests share: a message a near-domain rule declines (with
whom to ask), and one no rule declines."""

from __future__ import annotations

from bot.answering.retrieval import Engine


def assert_declined(engine: Engine, rule: str, *messages: str) -> None:
    """Each message matches `rule` and gets no topic's answer."""
    for message in messages:
        near = engine._near_domain(message)
        assert near is not None and near.id == rule, message
        assert engine.ask(message).entry is None, message


def assert_not_declined(engine: Engine, *messages: str) -> None:
    for message in messages:
        assert engine._near_domain(message) is None, message
