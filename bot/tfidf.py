"""A fitted TF-IDF space: scikit-learn fits it; transforming new text happens here.

Transforming by hand (exactly what `TfidfVectorizer(sublinear_tf=True)` does, checked by a
test) keeps a single question fast (no per-call validation) and lets a saved space answer
without importing scikit-learn at all, which is most of a cold start.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Literal, NamedTuple

import numpy as np
import numpy.typing as npt
from scipy import sparse

Analyzer = Literal["word", "char"]
CHAR_NGRAMS = (3, 5)
_SMALL_BATCH = 8  # up to this many rows, gathering postings beats a sparse product


def word_features(words: Sequence[str]) -> list[str]:
    """Words and word pairs (unigrams and bigrams)."""
    return [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]


def char_features(text: str) -> list[str]:
    """Character 3- to 5-grams inside word boundaries, words padded with a space."""
    low, high = CHAR_NGRAMS
    grams: list[str] = []
    for word in text.split():
        padded = f" {word} "
        size = len(padded)
        for n in range(low, high + 1):
            if size <= n:  # a short word counts once, whole
                grams.append(padded)
                break
            grams.extend(padded[i : i + n] for i in range(size - n + 1))
    return grams


class Rows(NamedTuple):
    """Sparse rows in CSR form: row i holds values[indptr[i]:indptr[i+1]] at those indices."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]

    @property
    def count(self) -> int:
        return len(self.indptr) - 1


class Postings:
    """Documents' vectors stored by feature, so a query touches only the features it has."""

    def __init__(self, documents: sparse.csr_matrix) -> None:
        by_feature = documents.T.tocsr()
        self.documents = documents.shape[0]
        self.indptr = by_feature.indptr.astype(np.int64)
        self.indices = by_feature.indices.astype(np.int64)
        self.data = by_feature.data.astype(np.float64)
        self._scipy = by_feature

    def dot(self, rows: Rows) -> npt.NDArray[np.float64]:
        """Dot product of each row with each document: a dense (rows × documents) array."""
        if rows.count > _SMALL_BATCH:
            query = sparse.csr_matrix(
                (rows.values, rows.indices, rows.indptr), shape=(rows.count, self._scipy.shape[0])
            )
            return np.asarray((query @ self._scipy).toarray())
        # a few rows: gather the postings of their features and add them up in one bincount
        starts, ends = self.indptr[rows.indices], self.indptr[rows.indices + 1]
        lengths = ends - starts
        total = int(lengths.sum())
        out_rows = np.repeat(np.repeat(np.arange(rows.count), np.diff(rows.indptr)), lengths)
        offsets = np.repeat(starts - np.r_[0, np.cumsum(lengths)[:-1]], lengths) + np.arange(total)
        weights = self.data[offsets] * np.repeat(rows.values, lengths)
        cells = out_rows * self.documents + self.indices[offsets]
        flat = np.bincount(cells, weights=weights, minlength=rows.count * self.documents)
        return flat.reshape(rows.count, self.documents)


class TfidfSpace:
    """Vocabulary, idf weights and the L2-normalised vectors of the fitted documents."""

    def __init__(
        self,
        kind: Analyzer,
        vocabulary: dict[str, int],
        idf: npt.NDArray[np.float64],
        matrix: sparse.csr_matrix,
    ) -> None:
        self.kind = kind
        self.vocabulary = vocabulary
        self.idf = idf
        self.postings = Postings(matrix)

    @classmethod
    def fit(cls, kind: Analyzer, documents: Sequence[Sequence[str]] | Sequence[str]) -> TfidfSpace:
        """Fit with scikit-learn (imported only here)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        analyzer = word_features if kind == "word" else char_features
        vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
        matrix = vectorizer.fit_transform(documents)
        vocabulary = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        return cls(kind, vocabulary, np.asarray(vectorizer.idf_, dtype=np.float64), matrix.tocsr())

    def features(self, document: Sequence[str] | str) -> list[str]:
        if self.kind == "word":
            return word_features(list(document))
        return char_features(str(document))

    def transform(self, documents: Iterable[Sequence[str] | str]) -> Rows:
        """Documents → L2-normalised TF-IDF rows (sublinear tf), unknown features ignored."""
        indptr, indices, values = [0], [], []
        vocabulary, idf = self.vocabulary, self.idf
        for document in documents:
            counts = Counter(f for f in self.features(document) if f in vocabulary)
            row = [(vocabulary[f], (1.0 + math.log(c)) * idf[vocabulary[f]]) for f, c in counts.items()]
            norm = math.sqrt(sum(v * v for _, v in row)) or 1.0
            indices.extend(i for i, _ in row)
            values.extend(v / norm for _, v in row)
            indptr.append(len(indices))
        return Rows(
            np.asarray(indptr, dtype=np.int64),
            np.asarray(indices, dtype=np.int64),
            np.asarray(values, dtype=np.float64),
        )

    def to_matrix(self, rows: Rows) -> sparse.csr_matrix:
        """Rows as a scipy matrix (for fitting other documents into this space)."""
        return sparse.csr_matrix(
            (rows.values, rows.indices, rows.indptr), shape=(rows.count, len(self.vocabulary))
        )

    def similarity(self, rows: Rows) -> npt.NDArray[np.float64]:
        """Cosine similarity of each row with each fitted document (dense: rows × documents)."""
        return self.postings.dot(rows)
