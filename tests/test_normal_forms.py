"""analyze skips normalising a text that normalize has just returned (its own normal form): the
safety reading normalises every message, then analyses the result. The tokens must be those of
a full analysis, for every kind of text."""

from __future__ import annotations

from bot.answering import text
from bot.answering.retrieval import Engine


def _texts(kb) -> list[str]:
    """Safety and topic corpus messages (teencode, no accents, long stories), phrasings, and
    texts normalisation changes much (case, punctuation, doubled letters, digits in words)."""
    return [*(m.text for m in kb.corpus.safety[::7]), *(m.q for m in kb.corpus.messages[::5]),
            *(q for e in kb.entries for q in e.questions[:1]),
            "HỌC PHÍ bao nhiêu???", "okk zậyy", "lớp 9a1 ở Bến Lức", "ko bít nữa 😢", ""]


def _afresh(raw: str) -> tuple[text.Token, ...]:
    text.analyze.cache_clear()
    text.forget_normal_forms()
    return text.analyze(raw)


def test_a_normal_form_is_analysed_as_a_full_analysis_does(kb):
    for raw in _texts(kb):
        text.normalize.cache_clear()
        normal = text.normalize(raw)
        text.analyze.cache_clear()
        assert normal in text._NORMAL_FORMS  # remembered: analyze takes it as it is
        before = text.normalize.cache_info()
        shortcut = text.analyze(normal)
        after = text.normalize.cache_info()
        assert (after.hits, after.misses) == (before.hits, before.misses)  # not normalised
        assert shortcut == _afresh(normal), raw
        assert text.analyze(raw) == shortcut  # and the same as the text as typed gives


def test_the_remembered_forms_are_bounded_and_forgotten_with_the_engines_caches(engine: Engine):
    for k in range(text._NORMAL_MEMO + 10):
        text.normalize(f"câu hỏi số {k}")
    assert 0 < len(text._NORMAL_FORMS) <= text._NORMAL_MEMO
    engine.clear_caches()
    assert not text._NORMAL_FORMS
