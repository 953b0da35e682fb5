"""`careerbot web` as a real server in its own process, on a free loopback port: for the
browser tests and bench/web_load.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class WebServer:
    """Start with `start()`, stop with `stop()` (SIGTERM, then a clean exit is expected)."""

    def __init__(self, db_path: Path, *, origins: str = "", env: dict[str, str] | None = None,
                 port: int | None = None, command: tuple[str, ...] = ("web",)) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "CAREERBOT_DB": str(db_path), "CAREERBOT_WEB_ORIGINS": origins,
                    "PYTHONIOENCODING": "utf-8", "LOG_LEVEL": "WARNING", **(env or {})}
        self.env.pop("TELEGRAM_BOT_TOKEN", None)
        self.command = command
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = db_path.with_suffix(".web.log")

    def start(self, timeout: float = 60.0) -> WebServer:
        with self.log.open("wb") as out:
            where = ["--host", "127.0.0.1", "--port", str(self.port)] \
                if self.command == ("web",) else []
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", *self.command, *where], cwd=ROOT, env=self.env,
                stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:  # bounded: until the page answers
            if self.proc.poll() is not None:
                raise RuntimeError(f"careerbot web exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.url + "/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.1)
        raise RuntimeError(f"careerbot web did not start: {self.log.read_text()}")

    def stop(self) -> int:
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")
