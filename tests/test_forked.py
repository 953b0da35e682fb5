"""Work split over this process and a forked child (bot/answering/forked.py), as a cold start
reads the context model's training rows: the same results in the same order as a serial run,
the child's share read here when it fails, no hang when this process fails, serial with other
threads running. Each case runs in a fresh interpreter: a test process may have threads."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from bot.answering.forked import split_at

ROOT = Path(__file__).resolve().parent.parent


def run(body: str, timeout: float = 120) -> object:
    """Run `body` (it defines `result`) in a fresh interpreter; `result` as JSON."""
    script = "import json, os, threading\nfrom bot.answering import forked\n" + \
        textwrap.dedent(body) + "\nprint(json.dumps(result))\n"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, text=True,
                         capture_output=True, timeout=timeout)
    return json.loads(out.stdout.splitlines()[-1])


def test_split_at_halves_the_weight() -> None:
    assert split_at([1.0] * 10) == 5
    assert split_at([9.0, 1.0, 1.0, 1.0]) == 1  # the heavy first item is this process's
    assert split_at([1.0, 1.0, 1.0, 9.0]) == 3
    assert split_at([]) == 0


def test_the_second_half_is_read_in_a_child_and_the_order_kept() -> None:
    found = run("""
        parent = os.getpid()
        got = forked.map_split(lambda i: [(i, os.getpid() == parent)], list(range(40)))
        result = {"can": forked.can_fork(), "got": got}
    """)
    assert isinstance(found, dict) and found["can"] is True
    got = found["got"]
    assert [i for i, _ in got] == list(range(40))
    assert all(here for _, here in got[:20])  # this process's half
    assert not any(here for _, here in got[20:])  # the child's


def test_a_failed_child_share_is_read_here() -> None:
    found = run("""
        parent = os.getpid()
        def work(i):
            if os.getpid() != parent:
                raise RuntimeError("the child fails")
            return [i * i]
        result = forked.map_split(work, list(range(10)))
    """)
    assert found == [i * i for i in range(10)]


def test_an_error_here_does_not_wait_forever_on_a_child_blocked_on_the_pipe() -> None:
    # the child's share (8 MB) fills the pipe; this process fails before reading it
    found = run("""
        parent = os.getpid()
        def work(i):
            if os.getpid() == parent:
                raise ValueError("fails here")
            return ["x" * 1_000_000]
        try:
            forked.map_split(work, list(range(16)))
            result = "no error"
        except ValueError as error:
            result = str(error)
    """, timeout=60)
    assert found == "fails here"


def test_with_other_threads_running_the_work_is_read_here() -> None:
    found = run("""
        stop = threading.Event()
        threading.Thread(target=stop.wait).start()
        parent = os.getpid()
        got = forked.map_split(lambda i: [os.getpid() == parent], list(range(10)))
        stop.set()
        result = {"can": forked.can_fork(), "got": got}
    """)
    assert found == {"can": False, "got": [True] * 10}


def test_the_context_model_groups_read_on_two_cores_are_the_serial_groups() -> None:
    found = run("""
        import numpy as np
        from bot.answering import context_model, knowledge
        from bot.answering.retrieval import Engine
        kb = knowledge.load()
        engine = Engine(kb)
        chats = kb.corpus.conversations[:60]
        assert forked.can_fork()
        both = context_model.training_groups(engine, chats, 3)
        engine.clear_caches()
        forked.can_fork = lambda: False  # serial: the same groups read in this process only
        alone = context_model.training_groups(engine, chats, 3)
        def same(a, b):
            return len(a) == len(b) and all(
                np.array_equal(g.x, h.x) and (g.right, g.before, g.facet, g.topics)
                == (h.right, h.before, h.facet, h.topics) for g, h in zip(a, b))
        result = {"turns": len(both[0]), "declined": len(both[1]),
                  "same": same(both[0], alone[0]) and same(both[1], alone[1])}
    """, timeout=300)
    assert isinstance(found, dict)
    assert found["turns"] > 50 and found["declined"] > 50 and found["same"] is True


def test_a_fork_keeps_the_objects_it_inherits_out_of_the_childs_collections() -> None:
    found = run("""
        import gc
        kept = [object() for _ in range(1000)]
        read_end, write_end = os.pipe()
        pid = forked.fork()
        if pid == 0:
            os.write(write_end, str(gc.get_freeze_count()).encode())
            os._exit(0)
        os.waitpid(pid, 0)
        result = {"child": int(os.read(read_end, 64)), "here": gc.get_freeze_count()}
    """)
    assert isinstance(found, dict)
    assert found["child"] > 1000 and found["here"] == 0


def test_while_a_child_holds_the_other_core_the_work_is_read_here() -> None:
    # two cores, one held by a child forked elsewhere (a cold start's safety fit): a second
    # child would share them three ways, so map_split reads everything in this process
    found = run("""
        os.sched_getaffinity = lambda pid: {0, 1}
        parent = os.getpid()
        before = forked.can_fork()
        with forked.core_held():
            held = forked.can_fork()
            got = forked.map_split(lambda i: [(i, os.getpid() == parent)], list(range(40)))
        result = {"before": before, "held": held, "after": forked.can_fork(), "got": got}
    """)
    assert isinstance(found, dict)
    assert (found["before"], found["held"], found["after"]) == (True, False, True)
    assert found["got"] == [[i, True] for i in range(40)]


def test_with_more_cores_a_held_one_leaves_room_for_a_child() -> None:
    found = run("""
        os.sched_getaffinity = lambda pid: {0, 1, 2}
        with forked.core_held():
            result = forked.can_fork()
    """)
    assert found is True
