"""A fitted TF-IDF space: fitting and transforming new text both happen here.

Both do exactly what scikit-learn's `TfidfVectorizer(sublinear_tf=True)` does (smoothed idf,
1 + log tf, L2 norm; a test checks it against scikit-learn), by hand: a single question is
fast (no per-call validation), and neither fitting nor answering imports scikit-learn, whose
import alone is most of a cold start and a second of a big FAQ's first build.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Sequence
from functools import cached_property, lru_cache
from typing import IO, TYPE_CHECKING, Literal, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:  # SciPy loads only to fit a space or multiply many rows: one question never needs it
    from scipy import sparse

Analyzer = Literal["word", "char"]
CHAR_NGRAMS = (3, 5)
SMALL_BATCH = 8  # up to this many rows, gathering postings beats a sparse product...
_GATHER_LIMIT = 20_000  # ...unless they are this long
# In a big FAQ, a query feature found in this many documents (a "stop n-gram" such as " th")
# costs the most and tells the least; it is skipped. Small FAQs never reach the limit.
COMMON_FEATURE_DOCS = 20_000
# For many rows at once, features found in this many documents are multiplied as a dense
# block (one BLAS product) and only the rest as sparse: the same sums, several times faster.
DENSE_FEATURE_DOCS = 32
_DENSE_CELLS = 2_000_000  # at most this many cells (16 MB) in the dense block of a big FAQ
_DENSE_ROWS = 64  # below this many rows, the dense block costs more than it saves


def word_features(words: Sequence[str]) -> list[str]:
    """Words and word pairs (unigrams and bigrams)."""
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


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
    def rows(self) -> int:
        return len(self.indptr) - 1

    def times(self, weights: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """These rows times dense (features,) or (features × k) weights, in NumPy: each row's
        cells added up in order, so a row gets the same sum alone or in a batch. It holds a
        weight row per cell: for many rows and wide weights, a sparse product costs less."""
        out = np.zeros((self.rows, *weights.shape[1:]))
        filled = np.flatnonzero(np.diff(self.indptr))
        if len(filled):
            cells = weights[self.indices] * (self.values[:, None] if weights.ndim > 1 else self.values)
            out[filled] = np.add.reduceat(cells, self.indptr[filled], axis=0)
        return out


def _indptr(counts: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each of consecutive runs of `counts` cells starts, and where the last ends
    (np.r_ would do, at several times the cost on the query path)."""
    out = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _drop(rows: Rows, keep: npt.NDArray[np.bool_]) -> Rows:
    """`rows` with only the cells where `keep` is true."""
    row_of_cell = np.repeat(np.arange(rows.rows), np.diff(rows.indptr))
    kept_per_row = np.bincount(row_of_cell[keep], minlength=rows.rows)
    indptr = _indptr(kept_per_row)
    return Rows(indptr, rows.indices[keep], rows.values[keep])


