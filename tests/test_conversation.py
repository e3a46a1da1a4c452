"""Conversations: follow-ups that lean on the last topic, "did you mean" picks, and state
that survives JSON and a restart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot import Conversation, FAQBot, InputError, Reply

Turn = tuple[str, str, "str | None"]  # (user says, expected kind, expected id)


def _play(conv: Conversation, turns: list[Turn]) -> None:
    for n, (text, kind, entry_id) in enumerate(turns, 1):
        reply = conv.ask(text)
        assert (reply.kind, reply.id) == (kind, entry_id), f"turn {n}: {text!r}"


DIALOGUES: dict[str, list[Turn]] = {
    "nutrient-hopping": [
        ("how does magnesium affect my muscles?", "answer", "magnesium-role"),
        ("what foods have it?", "answer", "magnesium-foods"),
        ("and potassium?", "answer", "potassium-foods"),
        ("what about calcium", "answer", "calcium-foods"),
    ],
    "symptoms-of-it": [
        ("how does low magnesium cause calf twitching", "answer", "magnesium-role"),
        ("any symptoms?", "answer", "magnesium-signs"),
    ],
    "foods-after-signs": [
        ("what are the signs of low magnesium", "answer", "magnesium-signs"),
        ("what foods have it?", "answer", "magnesium-foods"),
    ],
    "vitamins-keep-the-facet": [
        ("what foods have potassium", "answer", "potassium-foods"),
        ("what about vitamin d", "answer", "vitamin-d-sources"),
        ("and b12?", "answer", "vitamin-b12-foods"),
    ],
    "complete-question-switches-topic": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("what are the signs of low potassium", "answer", "potassium-signs"),
    ],
    "complete-question-switches-subject-and-facet": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("can too much coffee make my calves twitch", "answer", "caffeine"),
    ],
    "off-topic-after-a-topic": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("how do I open a bank account", "fallback", None),
        ("what's the weather tomorrow", "fallback", None),
    ],
    "follow-up-after-a-fallback": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("will it rain tomorrow", "fallback", None),
        ("any symptoms?", "answer", "magnesium-signs"),
    ],
    "out-of-scope-follow-up": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("and how much should i take?", "fallback", None),
    ],
    "urgent-mid-conversation": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("I have chest pain", "urgent", None),
        ("what about potassium", "answer", "potassium-foods"),
    ],
    "a-correction-replaces-the-subject": [
        ("what are the signs of low magnesium", "answer", "magnesium-signs"),
        ("sorry, potassium not magnesium", "answer", "potassium-signs"),
    ],
    "a-correction-keeps-the-facet": [
        ("which foods have calcium", "answer", "calcium-foods"),
        ("no wait, vitamin d, not calcium", "answer", "vitamin-d-sources"),
    ],
    "a-follow-up-of-function-words-only": [
        ("how does vitamin d help my muscles", "answer", "vitamin-d-role"),
        ("where do i get it", "answer", "vitamin-d-sources"),
    ],
    "a-lone-facet-word-follows-the-topic": [
        ("what does potassium do", "answer", "potassium-role"),
        ("foods", "answer", "potassium-foods"),
    ],
    "wait-and-see-after-a-red-flag-is-still-urgent": [
        ("which foods are rich in magnesium", "answer", "magnesium-foods"),
        ("my calf is suddenly swollen, hot and red and I'm short of breath", "urgent", None),
        ("can I just rest and see how it goes tomorrow?", "urgent", None),
    ],
    "a-question-the-faq-answers-moves-on-after-a-red-flag": [
        ("I have chest pain", "urgent", None),
        ("which foods have potassium?", "answer", "potassium-foods"),
        ("write me a song about the weather", "fallback", None),
    ],
    "a-food-named-as-a-remark-stays-on-the-foods": [
        ("which foods have a lot of potassium?", "answer", "potassium-foods"),
        ("avocados are not my thing, anything else?", "answer", "potassium-foods"),
    ],
    "a-food-asked-about-alone-stays-on-the-subject": [
        ("how does low potassium cause cramps?", "answer", "potassium-role"),
        ("do beans count?", "answer", "potassium-foods"),
    ],
    "a-request-of-another-kind-is-not-asked-of-the-topic": [
        ("which foods have a lot of potassium?", "answer", "potassium-foods"),
        ("which trainers are best for flat feet", "fallback", None),
    ],
    "a-childs-age-is-a-child-in-a-follow-up": [
        ("does magnesium help with calf twitching?", "answer", "magnesium-role"),
        ("my 7 year old gets it too, should she take some?", "fallback", None),
    ],
    "prevention-after-a-cause-is-that-causes-own-advice": [
        ("can stress make my calves twitch?", "answer", "stress"),
        ("how can I prevent that?", "answer", "stress"),
    ],
    "a-facet-in-function-words-after-a-cause-it-tells": [
        ("does heavy gym work cause calf twitching?", "answer", "exercise"),
        ("ok how do I avoid it?", "answer", "exercise"),
    ],
    "it-is-the-conversations-topic-after-an-answer-about-every-nutrient": [
        ("what does potassium do in the body?", "answer", "potassium-role"),
        ("how can I get checked for a deficiency?", "answer", "testing-and-supplements"),
        ("what can I eat to get more of it?", "answer", "potassium-foods"),
    ],
    "small-talk-keeps-the-topic": [
        ("what are the signs of low potassium", "answer", "potassium-signs"),
        ("thanks!", "smalltalk", "thanks"),
        ("what foods have it?", "answer", "potassium-foods"),
    ],
}


@pytest.mark.parametrize("turns", list(DIALOGUES.values()), ids=list(DIALOGUES))
def test_dialogue(bot: FAQBot, turns: list[Turn]) -> None:
    _play(bot.conversation(), turns)


def test_follow_up_answers_are_the_faq_answers(bot: FAQBot) -> None:
    conv = bot.conversation()
    conv.ask("which foods are rich in magnesium")
    reply = conv.ask("and potassium?")
    assert reply.text == bot.faq.entry("potassium-foods").answer
    assert 0.0 <= reply.confidence <= 1.0


def test_a_fresh_conversation_answers_like_ask(bot: FAQBot) -> None:
    questions = ["which foods are rich in magnesium", "hello", "chest pain", "will it rain"]
    for question in questions:
        assert bot.conversation().ask(question) == bot.ask(question)


@pytest.mark.parametrize("text", ["so?", "and then?", "play some music"])
def test_words_that_ask_nothing_do_not_repeat_the_last_answer(bot: FAQBot, text: str) -> None:
    conv = bot.conversation()
    conv.ask("which foods have magnesium")
    assert conv.ask(text).kind != "answer"


def test_a_repeated_urgent_reply_names_the_earlier_flag(bot: FAQBot) -> None:
    conv = bot.conversation()
    first = conv.ask("I have chest pain")
    again = conv.ask("should I just wait a bit?")
    assert again.kind == "urgent" and again.text == first.text
    assert again.reason == {**(first.reason or {}), "from": "earlier message"}
    assert conv.ask("should I just wait a bit?").kind == "fallback"  # once, not for ever


def test_a_red_flag_survives_the_state_round_trip(bot: FAQBot) -> None:
    conv = bot.conversation()
    conv.ask("I have chest pain")
    resumed = bot.conversation(json.loads(json.dumps(conv.to_dict())))
    assert resumed.ask("should I just wait a bit?").kind == "urgent"


def test_reset_forgets_the_topic(bot: FAQBot) -> None:
    conv = bot.conversation()
    conv.ask("what are the signs of low magnesium")
    conv.reset()
    assert conv.to_dict() == bot.conversation().to_dict()
    assert conv.ask("what foods have it?") == bot.conversation().ask("what foods have it?")


# -- "did you mean": picking a choice -------------------------------------------------------------

TWINS = """\
version: 1
fallback: I am not sure about that one.
subjects:
  magnesium:
    label: magnesium
    words: [magnesium]
