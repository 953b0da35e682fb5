"""A cold start (bot/answering/cold_start.py): the safety model fitted in a forked child while
this process fits the intent model and reads the context model's rows alone (no second child
beside the first on two cores), and a failed fit in the child reported, not swallowed. Each
case is a fresh single-threaded interpreter with an empty model cache, as `careerbot run`
starts (a test process may have threads, which forbid forking)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

START = """
import json, logging, os, sys
logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
os.sched_getaffinity = lambda pid: {0, 1}  # two cores, as the machine it is measured on
from bot.answering import forked, knowledge, safety_model
from bot.answering.cold_start import ready_engine
parent = os.getpid()
if FAIL:
    fit = safety_model.SafetyModel.warm
    def failing(self):
        if os.getpid() != parent:
            raise RuntimeError("the child's fit fails")
        fit(self)
    safety_model.SafetyModel.warm = failing
split = []  # children map_split forks for the context model's reading
fork = forked.fork
def counted():
    split.append(1)
    return fork()
forked.fork = counted
kb = knowledge.load()
engine = ready_engine(kb)
print(json.dumps({
    "split": len(split), "held": forked._held,
    "context": engine.context_model is not None and engine.context_model.examples > 0,
    "answer": engine.ask("học trung cấp có được miễn học phí không").entry.id,
    "crisis": kb.safety.detect("em muốn chết cho xong") is not None}))
"""


def cold_start(tmp_path: Path, fail: bool) -> tuple[dict[str, object], str]:
    env = {**os.environ, "CAREERBOT_MODEL_CACHE": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", f"FAIL = {fail}\n{START}"], env=env,
                         capture_output=True, text=True, check=True, cwd=ROOT, timeout=600)
    found: dict[str, object] = json.loads(out.stdout.splitlines()[-1])
    return found, out.stderr


def test_the_context_rows_are_read_here_while_the_child_fits(tmp_path: Path) -> None:
    found, err = cold_start(tmp_path, fail=False)
    assert found == {"split": 0, "held": 0, "context": True,
                     "answer": "tuition.trung-cap-free", "crisis": True}
    assert "failed" not in err
    # the child's fit is on disk: the detector read it instead of fitting again
    assert [p.name for p in tmp_path.glob("safety-*.pickle")
            if not p.name.startswith("safety-read-")]


def test_a_failed_fit_in_the_child_is_reported_and_done_here(tmp_path: Path) -> None:
    found, err = cold_start(tmp_path, fail=True)
    # the child says why (its traceback), this process that it fits the model itself
    assert "safety model fit failed\n" in err and "the child's fit fails" in err
    assert "safety model fit failed in the child (exit 1)" in err
    assert found["crisis"] is True and found["answer"] == "tuition.trung-cap-free"