class Postings:
    """Documents' vectors stored by feature, so a query touches only the features it has.

    Plain NumPy arrays in CSR form (feature i's documents are indices[indptr[i]:indptr[i+1]]):
    reading a space and answering one question import no SciPy, whose import alone is a
    sixth of a cold start.
    """

    def __init__(self, indptr: npt.NDArray[np.int64], indices: npt.NDArray[np.int64],
                 data: npt.NDArray[np.float64], documents: int) -> None:
        self.documents = documents
        self.indptr = np.asarray(indptr, dtype=np.int64)
        self.indices = np.asarray(indices, dtype=np.int64)
        self.data = np.asarray(data, dtype=np.float64)

    @classmethod
    def of_documents(cls, documents: Rows, features: int) -> Postings:
        """Postings of documents' rows over `features` features (the rows transposed)."""
        document_of_cell = np.repeat(np.arange(documents.rows, dtype=np.int64), np.diff(documents.indptr))
        order = np.argsort(documents.indices, kind="stable")  # by feature, documents in order
        per_feature = np.bincount(documents.indices, minlength=features)
        indptr = _indptr(per_feature)
        return cls(indptr, document_of_cell[order], documents.values[order], documents.rows)

    @property
    def features(self) -> int:
        return len(self.indptr) - 1

    @cached_property
    def matrix(self) -> sparse.csr_matrix:
        """The postings as a SciPy (features × documents) matrix, for products of many rows."""
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices, self.indptr), shape=(self.features, self.documents))

    @cached_property
    def _dense_block(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """The most common features' postings as a dense (features × documents) block, and
        each feature's row in it (-1: not in it). Built for the first big batch: one question
        never needs it, and a big FAQ's block takes a while to allocate."""
        df = np.diff(self.indptr)
        common = np.flatnonzero(df >= DENSE_FEATURE_DOCS)
        budget = _DENSE_CELLS // max(1, self.documents)
        if len(common) > budget:  # a big FAQ: the most common features only
            common = np.sort(common[np.argsort(-df[common], kind="stable")[:budget]])
        dense_row = np.full(len(df), -1, dtype=np.int64)
        dense_row[common] = np.arange(len(common))
        return dense_row, np.asarray(self.matrix[common].toarray(), dtype=np.float64)

    def dot(self, rows: Rows) -> npt.NDArray[np.float64]:
        """Dot product of each row with each document: a dense (rows × documents) array."""
        starts, ends = self.indptr[rows.indices], self.indptr[rows.indices + 1]
        lengths = ends - starts
        if self.documents > COMMON_FEATURE_DOCS and (lengths > COMMON_FEATURE_DOCS).any():
            rows = _drop(rows, lengths <= COMMON_FEATURE_DOCS)
            starts, ends = self.indptr[rows.indices], self.indptr[rows.indices + 1]
            lengths = ends - starts
        total = int(lengths.sum())
        if rows.rows > SMALL_BATCH or total > _GATHER_LIMIT:
            return self._dot_many(rows)
        # a few rows: gather the postings of their features and add them up in one bincount
        out_rows = np.repeat(np.repeat(np.arange(rows.rows), np.diff(rows.indptr)), lengths)
        offsets = np.repeat(starts - _indptr(lengths)[:-1], lengths) + np.arange(total)
        weights = self.data[offsets] * np.repeat(rows.values, lengths)
        cells = out_rows * self.documents + self.indices[offsets]
        flat = np.bincount(cells, weights=weights, minlength=rows.rows * self.documents)
        return np.asarray(flat.reshape(rows.rows, self.documents), dtype=np.float64)


    def _dot_many(self, rows: Rows) -> npt.NDArray[np.float64]:
        """`dot` for many rows: common features as one dense product, the rest as a sparse one."""
        from scipy import sparse
        from scipy.linalg import blas  # here, not at the top: a single question never needs them

        width = self.features
        if rows.rows < _DENSE_ROWS or not len(self._dense_block[1]):
            query = sparse.csr_matrix((rows.values, rows.indices, rows.indptr), shape=(rows.rows, width))
            return np.asarray((query @ self.matrix).toarray())
        dense_rows, dense = self._dense_block
        dense_row = dense_rows[rows.indices]
        common = dense_row >= 0
        row_of_cell = np.repeat(np.arange(rows.rows), np.diff(rows.indptr))
        block = np.zeros((rows.rows, len(dense)))
        block[row_of_cell[common], dense_row[common]] = rows.values[common]
        rare = _drop(rows, ~common)
        query = sparse.csr_matrix((rare.values, rare.indices, rare.indptr), shape=(rare.rows, width))
        out: npt.NDArray[np.float64] = (query @ self.matrix).toarray()
        # out += block @ dense, in place: BLAS on the transposes, which are Fortran-ordered views
        done = blas.dgemm(1.0, dense.T, block.T, beta=1.0, c=out.T, overwrite_c=True)
        if not np.shares_memory(done, out):  # BLAS worked on a copy: take the copy
            out = done.T
        return out


def _count_matrix(rows: Sequence[Sequence[int]], columns: int) -> sparse.csr_matrix:
    """How often each column id occurs in each row, as a CSR matrix with sorted indices."""
    from scipy import sparse

    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    flat = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    counts = sparse.csr_matrix(
        (np.ones(len(flat)), (np.repeat(np.arange(len(rows)), lengths), flat)), shape=(len(rows), columns)
    )
    counts.sum_duplicates()
    return counts


class TfidfSpace:
    """Vocabulary, idf weights and the L2-normalised vectors of the fitted documents."""

    def __init__(
        self,
        kind: Analyzer,
        vocabulary: dict[str, int],
        idf: npt.NDArray[np.float64],
        documents: Rows,
    ) -> None:
        self._setup(kind, vocabulary, idf, Postings.of_documents(documents, len(vocabulary)))

    def _setup(
        self, kind: Analyzer, vocabulary: dict[str, int], idf: npt.NDArray[np.float64], postings: Postings
    ) -> None:
        self.kind = kind
        self.vocabulary = vocabulary
        self.idf = idf
        self.postings = postings
        self._word_ids = lru_cache(maxsize=65536)(self._char_ids_of_word)

    @classmethod
    def fit(cls, kind: Analyzer, documents: Sequence[Sequence[str]] | Sequence[str]) -> TfidfSpace:
        """Count features (each distinct word's n-grams found once) and weight them."""
        vocabulary: dict[str, int] = {}
        if kind == "word":
            per_document = [[vocabulary.setdefault(f, len(vocabulary)) for f in word_features(list(d))]
                            for d in documents]
            counts = _count_matrix(per_document, len(vocabulary))
        else:  # documents × words times words × n-grams: each distinct word's n-grams counted once
            word_ids: dict[str, int] = {}
            words_of = [[word_ids.setdefault(w, len(word_ids)) for w in str(d).split()] for d in documents]
            grams_of = [[vocabulary.setdefault(g, len(vocabulary)) for g in char_features(w)] for w in word_ids]
            counts = _count_matrix(words_of, len(word_ids)) @ _count_matrix(grams_of, len(vocabulary))
            counts.sort_indices()
        df = np.bincount(counts.indices, minlength=len(vocabulary))
        idf = np.log((1.0 + counts.shape[0]) / (1.0 + df)) + 1.0  # smoothed, as scikit-learn's
        values = (1.0 + np.log(counts.data)) * idf[counts.indices]
        rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=counts.shape[0]))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        fitted = Rows(np.asarray(counts.indptr, dtype=np.int64), np.asarray(counts.indices, dtype=np.int64), values)
        return cls(kind, vocabulary, idf, fitted)

    def save(self, file: IO[bytes]) -> None:
        """Write the space as plain NumPy arrays (see `load`)."""
        features = sorted(self.vocabulary, key=self.vocabulary.__getitem__)
        postings = self.postings
        np.savez(
            file, kind=np.array(self.kind), features=np.array(features, dtype=str), idf=self.idf,
            data=postings.data, indices=postings.indices, indptr=postings.indptr,
            shape=np.array((postings.features, postings.documents)),
        )

    @classmethod
    def load(cls, path: str | os.PathLike[str], kind: Analyzer) -> TfidfSpace:
        """Read a space written by `save`; raises OSError or ValueError when it is not one."""
        with np.load(path, allow_pickle=False) as saved:
            if str(saved["kind"]) != kind:
                raise ValueError(f"{path} holds a {saved['kind']} space, not {kind}")
            features, documents = (int(n) for n in saved["shape"])
            postings = Postings(saved["indptr"], saved["indices"], saved["data"], documents)
            vocabulary = {str(f): i for i, f in enumerate(saved["features"].tolist())}
            idf = np.asarray(saved["idf"], dtype=np.float64)
        consistent = len(vocabulary) == features == postings.features == len(idf) and (
            postings.indptr[-1] == len(postings.indices) == len(postings.data))
        if not consistent:
            raise ValueError(f"{path} is inconsistent")
        space = cls.__new__(cls)
        space._setup(kind, vocabulary, idf, postings)
        return space

    def _ids(self, document: Sequence[str] | str) -> list[int]:
        """Vocabulary ids of a document's features, repeated as often as they occur."""
        if self.kind == "char":
            ids: list[int] = []
            for word in str(document).split():
                ids.extend(self._word_ids(word))
            return ids
        vocabulary = self.vocabulary
        return [vocabulary[f] for f in word_features(list(document)) if f in vocabulary]

    def _char_ids_of_word(self, word: str) -> tuple[int, ...]:
        vocabulary = self.vocabulary
        return tuple(vocabulary[g] for g in char_features(word) if g in vocabulary)

    def transform(self, documents: Iterable[Sequence[str] | str]) -> Rows:
        """Documents → L2-normalised TF-IDF rows (sublinear tf), unknown features ignored."""
        flat_ids: list[int] = []
        sizes: list[int] = []
        for document in documents:
            ids = self._ids(document)
            flat_ids.extend(ids)
            sizes.append(len(ids))
        count = len(sizes)
        width = len(self.vocabulary)
        lengths = np.array(sizes, dtype=np.int64)
        flat = np.array(flat_ids, dtype=np.int64)
        keys, counts = np.unique(np.repeat(np.arange(count), lengths) * width + flat, return_counts=True)
        rows, features = np.divmod(keys, width)
        values = (1.0 + np.log(counts)) * self.idf[features]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=count))
        values /= np.where(norms > 0, norms, 1.0)[rows]
        indptr = _indptr(np.bincount(rows, minlength=count))
        return Rows(indptr, features.astype(np.int64), values)

    def to_matrix(self, rows: Rows) -> sparse.csr_matrix:
        """Rows as a scipy matrix (for fitting other documents into this space)."""
        from scipy import sparse

        return sparse.csr_matrix(
            (rows.values, rows.indices, rows.indptr), shape=(rows.rows, len(self.vocabulary))
        )

    def similarity(self, rows: Rows) -> npt.NDArray[np.float64]:
        """Cosine similarity of each row with each fitted document (dense: rows × documents)."""
        return self.postings.dot(rows)
