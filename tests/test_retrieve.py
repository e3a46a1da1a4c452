"""Retrieval: one contract every score signal must pass on any FAQ, and the hand-written
TF-IDF transform checked against scikit-learn's."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.feature_extraction.text import TfidfVectorizer

from bot import FAQBot, tfidf
from bot.normalise import clean, tokens
from bot.tfidf import TfidfSpace, word_features

SIGNALS = ["word", "char", "fuzzy"]
RANKING_SIGNALS = {"word", "char"}  # the exact phrasing of an entry wins on these
EPS = 1e-9

QUESTIONS = [
    "which foods are rich in magnesium?",
    "potasium foods",
    "why do my calves twitch after running",
    "",
    "what's the weather tomorrow",
    "b12",
    "🙂",
]


@pytest.fixture(params=["tiny", "bundled"])
def any_bot(request: pytest.FixtureRequest) -> FAQBot:
    """The tiny mechanics FAQ and the bundled one: the contract holds for both."""
    return request.getfixturevalue("tiny_bot" if request.param == "tiny" else "bot")


@pytest.mark.parametrize("signal", SIGNALS)
def test_score_contract(any_bot: FAQBot, signal: str) -> None:
    entries = any_bot.faq.entries
    canonical = [e.question for e in entries]
    questions = [*QUESTIONS, *canonical]

    first = getattr(any_bot.index.score(questions), signal)
    again = getattr(any_bot.index.score(questions), signal)

    assert first.shape == (len(questions), len(entries))
    assert np.isfinite(first).all()
    assert first.min() >= -EPS and first.max() <= 1 + EPS
    np.testing.assert_array_equal(first, again)
    if signal in RANKING_SIGNALS:
        own = first[len(QUESTIONS) :]
        for row, entry in enumerate(entries):
            others = np.delete(own[row], row)
            assert own[row, row] > others.max(), f"{entry.id}: {signal} does not rank it first"


@pytest.mark.parametrize("signal", SIGNALS)
def test_one_question_scores_as_in_a_batch(bot: FAQBot, signal: str) -> None:
    batch = getattr(bot.index.score(QUESTIONS), signal)
    for row, question in enumerate(QUESTIONS):
        alone = getattr(bot.index.score([question]), signal)
        np.testing.assert_allclose(alone[0], batch[row], atol=EPS)


def test_every_phrasing_ranks_its_own_entry_first(bot: FAQBot) -> None:
    entries = bot.faq.entries
    phrasings = [(i, p) for i, e in enumerate(entries) for p in e.phrasings]
    scores = bot.index.score([p for _, p in phrasings])
    for signal in sorted(RANKING_SIGNALS):
        matrix = getattr(scores, signal)
        wrong = [
            p for row, (i, p) in enumerate(phrasings)
            if matrix[row, i] <= np.delete(matrix[row], i).max()
        ]
        assert wrong == [], f"{signal}: phrasings not ranked first by their own entry"


# -- TfidfSpace against scikit-learn ------------------------------------------------------------


def _documents(faq_bot: FAQBot) -> list[str]:
    return [clean(p) for e in faq_bot.faq.entries for p in e.phrasings]


QUERIES = [
    "which foods are rich in magnesium",
    "magnesum rich food",
    "does coffee make my calves twitch",
    "a",
    "zzzz qqqq",
    "low potassium low potassium low potassium",
    "",
]


def _cosine(vectorizer: TfidfVectorizer, documents: list, queries: list) -> np.ndarray:
    fitted = vectorizer.fit_transform(documents)
    return np.asarray((vectorizer.transform(queries) @ fitted.T).toarray())


@pytest.mark.parametrize("faq_name", ["tiny", "bundled"])
def test_char_space_matches_scikit_learn(request: pytest.FixtureRequest, faq_name: str) -> None:
    faq_bot = request.getfixturevalue("tiny_bot" if faq_name == "tiny" else "bot")
    documents = _documents(faq_bot)
    queries = [clean(q) for q in QUERIES]
    space = TfidfSpace.fit("char", documents)
    ours = space.similarity(space.transform(queries))
    theirs = _cosine(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True), documents, queries
    )
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


@pytest.mark.parametrize("faq_name", ["tiny", "bundled"])
def test_word_space_matches_scikit_learn(request: pytest.FixtureRequest, faq_name: str) -> None:
    faq_bot = request.getfixturevalue("tiny_bot" if faq_name == "tiny" else "bot")
    documents = [tokens(d) for d in _documents(faq_bot)]
    queries = [tokens(clean(q)) for q in QUERIES]
    space = TfidfSpace.fit("word", documents)
    ours = space.similarity(space.transform(queries))
    theirs = _cosine(TfidfVectorizer(analyzer=word_features, sublinear_tf=True), documents, queries)
    np.testing.assert_allclose(ours, theirs, atol=1e-9)


def test_rows_are_unit_length_or_empty(bot: FAQBot) -> None:
    space = TfidfSpace.fit("char", _documents(bot))
    rows = space.transform([clean(q) for q in QUERIES])
    matrix = space.to_matrix(rows)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    for norm in norms:
        assert norm == pytest.approx(1.0) or norm == 0.0


@pytest.mark.parametrize("kind", ["word", "char"])
def test_postings_small_and_large_batch_paths_agree(
    bot: FAQBot, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    documents = _documents(bot)
    queries = [clean(q) for q in QUERIES]
    fitted: list = [tokens(d) for d in documents] if kind == "word" else documents
    asked: list = [tokens(q) for q in queries] if kind == "word" else queries
    space = TfidfSpace.fit(kind, fitted)  # type: ignore[arg-type]
    rows = space.transform(asked)

    monkeypatch.setattr(tfidf, "SMALL_BATCH", 10**9)  # always gather postings
    monkeypatch.setattr(tfidf, "_GATHER_LIMIT", 10**12)
    gathered = space.postings.dot(rows)
    monkeypatch.setattr(tfidf, "SMALL_BATCH", 0)  # always a sparse product
    multiplied = space.postings.dot(rows)

    assert gathered.shape == multiplied.shape == (len(queries), len(documents))
    np.testing.assert_allclose(gathered, multiplied, atol=1e-12)



@pytest.mark.parametrize(
    ("dense_docs", "dense_cells"),
    [(1, 10**9), (1, 5_000), (10**9, 10**9)],  # every feature dense, a capped block, none dense
    ids=["all-dense", "capped", "all-sparse"],
)
def test_many_rows_product_is_exact_whatever_the_dense_block(
    bot: FAQBot, monkeypatch: pytest.MonkeyPatch, dense_docs: int, dense_cells: int
) -> None:
    documents = _documents(bot)
    queries = [clean(q) for q in QUERIES] * 3
    monkeypatch.setattr(tfidf, "DENSE_FEATURE_DOCS", dense_docs)
    monkeypatch.setattr(tfidf, "_DENSE_CELLS", dense_cells)
    monkeypatch.setattr(tfidf, "_DENSE_ROWS", 1)  # the dense block for any number of rows
    space = TfidfSpace.fit("char", documents)
    rows = space.transform(queries)
    reference = (space.to_matrix(rows) @ space.postings.matrix).toarray()
    np.testing.assert_allclose(space.postings.dot(rows), reference, atol=1e-12)


@pytest.mark.parametrize("question", ["can I halve my water pills for a week?", "should I quit my statins?",
                                      "is it fine to triple my potassium tablets"])
def test_a_change_to_ones_own_treatment_is_spotted_in_any_words_of_its_signs(bot: FAQBot, question: str) -> None:
    assert "own-treatment" in bot.index.analyse(question).out_of_scope


@pytest.mark.parametrize("question", ["how do I stop my calf twitching", "which pills help with low magnesium"])
def test_a_change_word_or_a_treatment_word_alone_is_no_treatment_decision(bot: FAQBot, question: str) -> None:
    assert "own-treatment" not in bot.index.analyse(question).out_of_scope


@pytest.mark.parametrize("question", ["my 9 year old's calves twitch, which foods help?",
                                      "what can I give my 4-year-old", "my 6 month old twitches in her sleep"])
def test_a_childs_age_in_digits_is_advice_for_a_child(bot: FAQBot, question: str) -> None:
    assert "children-pregnancy" in bot.index.analyse(question).out_of_scope


@pytest.mark.parametrize("question", ["I'm a 44 year old runner, which foods have magnesium?",
                                      "I took 5 magnesium tablets"])
def test_an_adults_age_or_another_number_is_no_child(bot: FAQBot, question: str) -> None:
    assert "children-pregnancy" not in bot.index.analyse(question).out_of_scope


def test_a_subject_named_only_by_its_hint_is_hinted(bot: FAQBot) -> None:
    assert bot.index.analyse("I'm vegetarian, does that matter?").hinted == {"vitamin-b12"}
    assert "vitamin-b12" in bot.index.analyse("I'm vegetarian, does that matter?").subjects
    assert not bot.index.analyse("I'm vegetarian, do I need more b12?").hinted
