"""The learned reading of a message after a topic (bot/answering/context_model.py): what it
trains on, its cache, and that it learns a follow-up it is taught."""

from __future__ import annotations

import dataclasses

import numpy as np

from bot.answering.context import Context
from bot.answering.context_model import (
    NONE_FEATURES,
    PRIOR_FEATURES,
    SHOWN_WORDS,
    TOPIC_BUCKETS,
    TOPIC_FEATURES,
    TOPIC_WORDS,
    WIDTH,
    WORD_BUCKETS,
    Choice,
    ContextModel,
    Transitions,
    candidates,
    examples,
    key,
    read,
    scored,
)
from bot.answering.corpus import Conversation, Tag, Turn
from bot.answering.retrieval import Engine, Tuning

FOLLOW_UP = "vụ kia tính sao"  # no topic's words: the rules keep the topic just shown


def chat(*turns: tuple[str, str | None, Tag]) -> Conversation:
    return Conversation(persona="parent", turns=tuple(Turn(q=q, id=i, tag=t)
                                                      for q, i, t in turns))


def taught(n: int = 12) -> tuple[Conversation, ...]:
    """After the costs of working abroad, the follow-up means its related topic, the rights
    of workers abroad (and a first turn with no topic before it is no example)."""
    return tuple(chat(("Đi xuất khẩu lao động tốn bao nhiêu tiền?", "overseas.costs", "open"),
                      (FOLLOW_UP, "overseas.rights", "follow")) for _ in range(n))


def test_training_reads_each_turn_after_a_topic_with_its_answer_among_the_candidates(engine):
    groups = examples(engine, (chat(
        ("Đi xuất khẩu lao động tốn bao nhiêu tiền?", "overseas.costs", "open"),
        ("nhà nghèo thì lấy tiền đâu mà đi", "overseas.loan", "follow"),
        ("ở Nhật người ta có thân thiện không", None, "oos")),))
    # the first turn has no topic before it; the two others are read after one
    assert len(groups) == 2
    width = (len(TOPIC_FEATURES) + len(NONE_FEATURES) + WORD_BUCKETS + TOPIC_BUCKETS
             + len(PRIOR_FEATURES))
    for features, right in groups:
        assert features.shape[1] == width
        assert 0 <= right < len(features)
    # the "no topic" option (its own features only) is the right one for the last question
    none_row = groups[1][0][groups[1][1]]
    assert none_row[len(TOPIC_FEATURES)] == 1.0
    assert not none_row[: len(TOPIC_FEATURES)].any()


def test_it_learns_a_taught_follow_up(kb, engine):
    assert engine.ask(FOLLOW_UP, "overseas.costs").entry.id != "overseas.rights"
    model = ContextModel.train(engine, taught(), declined=0)
    learned = Engine(kb, engine.tuning, engine.model, context_model=model)
    assert learned.ask(FOLLOW_UP, "overseas.costs").entry.id == "overseas.rights"
    # read alone it is still no follow-up of anything
    assert learned.ask(FOLLOW_UP).entry == engine.ask(FOLLOW_UP).entry


def test_untrained_it_keeps_the_rules_answers(kb, engine):
    model = ContextModel.train(engine, (), declined=0)
    assert model.examples == 0
    learned = Engine(kb, engine.tuning, engine.model, context_model=model)
    ctx = Context(topic="overseas.costs")
    for q in ("có được vay không", FOLLOW_UP, "mất bao lâu", "ok để e nghĩ lại"):
        assert learned.ask(q, ctx).entry == engine.ask(q, ctx).entry


def test_the_fit_is_cached_by_what_it_learns_from(kb, engine, tmp_path):
    on = Engine(kb, dataclasses.replace(engine.tuning, context_model=True), engine.model,
                context_model=ContextModel.train(engine, (), declined=0))  # no load here
    fitted = ContextModel.load(on, tmp_path)
    assert fitted.examples > 0
    assert len(list(tmp_path.glob("context-*.pickle"))) == 1
    again = ContextModel.load(on, tmp_path)  # read back, not refitted
    assert np.array_equal(again.weights, fitted.weights)
    assert len(list(tmp_path.glob("context-*.pickle"))) == 1
    # other engine knobs read messages otherwise: another key, another fit
    other = Engine(kb, dataclasses.replace(on.tuning, context_tie=on.tuning.context_tie + 0.01),
                   engine.model, context_model=fitted)
    assert key(other) != key(on)
    ContextModel.load(other, tmp_path)
    assert len(list(tmp_path.glob("context-*.pickle"))) == 2


def test_switched_on_the_engine_loads_it_from_the_cache(kb, engine, tmp_path, monkeypatch):
    monkeypatch.setenv("CAREERBOT_MODEL_CACHE", str(tmp_path))
    on = Engine(kb, dataclasses.replace(Tuning.default(), context_model=True), engine.model)
    assert on.context_model is not None and on.context_model.examples > 0
    assert list(tmp_path.glob("context-*.pickle"))
    off = Engine(kb, dataclasses.replace(Tuning.default(), context_model=False), engine.model)
    assert off.context_model is None


