"""Regression floors on the shared development sets (skipped in a clone without ../shared).

These are floors that catch a regression, not the accuracy we aim for (see README,
"Accuracy"). The labelled questions are read only through `bot.evaluate`, and failure
messages report figures, never the questions themselves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import FAQBot
from bot.evaluate import Report, evaluate, read_labelled

QUESTION_SETS = ["dev.jsonl", "clinc_oos_val.jsonl", "medical_oos_val.jsonl", "medquad_topic_val.jsonl"]
DIALOGUES = "dev_dialogues.jsonl"

MIN_IN_SCOPE_ACCURACY = 0.90
MAX_FALSE_ACCEPTS = 0.03
MAX_CLARIFICATIONS = 0.05
MIN_DIALOGUE_TURNS = 0.9


def _read(folder: Path, name: str) -> tuple[list, list]:
    path = folder / name
    if not path.is_file():
        pytest.skip(f"{name} is not in ../shared/eval")
    return read_labelled(path)


@pytest.fixture(scope="module")
def report(bot: FAQBot, shared_eval: Path) -> Report:
    items = [item for name in QUESTION_SETS for item in _read(shared_eval, name)[0]]
    return evaluate(bot, items)


def test_in_scope_accuracy(report: Report) -> None:
    assert report.in_scope, "no in-scope questions"
    accuracy = report.rate(report.in_scope)
    assert accuracy >= MIN_IN_SCOPE_ACCURACY, f"in-scope accuracy {accuracy:.3f}"


def test_false_accept_rate(report: Report) -> None:
    assert report.fallback_items, "no out-of-scope questions"
    rate = report.false_accept_rate()
    assert rate <= MAX_FALSE_ACCEPTS, f"false-accept rate {rate:.3f}"


def test_clarification_rate(report: Report) -> None:
    rate = report.clarify_rate()
    assert rate <= MAX_CLARIFICATIONS, f"clarification rate {rate:.3f}"


def test_every_dialogue_mostly_right(bot: FAQBot, shared_eval: Path) -> None:
    _, dialogues = _read(shared_eval, DIALOGUES)
    assert dialogues, "no dialogues"
    weak = []
    for number, dialogue in enumerate(dialogues, 1):
        result = evaluate(bot, [], [dialogue])  # a fresh conversation
        rate = result.rate(result.dialogue_turns)
        if rate < MIN_DIALOGUE_TURNS:
            weak.append(f"#{number}: {rate:.2f} of {len(result.dialogue_turns)} turns")
    assert weak == [], f"{len(weak)} of {len(dialogues)} dialogues under {MIN_DIALOGUE_TURNS:.0%} of turns right"
