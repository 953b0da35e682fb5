"""Dump what the engine and the safety detector make of every message the project holds, so a
change meant to be behaviour-neutral (a speed pass) can be checked by diffing two dumps.

Every message of tests/data/*.yaml (question sets with their `previous`, safety sets, whole
conversations read in order with the context the engine returns) and of knowledge/training/
(topic messages, corpus conversations in order, safety messages): the engine's kind, top topic,
suggestions and second question, its score (4 decimals), and the safety detector's finding and
model reading (4 decimals).

    python bench/dump_answers.py > before.txt    # ... change ...
    python bench/dump_answers.py > after.txt && diff before.txt after.txt
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering import knowledge  # noqa: E402
from bot.answering.context import Context  # noqa: E402
from bot.answering.retrieval import Engine, Result  # noqa: E402
from bot.answering.safety import Detector  # noqa: E402


def _files() -> list[Path]:
    return [*sorted((ROOT / "tests" / "data").glob("*.yaml")),
            *sorted((ROOT / "knowledge" / "training").glob("*/*.yaml"))]


def _messages(data: Any) -> Iterator[tuple[str, str | None, int]]:
    """(message, previous topic, turn) in file order: turn is -1 for a message read alone,
    else its index in its conversation (the context is carried by the caller)."""
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if key == "conversations":
            for chat in value or ():
                for k, turn in enumerate(chat.get("turns") or ()):
                    yield str(turn["q"]), None, k
            continue
        for item in value if isinstance(value, list) else ():
            if isinstance(item, dict):
                q = item.get("q", item.get("text"))
                if isinstance(q, str):
                    yield q, item.get("previous"), -1
            elif isinstance(item, str):
                yield item, None, -1


def _engine(result: Result) -> str:
    top = result.ranked[0].entry.id if result.ranked else "-"
    sugg = ",".join(e.id for e in result.suggestions) or "-"
    also = ",".join(e.id for e in result.also) or "-"
    return f"{result.kind.value} {top} {result.score:.4f} sugg={sugg} also={also}"


def _safety(detector: Detector, message: str) -> str:
    found = detector.detect(message)
    out = "none" if found is None else f"{found.concern.value}:{found.topic or '-'}"
    model = detector.model
    if model is not None:
        from bot.answering.text import canonical
        probs = model.probabilities(f" {canonical(message)} ")
        out += " " + " ".join(f"{k}={v:.4f}" for k, v in sorted(probs.items()))
    return out


def main() -> None:
    kb = knowledge.load()
    engine = Engine(kb)
    for path in _files():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        name = path.relative_to(ROOT)
        context = Context()
        for n, (q, previous, turn) in enumerate(_messages(data)):
            if turn == 0:
                context = Context()
            result = engine.ask(q, context if turn >= 0 else previous)
            if turn >= 0:
                context = result.context
            print(f"{name}:{n}\t{_engine(result)}\t{_safety(kb.safety, q)}")


if __name__ == "__main__":
    main()
