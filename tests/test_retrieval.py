"""The engine: right topic for real student phrasings, rejection of everything else."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.answering.evaluation import QuestionSet, engine_answerer, evaluate
from bot.answering.knowledge import REQUIRED_IDS
from bot.answering.retrieval import Engine, Kind
from bot.answering.text import canonical

DATA = Path(__file__).parent / "data"
# The judged sets: written by people who had not read knowledge/, never used to fit anything.
EVALUATION = ("eval", "eval2")
CLASSES = ("long", "followup", "entity", "dialect")


@pytest.fixture(scope="module", params=["eval", "dev", "eval2", "dev2"])
def question_set(request) -> QuestionSet:
    return QuestionSet.load(DATA / f"{request.param}.yaml")


@pytest.fixture(scope="module", params=EVALUATION)
def evaluation(request, engine):
    return request.param, evaluate(engine_answerer(engine), QuestionSet.load(
        DATA / f"{request.param}.yaml"))


def test_question_sets_cover_every_topic_and_enough_out_of_scope(question_set):
    topics = [i.id for i in question_set.items]
    assert set(topics) == set(REQUIRED_IDS)
    for topic in REQUIRED_IDS:
        assert topics.count(topic) >= 3, topic
    assert len(question_set.out) >= 40


def test_question_sets_do_not_repeat_knowledge_phrasings(question_set, kb):
    known = {canonical(q) for e in kb.entries for q in e.questions}
    leaked = [i.q for i in question_set.items if i.cls != "entity" and canonical(i.q) in known]
    assert leaked == []


@pytest.mark.parametrize("path", sorted(DATA.glob("safety_*.yaml")), ids=lambda p: p.stem)
def test_safety_sets_appear_nowhere_in_knowledge(path, kb):
    """No evaluation message is copied into knowledge/: not as a topic's phrasing, not into
    the safety cues (knowledge/data/safety.yaml) or any other file there."""
    known = {canonical(q) for e in kb.entries for q in e.questions}
    folder = Path(__file__).resolve().parent.parent / "knowledge"
    files = " ".join(canonical(f.read_text(encoding="utf-8")) for f in folder.rglob("*.yaml"))
    messages = yaml.safe_load(path.read_text(encoding="utf-8"))["messages"]
    assert messages
    # A short message may equal a cue by chance; five words or more copied is a copy.
    leaked = [m["text"] for m in messages if canonical(m["text"]) in known or (
        len(canonical(m["text"]).split()) >= 5 and f" {canonical(m['text'])} " in f" {files} ")]
    assert leaked == []


@pytest.mark.parametrize("name", ["eval", "dev"])
def test_half_of_each_topics_questions_are_unaccented_or_teencode(name):
    question_set = QuestionSet.load(DATA / f"{name}.yaml")
    for topic in REQUIRED_IDS:
        qs = [q for q, t in question_set.in_scope if t == topic]
        plain = [q for q in qs if q.isascii()]
        assert len(plain) * 2 >= len(qs) - 1, topic


def test_engine_meets_the_accuracy_and_rejection_targets(evaluation):
    name, m = evaluation
    assert m.top1 >= 0.92, (name, m.top1)
    assert m.answered_right >= 0.80, (name, m.answered_right)
    assert m.rejected >= 0.90, (name, m.rejected)


def test_each_kind_of_real_message_meets_its_target(evaluation):
    # Long parent messages, follow-ups, bare names, dialect: each class on its own.
    name, m = evaluation
    weak = {c: round(m.per_class[c], 3) for c in CLASSES if c in m.per_class
            and m.per_class[c] < 0.85}
    assert weak == {}, name


def test_the_second_evaluation_set_has_every_kind_of_message():
    m = QuestionSet.load(DATA / "eval2.yaml")
    sizes = {c: sum(i.cls == c for i in m.items) for c in CLASSES}
    assert sizes["long"] >= 60 and sizes["followup"] >= 40 and sizes["entity"] >= 30 \
        and sizes["dialect"] >= 40, sizes
    assert all(len(i.q.split()) >= 40 for i in m.items if i.cls == "long")
    assert all(i.previous in REQUIRED_IDS for i in m.items if i.cls == "followup")
    assert len(m.items) >= 250 and len(m.out) >= 60
    assert sum(i.cls == "near" for i in m.out) >= 25


def test_every_topic_is_reachable_as_a_student_asks_it(engine, question_set):
    m = evaluate(engine_answerer(engine), question_set)
    weak = {t: round(v, 2) for t, v in m.per_topic.items() if v < 0.6}
    assert weak == {}


def test_greetings_get_a_friendly_reply_not_an_entry(engine, question_set):
    for greeting in question_set.greetings:
        result = engine.ask(greeting)
        assert result.kind is Kind.GREETING, greeting
        assert result.entry is None


@pytest.mark.parametrize("junk", ["asdfgh", "???", "😀😀😀", "...", "123", "qwerty uiop",
                                  "thời tiết mai có mưa không", "giá iphone 15 bao nhiêu"])
def test_junk_gets_the_fallback(engine, junk):
    assert engine.ask(junk).kind in (Kind.FALLBACK, Kind.EMPTY)


@pytest.mark.parametrize("question", [
    "giải phương trình x^2 - 4 = 0", "chơi liên quân sao cho giỏi",
                                      "mua xe máy trả góp", "cách nấu canh chua"])
def test_out_of_scope_questions_are_not_answered_with_the_nearest_topic(engine, question):
    assert engine.ask(question).kind is not Kind.ANSWER


def test_scores_are_between_zero_and_one_and_ranked(engine):
    ranked = engine.rank("hoc trung cap co duoc mien hoc phi khong")
    assert ranked and all(0.0 <= s.score <= 1.0 for s in ranked)
    assert ranked[0].entry.id == "tuition.trung-cap-free"


def test_the_engine_is_deterministic(kb):
    a, b = Engine(kb), Engine(kb)
    for q in ["xkld nhat", "hoc phi", "lien thong len dai hoc", "asdf"]:
        assert [(s.entry.id, s.score) for s in a.rank(q)] == \
               [(s.entry.id, s.score) for s in b.rank(q)]


def test_an_unsure_question_gets_did_you_mean_suggestions(engine):
    # A bare keyword shared by several topics: the engine should not pretend to know which.
    results = [engine.ask(q) for q in ["nuoc ngoai", "truong", "nghe", "phi"]]
    suggest = [r for r in results if r.kind is Kind.SUGGEST]
    assert suggest, [(r.question, r.kind, r.score) for r in results]
    assert all(1 <= len(r.suggestions) <= 3 for r in suggest)


def test_salary_typed_without_accents_is_not_read_as_streaming(engine):
    """"luong" folds like "luồng" (phân luồng, in most topics here): unaccented, it is salary."""
    salary = engine.ask("di han quoc luong bao nhieu")
    assert salary.entry is not None and salary.entry.id.startswith("overseas.")
    stream = engine.ask("chi tieu phan luong cua tinh")
    assert stream.entry is not None and stream.entry.id.startswith("streaming.")


@pytest.mark.parametrize(("question", "office"), [
    ("hoc nghe co duoc hoan nghia vu quan su ko", "Ban Chỉ huy quân sự"),
    ("em bi that nghiep thi hoc nghe dc ho tro ko", "Trung tâm Dịch vụ việc làm"),
    ("nam nay boc tham di Uc lam viec co de trung ko", "đại sứ quán"),
    ("con tôi số báo danh 0123 thì đậu trung cấp chưa", "tra cứu"),
])
def test_a_near_domain_question_names_the_office_instead_of_a_nearby_topic(engine, question,
                                                                            office):
    result = engine.ask(question)
    assert result.kind is Kind.FALLBACK and result.note is not None and office in result.note


@pytest.mark.parametrize("question", [
    "hoc nghe gi de khong bi that nghiep",
    "ba má có coi được kết quả khảo sát con làm không",  # the survey: not a result to look up
    "công ty hứa bốc thăm là đi được Hàn, có lừa không",  # a scam question
])
def test_a_question_a_topic_answers_is_not_caught_by_a_near_domain_rule(engine, question):
    result = engine.ask(question)
    assert result.kind is Kind.ANSWER and result.note is None


def test_a_follow_up_asking_only_where_or_how_much_stays_on_the_previous_topic(engine):
    assert engine.ask("ở đâu").kind is not Kind.ANSWER  # alone it asks nothing
    where = engine.ask("ở đâu", "college.admission")
    assert where.kind is Kind.ANSWER and where.entry is not None
    assert where.entry.id == "college.admission"


@pytest.mark.parametrize("path", sorted(DATA.glob("conv_*.yaml")), ids=lambda p: p.stem)
def test_conversation_sets_do_not_repeat_knowledge_phrasings(path, kb):
    """The whole-conversation sets are judged too: none of their turns is a phrasing."""
    from bot.answering.evaluation import load_conversations

    known = {canonical(q) for e in kb.entries for q in e.questions}
    folder = Path(__file__).resolve().parent.parent / "knowledge"
    files = " ".join(canonical(f.read_text(encoding="utf-8")) for f in folder.rglob("*.yaml"))
    turns = [t.q for chat in load_conversations(path) for t in chat.turns]
    # Nor copied into any other knowledge file: seven words or more (a short follow-up such as
    # "làm hồ sơ ở đâu" may sit inside a longer phrasing by chance).
    assert turns and [q for q in turns if canonical(q) in known or (
        len(canonical(q).split()) >= 7 and f" {canonical(q)} " in f" {files} ")] == []
