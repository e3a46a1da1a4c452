"""A learned ranking: a linear classifier over the TF-IDF word and character features.

Fitted at index-build time with scikit-learn's logistic regression on the FAQ's own phrasings
(each labelled with its entry), so it learns which words and n-grams tell entries apart
rather than how much text two questions share. Its weights are plain arrays, cached on disk
like the TF-IDF spaces: scoring is one sparse-by-dense product and never imports
scikit-learn.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from .cache import cached_arrays
from .model import uses_intent
from .tfidf import SMALL_BATCH, Rows

if TYPE_CHECKING:  # SciPy loads only to fit the model or score many questions at once
    from scipy import sparse

FORMAT = "2"
C = 20.0  # inverse regularisation: phrasings are few and clean, so the model may fit them closely
Matrix = npt.NDArray[np.float64]


class IntentModel:
    """Per-entry probabilities for a batch of questions' word and character rows."""

    def __init__(self, word: Matrix, char: Matrix, bias: Matrix) -> None:
        self.word, self.char, self.bias = word, char, bias  # (features × entries), (entries,)

    @classmethod
    def build(
        cls, rows: Callable[[], tuple[sparse.csr_matrix, sparse.csr_matrix]], labels: npt.NDArray[np.intp],
        entries: int, key: Sequence[str],
    ) -> IntentModel | None:
        """The model for the phrasings' (word, char) `rows` and their entry `labels`.

        From the cache when `key` (what the rows are made from) was fitted before, else
        fitted and saved; `rows` is called only to fit.

        `entries` counts the classes: the FAQ's entries and, last, one for its out-of-scope
        examples. None when `bot.model.uses_intent` says the FAQ is ranked without the model.
        """
        if not uses_intent(entries - 1, int(np.count_nonzero(labels == entries - 1))):
            return None
        def fit() -> dict[str, Matrix]:
            model = cls._fit(*rows(), labels, entries)
            return {"word": model.word, "char": model.char, "bias": model.bias}

        saved = cached_arrays("intent", [FORMAT, repr(C), *key, "\x1f", labels.tobytes().hex()], fit,
                              lambda arrays: (arrays.get("word", np.empty((0, 0))).shape[1:] == (entries,)
                                              and arrays.get("char", np.empty((0, 0))).shape[1:] == (entries,)
                                              and arrays.get("bias", np.empty(0)).shape == (entries,)))
        return cls(saved["word"], saved["char"], saved["bias"])

    @classmethod
    def _fit(cls, word: sparse.csr_matrix, char: sparse.csr_matrix, labels: npt.NDArray[np.intp],
             entries: int) -> IntentModel:
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        features = sparse.hstack([word, char], format="csr")
        # newton-cg: the same optimum as lbfgs in a few iterations, several times faster here
        model = LogisticRegression(C=C, solver="newton-cg", max_iter=200).fit(features, labels)
        coef = np.zeros((entries, features.shape[1]))
        bias = np.full(entries, -1e3)  # an entry with no phrasing is never predicted
        coef[model.classes_] = model.coef_
        bias[model.classes_] = model.intercept_
        width = word.shape[1]
        return cls(np.ascontiguousarray(coef[:, :width].T), np.ascontiguousarray(coef[:, width:].T), bias)

    def probabilities(self, word: Rows, char: Rows) -> Matrix:
        """Softmax over entries for each question (rows of the word and character spaces)."""
        logits = _dot(word, self.word) + _dot(char, self.char) + self.bias
        logits -= logits.max(axis=1, keepdims=True)
        exp = np.exp(logits)
        return np.asarray(exp / exp.sum(axis=1, keepdims=True))


def _dot(rows: Rows, weights: Matrix) -> Matrix:
    """Each sparse row times the (features × entries) weights."""
    if rows.rows <= SMALL_BATCH:  # a few questions: in NumPy
        return rows.times(weights)
    from scipy import sparse

    matrix = sparse.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(rows.rows, weights.shape[0]))
    return np.asarray(matrix @ weights)
