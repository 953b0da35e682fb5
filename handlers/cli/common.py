"""What every careerbot command needs: the settings and the assistant, or one clear
line saying why not."""

from __future__ import annotations

import os
from pathlib import Path

import click
from dotenv import dotenv_values, load_dotenv

from bot.answering import knowledge
from bot.answering.assistant import Assistant
from bot.bootstrap import load_assistant
from bot.config import ConfigError, Settings


def load_configuration(start: Path | None = None) -> Path | None:
    """The .env every careerbot command reads, the server's included: the first one in the
    working directory or above it (the folder the bot was set up in). A relative CAREERBOT_DB
    written in it is taken from the .env's folder, so `careerbot export` run from a
    subfolder opens the file the server writes, not an empty one of its own. Variables already
    in the environment win. Returns the .env read, if any."""
    here = (start or Path.cwd()).resolve()
    path = next((d / ".env" for d in (here, *here.parents) if (d / ".env").is_file()), None)
    if path is None:
        return None
    given = "CAREERBOT_DB" in os.environ
    load_dotenv(path, override=False)
    db = (dotenv_values(path).get("CAREERBOT_DB") or "").strip()
    if not given and db and not Path(db).is_absolute():
        os.environ["CAREERBOT_DB"] = str(path.parent / db)
    return path


def database_path(settings: Settings) -> Path:
    """The database file as a person can find it: absolute."""
    return settings.db_path if str(settings.db_path) == ":memory:" \
        else settings.db_path.absolute()


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
