"""What every careerbot command needs: the settings and the assistant, or one clear
line saying why not."""

from __future__ import annotations

from pathlib import Path

import click

from bot.answering import knowledge
from bot.answering.assistant import Assistant
from bot.bootstrap import load_assistant
from bot.config import ConfigError, Settings


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def _assistant(knowledge_dir: Path | None = None) -> Assistant:
    try:
        settings = _settings()
        return load_assistant(knowledge_dir or settings.knowledge_dir,
                              cache_size=settings.answer_cache)
    except knowledge.KnowledgeError as exc:
        first = exc.problems[0] if exc.problems else "?"
        more = f" (và {len(exc.problems) - 1} lỗi khác)" if len(exc.problems) > 1 else ""
        raise click.ClickException(f"{first}{more} — chạy `careerbot kb check` để xem hết") \
            from exc
