"""Accuracy floors on the project's own labelled questions (tests/data/questions*.jsonl).

The 3,829 questions were written for this project in fourteen independent batches, without
looking at faq.yaml or any development set: 2,651 in scope (plain, keyword, typo, lay,
long-winded, formal, slang, non-native English, and decoys that mention a dose or a brand as
context), 705 that must fall back (off-topic, other health topics, near misses), 275 red
flags and 198 small talk. Batches 3 to 11 and 13 were first measured blind, then used to find
gaps in faq.yaml; batches 12 and 14 were only measured (a red flag each showed missing was
added). They run without ../shared. The floors sit a little under what faqbot reaches today,
so a change that loses ground fails here; `faqbot eval tests/data/*.jsonl` shows the details."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import FAQBot
from bot.evaluate import Report, evaluate, read_labelled

QUESTIONS = sorted((Path(__file__).parent / "data").glob("questions*.jsonl"))


@pytest.fixture(scope="module")
def report(bot: FAQBot) -> Report:
    items = [item for path in QUESTIONS for item in read_labelled(path)[0]]
    return evaluate(bot, items)


def test_in_scope_questions_are_answered_right(report: Report) -> None:
    assert report.rate(report.in_scope) >= 0.90


def test_questions_the_faq_does_not_answer_fall_back(report: Report) -> None:
    assert report.false_accept_rate() <= 0.05


def test_red_flags_reach_urgent_care(report: Report) -> None:
    urgent = [(i, r) for i, r in report.items if i.expect == ("urgent",)]
    assert report.rate(urgent) >= 0.9


def test_small_talk_is_small_talk(report: Report) -> None:
    small = [(i, r) for i, r in report.items if i.expect == ("smalltalk",)]
    assert report.rate(small) >= 0.9


def test_every_entry_is_reachable_in_other_words(report: Report, bot: FAQBot) -> None:
    answered = {r.id for i, r in report.in_scope if r.kind == "answer" and r.id in i.expect}
    assert answered == {e.id for e in bot.faq.entries}
