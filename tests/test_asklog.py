"""The question log: ids handed out before the row is written, and rows that arrive."""

from __future__ import annotations

from bot.answering.asklog import AskLog
from bot.storage.database import open_reader
from bot.storage.writer import Writer


async def test_ids_are_handed_out_at_once_and_the_rows_follow_with_them(tmp_path, assistant):
    writer = Writer(tmp_path / "x.db")
    await writer.write(lambda db: db.execute(
        "INSERT INTO users (id, created_at, last_seen) VALUES (7, 'x', 'x')"))
    log = AskLog(open_reader(tmp_path / "x.db"), writer)
    reply = assistant.answer("hoc phi trung cap")
    first = log.record(7, "text", reply, "Học phí trung cấp?")
    second = log.record(7, "menu", reply)
    assert second == first + 1
    await writer.sync()
    rows = list(log.db.query("SELECT id, source, entry_id, text FROM asks ORDER BY id"))
    assert [(r["id"], r["source"]) for r in rows] == [(first, "text"), (second, "menu")]
    assert rows[0]["entry_id"] == reply.entry_id and rows[0]["text"] == "học phí trung cấp"
    assert await log.vote(second, 7, 1)  # the id a 👍 button carries finds its row
    writer.close()

    writer = Writer(tmp_path / "x.db")  # after a restart, ids go on from the last one
    try:
        assert AskLog(open_reader(tmp_path / "x.db"), writer).record(7, "text", reply) \
            == second + 1
    finally:
        writer.close()
