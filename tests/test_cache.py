"""The disk cache of fitted TF-IDF spaces: reused when valid, ignored when not, never in the way."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import FAQBot
from bot.cache import fitted_space


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(directory))
    monkeypatch.delenv("FAQBOT_NO_CACHE", raising=False)
    return directory


QUESTIONS = ["what foods have magnesium", "potassium foods", "hello", "book a flight"]


def test_a_second_bot_reads_the_cache_and_answers_the_same(cache: Path, tiny_faq_path: Path) -> None:
    first = FAQBot.from_yaml(tiny_faq_path)
    files = sorted(cache.glob("tfidf-*.npz"))
    assert len(files) == 3  # the word and the character space of the entries, and of small talk
    second = FAQBot.from_yaml(tiny_faq_path)
    assert sorted(cache.glob("tfidf-*.npz")) == files
    assert second.ask_many(QUESTIONS) == first.ask_many(QUESTIONS)


def test_a_changed_faq_is_fitted_anew(cache: Path, tiny_faq_path: Path) -> None:
    FAQBot.from_yaml(tiny_faq_path)
    text = tiny_faq_path.read_text(encoding="utf-8")
    tiny_faq_path.write_text(text.replace("magnesium rich foods", "foods full of magnesium"), encoding="utf-8")
    FAQBot.from_yaml(tiny_faq_path)
    assert len(list(cache.glob("tfidf-word-*.npz"))) == 2


def test_a_damaged_cache_file_is_replaced_not_fatal(cache: Path, tiny_faq_path: Path) -> None:
    reference = FAQBot.from_yaml(tiny_faq_path).ask_many(QUESTIONS)
    for file in cache.glob("tfidf-*.npz"):
        file.write_bytes(b"not a numpy archive")
    assert FAQBot.from_yaml(tiny_faq_path).ask_many(QUESTIONS) == reference


def test_no_cache_when_turned_off(cache: Path, tiny_faq_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_NO_CACHE", "1")
    FAQBot.from_yaml(tiny_faq_path)
    assert not cache.exists()


def test_an_unwritable_cache_directory_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(blocker / "cache"))
    space = fitted_space("word", [["magnesium", "food"], ["potassium"]])
    assert set(space.vocabulary) >= {"magnesium", "potassium"}


def test_a_cached_value_of_another_shape_is_computed_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cache import cached_json

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path))
    assert cached_json("probe", ["a"], lambda: {"x": 1}) == {"x": 1}
    for path in tmp_path.glob("probe-*.json"):
        path.write_text('["not", "a", "dict"]', encoding="utf-8")  # an older format, or damage
    assert cached_json("probe", ["a"], lambda: {"x": 2}, lambda saved: isinstance(saved, dict)) == {"x": 2}


def test_cached_values_are_pruned_to_the_newest(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.cache import KEEP, cached_json

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path))
    for n in range(KEEP + 5):
        cached_json("probe", [str(n)], lambda: [])
    assert len(list(tmp_path.glob("probe-*.json"))) == KEEP


def test_the_bundled_faq_is_read_back_checked_and_whole(cache: Path, tmp_path: Path) -> None:
    from bot.knowledge import bundled_faq_path, load_faq

    copy = tmp_path / "faq.yaml"
    copy.write_bytes(bundled_faq_path().read_bytes())
    parsed = load_faq(copy)
    assert len(list(cache.glob("faq-*.json"))) == 1
    again = load_faq(copy)
    assert again == parsed and again.urgent is not None and again.languages  # every section, not just entries
    with pytest.raises(TypeError):
        again.subjects["magnesium"] = again.subjects["potassium"]  # type: ignore[index]  # read-only, as parsed


def test_an_edited_or_damaged_faq_cache_is_read_anew(cache: Path, tmp_path: Path) -> None:
    from bot.knowledge import bundled_faq_path, load_faq

    copy = tmp_path / "faq.yaml"
    copy.write_bytes(bundled_faq_path().read_bytes())
    load_faq(copy)
    for file in cache.glob("faq-*.json"):
        file.write_text('{"path": 1}', encoding="utf-8")  # valid JSON, not a FAQ
    assert load_faq(copy).entries
    text = copy.read_text(encoding="utf-8")
    copy.write_text(text.replace("What is calf twitching?", "What is calf twitching, really?", 1), encoding="utf-8")
    assert load_faq(copy).entries[0].question == "What is calf twitching, really?"
