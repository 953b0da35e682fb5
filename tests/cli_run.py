"""Running the `careerbot` command line in tests: in this process with click's CliRunner, or as
a real process for what needs one (a fresh interpreter, `careerbot run`, a second process)."""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

from click.testing import CliRunner

from handlers.cli.main import main
from tests.conftest import ROOT


@dataclass(frozen=True)
class Ran:
    """What a command did, as a process would show it: exit code, stdout, stderr."""

    returncode: int
    stdout: str
    stderr: str


def careerbot(*args: str, stdin: str = "", env: Mapping[str, str | None] | None = None) -> Ran:
    """`careerbot ARGS` in this process, the way the console script runs it.

    No TELEGRAM_BOT_TOKEN unless `env` sets one (a value None removes a variable). It runs in
    an empty working directory (a relative CAREERBOT_DB lands there, no .env is read) and gives
    the environment back as it was. An exception the command does not turn into a clean message
    is raised here and fails the test, as its traceback would fail a user; warnings logged
    without a handler reach stderr, as they would in a process of its own.
    """
    saved = dict(os.environ)
    root = logging.getLogger()
    assert logging.lastResort is not None
    root.addHandler(logging.lastResort)  # writes to sys.stderr, the runner's while it runs
    try:
        with tempfile.TemporaryDirectory() as cwd, contextlib.chdir(cwd):
            result = CliRunner().invoke(main, list(args), input=stdin,
                                        env={"TELEGRAM_BOT_TOKEN": None, **(env or {})},
                                        catch_exceptions=False)
    finally:
        root.removeHandler(logging.lastResort)
        os.environ.clear()
        os.environ.update(saved)
    return Ran(result.exit_code, result.stdout, result.stderr)


def careerbot_process(*args: str, stdin: str = "", env: Mapping[str, str] | None = None
                      ) -> subprocess.CompletedProcess[str]:
    """`python -m bot ARGS` as a real process: for what only a fresh interpreter shows."""
    base = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    full_env = {**base, "PYTHONIOENCODING": "utf-8", **(env or {})}
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin,
                          capture_output=True, text=True, encoding="utf-8", env=full_env,
                          cwd=ROOT, timeout=120)