def _topic(engine: Engine, message: str, previous: str) -> str | None:
    result = engine.ask(message, previous)
    return result.entry.id if result.entry is not None else None


def test_out_of_scope_words_beside_a_shown_topic_s_country_get_no_topic(kb, engine):
    """A named country is the shown topic's word, the people there no topic's: no topic
    answers."""
    assert engine.context_model is not None  # on by default
    message = "ở Úc người ta có thân thiện không"
    for shown in ("overseas.markets", "overseas.costs"):
        assert _topic(engine, message, shown) is None
    # a follow-up the shown topic covers keeps it
    assert _topic(engine, "còn Hàn Quốc thì sao", "overseas.markets") == "overseas.markets"
    # the coverage rule itself: a model that always prefers the topic just shown takes it
    # without the rule, and is declined with it (only the country is the topic's word)
    weights = np.zeros(WIDTH)
    weights[TOPIC_FEATURES.index("shown")] = 10.0
    eager = ContextModel(weights, 0.0, 1)
    guarded = Engine(kb, engine.tuning, engine.model, context_model=eager)
    assert _topic(guarded, message, "overseas.markets") is None
    eager_unguarded = ContextModel(weights, 0.0, 1)
    eager_unguarded.cover = 0.0
    unguarded = Engine(kb, engine.tuning, engine.model, context_model=eager_unguarded)
    assert _topic(unguarded, message, "overseas.markets") == "overseas.markets"


def test_no_topic_never_replaces_the_rules_answer_of_the_shown_topic(kb, engine):
    """"Tổ chức vô tháng mấy" after the admission fair is a detail of the fair, though the
    intent model reads it alone as out of scope."""
    message = "hằng năm hay tổ chức vô tháng mấy"
    assert engine.context_model is not None
    assert _topic(engine, message, "college.admission-fair") == "college.admission-fair"
    loose = ContextModel(engine.context_model.weights, 0.0, engine.context_model.examples,
                         engine.context_model.transitions)
    loose.margin_drop = 1.0
    dropping = Engine(kb, engine.tuning, engine.model, context_model=loose)
    assert _topic(dropping, message, "college.admission-fair") is None


def test_transitions_count_what_answered_after_a_topic_leaving_a_turn_out_of_its_own_score():
    """After the trung cấp tuition, "học ở đâu" (the where facet) went to admission twice and
    to the college once: admission scores highest for that facet; a training turn is scored
    by the others' counts only, so a lone transition teaches nothing about itself."""
    t = Transitions()
    for target in ("college.admission", "college.admission", "college.long-an"):
        t.add("tuition.trung-cap-free", "where", target)
    t.add("tuition.trung-cap-free", "cost", "support.student-loan")
    topics = ["college.admission", "college.long-an", "support.student-loan", None]
    cols = t.columns("tuition.trung-cap-free", "where", topics)
    assert cols[0, 1] > cols[1, 1] > cols[2, 1] == cols[3, 1]
    assert cols[2, 0] > cols[3, 0]  # overall, the loan did follow once
    # leaving the loan turn out: the loan no longer stands above no topic
    own = t.columns("tuition.trung-cap-free", "cost", topics, own="support.student-loan")
    assert own[2, 1] == own[3, 1] and own[2, 0] == own[3, 0]
    # a topic never seen before gives nothing
    assert not t.columns("overseas.loan", "where", topics).any()


STAY, LEAVE = "vụ kia tính sao luôn", "vụ kia tính sao nữa"  # a filler word apart


def test_the_words_of_a_follow_up_tell_staying_from_leaving(kb, engine):
    """Two follow-ups the rules' readings cannot tell apart (the same content words, scores
    and cues) are taught after the costs of working abroad, one staying there and the other
    going on to the workers' rights: only the message's words on the shown topic's row
    learn which is which."""
    before = kb.get("overseas.costs")
    rows = []
    for q in (STAY, LEAVE):
        rule = engine._ask(q, Context(topic=before.id))
        topics, x = scored(engine, q, before, rule)[1:]
        assert topics[:1] == [before.id]  # the rules keep the topic just shown
        rows.append(x)
    words = slice(SHOWN_WORDS, SHOWN_WORDS + WORD_BUCKETS)
    apart = np.ones(WIDTH, dtype=bool)
    apart[SHOWN_WORDS:TOPIC_WORDS + TOPIC_BUCKETS] = False  # both kinds of word columns
    assert np.array_equal(rows[0][:, apart], rows[1][:, apart])  # nothing but the words
    assert not np.array_equal(rows[0][0, words], rows[1][0, words])
    assert not rows[0][1:, words].any()  # only the shown topic's row has them
    taught = tuple(chat(("Đi xuất khẩu lao động tốn bao nhiêu tiền?", "overseas.costs", "open"),
                        (q, target, "follow"))
                   for q, target in ((STAY, "overseas.costs"), (LEAVE, "overseas.rights"))
                   for _ in range(12))
    # (a lighter penalty than the corpus's: 24 turns teach it, not thousands)
    model = ContextModel.train(engine, taught, c=10.0, declined=0)
    learned = Engine(kb, engine.tuning, engine.model, context_model=model)
    assert _topic(learned, STAY, before.id) == "overseas.costs"
    assert _topic(learned, LEAVE, before.id) == "overseas.rights"


