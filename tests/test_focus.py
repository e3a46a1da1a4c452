"""A long message that ends with its real question: the closing question decides the topic."""

from __future__ import annotations

import pytest

from bot import FAQBot
from bot.focus import last_question


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("I run every morning and sleep badly. My calves flicker at night. Could caffeine be behind it?",
         "Could caffeine be behind it?"),
        ("I run every morning and sleep badly. My calves flicker at night. is caffeine behind it",
         "is caffeine behind it"),
        ("I run every morning and sleep badly, my calves flicker at night, could caffeine be behind it?",
         None),  # one sentence
        ("Coffee? Twitching?", None),  # too short to need it
        ("I run every morning and sleep badly. My calves flicker at night. Tell me about caffeine.", None),
    ],
)
def test_last_question(text: str, question: str | None) -> None:
    assert last_question(text) == question


@pytest.mark.parametrize(
    ("message", "entry"),
    [
        ("I take a magnesium supplement every day, so it is probably not that. I do drink lots of "
         "cola to stay awake at work. Could the caffeine cause my calf twitching?", "caffeine"),
        ("I have been stressed at work and I eat a vegan diet. My calves keep jumping. Is vitamin "
         "B12 part of the problem?", "vitamin-b12-role"),
    ],
)
def test_closing_question_on_another_subject_is_the_one_answered(bot: FAQBot, message: str, entry: str) -> None:
    assert bot.ask(message).id == entry  # read whole, these go to supplements and to stress


def test_earlier_sentences_still_count_when_they_agree(bot: FAQBot) -> None:
    message = ("My calves have been twitching for weeks and I feel weak and queasy. A friend said "
               "it might be potassium. What would low potassium feel like?")
    assert bot.ask(message).id == "potassium-signs"


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("My calf is swollen, red and hot since yesterday. I also drink a lot of coffee. "
         "Could caffeine cause twitching?", "urgent"),
        ("I'm pregnant and my calves twitch every night when I lie down. Which foods give me "
         "enough magnesium?", "fallback"),
    ],
)
def test_a_red_flag_or_unanswered_topic_earlier_in_the_message_stands(bot: FAQBot, message: str, kind: str) -> None:
    assert bot.ask(message).kind == kind
