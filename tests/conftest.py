"""Shared fixtures: a tiny FAQ for mechanics tests, the bundled bot, ../shared when present."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from bot import FAQBot
from bot.knowledge import load_faq

# fitted indexes are cached on disk; the tests keep theirs out of the user's cache directory
os.environ["FAQBOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="faqbot-test-cache-")

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"

TINY_FAQ = """\
version: 1
fallback: I am not sure about that one. Please ask a doctor.
disclaimer: >-
  faqbot shares general information from one article on calf twitching and nutrient deficiencies.
  It is not a doctor and does not diagnose: for persistent, severe or worrying symptoms, see a
  healthcare professional.
urgent:
  message: This may need urgent care. Call emergency services now.
  red_flags: [chest pain, trouble breathing, fainted]
  negations: ["no", "not", "without"]
smalltalk:
  - id: greeting
    patterns: [hi, hello]
    reply: Hello! Ask me about magnesium or potassium.
  - id: thanks
    patterns: [thanks, thank you]
    reply: You're welcome.
subjects:
  magnesium:
    label: magnesium
    words: [magnesium, mg]
  potassium:
    label: potassium
    words: [potassium]
facets:
  role:
    label: how it works
    words: [why, how does]
    default: true
  foods:
    label: foods
    words: [food, foods, eat]
out_of_scope:
  facets:
    dose:
      label: doses or amounts
      words: [dose, dosage, milligrams]
entries:
  - id: magnesium-role
    subjects: [magnesium]
    facet: role
    section: Magnesium
    question: How does magnesium affect muscles?
    alternatives: [why does low magnesium cause twitching, what does magnesium do for muscles]
    answer: Magnesium helps muscles relax.
  - id: magnesium-foods
    subjects: [magnesium]
    facet: foods
    section: Magnesium
    question: Which foods are rich in magnesium?
    alternatives: [what should i eat to get more magnesium, magnesium rich foods]
    answer: Leafy greens, nuts and seeds.
  - id: potassium-foods
    subjects: [potassium]
    facet: foods
    section: Potassium
    question: Which foods are rich in potassium?
    alternatives: [what should i eat for more potassium, potassium rich foods]
    answer: Bananas and sweet potatoes.
"""


@pytest.fixture
def tiny_faq_path(tmp_path: Path) -> Path:
    """A small valid FAQ file (three entries) written into tmp_path."""
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY_FAQ, encoding="utf-8")
    return path


@pytest.fixture
def tiny_bot(tiny_faq_path: Path) -> FAQBot:
    return FAQBot.from_yaml(tiny_faq_path)


HOSTILE_ANSWER = "Magnesium \x1b]0;owned\x07 helps \x1b[2J muscles \x9b31m relax.\r\b"


@pytest.fixture
def hostile_bot(tiny_faq_path: Path) -> FAQBot:
    """The tiny FAQ with escape sequences in its texts, built past the loader (which refuses
    them), as a program could build one: the front-ends must neutralise what they print."""
    faq = load_faq(tiny_faq_path)
    texts = {"magnesium-role": {"answer": HOSTILE_ANSWER},
             "potassium-foods": {"question": "Which foods are rich in \x1b[5mpotassium?"}}
    entries = tuple(replace(e, **texts.get(e.id, {})) for e in faq.entries)
    subjects = {**faq.subjects, "potassium": replace(faq.subjects["potassium"], label="pot\x1b[8massium")}
    return FAQBot(replace(faq, entries=entries, subjects=subjects))


@pytest.fixture(scope="session")
def bot() -> FAQBot:
    """The bot over the bundled faq.yaml (built once per test session)."""
    return FAQBot.from_yaml()


@pytest.fixture(scope="session")
def shared_eval() -> Path:
    """../shared/eval, or skip when this clone has none (a user's clone has none)."""
    path = SHARED / "eval"
    if not path.is_dir():
        pytest.skip("../shared/eval is not present")
    return path


# Lines of a file to answer in a distributed partition (Dask, Spark): questions, small talk,
# a red flag, empty and blank lines, invalid UTF-8, an over-long line, repeated.
PARTITION_LINES = [
    b"Which foods are rich in magnesium?",
    b"hello",
    b"",
    b"I have chest pain",
    b"bad \xff byte",
    b"x" * 100_000,
    b"what dose of magnesium should I take",
    b"   ",
    b"why does low magnesium cause twitching",
] * 3
