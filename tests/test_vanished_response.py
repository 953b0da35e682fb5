"""A survey response deleted while a step works on it: a clear notice, never a hung handler."""

from __future__ import annotations

import asyncio
import logging
import threading

import pytest

from bot import messages
from bot.storage.database import open_reader
from bot.storage.writer import WriteFailed, Writer
from bot.surveys.responses import ResponseGone, Responses
from tests.telegram.harness import buttons

SAFETY = 20  # seconds: turns a hang into a failure; no test should come near it


async def test_a_write_raising_stopiteration_reaches_its_caller_instead_of_hanging(tmp_path):
    writer = Writer(tmp_path / "x.db")
    try:
        def nothing_found(db):
            return next(iter([]))

        with pytest.raises(WriteFailed) as raised:
            await asyncio.wait_for(writer.write(nothing_found), SAFETY)
        assert isinstance(raised.value.__cause__, StopIteration)
        assert await asyncio.wait_for(writer.write(lambda db: 42), SAFETY) == 42  # still writes
    finally:
        writer.close()


async def _deleted_response(tmp_path):
    writer = Writer(tmp_path / "x.db")
    responses = Responses(open_reader(tmp_path / "x.db"), writer)
    await writer.write(lambda db: db.execute("INSERT INTO users (id) VALUES (1)"))
    response = await responses.start(1, "needs", 1, "2026-2027", None, "grade")
    await writer.write(lambda db: db.execute("DELETE FROM responses WHERE id = ?",
                                             [response.id]))
    return writer, responses, response


async def test_moving_a_deleted_response_raises_response_gone(tmp_path):
    writer, responses, stale = await _deleted_response(tmp_path)
    try:
        with pytest.raises(ResponseGone):
            await asyncio.wait_for(responses.move(stale, "plan"), SAFETY)
        with pytest.raises(ResponseGone):
            await asyncio.wait_for(responses.save(stale, "grade", "9", ["grade"], None), SAFETY)
        with pytest.raises(ResponseGone):  # a submit must not "succeed" on nothing
            await asyncio.wait_for(responses.submit(stale), SAFETY)
    finally:
        writer.close()


async def _survey_at_second_question(bot, student):
    [listing] = await bot.say(student, "/khaosat")
    label = next(b for b in buttons(listing) if b.startswith("Sở thích"))
    [consent] = await bot.tap(student, listing, label)
    [first] = await bot.tap(student, consent, messages.SURVEY_AGREE)
    [second] = await bot.tap(student, first, "4")
    return second


async def _tap_while_the_response_is_deleted(bot, api, student, screen, label):
    """The writer is busy deleting the student's response (a CLI erase, the retention purge)
    while the student taps: the step reads the response, then writes after it is gone."""
    svc = bot.services
    gate, started = threading.Event(), threading.Event()

    def delete_when_told(db):
        started.set()
        gate.wait(SAFETY)
        db.execute("DELETE FROM answers WHERE response_id IN (SELECT id FROM responses "
                   "WHERE user_id = ?)", [student.id])
        db.execute("DELETE FROM responses WHERE user_id = ?", [student.id])

    deleting = svc.writer.submit(delete_when_told)
    assert started.wait(SAFETY)  # the writer thread is inside it: nothing else is committed
    api.mark(student.id)
    await api.press_button(student, screen, label)
    for _ in range(2000):  # until the step has read the response and queued its write
        if svc.writer.queued:
            break
        await asyncio.sleep(0.005)
    gate.set()
    deleting.result(SAFETY)
    [after] = await api.wait_for_message(student.id, timeout=SAFETY)
    return after


@pytest.mark.parametrize("label", ["3", messages.SURVEY_BACK])
async def test_a_tap_on_a_survey_deleted_meanwhile_says_start_again(bot, api, student, caplog,
                                                                   label):
    second = await _survey_at_second_question(bot, student)
    caplog.set_level(logging.WARNING)
    after = await _tap_while_the_response_is_deleted(bot, api, student, second, label)
    assert after["text"] == messages.SURVEY_VANISHED
    assert not buttons(after)
    await api.wait_idle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert bot.app.update_processor.in_flight == 0