facets:
  foods:
    label: foods
    words: [food, foods, eat]
    default: true
thresholds:
  answer: 0.999
  clarify: 0.2
  margin: 0.1
entries:
  - id: magnesium-breakfast
    subjects: [magnesium]
    facet: foods
    section: Magnesium
    question: Which breakfast foods are rich in magnesium?
    alternatives: [magnesium foods for breakfast]
    answer: Oats and seeds.
  - id: magnesium-dinner
    subjects: [magnesium]
    facet: foods
    section: Magnesium
    question: Which dinner foods are rich in magnesium?
    alternatives: [magnesium foods for dinner]
    answer: Spinach and beans.
"""
AMBIGUOUS = "which foods are rich in magnesium"


@pytest.fixture
def twins(tmp_path: Path) -> FAQBot:
    """Two near-identical entries, and thresholds that ask rather than guess between them."""
    path = tmp_path / "twins.yaml"
    path.write_text(TWINS, encoding="utf-8")
    return FAQBot.from_yaml(path)


def test_a_near_tie_asks_which_one(twins: FAQBot) -> None:
    reply = twins.ask(AMBIGUOUS)
    assert reply.kind == "clarify"
    assert reply.id is None
    assert sorted(a.id for a in reply.alternatives) == ["magnesium-breakfast", "magnesium-dinner"]
    for n, choice in enumerate(reply.alternatives, 1):
        assert f"{n}. {choice.question}" in reply.text.splitlines()


@pytest.mark.parametrize(
    ("pick", "index"),
    [("1", 0), ("2", 1), ("2.", 1), ("the second one", 1), ("second", 1), ("the first one please", 0),
     ("number 2", 1), ("Option 1", 0), ("yes", 0)],
)
def test_pick_a_choice(twins: FAQBot, pick: str, index: int) -> None:
    conv = twins.conversation()
    choices = conv.ask(AMBIGUOUS).alternatives
    reply = conv.ask(pick)
    chosen = twins.faq.entry(choices[index].id)
    assert (reply.kind, reply.id, reply.text) == ("answer", chosen.id, chosen.answer)
    assert conv.to_dict() == {"last": chosen.id, "choices": [], "topic": None, "urgent": None}


@pytest.mark.parametrize("pick", ["3", "the third one"])
def test_a_pick_beyond_the_choices_is_not_a_pick(twins: FAQBot, pick: str) -> None:
    conv = twins.conversation()
    conv.ask(AMBIGUOUS)
    assert conv.ask(pick).kind != "answer"


def test_a_new_question_instead_of_a_pick(bot: FAQBot) -> None:
    conv = bot.conversation({"last": None, "choices": ["magnesium-signs", "potassium-signs"]})
    reply = conv.ask("which foods are rich in calcium")
    assert (reply.kind, reply.id) == ("answer", "calcium-foods")
    assert conv.ask("1").kind != "answer", "the choice is gone once a question is answered"


def test_a_number_without_choices_is_not_a_pick(twins: FAQBot) -> None:
    assert twins.conversation().ask("2").kind == "fallback"


@pytest.mark.parametrize(("pick", "expected"), [("1", "magnesium-signs"), ("the second one", "potassium-signs")])
def test_pick_from_resumed_state(bot: FAQBot, pick: str, expected: str) -> None:
    conv = bot.conversation({"last": None, "choices": ["magnesium-signs", "potassium-signs"]})
    reply = conv.ask(pick)
    assert (reply.kind, reply.id) == ("answer", expected)
    assert reply.text == bot.faq.entry(expected).answer


def test_urgent_drops_a_pending_choice(bot: FAQBot) -> None:
    conv = bot.conversation({"last": None, "choices": ["magnesium-signs", "potassium-signs"]})
    assert conv.ask("I can't breathe").kind == "urgent"
    assert conv.to_dict()["choices"] == []
    assert conv.ask("2").kind != "answer"


# -- state ----------------------------------------------------------------------------------------

HISTORY = ["hi", "how does magnesium affect my muscles?", "what foods have it?", "will it rain", "and potassium?"]
NEXT = ["any symptoms?", "what about calcium", "2", "thanks"]


def test_state_is_json_safe_and_resumes_identically(bot: FAQBot) -> None:
    original = bot.conversation()
    for text in HISTORY:
        original.ask(text)
    state = original.to_dict()
    assert json.loads(json.dumps(state)) == state

    resumed = bot.conversation(json.loads(json.dumps(state)))
    assert resumed.to_dict() == state
    assert [resumed.ask(t) for t in NEXT] == [original.ask(t) for t in NEXT]
    assert resumed.to_dict() == original.to_dict()


def test_state_with_pending_choices_resumes_identically(twins: FAQBot) -> None:
    original = twins.conversation()
    original.ask(AMBIGUOUS)
    resumed = twins.conversation(json.loads(json.dumps(original.to_dict())))
    assert resumed.ask("2") == original.ask("2")


def test_conversation_from_history_equals_replaying(bot: FAQBot) -> None:
    replayed = bot.conversation()
    for text in HISTORY:
        replayed.ask(text)
    rebuilt = bot.conversation_from_history(HISTORY)
    assert rebuilt.to_dict() == replayed.to_dict()
    assert [rebuilt.ask(t) for t in NEXT] == [replayed.ask(t) for t in NEXT]


def test_conversation_from_an_empty_history_is_fresh(bot: FAQBot) -> None:
    assert bot.conversation_from_history([]).to_dict() == bot.conversation().to_dict()


@pytest.mark.parametrize(
    "state",
    [
        {"last": "no-such-entry", "choices": ["gone", "also-gone"]},
        {"last": None, "choices": []},
        {},
        {"unexpected": 1},
    ],
    ids=["unknown-ids", "empty", "no-keys", "extra-key"],
)
def test_unknown_or_missing_state_is_a_fresh_conversation(bot: FAQBot, state: dict) -> None:
    conv = bot.conversation(state)
    assert conv.to_dict() == {"last": None, "choices": [], "topic": None, "urgent": None}
    assert conv.ask("which foods have magnesium") == bot.conversation().ask("which foods have magnesium")
    assert conv.ask("1").kind != "answer"  # the unknown choices were forgotten


def test_unknown_ids_among_known_ones_are_dropped(bot: FAQBot) -> None:
    conv = bot.conversation({"last": "magnesium-signs", "choices": ["gone", "potassium-signs"]})
    assert conv.to_dict() == {"last": "magnesium-signs", "choices": ["potassium-signs"], "topic": None, "urgent": None}
    reply: Reply = conv.ask("1")
    assert (reply.kind, reply.id) == ("answer", "potassium-signs")


@pytest.mark.parametrize("text", ["", "\ud800", "🙂", "2", "the second one", "and?", "a " * 10_000])
def test_conversation_never_raises(bot: FAQBot, text: str) -> None:
    conv = bot.conversation({"last": "magnesium-foods", "choices": []})
    reply = conv.ask(text)
    assert 0.0 <= reply.confidence <= 1.0
    json.dumps(conv.to_dict())


@pytest.mark.parametrize("state", [None, {}, {"last": "no-such-entry", "choices": ["gone", "x"]}])
def test_an_empty_state_or_unknown_ids_start_afresh(bot: FAQBot, state: Any) -> None:
    conv = bot.conversation(state)
    assert conv.to_dict() == {"last": None, "choices": [], "topic": None, "urgent": None}
    assert conv.ask("which foods have magnesium").id == "magnesium-foods"


@pytest.mark.parametrize(
    "state",
    [{"last": ["not", "an", "id"]}, {"choices": "abc"}, {"choices": [1, {}, None]}, {"last": {}}, "junk"],
)
def test_a_malformed_state_is_refused_as_the_server_refuses_it(bot: FAQBot, state: Any) -> None:
    with pytest.raises(InputError, match="conversation state"):
        bot.conversation(state)


def test_a_general_subject_keeps_the_topic(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("which foods give me magnesium").id == "magnesium-foods"
    reply = chat.ask("and what causes this deficiency then")
    assert reply.id == "magnesium-risk-factors" and reply.reason == {"reason": "follow-up", "from": "magnesium-foods"}


def test_a_remark_in_the_answers_words_keeps_the_topic(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("which foods are rich in calcium").id == "calcium-foods"
    reply = chat.ask("I can't have dairy btw")
    assert reply.id == "calcium-foods" and reply.reason == {"reason": "follow-up", "from": "calcium-foods"}
    # a remark on something else is not taken for the topic
    assert chat.ask("I'm feeling better now").kind != "answer"


@pytest.mark.parametrize(("first", "turn", "expected"), [
    ("what does potassium do for my muscles", "I had diarrhea all last week", "potassium-causes"),
    ("how does low calcium cause twitching", "I don't really like yogurt or cheese", "calcium-foods"),
])
def test_a_remark_in_words_only_one_facets_answers_use_asks_for_that_facet(bot: FAQBot, first: str, turn: str,
                                                                           expected: str) -> None:
    chat = bot.conversation()
    chat.ask(first)
    assert chat.ask(turn).id == expected


def test_a_remark_in_the_answers_words_that_asks_keeps_the_topic(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("which foods are rich in potassium").id == "potassium-foods"
    assert chat.ask("sweet potatoes are not my thing, what else is there?").id == "potassium-foods"


def test_a_remark_in_such_words_keeps_a_facet_the_last_answer_tells(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("which foods have magnesium").id == "magnesium-foods"
    assert chat.ask("and pumpkin seeds?").id == "magnesium-foods"


@pytest.mark.parametrize(("first", "turn", "expected"), [
    ("when should I see a doctor about calf twitching", "it has gone on for a month now, so should I go?",
     "see-a-doctor"),
    ("which foods are rich in potassium", "and why does it matter for my muscles anyway?", "potassium-role"),
])
def test_a_question_the_faq_cannot_place_alone_is_asked_of_the_topic(
        bot: FAQBot, first: str, turn: str, expected: str) -> None:
    assert bot.ask(turn).kind != "answer"
    chat = bot.conversation()
    chat.ask(first)
    reply = chat.ask(turn)
    assert reply.id == expected and reply.reason["reason"] == "follow-up"


@pytest.mark.parametrize("turn", ["could it be my pillow?", "should I get a new printer?", "is a new laptop worth it?"])
def test_a_question_naming_a_topic_the_faq_does_not_know_is_not_taken_for_the_topic(bot: FAQBot, turn: str) -> None:
    chat = bot.conversation()
    chat.ask("does stress cause calf twitching")
    assert chat.ask(turn).kind != "answer"


@pytest.mark.parametrize("worry", ["should I be worried?", "is it serious?"])
def test_worrying_after_the_overview_asks_about_seeing_a_doctor(bot: FAQBot, worry: str) -> None:
    chat = bot.conversation()
    assert chat.ask("why do my calves twitch").id == "deficiency-overview"
    assert chat.ask(worry).id == "see-a-doctor"  # not the overview again


@pytest.mark.parametrize(("first", "topic"), [("can water pills make my legs twitch", "medications"),
                                              ("does too much coffee make calves twitch", "caffeine")])
def test_a_facet_the_topic_has_no_entry_for_gets_the_questions_own_answer(bot: FAQBot, first: str,
                                                                           topic: str) -> None:
    chat = bot.conversation()
    assert chat.ask(first).id == topic
    # no entry tells the foods of the topic: the question's own answer, not one nutrient's foods
    assert chat.ask("which foods help against the twitching then?").id == "diet-plan"


def test_a_change_to_ones_own_treatment_falls_back_in_a_conversation(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("do potassium supplements help with twitching").kind == "answer"
    reply = chat.ask("ok so can I just double my tablets for a while?")
    assert reply.kind == "fallback" and reply.reason["facet"] == "decisions about your own treatment"


def test_a_question_of_function_words_is_read_by_the_learned_ranking(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("does stress cause twitching").id == "stress"
    # "how would they find out" names nothing; the learned ranking reads it as asking for testing
    reply = chat.ask("how would they find out?")
    assert reply.id == "testing-and-supplements" and reply.reason == {"reason": "follow-up", "from": "stress"}


@pytest.mark.parametrize("first", ["does exercise cause twitching", "what is calf twitching"])
def test_a_bare_so_asks_nothing_after_any_answer(bot: FAQBot, first: str) -> None:
    chat = bot.conversation()
    chat.ask(first)
    assert chat.ask("so?").kind != "answer"


@pytest.mark.parametrize(("first", "topic"), [("which foods are high in potassium", "potassium-foods"),
                                              ("where can I get vitamin D from", "vitamin-d-sources")])
def test_a_hint_about_the_person_keeps_a_particular_topic(bot: FAQBot, first: str, topic: str) -> None:
    chat = bot.conversation()
    assert chat.ask(first).id == topic
    # "vegetarian" points to B12, but here it is a remark about the person and the list before
    reply = chat.ask("I'm vegetarian btw, is that list still ok for me?")
    assert reply.id == topic and reply.reason == {"reason": "follow-up", "from": topic}


def test_a_hint_names_its_subject_after_a_general_answer(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("what is calf twitching").id == "about-twitching"
    assert chat.ask("I'm vegetarian, could that be behind it?").id.startswith("vitamin-b12")


def test_a_facet_an_entry_also_tells_is_found_after_another_topic(bot: FAQBot) -> None:
    chat = bot.conversation()
    assert chat.ask("can stress make my calves twitch").id == "stress"
    # no stress entry tells foods; the diet plan tells them too (also_tells), about twitching as such
    assert chat.ask("ok, and what should I eat?").id == "diet-plan"
