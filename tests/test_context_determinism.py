"""The context model is fitted to the same weights in every process: its candidates (and so
the order its loss sums them in) no longer follow Python's string hashing, which differs per
process (PYTHONHASHSEED). Before, one turn's two facet targets came from a set, and fits made
on the same corpus by different processes differed (up to 0.006 in a weight; two variants,
about half the seeds each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FIT = """
import dataclasses, json, threading
stop = threading.Event()
threading.Thread(target=stop.wait, daemon=True).start()  # read serially: one process's order
from bot.answering import context_model, knowledge
from bot.answering.retrieval import Engine, Tuning
kb = knowledge.load()
engine = Engine(kb, dataclasses.replace(Tuning.default(), context_model=False))
model = context_model.ContextModel.train(engine, kb.corpus.conversations)
print(json.dumps([float(w).hex() for w in model.weights]))
"""


def _weights(seed: int, cache: Path) -> list[str]:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "CAREERBOT_MODEL_CACHE": str(cache)}
    out = subprocess.run([sys.executable, "-c", FIT], env=env, capture_output=True, text=True,
                         check=True, cwd=ROOT, timeout=600)
    found: list[str] = json.loads(out.stdout.splitlines()[-1])
    return found


def test_two_processes_fit_the_same_context_weights(tmp_path: Path) -> None:
    # seeds 0 and 1 fitted different weights before (the intent model cached by the first)
    assert _weights(0, tmp_path) == _weights(1, tmp_path)
