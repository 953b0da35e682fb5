"""Acknowledged counsellor relays survive SIGTERM and kill -9 of a real `careerbot run`: after
the restart every one reaches the group, in order per student, and none twice unmarked."""

from __future__ import annotations

from bot import messages
from tests.telegram.harness import COUNSELOR_CHAT
from tests.telegram.process import bot_env, kill_bot, start_bot, stop_bot

STUDENTS, MESSAGES = 4, 5


async def _start(api, db_path, per_minute):
    env = bot_env(api, db_path, COUNSELOR_CHAT_ID=str(COUNSELOR_CHAT), LOG_LEVEL="WARNING",
                  TELEGRAM_GROUP_RATE_PER_MINUTE=str(per_minute),
                  CAREERBOT_FLOOD_PER_MINUTE="10000")
    return await start_bot(api, env, timeout=60)


async def _say(api, user, text):
    api.mark(user.id)
    await api.send_text(user, text)
    [reply] = await api.wait_for_message(user.id, timeout=30)
    return reply["text"]


async def _write(api, students) -> dict[int, list[str]]:
    """Each student opens a ticket and writes; returns what each was told was passed on."""
    acknowledged: dict[int, list[str]] = {s.id: [] for s in students}
    for student in students:
        assert "Đã mở phiếu" in await _say(api, student, "/tuvan")
    for n in range(MESSAGES):
        for student in students:
            text = f"tin {n} của học sinh {student.id}"
            if (await _say(api, student, text)).startswith(messages.RELAY_ACK):
                acknowledged[student.id].append(text)
    return acknowledged


def _relayed(api) -> list[str]:
    """The relayed texts in the group, in order (parts of combined messages included)."""
    out: list[str] = []
    for message in api.sent(COUNSELOR_CHAT):
        text = message.get("text", "")
        if text.startswith("📨"):
            parts = (line.split(" › ", 1)[1] for line in text.splitlines() if " › " in line)
            out.extend(p for p in parts if not p.startswith(("🎫", "✅")))
        elif not text.startswith(("🎫", "✅")):
            out.append(text)
    return out


async def _all_arrive(api, acknowledged):
    wanted = {t for ts in acknowledged.values() for t in ts}
    await api.wait_for(lambda c: wanted <= {t.removeprefix(messages.RELAY_MAYBE_REPEATED)
                                             for t in _relayed(api)}, timeout=60)
    await api.wait_idle(quiet=1.0, timeout=30)


def _check(api, acknowledged, *, marked_repeats_allowed: bool) -> None:
    relayed = _relayed(api)
    plain = [t.removeprefix(messages.RELAY_MAYBE_REPEATED) for t in relayed]
    for texts in acknowledged.values():
        assert len(texts) == MESSAGES
        mine = [t for t in plain if t in texts]
        assert list(dict.fromkeys(mine)) == texts  # all of them, in order
    unmarked = [t for t in relayed if not t.startswith(messages.RELAY_MAYBE_REPEATED)]
    assert len(unmarked) == len(set(unmarked))  # nothing twice without saying so
    if not marked_repeats_allowed:
        assert len(relayed) == STUDENTS * MESSAGES


async def test_relays_waiting_at_sigterm_arrive_after_the_restart_once(api, counsellors,
                                                                      tmp_path):
    db_path = tmp_path / "relay.db"
    students = [api.private_user(760_000 + i, first_name=f"HS{i}") for i in range(STUDENTS)]
    proc = await _start(api, db_path, per_minute=2)  # two headers go, the rest must wait
    try:
        acknowledged = await _write(api, students)
        assert len(_relayed(api)) < STUDENTS * MESSAGES  # most were still waiting...
    finally:
        await stop_bot(proc)  # ...at SIGTERM
    proc = await _start(api, db_path, per_minute=600)
    try:
        await _all_arrive(api, acknowledged)
    finally:
        await stop_bot(proc)
    _check(api, acknowledged, marked_repeats_allowed=False)


async def test_relays_survive_kill_9_even_in_the_middle_of_a_send(api, counsellors, tmp_path):
    db_path = tmp_path / "relay.db"
    students = [api.private_user(770_000 + i, first_name=f"HS{i}") for i in range(STUDENTS)]
    proc = await _start(api, db_path, per_minute=600)
    try:
        for student in students:
            assert "Đã mở phiếu" in await _say(api, student, "/tuvan")
        await api.wait_for(lambda c: sum(m.get("text", "").startswith("🎫")
                                         for m in api.sent(COUNSELOR_CHAT)) == STUDENTS)
        api.stall_chat(COUNSELOR_CHAT)  # a send is in flight when the process dies
        acknowledged: dict[int, list[object]] = {s.id: [] for s in students}
        for n in range(MESSAGES):
            for student in students:
                text = f"tin {n} của học sinh {student.id}"
                if (await _say(api, student, text)).startswith(messages.RELAY_ACK):
                    acknowledged[student.id].append(text)
        await api.wait_stalled(1, timeout=30)
    finally:
        await kill_bot(proc)
    api.release()  # the send the dead process made lands after all
    proc = await _start(api, db_path, per_minute=600)
    try:
        await _all_arrive(api, acknowledged)
    finally:
        await stop_bot(proc)
    _check(api, acknowledged, marked_repeats_allowed=True)
