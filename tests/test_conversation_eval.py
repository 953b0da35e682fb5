"""The whole-conversation measure: turns read in order, each after the bot's own answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answering.evaluation import (
    Answer,
    evaluate_conversations,
    load_conversations,
)

CHATS = """
conversations:
  - persona: student
    turns:
      - {q: "hoc phi trung cap", id: tuition.trung-cap-free, tag: open}
      - {q: "hoc o dau", id: college.admission, ok: [college.long-an], tag: follow}
      - {q: "cam on", id: null, tag: social}
  - persona: parent
    turns:
      - {q: "di nhat", id: overseas.markets, tag: open}
      - {q: "con han", id: overseas.markets, tag: entity}
"""


def scripted(replies: dict[str, str | None]) -> Callable[[], Callable[[str], Answer]]:
    """A chat answerer with a fixed reply per message."""
    def start() -> Callable[[str], Answer]:
        def turn(q: str) -> Answer:
            got = replies.get(q)
            return Answer(got, got)
        return turn
    return start


def test_conversation_metrics_count_turns_chats_and_tags(tmp_path: Path) -> None:
    path = tmp_path / "conv.yaml"
    path.write_text(CHATS, encoding="utf-8")
    chats = load_conversations(path)
    assert [len(c.turns) for c in chats] == [3, 2]
    m = evaluate_conversations(scripted({
        "hoc phi trung cap": "tuition.trung-cap-free",
        "hoc o dau": "college.long-an",  # accepted through `ok`
        "cam on": None,
        "di nhat": "overseas.markets",
        "con han": "overseas.costs",  # wrong: the entity swap lost the topic
    }), chats)
    assert m.turns_right == 3 / 4
    assert m.rejected == 1.0
    assert (m.chats_right, m.chats) == (1, 2)
    assert m.per_tag == {"entity": 0.0, "follow": 1.0, "open": 1.0, "social": 1.0}
    assert m.per_persona == {"parent": 0.5, "student": 1.0}
    assert m.misses == [("con han", "entity", "overseas.markets", "overseas.costs")]


def test_a_social_turn_answered_with_a_topic_is_not_rejected(tmp_path: Path) -> None:
    path = tmp_path / "conv.yaml"
    path.write_text(CHATS, encoding="utf-8")
    m = evaluate_conversations(scripted({"cam on": "bot.survey"}), load_conversations(path))
    assert m.rejected == 0.0
    assert m.chats_right == 0


# The fresh judging sets of the latest rounds (tests/data/conv_eval3.yaml, conv_eval4.yaml and
# eval4.yaml, written by authors who never saw knowledge/ or its training corpus; never tuned
# on) hold the line measured when each was run (December 2026): a change cannot quietly lose
# ground. Only figures are reported on failure, never the misses.
CONVERSATION_FLOOR = {"conv_eval3": (0.80, 0.95), "conv_eval4": (0.86, 0.90),  # turns, rejected
                      "conv_eval5": (0.85, 0.88),  # round 5: 0.869 / 0.885 before, 0.858 / 0.885
                      # round 6: 0.813 / 0.917 before, 0.845 / 0.944; round 7 (learned
                      # transitions): 0.845 / 0.917, one social turn answered
                      "conv_eval6": (0.83, 0.91),
                      # round 7: 0.852 / 0.938 before, 0.860 / 0.938 after
                      "conv_eval7": (0.85, 0.92),
                      # round 8: 0.866 / 0.926 before, 0.884 / 0.926 after
                      "conv_eval8": (0.87, 0.92),
                      # round 9: 0.900 / 0.923 before, 0.907 / 0.949 after; 0.907 / 0.923 once
                      # every corpus message equal to, inside or near a judged one was left out
                      "conv_eval9": (0.89, 0.90),
                      # round 10: 0.909 / 0.833 before, 0.909 / 0.857 after
                      "conv_eval10": (0.90, 0.85),
                      # round 11: 0.897 / 1.000 before, 0.914 / 1.000 after
                      "conv_eval11": (0.90, 0.97),
                      # round 12: 0.887 / 0.947 before, 0.884 / 0.947 after
                      "conv_eval12": (0.87, 0.93),
                      # round 13 (140 chats, four authors): 0.856 / 0.929 before, 0.859 /
                      # 0.929 after (both with the round's judged messages cut from the corpus)
                      "conv_eval13": (0.84, 0.91),
                      # round 14 (140 chats, four authors): 0.873 / 0.857 before, 0.874 /
                      # 0.898 after (0.873 / 0.857 and 0.871 / 0.898 with the round's judged
                      # messages cut from the corpus). Round 18's corpus refit: 0.878, one
                      # more no-answer turn of 49 answered (a shoe factory's wage asked right
                      # after the labour market: read as that topic's salary facet)
                      "conv_eval14": (0.86, 0.87),
                      # round 15 (140 chats, four authors): 0.839 / 0.956 before, 0.847 /
                      # 0.956 after (0.834 / 0.956 and 0.846 / 0.956 with the round's judged
                      # messages cut from the corpus; 0.842 after the guards' cut). Round 17's
                      # refit: 0.872 / 0.933, one no-answer turn of 45 (military service after
                      # the overseas loan, "nghĩa vụ" read as the workers' duties) the learned
                      # context model no longer declines
                      "conv_eval15": (0.83, 0.93),
                      # round 16 (140 chats, four authors): 0.867 / 0.911 before, 0.864 /
                      # 0.911 after (0.855 / 0.911 and 0.862 / 0.911 with the round's judged
                      # messages cut from the corpus)
                      "conv_eval16": (0.85, 0.90),
                      # round 17 (140 chats, four authors): 0.873 / 0.978 before, 0.878 /
                      # 0.978 after (0.870 / 0.978 and 0.867 / 0.978 with the round's judged
                      # messages cut from the corpus; 0.872 / 0.978 after the guards' cut)
                      "conv_eval17": (0.86, 0.96),
                      # round 18 (140 chats, four authors; judging half students a + parents
                      # b): 0.796 / 0.919 before, 0.814 / 0.919 after (the same with the
                      # round's judged messages cut from the corpus); 0.814 / 0.919 after the
                      # fixes of free typing 16 and the guards' cut. Below the goals.
                      "conv_eval18": (0.80, 0.90),
                      # round 19 (140 chats, four authors; judging half students a + parents
                      # b, 0.831 / 0.805 / 36 chats before, 0.835 / 0.805 / 37 after, 0.827 /
                      # 0.805 / 35 after the guards' cut and its refit's fixes): the whole set
                      # 0.810 / 0.864 / 68 final. Below the goals.
                      "conv_eval19": (0.80, 0.85),
                      # round 20 (140 chats, four authors; judging half students a + parents
                      # b): 0.854 / 0.795 / 35 chats before (0.864 / 0.808 / 39 before the
                      # guards' cut of 17 older training lines), 0.854 / 0.808 / 35 after; the
                      # whole set 0.865 / 0.825 / 74 before, 0.888 / 0.832 / 81 after. Below the
                      # goals.
                      "conv_eval20": (0.87, 0.81),
                      # round 21 (140 chats, four authors; judging half students b + parents
                      # a): 0.851 / 0.961 / 41 chats before (with the guards' cut of 29 older
                      # training lines), 0.863 / 0.974 / 43 after; development half 0.887 /
                      # 0.850 / 36 -> 0.911 / 0.887 / 42; the whole set 0.886 / 0.930 / 85
                      # after. Below the goals.
                      "conv_eval21": (0.88, 0.92)}


def test_the_fresh_conversation_sets_hold_their_line(engine) -> None:
    from bot.answering.evaluation import engine_chat

    data = Path(__file__).resolve().parent / "data"
    figures = {}
    for name in CONVERSATION_FLOOR:
        m = evaluate_conversations(engine_chat(engine), load_conversations(data / f"{name}.yaml"))
        figures[name] = (round(m.turns_right, 3), round(m.rejected, 3))
        del m  # pytest's report of a failure would show the misses
    assert all(figures[n][0] >= t and figures[n][1] >= r
               for n, (t, r) in CONVERSATION_FLOOR.items()), figures


# top-1, answered right, rejected; eval5 (round 5): 0.988 / 0.988 / 0.917 before, 0.982 /
# 0.982 / 0.933 after
# after; eval6 (round 6): 0.964 / 0.964 / 0.900 before and after
# eval7 (round 7): 0.988 / 0.988 / 0.850 before, 0.988 / 0.988 / 0.833 after
# eval8 (round 8): 0.988 / 0.982 / 0.917 before, 0.988 / 0.982 / 0.967 after
SINGLE_FLOOR = {"eval4": (0.96, 0.95, 0.86), "eval5": (0.97, 0.97, 0.91),
                "eval6": (0.95, 0.95, 0.88), "eval7": (0.97, 0.97, 0.81),
                "eval8": (0.97, 0.97, 0.95),
                # eval9 (round 9): 1.000 / 1.000 / 0.950 before, 1.000 / 1.000 / 0.967 after
                # (the same once the corpus was cleared of near copies of judged messages)
                "eval9": (0.98, 0.98, 0.95),
                # eval10 (round 10): 0.976 / 0.970 / 0.850 before and after
                "eval10": (0.97, 0.96, 0.84),
                # eval11 (round 11): 1.000 / 1.000 / 0.917 before and after
                "eval11": (0.99, 0.99, 0.90),
                # eval12 (round 12): 0.994 / 0.994 / 0.917 before, 0.994 / 0.994 / 0.933 after
                "eval12": (0.98, 0.98, 0.91),
                # eval13 (round 13): 1.000 / 1.000 / 0.950 before and after
                "eval13": (0.99, 0.99, 0.93),
                # eval14 (round 14): 0.988 / 0.988 / 0.900 before, 0.988 / 0.982 / 0.950 after
                "eval14": (0.98, 0.97, 0.93),
                # eval15 (round 15): 0.988 / 0.988 / 1.000 before and after
                "eval15": (0.98, 0.98, 0.98),
                # eval16 (round 16): 0.988 / 0.982 / 0.983 before and after
                "eval16": (0.98, 0.97, 0.98),
                # eval17 (round 17): 1.000 / 1.000 / 0.917 before and after (near out-of-scope
                # questions rejected 0.875: below the goal)
                "eval17": (0.99, 0.99, 0.90),
                # eval18 (round 18): 0.994 / 0.994 / 0.933 before and after (near out-of-scope
                # questions rejected 0.900: below the goal)
                "eval18": (0.98, 0.98, 0.91),
                # eval19 (round 19): 0.994 / 0.988 / 0.967 before, 0.994 / 0.982 / 0.967 after,
                # 0.994 / 0.982 / 0.950 after the guards' cut (near out-of-scope 0.950, 0.925)
                "eval19": (0.98, 0.97, 0.95),
                # eval20 (round 20): 0.991 / 0.982 / 0.900 before, 0.982 / 0.973 / 0.900 after
                # (near out-of-scope 0.867: below the goal)
                "eval20": (0.97, 0.96, 0.88),
                # eval21 (round 21): 0.991 / 0.982 / 0.975 before, 0.991 / 0.982 / 1.000 after
                "eval21": (0.98, 0.97, 0.97)}


@pytest.mark.parametrize("name", sorted(SINGLE_FLOOR))
def test_the_fresh_single_question_sets_hold_their_line(engine, name) -> None:
    from bot.answering.evaluation import QuestionSet, engine_answerer, evaluate

    m = evaluate(engine_answerer(engine), QuestionSet.load(
        Path(__file__).resolve().parent / "data" / f"{name}.yaml"))
    figures = (round(m.top1, 3), round(m.answered_right, 3), round(m.rejected, 3))
    del m
    top1, right, rejected = SINGLE_FLOOR[name]
    assert figures[0] >= top1 and figures[1] >= right and figures[2] >= rejected, figures
