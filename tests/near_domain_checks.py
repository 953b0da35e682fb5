"""Checks the conversation-reading tests share: a message a near-domain rule declines (with
whom to ask), one no rule declines, and a conversation read turn by turn."""

from __future__ import annotations

from bot.answering.retrieval import Engine, Result


def assert_declined(engine: Engine, rule: str, *messages: str) -> None:
    """Each message matches `rule` and gets no topic's answer."""
    for message in messages:
        near = engine._near_domain(message)
        assert near is not None and near.id == rule, message
        assert engine.ask(message).entry is None, message


def assert_not_declined(engine: Engine, *messages: str) -> None:
    for message in messages:
        assert engine._near_domain(message) is None, message


def chat(engine: Engine, *messages: str) -> list[Result]:
    """Each message read after the ones before it, as the chat reads them."""
    previous = None
    results = []
    for message in messages:
        result = engine.ask(message, previous)
        previous = result.context
        results.append(result)
    return results
