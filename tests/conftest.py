"""Shared fixtures: one per resource."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.answering import knowledge
from bot.answering.assistant import Assistant
from bot.answering.knowledge import KnowledgeBase
from bot.answering.retrieval import Engine
from bot.bootstrap import running
from bot.config import Settings
from bot.services import Services

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return knowledge.load(KNOWLEDGE)


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    return Engine(kb)


@pytest.fixture(scope="session")
def assistant(kb: KnowledgeBase, engine: Engine) -> Assistant:
    return Assistant(kb, engine, lambda: TODAY)


def rules_only(kb: KnowledgeBase, engine: Engine) -> Engine:
    """The engine without its learned context model: the rules alone say which messages read
    the same after any topic, and so which replies the answer cache shares across topics (with
    the model, an answer after a topic may be kept on it: nothing answered is shared)."""
    return Engine(kb, dataclasses.replace(engine.tuning, context_model=False), engine.model)


@pytest.fixture
def svc_env() -> dict[str, str]:
    """Settings for `svc` beyond its database (a test module overrides it: admin ids...)."""
    return {}


@pytest.fixture
def svc(tmp_path: Path, assistant: Assistant, svc_env: dict[str, str]) -> Iterator[Services]:
    """Fresh services, wired as every entry point wires them (bot/bootstrap.running), on a
    new database in tmp_path, sharing the session's knowledge engine."""
    settings = Settings.from_env({"CAREERBOT_DB": str(tmp_path / "careerbot.db"), **svc_env})
    with running(settings, lock=False, assistant=assistant) as core:
        yield core.svc


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the bundled knowledge folder, to break on purpose."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


NEW_TOPIC = ROOT / "tests" / "data" / "topic_34.yaml"
NEW_TOPIC_ID = "guidance.library-hours"
NEW_TOPIC_DOCUMENT = ("- type: Thông báo\n  issuer: Nhà trường (mục thử)\n"
                      "  title: Lịch mở cửa thư viện\n")


def add_new_topic(folder: Path) -> str:
    """Add the valid topic of tests/data/topic_34.yaml to a knowledge folder, its document to
    data/documents.yaml and the topic to its menu; return its id."""
    guidance = folder / "guidance.yaml"
    guidance.write_text(guidance.read_text(encoding="utf-8").rstrip("\n") + "\n\n"
                        + NEW_TOPIC.read_text(encoding="utf-8"), encoding="utf-8")
    documents = folder / "data" / "documents.yaml"
    documents.write_text(documents.read_text(encoding="utf-8").rstrip("\n") + "\n"
                         + NEW_TOPIC_DOCUMENT, encoding="utf-8")
    menu = folder / "menu.yaml"
    text = menu.read_text(encoding="utf-8")
    group = "- id: career\n  title: Chọn nghề\n  topics: ["
    assert group in text, "the menu's career group moved: update add_new_topic"
    menu.write_text(text.replace(group, f"{group}{NEW_TOPIC_ID}, ", 1), encoding="utf-8")
    return NEW_TOPIC_ID


# End-to-end fixtures (the Bot API stand-in and a bot running against it), for every test file.
from tests.telegram.fixtures import (  # noqa: E402, F401
    admin,
    api,
    bot,
    counsellor,
    counsellors,
    student,
)


# Hypothesis profiles for tests/test_properties.py: "dev" by default, "ci" in CI (.ci/run exports
# HYPOTHESIS_PROFILE=ci). Each property runs a share of the profile's max_examples; in "ci" they
# add up to at least 10,000 inputs (a test checks it), the same inputs on every run.
def _hypothesis_profiles() -> None:
    import os

    from hypothesis import HealthCheck, settings

    base = settings.get_profile("default")  # not hypothesis' own "ci", auto-loaded when CI is set
    settings.register_profile("ci", base, max_examples=1000, deadline=None, derandomize=True,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("dev", base, max_examples=50, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))


_hypothesis_profiles()
