"""What a conversation has established so far: the topic shown last and the entities named.

One small immutable value per user (the chat core keeps it in the question log) or per session
(`careerbot ask --json` with "session"). The engine reads a message against it and returns the
next one, so every channel follows a conversation the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Context:
    topic: str | None = None  # the topic shown last
    country: str | None = None  # entities named so far (names as in knowledge/data)
    district: str | None = None
    level: str | None = None
    trade: str | None = None  # a trade named ("nghề điện"): its name as in knowledge/data
    interest: str | None = None  # what the user said they like ("thích vẽ"): its name there

    @classmethod
    def of(cls, previous: str | Context | None) -> Context:
        """A context from what callers pass: nothing, a topic id (as before) or a context."""
        if isinstance(previous, Context):
            return previous
        return cls(topic=previous)

    def shown(self, topic: str | None) -> Context:
        """The context after a topic is shown (a menu tap, an answer)."""
        return self if topic is None else replace(self, topic=topic)

    def as_json(self) -> dict[str, str]:
        return {k: v for k, v in (("topic", self.topic), ("country", self.country),
                                  ("district", self.district), ("level", self.level),
                                  ("trade", self.trade), ("interest", self.interest)) if v}


EMPTY = Context()