ON_LOAN, ON_RIGHTS = "chuyện đó tính sao luôn", "chuyện đó tính sao nữa"


def test_the_words_of_a_follow_up_tell_one_other_topic_from_another(kb, engine):
    """Two follow-ups alike but for a filler word, both leaving the costs of working abroad,
    one for the loan and the other for the workers' rights: the shown topic's words only say
    staying or leaving; each topic's row has the words hashed with that topic, which learn
    where to."""
    before = kb.get("overseas.costs")
    topic_words = slice(TOPIC_WORDS, TOPIC_WORDS + TOPIC_BUCKETS)
    for q in (ON_LOAN, ON_RIGHTS):
        topics, x = scored(engine, q, before, engine._ask(q, Context(topic=before.id)))[1:]
        assert {"overseas.loan", "overseas.rights"} <= set(topics)
        loan, rights = (x[topics.index(t), topic_words]
                        for t in ("overseas.loan", "overseas.rights"))
        assert loan.any() and rights.any() and not np.array_equal(loan, rights)
        assert not x[topics.index(None), topic_words].any()  # "no topic" has none
    taught = tuple(chat(("Đi xuất khẩu lao động tốn bao nhiêu tiền?", "overseas.costs", "open"),
                        (q, target, "follow"))
                   for q, target in ((ON_LOAN, "overseas.loan"), (ON_RIGHTS, "overseas.rights"))
                   for _ in range(12))
    model = ContextModel.train(engine, taught, c=10.0, declined=0)
    learned = Engine(kb, engine.tuning, engine.model, context_model=model)
    assert _topic(learned, ON_LOAN, before.id) == "overseas.loan"
    assert _topic(learned, ON_RIGHTS, before.id) == "overseas.rights"


def _none_first(kb, engine, sure_away: float) -> Engine:
    """An engine whose learned part always ranks "no topic" far above every topic."""
    weights = np.zeros(WIDTH)
    weights[len(TOPIC_FEATURES) + NONE_FEATURES.index("none")] = 10.0
    eager = ContextModel(weights, 0.0, 1)
    eager.sure_away = sure_away
    return Engine(kb, engine.tuning, engine.model, context_model=eager)


def test_no_topic_never_replaces_another_topic_the_rules_rank_surely(kb, engine):
    """After the streaming targets, asking for a scholarship is the scholarships' question
    (the rules rank it over 0.9): a learned "no topic" does not overrule that; it still
    overrules a weaker reading of another topic."""
    message = "học nghề có được cấp học bổng hông"
    shown = "streaming.targets"
    assert engine._ask(message, Context(topic=shown)).ranked[0].score >= 0.85
    assert _topic(_none_first(kb, engine, 0.85), message, shown) == \
        "support.scholarship-boarding"
    assert _topic(_none_first(kb, engine, float("inf")), message, shown) is None


def test_a_topic_scored_above_no_topic_replaces_the_rules_no_topic():
    """Where the rules answer no topic, the learned choice takes a topic it scores higher at
    all (round 15: the margin 0.5 -> 0 gained two chats in the leave-one-author-out CV and
    three development chats with no rejection lost)."""
    weights = np.zeros(WIDTH)
    weights[TOPIC_FEATURES.index("shown")] = 1.0
    model = ContextModel(weights, 0.0, 1)
    topic_row, none_row = np.zeros(WIDTH), np.zeros(WIDTH)
    topic_row[TOPIC_FEATURES.index("shown")] = 0.3  # 0.3 above "no topic"
    found = [Choice(None, none_row), Choice("overseas.costs", topic_row)]
    assert model.best(found, None, "overseas.costs") == "overseas.costs"
    model.margin_none = 0.5
    assert model.best(found, None, "overseas.costs") is None


def test_the_intent_model_s_five_best_topics_are_candidates(kb, engine):
    """A follow-up whose topic the intent model ranks fourth or fifth can still be chosen
    (three candidates from the model: 246 chats of 443 in the CV, five: 248)."""
    before = kb.get("vet.levels")
    message = "em sợ ba má không chịu"  # the counselor: the model's fourth or fifth
    rule = engine._ask(message, Context(topic=before.id))
    reading = read(engine, message, before, rule)
    best = sorted(reading.model, key=lambda t: -reading.model[t])[:5]
    assert len(best) == 5
    assert set(best) <= set(candidates(engine, reading, before))
