"""A learned red-flag detector: messages like the FAQ's urgent examples, unlike its look-alikes.

The named red flags (`bot.spotter`) find the situations their phrases and signs describe; people
describe others ("my leg is cold and white and I can't find a pulse"). This model is fitted at
index-build time on `urgent: examples` (messages that need urgent care, as people write them)
against `urgent: look_alikes` and the entries' phrasings in every language: scikit-learn's
logistic regression over TF-IDF word and character features, cached on disk like the learned
ranking, so scoring a message is two sparse rows times two weight vectors and imports no
scikit-learn. A message the named flags pass over is urgent when its probability reaches
`thresholds: urgent`.
"""

from __future__ import annotations

from collections.abc import Container, Sequence

import numpy as np
import numpy.typing as npt

from .cache import cached_arrays, fitted_space
from .tfidf import TfidfSpace

FORMAT = "1"
C = 10.0  # inverse regularisation, chosen on a held-out red-flag batch (see docs/accuracy.md)
EVIDENCE_WORDS = 3  # the words that count most towards urgent, named in the reply's reason
FLAG = "urgent-examples"  # the flag an urgent reply names when this model found it


class UrgentModel:
    """The probability that each message needs urgent care."""

    def __init__(self, word: TfidfSpace, char: TfidfSpace, arrays: dict[str, npt.NDArray[np.float64]]) -> None:
        self.word, self.char = word, char
        self.word_weights, self.char_weights = arrays["word"], arrays["char"]
        self.bias = float(arrays["bias"][0])

    @classmethod
    def build(cls, examples: Sequence[str], negatives: Sequence[str]) -> UrgentModel | None:
        """The model for cleaned `examples` (urgent) against cleaned `negatives`; None without both."""
        if not examples or not negatives:
            return None
        texts = [*examples, *negatives]
        word = fitted_space("word", [t.split() for t in texts])
        char = fitted_space("char", texts)
        widths = (len(word.vocabulary), len(char.vocabulary))

        def fit() -> dict[str, npt.NDArray[np.float64]]:
            from scipy import sparse
            from sklearn.linear_model import LogisticRegression

            features = sparse.hstack([word.to_matrix(word.transform([t.split() for t in texts])),
                                      char.to_matrix(char.transform(texts))], format="csr")
            labels = np.r_[np.ones(len(examples)), np.zeros(len(negatives))]
            model = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(features, labels)
            coef = model.coef_[0]
            return {"word": coef[:widths[0]], "char": coef[widths[0]:], "bias": model.intercept_[:1]}

        arrays = cached_arrays("urgent", [FORMAT, repr(C), *examples, "\x1f", *negatives], fit,
                               lambda saved: (saved.get("word", np.empty(0)).shape == (widths[0],)
                                              and saved.get("char", np.empty(0)).shape == (widths[1],)
                                              and saved.get("bias", np.empty(0)).shape == (1,)))
        return cls(word, char, arrays)

    def probabilities(self, texts: Sequence[str]) -> npt.NDArray[np.float64]:
        """For each cleaned text, the probability that it needs urgent care."""
        logits = (self.word.transform([t.split() for t in texts]).times(self.word_weights)
                  + self.char.transform(texts).times(self.char_weights) + self.bias)
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0))))

    def evidence(self, text: str, skip: Container[str] = ()) -> str:
        """The words of a cleaned text that count most towards urgent, in the text's order;
        not those in `skip` (function words: they weigh in, but tell a reader nothing)."""
        words = [w for w in text.split() if w not in skip]
        vocabulary = self.word.vocabulary
        weight = {w: float(self.word_weights[vocabulary[w]]) for w in set(words) if w in vocabulary}
        strongest = set(sorted((w for w in weight if weight[w] > 0), key=lambda w: -weight[w])[:EVIDENCE_WORDS])
        return " ".join(dict.fromkeys(w for w in words if w in strongest))

