"""Fit once, score every entry at once: TF-IDF (word and character n-grams) plus fuzzy matching.

`Index.build(faq)` learns everything retrieval needs from a FAQ; `index.score(questions)`
returns one row of per-entry scores for each question, plus what each question names
(subjects, facets, out-of-scope facets, words the FAQ does not know).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from scipy import sparse
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from .knowledge import FAQ
from .normalise import ConceptMapper, clean, tokens

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]

SUBJECT, FACET, OUT_OF_SCOPE, SYNONYM = "s:", "f:", "x:", "w:"

# Words that carry no topic in a question: English stop words plus the fillers people use
# to ask anything ("could", "tell me", "stuff"). Never counted as unknown.
_FILLERS = frozenset(
    """
    ask asking bit could does doing doe explain get getting go going got guess happen
    happening help hey hi just keep kind know let lot lots make maybe mean need okay ok
    people pretty really say seem sort stuff tell thank thing things think want way
    wonder wondering would yeah yes lately recently day days night nights week weeks
    time times always ever usually often normal wrong deal idea question
    """.split()
)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one question names, after cleaning, stemming and concept mapping."""

    text: str
    words: tuple[str, ...]
    subjects: frozenset[str]
    facets: frozenset[str]
    out_of_scope: frozenset[str]
    unknown: tuple[str, ...]
    content: int

    @property
    def mapped(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-entry similarity of a batch of questions: arrays of shape (questions, entries)."""

    word: Matrix
    char: Matrix
    fuzzy: Matrix
    out_of_scope: npt.NDArray[np.float64]
    analyses: tuple[Analysis, ...]


def _subject_specificity(
    faq: FAQ, row_entry: npt.NDArray[np.intp], mapped: Sequence[Sequence[str]]
) -> dict[str, float]:
    """How well naming a subject identifies its entries, in [0, 1].

    A theme that questions about other entries mention too ("twitching" in a FAQ on calf
    twitching) identifies nothing (0); a subject only its own entries' phrasings name does (1).
    """
    weights = {}
    for subject in faq.subjects:
        own = [subject in faq.entries[e].subjects for e in row_entry]
        named = [SUBJECT + subject in words for words in mapped]
        others = sum(n and not o for n, o in zip(named, own, strict=True))
        share = others / max(1, sum(not o for o in own))
        weights[subject] = float(np.clip(1.0 - share / 0.1, 0.0, 1.0))
    return weights


def _ngrams(words: Sequence[str]) -> list[str]:
    return [*words, *(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))]


class Index:
    """Everything retrieval learns from a FAQ; immutable after `build`."""

    def __init__(self, faq: FAQ) -> None:
        lexicon: dict[str, list[str]] = {}
        for prefix, concepts in ((SUBJECT, faq.subjects), (FACET, faq.facets),
                                 (OUT_OF_SCOPE, faq.out_of_scope_facets)):
            for concept in concepts.values():
                lexicon[prefix + concept.name] = [concept.name, *concept.words]
        for name, words in faq.synonyms.items():
            lexicon[SYNONYM + name] = [name, *words]
        self.mapper = ConceptMapper(lexicon)
        self.entry_ids = tuple(e.id for e in faq.entries)
        self.stopwords = frozenset(tokens(" ".join(ENGLISH_STOP_WORDS))) | _FILLERS

        phrasings = [(i, p) for i, e in enumerate(faq.entries) for p in e.phrasings]
        self.row_entry = np.fromiter((i for i, _ in phrasings), dtype=np.intp)
        cleaned = [clean(p) for _, p in phrasings]
        known = {w for text in cleaned for w in tokens(text)}
        known |= {w for e in faq.entries for w in tokens(clean(e.answer))}
        self.vocabulary = frozenset(known)
        self._spelling = sorted(w for w in known | self._lexicon_words(lexicon) if len(w) >= 4)

        mapped = [self._analyse(text).words for text in cleaned]
        self.word_vectorizer = TfidfVectorizer(analyzer=_ngrams, sublinear_tf=True)
        self.word_matrix = self.word_vectorizer.fit_transform(mapped)
        self.char_vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=1
        )
        self.char_matrix = self.char_vectorizer.fit_transform(cleaned)
        self.fuzzy_texts = [" ".join(w) for w in mapped]
        self.subject_weight = _subject_specificity(faq, self.row_entry, mapped)
        oos = [self._analyse(clean(q)).words for q in faq.out_of_scope_examples]
        self.oos_matrix = (
            self.word_vectorizer.transform(oos) if oos else sparse.csr_matrix((0, 1))
        )
        # rows are grouped by entry, so per-entry maxima are one reduceat away
        self._starts = np.flatnonzero(np.r_[True, self.row_entry[1:] != self.row_entry[:-1]])
        log.debug("index: %d entries, %d phrasings", len(self.entry_ids), len(phrasings))

    @staticmethod
    def _lexicon_words(lexicon: dict[str, list[str]]) -> set[str]:
        return {w for phrases in lexicon.values() for p in phrases for w in tokens(clean(p))}

    @lru_cache(maxsize=4096)  # noqa: B019 - the index lives as long as the bot
    def _correct(self, word: str) -> str:
        """The FAQ word a misspelt word most likely meant, or the word itself."""
        if len(word) < 5 or word in self.vocabulary or not word.isalpha():
            return word
        match = process.extractOne(word, self._spelling, scorer=fuzz.ratio, score_cutoff=84)
        return match[0] if match else word

    def _analyse(self, text: str) -> Analysis:
        words = [self._correct(w) for w in tokens(text)]
        mapped = self.mapper.map(words)
        plain = [w for w in mapped if ":" not in w and w not in self.stopwords]
        return Analysis(
            text=text,
            words=tuple(mapped),
            subjects=frozenset(w[2:] for w in mapped if w.startswith(SUBJECT)),
            facets=frozenset(w[2:] for w in mapped if w.startswith(FACET)),
            out_of_scope=frozenset(w[2:] for w in mapped if w.startswith(OUT_OF_SCOPE)),
            unknown=tuple(w for w in plain if w not in self.vocabulary and not w.isdigit()),
            content=len(plain) + sum(":" in w for w in mapped),
        )

    def analyse(self, question: str) -> Analysis:
        """Clean, stem, spell-correct and concept-map one question."""
        return self._analyse(clean(question))

    def _per_entry_max(self, rows: Matrix) -> Matrix:
        return np.maximum.reduceat(rows, self._starts, axis=1)

    def score(self, questions: Sequence[str]) -> Scores:
        """Score every question against every entry in one pass."""
        analyses = tuple(self.analyse(q) for q in questions)
        words = self.word_vectorizer.transform([a.words for a in analyses])
        chars = self.char_vectorizer.transform([a.text for a in analyses])
        word = (words @ self.word_matrix.T).toarray()
        char = (chars @ self.char_matrix.T).toarray()
        fuzzy = process.cdist(
            [a.mapped for a in analyses], self.fuzzy_texts,
            scorer=fuzz.token_set_ratio, dtype=np.float64,
        ) / 100.0
        oos = (
            (words @ self.oos_matrix.T).toarray().max(axis=1)
            if self.oos_matrix.shape[0] else np.zeros(len(analyses))
        )
        return Scores(
            word=self._per_entry_max(word),
            char=self._per_entry_max(char),
            fuzzy=self._per_entry_max(fuzzy),
            out_of_scope=oos,
            analyses=analyses,
        )
