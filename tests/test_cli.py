"""The `careerbot` command line: the contracts other tools rely on.

The commands run in this process (tests/cli_run.py); what needs a process of its own runs as
one: the installed console script, and a fresh interpreter whose streams are not UTF-8.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.answering.retrieval import Tuning
from tests.cli_run import careerbot, careerbot_process
from tests.conftest import ROOT, add_new_topic


def test_the_console_script_is_installed_beside_the_interpreter():
    script = Path(sys.executable).parent / ("careerbot.exe" if os.name == "nt" else "careerbot")
    assert script.exists()
    out = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "careerbot" in out.stdout


def test_ask_json_reads_stdin_and_writes_one_object_per_line_in_order():
    questions = ["hoc trung cap co mat hoc phi ko", "", "asdfgh qwerty", "chào bạn",
                 "duc hoa phai dat bao nhieu", "vay von di xkld o dau"]
    out = careerbot("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == len(questions)
    for row in rows:
        assert set(row) == {"id", "kind", "score", "answer", "sources", "suggestions", "also",
                            "ms"}
        assert 0.0 <= row["score"] <= 1.0 and row["ms"] >= 0 and row["answer"]
    assert rows[0]["id"] == "tuition.trung-cap-free" and rows[0]["sources"]
    assert rows[0]["kind"] == "answer"
    assert rows[1]["id"] is None and rows[2]["id"] is None and rows[3]["id"] is None
    assert [rows[1]["kind"], rows[2]["kind"], rows[3]["kind"]] == ["empty", "fallback",
                                                                   "greeting"]
    assert rows[4]["id"] == "streaming.targets"
    assert "40,39%" in rows[4]["answer"] and "44,95%" in rows[4]["answer"]
    assert "01/7/2025" in rows[4]["answer"]
    assert rows[5]["id"] == "overseas.loan"
    assert all({"id", "title"} == set(s) for s in rows[0]["suggestions"])


def test_ask_json_reads_a_follow_up_against_its_previous_topic():
    lines = ["còn Đài Loan thì sao",
             json.dumps({"question": "còn Đài Loan thì sao", "previous": "overseas.costs"}),
             json.dumps({"question": "có được vay không", "previous": "tuition.trung-cap-free"}),
             json.dumps({"question": "còn thi bằng lái xe thì sao",
                         "previous": "overseas.markets"}),
             '{"question": broken json', "hoc phi"]
    out = careerbot("ask", "--json", "-", stdin="\n".join(lines) + "\n")
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["id"] == "overseas.markets"  # no context: the country's programme
    assert rows[1]["id"] == "overseas.costs"  # same question, another country
    assert rows[2]["id"] == "support.student-loan"  # another aspect of studying
    assert rows[3]["id"] is None and rows[3]["kind"] == "fallback"  # still out of scope
    assert rows[4]["kind"] == "fallback"  # not JSON after all: read as a plain question
    # A bare keyword several topics share is no answer, so its score stays under the answer
    # threshold whatever the top match.
    assert rows[5]["kind"] == "suggest" and rows[5]["id"] is None
    assert rows[5]["score"] < Tuning.default().answer_at


def test_ask_prints_answer_sources_and_suggestions():
    out = careerbot("ask", "lien thong tu trung cap len cao dang ntn")
    assert out.returncode == 0
    assert "Nguồn:" in out.stdout and "Xem thêm" in out.stdout


def test_ask_with_an_empty_question_gives_one_clear_line():
    out = careerbot("ask", "   ")
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "Câu hỏi trống" in out.stderr
    assert "Traceback" not in out.stderr


def test_a_missing_knowledge_directory_gives_one_clear_line(tmp_path):
    out = careerbot("ask", "hoc phi", env={"CAREERBOT_KNOWLEDGE_DIR": str(tmp_path / "none")})
    assert out.returncode == 1
    assert "CAREERBOT_KNOWLEDGE_DIR" in out.stderr and "Traceback" not in out.stderr


def test_broken_yaml_gives_one_clear_line_when_asking(knowledge_copy):
    (knowledge_copy / "vet.yaml").write_text("- id: [\n", encoding="utf-8")
    out = careerbot("ask", "hoc phi", env={"CAREERBOT_KNOWLEDGE_DIR": str(knowledge_copy)})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "vet.yaml" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_kb_check_passes_on_the_bundled_knowledge(kb):
    out = careerbot("kb", "check")
    assert out.returncode == 0, out.stderr
    assert f"{len(kb)} mục" in out.stdout and out.stderr == ""
    assert f"{len(kb.corpus)} câu huấn luyện" in out.stdout


def test_a_valid_new_topic_passes_check_list_and_health_and_is_answered(knowledge_copy, kb,
                                                                        tmp_path):
    """Nothing counts the topics: one more valid topic (a 34th today) is simply one more."""
    new_id = add_new_topic(knowledge_copy)
    count = len(kb) + 1
    folder = {"CAREERBOT_KNOWLEDGE_DIR": str(knowledge_copy)}
    check = careerbot("kb", "check", "--knowledge", str(knowledge_copy))
    assert check.returncode == 0 and check.stderr == "", check.stderr
    assert f"{count} mục" in check.stdout
    listing = careerbot("kb", "list", "--knowledge", str(knowledge_copy))
    lines = listing.stdout.strip().splitlines()
    assert listing.returncode == 0 and len(lines) == count
    assert sum(new_id in line for line in lines) == 1
    health = careerbot("health", env={**folder, "CAREERBOT_DB": str(tmp_path / "bot.db")})
    assert health.returncode == 0, health.stdout
    assert f"OK  kiến thức: {count} chủ đề" in health.stdout
    answer = careerbot("ask", "--json", "thu vien truong mo cua may gio", env=folder)
    assert answer.returncode == 0 and json.loads(answer.stdout)["id"] == new_id


def test_kb_check_fails_with_file_and_line_messages(knowledge_copy):
    path = knowledge_copy / "vet.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("id: vet.transfer", "id: vet.levels"),
                    encoding="utf-8")
    out = careerbot("kb", "check", "--knowledge", str(knowledge_copy))
    assert out.returncode == 1
    lines = out.stderr.strip().splitlines()
    assert lines and all(line.split(":")[1].isdigit() for line in lines), lines


def test_kb_list_lists_every_entry(kb):
    out = careerbot("kb", "list")
    assert out.returncode == 0
    lines = out.stdout.strip().splitlines()
    assert len(lines) == len(kb) and all(e.id in line for e, line in zip(kb.entries, lines,
                                                                        strict=True))


def test_chat_answers_and_opens_a_numbered_suggestion_and_the_menu():
    out = careerbot("chat", stdin="hoc tc co mat hp ko\n1\n/menu\n2\nchi tiết\n/thoat\n")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "miễn" in text and "Nguồn:" in text
    assert "Sau lớp 9" in text and "Đi làm việc ở nước ngoài" in text
    assert "Tạm biệt" in text


def test_running_without_a_token_opens_the_terminal_chat():
    out = careerbot(stdin="xkld la gi\n")
    assert out.returncode == 0
    assert "terminal" in out.stderr and "Nguồn:" in out.stdout


@pytest.mark.parametrize(("token", "port", "named"), [
    ("123456:ABCDEFGHIJ", "99999", "WEBHOOK_PORT"), ("x", "8443", "TELEGRAM_BOT_TOKEN"),
])
def test_malformed_configuration_names_the_variable_and_exits_1(token, port, named):
    out = careerbot("run", env={"TELEGRAM_BOT_TOKEN": token, "WEBHOOK_PORT": port})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert named in line


def test_a_fresh_process_with_ascii_streams_still_writes_vietnamese_as_utf8(tmp_path):
    """`python -m bot` on a C locale (or a Windows console): UTF-8 out, never an encoding
    error, also where the terminal chat prints without click; only a new interpreter has such
    streams."""
    ascii_console = {"PYTHONIOENCODING": "ascii", "LC_ALL": "C",
                     "CAREERBOT_DB": str(tmp_path / "chat.db")}
    out = careerbot_process("chat", stdin="hoc tc co mat hp ko\n/thoat\n", env=ascii_console)
    assert out.returncode == 0 and "Traceback" not in out.stderr, out.stderr
    assert "miễn" in out.stdout and "Nguồn:" in out.stdout and "Tạm biệt" in out.stdout
    empty = careerbot_process("ask", "   ", env=ascii_console)
    assert empty.returncode == 1 and "Traceback" not in empty.stderr
    [line] = empty.stderr.strip().splitlines()
    assert "Câu hỏi trống" in line


@pytest.mark.parametrize(("name", "value"), [
    ("WEBHOOK_PORT", "abc"), ("ADMIN_IDS", "1,two"), ("TELEGRAM_API_BASE_URL", "ftp://x"),
    ("LOG_FORMAT", "xml"), ("COUNSELOR_CHAT_ID", "group"), ("TELEGRAM_CONNECTIONS", "0"),
])
def test_each_malformed_variable_is_named_in_one_line(name, value):
    out = careerbot("kb", "list", env={name: value})
    assert out.returncode == 1
    assert name in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_admins_may_be_set_by_the_prefixed_name_the_old_one_or_both_if_they_agree():
    from bot.config import ConfigError, Settings

    assert Settings.from_env({"CAREERBOT_ADMIN_IDS": "5, 6"}).admin_ids == {5, 6}
    assert Settings.from_env({"ADMIN_IDS": "5"}).admin_ids == {5}
    assert Settings.from_env({"ADMIN_IDS": "6,5", "CAREERBOT_ADMIN_IDS": "5,6"}).admin_ids \
        == {5, 6}
    with pytest.raises(ConfigError, match=r"CAREERBOT_ADMIN_IDS.*ADMIN_IDS"):
        Settings.from_env({"ADMIN_IDS": "5", "CAREERBOT_ADMIN_IDS": "6"})


def test_a_misspelt_careerbot_variable_stops_the_start_naming_the_closest_known_one():
    out = careerbot("kb", "list", env={"CAREERBOT_ADMIN_ID": "900001"})
    assert out.returncode == 1 and "Traceback" not in out.stderr
    [line] = out.stderr.strip().splitlines()
    assert "CAREERBOT_ADMIN_ID:" in line and "CAREERBOT_ADMIN_IDS?" in line
    typo = careerbot("kb", "list", env={"CAREERBOT_FLOOD_PER_MINUT": "5"})
    assert typo.returncode == 1 and "CAREERBOT_FLOOD_PER_MINUTE" in typo.stderr


def test_every_careerbot_variable_is_known_and_listed_in_env_example():
    from bot.config import KNOWN_VARIABLES

    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    # every module, not only config.py: the model cache reads CAREERBOT_MODEL_CACHE itself
    sources = [p for d in ("bot", "handlers") for p in (ROOT / d).rglob("*.py")]
    read = {name for p in sources
            for name in re.findall(r'"(CAREERBOT_[A-Z_]+)"', p.read_text(encoding="utf-8"))}
    assert read <= set(KNOWN_VARIABLES), "add it to KNOWN_VARIABLES"
    assert set(KNOWN_VARIABLES) <= listed, "list it in .env.example"


def test_kb_train_fills_the_model_cache_that_a_later_start_only_reads(tmp_path):
    """The container image runs `careerbot kb train` at build time: its first start must find
    every model there and train nothing (the cache is read-only at run time)."""
    cache = tmp_path / "models"
    env = {"CAREERBOT_MODEL_CACHE": str(cache)}
    out = careerbot("kb", "train", env=env)
    assert out.returncode == 0, out.stderr
    assert str(cache) in out.stdout
    made = {p.name: p.stat().st_mtime_ns for p in cache.iterdir()}
    assert {name.split("-")[0] for name in made} >= {"intent", "context", "safety", "knowledge"}
    answer = careerbot("ask", "--json", "hoc trung cap co mien hoc phi ko", env=env)
    assert answer.returncode == 0 and json.loads(answer.stdout)["id"] == "tuition.trung-cap-free"
    assert {p.name: p.stat().st_mtime_ns for p in cache.iterdir()} == made  # nothing refitted


def test_the_container_image_is_built_with_its_models_trained():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    build, runtime = dockerfile.split("# --- runtime", 1)
    assert "CAREERBOT_MODEL_CACHE=/opt/careerbot/model-cache" in build
    assert "careerbot kb train" in build
    # written 0600 by root at build time: the runtime user (10001) must be able to read them
    assert "chmod -R a+rX /opt/careerbot/model-cache" in build
    assert "CAREERBOT_MODEL_CACHE=/opt/careerbot/model-cache" in runtime
