"""Fitting the learned models: the shared TF-IDF step gives exactly what scikit-learn's two
vectorizers give, a refit gives identical weights, and the solvers run BLAS on one thread."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_info

from bot.answering import knowledge
from bot.answering.intent_model import IntentModel, training_set
from bot.answering.sparse_linear import fit, tfidf

ROOT = Path(__file__).resolve().parent.parent


def _docs() -> list[str]:
    rng = random.Random(11)
    letters = "ab cđễÔ\t\nxy0?  "
    docs = ["xin chào   bạn  ơi", "", " a ", "Con Tôi 17 tuổi,\tđi XKLĐ được không?", "a a a b"]
    return docs + ["".join(rng.choice(letters) for _ in range(rng.randint(0, 60)))
                   for _ in range(400)]


@pytest.mark.parametrize(("char_range", "dtype"), [((2, 5), np.float32), ((2, 4), np.float64),
                                                    ((1, 3), np.float64)])
def test_tfidf_equals_scikit_learns_two_vectorizers(char_range, dtype):
    kb = knowledge.load()
    texts = _docs() + training_set(kb)[0][:1500]
    theirs = [TfidfVectorizer(analyzer="char_wb", ngram_range=char_range, sublinear_tf=True,
                              dtype=dtype),
              TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                              token_pattern=r"\S+", dtype=dtype)]
    expected = hstack([v.fit_transform(texts) for v in theirs]).tocsr()
    parts, matrix = tfidf(texts, char_range, dtype)
    assert matrix.dtype == expected.dtype and matrix.shape == expected.shape
    for (analyze, vocabulary, idf), vectorizer in zip(parts, theirs, strict=True):
        assert vocabulary == vectorizer.vocabulary_
        assert np.array_equal(idf, vectorizer.idf_)
        assert analyze("hoc nghe") == vectorizer.build_analyzer()("hoc nghe")
    assert (abs(matrix - expected) > 1e-6).nnz == 0  # sums in another order: an ulp apart


def test_a_retrain_gives_identical_weights():
    kb = knowledge.load()
    first, second = IntentModel.train(kb), IntentModel.train(kb)
    assert np.array_equal(first._weights, second._weights)
    assert np.array_equal(first._bias, second._bias)


class _Recording:
    """A classifier that notes how many threads BLAS may use while it is fitted."""

    def fit(self, matrix: object, labels: object) -> _Recording:
        self.threads = {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}
        return self


def test_solvers_run_blas_on_one_thread():
    # OpenBLAS spreading each small vector step over every core made the safety model's
    # logistic regression several times slower on a busy machine.
    fitted = fit(_Recording(), None, [])
    assert fitted.threads == {1}


COLD_START = """
import json, sys
from bot.answering import knowledge
from bot.answering.cold_start import ready_engine
kb = knowledge.load()
engine = ready_engine(kb)
cached = kb.safety.model.cache_path().exists()
kb.safety.warm()
child = kb.safety.model._fitted()
# The same fit made here from a fresh load, without the cache: the child's, read and
# imported for before the fork, must be the very same model.
import numpy as np
from bot.answering import safety_model
kb.safety.model.cache_path().unlink()
safety_model._TRAINED.clear()
fresh = knowledge.load().safety.model._fitted()
print(json.dumps({"cached": cached,
                  "answer": engine.ask("học trung cấp có được miễn học phí không").entry.id,
                  "crisis": kb.safety.detect("em muốn chết cho xong") is not None,
                  "same": bool(np.array_equal(child.weights, fresh.weights)
                               and np.array_equal(child.bias, fresh.bias)
                               and child.classes == fresh.classes)}))
"""


def test_a_cold_start_fits_the_safety_model_in_a_child_meanwhile(tmp_path):
    # A fresh single-threaded process with an empty model cache, as `careerbot run` starts.
    env = {**os.environ, "CAREERBOT_MODEL_CACHE": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", COLD_START], env=env, capture_output=True,
                         text=True, check=True, cwd=ROOT)
    found = json.loads(out.stdout.splitlines()[-1])
    # The safety fit is on disk when the engine is ready (the child wrote it), and this
    # process read it from there rather than fitting it again.
    assert found["cached"] is True
    assert found["answer"] == "tuition.trung-cap-free" and found["crisis"] is True
    assert found["same"] is True
    fits = sorted(p.name.split("-")[0] for p in tmp_path.glob("*.pickle")
                  if not p.name.startswith("safety-read-"))  # safety.yaml as read: a memo
    # (the learned reading of follow-ups, on, is fitted and cached with the intent model;
    # the knowledge base as loaded is kept beside them: kb_cache)
    assert fits == ["context", "intent", "knowledge", "safety"]
