"""What a follow-up gets (issue 18, round 12). The phrasings are this file's own (none from a
set)."""

from __future__ import annotations


def _chat(engine, *messages):
    previous = None
    results = []
    for message in messages:
        result = engine.ask(message, previous)
        previous = result.context
        results.append(result)
    return results


def test_whom_to_ask_after_choosing_subjects_or_a_career_is_the_counsellor(engine):
    # the subject choice and career topics hold no office of their own: whom to ask at school
    # is the career-guidance teacher's topic
    for opening in ("lên lớp 10 chọn tổ hợp môn sao cho đúng", "làm sao biết mình hợp nghề gì"):
        first, who = _chat(engine, opening, "vậy ở trường thì hỏi ai")
        assert first.entry is not None and first.entry.id != "guidance.counselor", opening
        assert who.entry is not None and who.entry.id == "guidance.counselor", opening
    # a topic with its own office keeps it
    _, who = _chat(engine, "vay vốn đi học ở đâu", "liên hệ ai")
    assert who.entry is not None and who.entry.id == "support.student-loan"
