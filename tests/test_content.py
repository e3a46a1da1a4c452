"""The bundled faq.yaml: the catalogue is complete, and every answer stays with its source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.knowledge import load_faq
from bot.normalise import clean

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO.parent / "shared" / "source" / "article.txt"

CATALOGUE = """
about-twitching deficiency-overview how-common electrolytes magnesium-role magnesium-foods
magnesium-signs magnesium-risk-factors potassium-role potassium-foods potassium-signs
potassium-causes calcium-role calcium-foods calcium-signs vitamin-d-role vitamin-d-sources
vitamin-b12-role vitamin-b12-foods dehydration stress exercise caffeine medications diet-plan
see-a-doctor testing-and-supplements
""".split()

FAQ = load_faq()
ENTRIES = {e.id: e for e in FAQ.entries}


@pytest.fixture(scope="module")
def article() -> str:
    if not ARTICLE.is_file():
        pytest.skip("../shared/source/article.txt is not present")
    return ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("entry_id", CATALOGUE)
def test_catalogue_entry_is_there_with_enough_ways_to_ask(entry_id: str) -> None:
    entry = ENTRIES[entry_id]
    distinct = {clean(p) for p in entry.alternatives}
    assert len(distinct) >= 8


@pytest.mark.parametrize("entry", FAQ.entries, ids=lambda e: e.id)
def test_answer_is_one_to_five_plain_sentences(entry) -> None:  # type: ignore[no-untyped-def]
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", entry.answer.strip()) if s]
    assert 1 <= len(sentences) <= 5
    assert "http" not in entry.answer


@pytest.mark.parametrize("entry", FAQ.entries, ids=lambda e: e.id)
def test_answer_names_a_section_of_the_article(entry, article: str) -> None:  # type: ignore[no-untyped-def]
    headings = {line.strip() for line in article.splitlines() if line.strip()} | {"Introduction"}
    assert entry.section in headings


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


@pytest.mark.parametrize("entry", FAQ.entries, ids=lambda e: e.id)
def test_answer_shares_no_run_of_twelve_words_with_the_article(entry, article: str) -> None:  # type: ignore[no-untyped-def]
    source = _words(article)
    runs = {tuple(source[i : i + 12]) for i in range(len(source) - 11)}
    answer = _words(entry.answer)
    copied = [" ".join(answer[i : i + 12]) for i in range(len(answer) - 11) if tuple(answer[i : i + 12]) in runs]
    assert not copied


def test_every_number_in_an_answer_is_in_the_article(article: str) -> None:
    """No dose, count or percentage the article does not give."""
    numbers_in_article = set(re.findall(r"\d+", article))
    for entry in FAQ.entries:
        assert set(re.findall(r"\d+", entry.answer)) <= numbers_in_article, entry.id


def test_fallback_and_urgent_messages_point_to_care() -> None:
    assert "doctor" in FAQ.fallback.lower()
    assert FAQ.urgent is not None
    assert "emergency" in FAQ.urgent.message.lower()


def test_the_article_is_not_copied_into_the_repository(article: str) -> None:
    first_paragraph = next(line for line in article.splitlines() if len(line) > 200)
    for path in REPO.rglob("*"):
        if ".venv" in path.parts or ".git" in path.parts or not path.is_file() or path.stat().st_size > 2_000_000:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        assert first_paragraph[:120] not in text, path
