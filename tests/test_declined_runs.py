"""A cold start reads the context model's declined messages in runs, so that the forked child
can take some of them: the runs give the groups the whole reading gives, in its order."""

from __future__ import annotations

import numpy as np

from bot.answering import context_model


def test_declined_messages_read_in_runs_give_the_whole_reading(engine):
    whole = context_model.declined_examples(engine, 3, 2)
    count = len(context_model._no_topic(engine))
    assert count > 2 * context_model.DECLINED_RUN  # several runs
    step = 137  # runs that do not start at a multiple of either period
    runs = [g for a in range(0, count, step)
            for g in context_model.declined_examples(engine, 3, 2, (a, a + step))]
    assert len(runs) == len(whole) > 100
    assert all(np.array_equal(g.x, h.x) and (g.right, g.before, g.facet, g.topics)
               == (h.right, h.before, h.facet, h.topics) for g, h in zip(runs, whole,
                                                                         strict=True))

