"""Text handling a user's wording depends on: cleaning, spelling correction, phrase spotting
and concept mapping, each checked against a plain reference where a faster form exists."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot import FAQBot
from bot.normalise import ConceptMapper, clean, tokens
from bot.spelling import OneEdit
from bot.spotter import Spotter


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Why do my CALVES twitch?!", "why do my calves twitch"),
        ("I can't sleep, it's my calf", "i can not sleep it is my calf"),
        ("im vegan could that be it", "i am vegan could that be it"),
        ("they're cramping and I've tried salt", "they are cramping and i have tried salt"),
        ("my doctor's advice", "my doctor advice"),
        ("I\u2019m tired", "i am tired"),
        ("café au lait", "cafe au lait"),
        ("how dose it work", "how does it work"),
        ("the dose of magnesium", "the dose of magnesium"),
        ("tabs\tand\nnew lines\x00", "tabs and new lines"),
        ("", ""),
        ("?!…", ""),
    ],
)
def test_clean(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned


@given(st.text())
def test_clean_is_idempotent_and_plain(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert once == " ".join(once.split())
    assert all(ch.isalnum() or ch == " " for ch in once)


WORDS = sorted({"magnesium", "potassium", "calcium", "vitamin", "twitch", "cramp", "spinach", "banana",
                "almond", "dairy", "calf", "calves", "muscle", "nerve", "tired", "tried", "tide"})


@settings(max_examples=300)
@given(st.text(alphabet="abcdeilmnorstuv", min_size=1, max_size=10) | st.sampled_from(WORDS))
def test_one_edit_finds_what_a_full_scan_finds(word: str) -> None:
    scanned = process.extractOne(word, WORDS, scorer=OSA.distance, score_cutoff=1)
    assert OneEdit(WORDS).nearest(word) == (scanned[0] if scanned else None)


def test_one_edit_kinds_of_typo() -> None:
    index = OneEdit(WORDS)
    assert index.nearest("magnesum") == "magnesium"  # dropped letter
    assert index.nearest("potasssium") == "potassium"  # doubled letter
    assert index.nearest("calcuim") == "calcium"  # swapped letters
    assert index.nearest("spinich") == "spinach"  # changed letter
    assert index.nearest("tride") == "tide"  # two words one edit away: the first listed
    assert index.nearest("magnsum") is None  # two edits: not a typo we correct


RED_FLAGS = {"urgent": ["chest pain", "face drooping", "swollen calf", "foam at the mouth"]}


@pytest.mark.parametrize(
    ("message", "urgent"),
    [
        ("sudden chest pain", True),
        ("pain in my chest", True),  # any order, words in between
        ("my face is droopy", True),  # one letter longer still matches
        ("my calf is swollen and red", True),
        ("foaming at mouth", True),  # "the" is optional
        ("no chest pain", False),  # negated
        ("no fever but chest pain", True),  # negation in another clause
        ("my calf twitches", False),
        ("", False),
    ],
)
def test_spotter(message: str, urgent: bool) -> None:
    spotter = Spotter(RED_FLAGS, negations=["no", "not"], clause_breaks=["but"])
    assert bool(spotter.find(clean(message))) is urgent


@given(st.lists(st.sampled_from(["chest", "pain", "no", "but", "face", "droopy", "drooping", "calf",
                                 "swollen", "foam", "at", "mouth", "my", "twitch", "x"]), max_size=12))
def test_spotting_does_not_depend_on_word_frequencies(words: list[str]) -> None:
    plain = Spotter(RED_FLAGS, negations=["no"])
    skewed = Spotter(RED_FLAGS, negations=["no"], frequency={"chest": 99, "calf": 99, "at": 99, "face": 1})
    assert plain.find(" ".join(words)) == skewed.find(" ".join(words))


LEXICON = {"s:magnesium": ["magnesium", "mg"], "f:foods": ["foods", "rich in", "found in"],
           "f:dose": ["how much", "how much should i take", "take magnesium"], "w:leg": ["calf", "lower leg"]}


def _map_one_by_one(mapper: ConceptMapper, words: list[str]) -> list[str]:
    """The plain greedy reference: at each word, the longest phrase starting there, else the word."""
    canon = [mapper.canonical(w) for w in words]
    out, i = [], 0
    while i < len(canon):
        for size in range(len(canon) - i, 1, -1):
            concept = mapper._phrases.get(tuple(canon[i : i + size]))
            if concept is not None:
                out.append(concept)
                i += size
                break
        else:
            out.append(canon[i])
            i += 1
    return out


def test_concept_mapping_takes_the_longest_phrase() -> None:
    mapper = ConceptMapper(LEXICON)
    assert mapper.map(tokens("how much should i take")) == ["f:dose"]
    assert mapper.map(tokens("how much mg")) == ["f:dose", "s:magnesium"]
    assert mapper.map(tokens("foods rich in magnesium")) == ["f:foods", "f:foods", "s:magnesium"]
    assert mapper.map(tokens("my lower leg")) == ["my", "w:leg"]
    assert mapper.map(tokens("how much should i take mg")) == ["f:dose", "s:magnesium"]  # no overlap
    assert mapper.map(tokens("should i take mg")) == ["should", "i", "f:dose"]


@given(st.lists(st.sampled_from(["how", "much", "should", "i", "take", "rich", "in", "found", "mg",
                                 "magnesium", "lower", "leg", "calf", "foods"]), max_size=12))
def test_concept_mapping_matches_the_plain_greedy_reading(words: list[str]) -> None:
    mapper = ConceptMapper(LEXICON)
    assert mapper.map(words) == _map_one_by_one(mapper, words)


@pytest.mark.parametrize(
    ("word", "split"),
    [("lowmagnesium", "low magnesium"), ("b12foods", "b12 foods"), ("calfcramps", "calf cramps"),
     ("potassiumrich", "potassium rich")],
)
def test_run_together_words_are_split(bot: FAQBot, word: str, split: str) -> None:
    assert bot.index.analyse(f"signs of {word}").text == f"signs of {split}"


@pytest.mark.parametrize("word", ["heartbeat", "antidiuretic", "outlook", "income", "playlist", "sometimes"])
def test_real_words_stay_whole(bot: FAQBot, word: str) -> None:
    assert bot.index.analyse(f"what about {word}").text == f"what about {word}"


def test_a_stretched_letter_is_cut_to_two() -> None:
    assert clean("Heyyy, sooo goood!!") == "heyy soo good"
    assert clean("1000 mg") == "1000 mg"  # digits are not letters
