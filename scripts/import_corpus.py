"""Copy the authors' training corpus into knowledge/training/, leaving out any message that is
a test message (tests/data/*.yaml, see bot/answering/corpus_guard.py).

    python scripts/import_corpus.py /work/corpus [--knowledge knowledge]

Topic files go to knowledge/training/topics/ (same names), safety*.yaml to
knowledge/training/safety/. A message line (or a conversation's turn) that is a test message
is dropped. Prints how many were (counts only: the messages themselves are evaluation data).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answering.corpus_guard import Guard  # noqa: E402

SAFETY = "safety"  # safety.yaml, safety2.yaml: the safety corpus


def _item(line: str) -> dict[str, object] | None:
    """The flow mapping on a `- {...}` line, if it is one."""
    body = line.strip()
    if not body.startswith("- {"):
        return None
    try:
        loaded = yaml.safe_load(body[2:])
    except yaml.YAMLError:
        return None
    return loaded if isinstance(loaded, dict) else None


def _text(item: dict[str, object]) -> str:
    return str(item.get("q") or item.get("text") or "")


def filtered(source: str, guard: Guard) -> tuple[str, int]:
    """The file without the lines of copied messages (a message, a safety message or a
    conversation's turn: the conversation keeps its other turns), and how many there were."""
    out: list[str] = []
    dropped = 0
    for line in source.splitlines(keepends=True):
        item = _item(line)
        if item is not None and guard.copied(_text(item)):
            dropped += 1
            continue
        out.append(line)
    return "".join(out), dropped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    args = parser.parse_args()
    guard = Guard.of_files(sorted((ROOT / "tests" / "data").glob("*.yaml")))
    for path in sorted(args.source.glob("*.yaml")):
        folder = "safety" if path.name.startswith(SAFETY) else "topics"
        target = args.knowledge / "training" / folder / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        text, dropped = filtered(path.read_text(encoding="utf-8"), guard)
        target.write_text(text, encoding="utf-8")
        print(f"{path.name}: {dropped} messages or turns left out (equal to a test message) "
              f"-> {target.relative_to(args.knowledge.parent)}")


if __name__ == "__main__":
    main()
