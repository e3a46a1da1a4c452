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
        # with no question mark anywhere, the last sentence asks: a request is a question too
        ("I run every morning and sleep badly. My calves flicker at night. Tell me about caffeine.",
         "Tell me about caffeine."),
        # a question mark elsewhere says where the asking is
        ("Could caffeine be behind it? I run every morning and sleep badly. My calves flicker at night.", None),
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
        ("My calves twitch every night when I lie down. Which foods give me enough magnesium "
         "now that I'm pregnant?", "fallback"),
    ],
)
def test_a_red_flag_anywhere_or_an_unanswered_topic_in_the_question_stands(
    bot: FAQBot, message: str, kind: str
) -> None:
    assert bot.ask(message).kind == kind


@pytest.mark.parametrize(
    ("message", "entry_id"),
    [
        ("I pack lunches for my two kids every morning, so it has to be quick. My calves have been "
         "twitchy lately. Which foods are good sources of magnesium?", "magnesium-foods"),
        ("I'm 60 and take a low-dose aspirin every morning. My calves keep twitching at night. "
         "Could stress be behind it?", "stress"),
        ("My eyelid twitches too, which my optician says is nothing. But my calves jump all evening. "
         "Which deficiencies can cause calf twitching?", "deficiency-overview"),
    ],
)
def test_context_in_other_sentences_does_not_turn_the_question_away(
    bot: FAQBot, message: str, entry_id: str
) -> None:
    reply = bot.ask(message)
    assert (reply.kind, reply.id) == ("answer", entry_id)
