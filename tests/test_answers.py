"""What the bundled FAQ answers, and what it must not: a spec as tables of
`(question, expected kind, expected id)`.

The questions are our own wording (plain, terse, casual, misspelt), not copies of the
phrasings in faq.yaml. A row marked xfail is a known bug or content gap, kept so it is
fixed rather than forgotten.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import FAQBot, Reply

Row = Any  # a (question, kind, id) tuple or a pytest.param of one


def bug(reason: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(reason=reason, strict=True)


# -- every entry, in other words ---------------------------------------------------------------

PARAPHRASES: list[Row] = [
    ("what does calf twitching mean", "answer", "about-twitching"),
    ("twitching calf meaning?", "answer", "about-twitching"),
    ("so what actually is a calf twitch", "answer", "about-twitching"),
    ("which vitamin or mineral shortages make calves twitch", "answer", "deficiency-overview"),
    ("can lacking certain nutrients make my legs twitch", "answer", "deficiency-overview"),
    ("which deficiencys cause leg twitching", "answer", "deficiency-overview"),
    ("do most folks get enough magnesium", "answer", "how-common"),
    ("is it common to be short on magnesium", "answer", "how-common"),
    ("what percentage of people lack magnesium", "answer", "how-common"),
    ("low magnesium how common", "answer", "how-common"),
    ("what exactly are electrolytes", "answer", "electrolytes"),
    ("electrolites what are they", "answer", "electrolytes"),
    ("why do electrolytes matter for my muscles", "answer", "electrolytes"),
    ("why does low magnesium make muscles twitch", "answer", "magnesium-role"),
    ("mag and twitches?", "answer", "magnesium-role"),
    ("how does a lack of magnesium affect my calves", "answer", "magnesium-role"),
    pytest.param(
        "why does my calf jump when my magnesium is low", "answer", "magnesium-role",
        marks=bug("answered with magnesium-risk-factors: 'why ... low' is read as asking for causes"),
    ),
    ("what foods are high in magnesium", "answer", "magnesium-foods"),
    ("food sources for magnesium pls", "answer", "magnesium-foods"),
    ("magnesum rich food", "answer", "magnesium-foods"),
    ("am i low in magnesium? what signs should i look for", "answer", "magnesium-signs"),
    ("magnesium defficiency symptoms", "answer", "magnesium-signs"),
    ("what are the signs of low magnisium", "answer", "magnesium-signs"),
    ("why would my magnesium get low", "answer", "magnesium-risk-factors"),
    ("what lowers my magnesium", "answer", "magnesium-risk-factors"),
    ("what depletes magnesium", "answer", "magnesium-risk-factors"),
    ("how does low potassium lead to twitching", "answer", "potassium-role"),
    ("potassium twitching connection", "answer", "potassium-role"),
    ("why would low potasium make my calf twitch", "answer", "potassium-role"),
    ("foods with lots of potassium", "answer", "potassium-foods"),
    ("is a banana good for potassium", "answer", "potassium-foods"),
    ("potassium food list", "answer", "potassium-foods"),
    ("low potassium symptoms", "answer", "potassium-signs"),
    ("how can i tell if my potassium is low", "answer", "potassium-signs"),
    ("what are the signs of a potassium deficiency", "answer", "potassium-signs"),
    ("what causes potassium to drop", "answer", "potassium-causes"),
    ("what can make potassium go down", "answer", "potassium-causes"),
    ("why would potassium levels fall", "answer", "potassium-causes"),
    ("what drains potassium from the body", "answer", "potassium-causes"),
    ("how is calcium involved in twitching", "answer", "calcium-role"),
    ("low calcium and twitchy muscles", "answer", "calcium-role"),
    ("calcium twitching", "answer", "calcium-role"),
    ("which foods contain calcium", "answer", "calcium-foods"),
    ("calcium rich foods besides milk", "answer", "calcium-foods"),
    ("calcium foods for someone who doesnt drink milk", "answer", "calcium-foods"),
    ("how would i know my calcium is low", "answer", "calcium-signs"),
    ("signs my calcium is low", "answer", "calcium-signs"),
    ("low calcium signs", "answer", "calcium-signs"),
    ("can low vitamin d make my muscles twitch", "answer", "vitamin-d-role"),
    ("vit d twitching", "answer", "vitamin-d-role"),
    ("vitamin d low muscle twitch", "answer", "vitamin-d-role"),
    ("how do i get more vitamin d", "answer", "vitamin-d-sources"),
    ("where does vitamin d come from", "answer", "vitamin-d-sources"),
    ("sources of vit d", "answer", "vitamin-d-sources"),
    ("does low b12 cause twitching", "answer", "vitamin-b12-role"),
    ("what's the deal with b12 and twitchy muscles", "answer", "vitamin-b12-role"),
    ("how are b vitamins involved in twitching", "answer", "vitamin-b12-role"),
    ("what foods are high in b12", "answer", "vitamin-b12-foods"),
    ("where can i get b12 if i eat meat", "answer", "vitamin-b12-foods"),
    ("vegan b12 sources", "answer", "vitamin-b12-foods"),
    ("can being dehydrated make my calves twitch", "answer", "dehydration"),
    ("not drinking enough water twitching", "answer", "dehydration"),
    ("does lack of water cause leg twitching", "answer", "dehydration"),
    ("can stress make my calf twitch", "answer", "stress"),
    ("anxiety twitching legs", "answer", "stress"),
    ("does being anxious cause muscle twitches", "answer", "stress"),
    ("why do my calves twitch after running", "answer", "exercise"),
    ("does working out cause muscle twitches", "answer", "exercise"),
    ("gym calf twitching", "answer", "exercise"),
    ("can coffee make my muscles twitch", "answer", "caffeine"),
    ("too much caffeine twitchy calves", "answer", "caffeine"),
    ("coffee twitching", "answer", "caffeine"),
    ("can my medication cause twitching", "answer", "medications"),
    ("do water pills make legs twitch", "answer", "medications"),
    ("can diuretics cause muscle twitches", "answer", "medications"),
    ("what foods help prevent calf twitching", "answer", "diet-plan"),
    ("diet to stop twitchy legs", "answer", "diet-plan"),
    ("how to stop calf twitching through diet", "answer", "diet-plan"),
    ("when should i see a doctor about twitching", "answer", "see-a-doctor"),
    ("is my twitchy calf something to worry about", "answer", "see-a-doctor"),
    ("do i need to see a doctor for calf twitches", "answer", "see-a-doctor"),
    ("should i take supplements for my twitching", "answer", "testing-and-supplements"),
    ("how do i get tested for a deficiency", "answer", "testing-and-supplements"),
    ("should i get a blood test for deficiencies", "answer", "testing-and-supplements"),
    ("should i get my magnesium levels checked", "answer", "testing-and-supplements"),
]

# -- look-alikes: one answered, its near miss falls back ----------------------------------------

# (topic, answered question, its id, look-alike that must fall back)
PAIRS: list[tuple[str, str, str, str]] = [
    ("magnesium", "which foods have magnesium", "magnesium-foods", "side effects of magnesium oxide"),
    ("potassium", "signs of low potassium", "potassium-signs", "signs of high potassium"),
    ("calcium", "can low calcium cause spasms", "calcium-role", "low calcium in newborns"),
    ("vitamin-d", "where can I get vitamin D from", "vitamin-d-sources",
     "how many IU of vitamin D should i take a day"),
    ("b12", "what foods are high in b12", "vitamin-b12-foods", "which brand of b12 is best"),
    ("caffeine", "can coffee make my calves twitch", "caffeine", "how much caffeine is in an espresso"),
    ("medications", "can my medication cause twitching", "medications",
     "is it safe to take ibuprofen with my water pills"),
    ("dehydration", "can dehydration make my calves twitch", "dehydration",
     "how is a urine test for dehydration done"),
    ("dose", "what drains magnesium from the body", "magnesium-risk-factors", "mg dosage for cramps"),
    ("brand", "best magnesium foods", "magnesium-foods", "magnesium glycinate vs citrate"),
    ("inherited", "why is my potassium low", "potassium-causes", "does low potassium run in families"),
    ("test-procedure", "should i get my potassium tested", "testing-and-supplements",
     "how do i read my magnesium lab results"),
    ("pregnancy", "can stress make my calves twitch", "stress", "leg twitching while pregnant"),
    ("pets", "why is my calf twitching after the gym", "exercise", "why is my dog's leg twitching"),
    ("other-body-part", "why do my calves twitch after a run", "exercise", "why does my eyelid twitch"),
]
# look-alikes the bot answers although it should not
PAIR_BUGS: dict[str, str] = {}
NEAR_MISSES: list[Row] = [
    row
    for topic, answered, entry_id, look_alike in PAIRS
    for row in (
        pytest.param(answered, "answer", entry_id, id=f"{topic}-answered"),
        pytest.param(
            look_alike, "fallback", None, id=f"{topic}-look-alike",
            marks=[bug(PAIR_BUGS[look_alike])] if look_alike in PAIR_BUGS else [],
        ),
    )
]
MORE_NEAR_MISSES: list[Row] = [
    ("could a lack of zinc make my calves twitch", "fallback", None),  # a nutrient the article leaves out
    ("I already take zinc, so could my calf twitching be from low magnesium instead", "answer", "magnesium-role"),
    ("which brand of magnesium is best", "fallback", None),
    ("is low magnesium genetic", "fallback", None),
    ("is caffeine safe to take while pregnant", "fallback", None),
    ("can my cat eat foods high in magnesium", "fallback", None),
    ("what is the atomic number of calcium", "fallback", None),
    ("what is the price of vitamin d tablets", "fallback", None),
    ("vitamin d toxicity symptoms", "fallback", None),
    ("can i get a b12 injection for twitching", "fallback", None),
    ("why is my lip twitching", "fallback", None),
    ("how much magnesium should i take", "fallback", None),
    ("what is a normal magnesium level", "fallback", None),
]

OFF_TOPIC: list[Row] = [
    ("how do I open a bank account", "fallback", None),
    ("how do i transfer money to another bank", "fallback", None),
    ("best mortgage rates", "fallback", None),
    ("what's the weather tomorrow", "fallback", None),
    ("will it rain tomorrow", "fallback", None),
    ("how do i reverse a linked list in python", "fallback", None),
    ("write a python function to sort a list", "fallback", None),
    ("how do i fix a segfault in c", "fallback", None),
]

URGENT: list[Row] = [
    ("chest pain", "urgent", None),
    ("I've got chest pain and my calf is twitching", "urgent", None),
    ("I can't breathe", "urgent", None),
    ("i cant breathe properly", "urgent", None),
    ("I fainted this morning", "urgent", None),
    ("i think i just had a seizure", "urgent", None),
    ("Sudden weakness in one leg", "urgent", None),
    ("my left leg suddenly feels weak", "urgent", None),
    ("my calf is swollen and hot", "urgent", None),
    ("one calf is swollen and hot to the touch", "urgent", None),
    ("my calves twitch and honestly some days I think about ending my life", "urgent", None),
    ("my daughter swallowed a handful of my potassium pills", "urgent", None),
    ("after squats yesterday my legs are in agony and my urine is dark brown", "urgent", None),
    ("my baby is twitching", "urgent", None),
    ("newborn twitching", "urgent", None),
    ("not sure why but I have chest pain", "urgent", None),
    ("is chest pain a sign of low potassium", "urgent", None),
    pytest.param("no fever but chest pain", "urgent", None, id="negation-does-not-cross-but"),
    ("he fainted a few minutes ago", "urgent", None),
]
NOT_URGENT = [
    "no chest pain, just a twitchy calf",
    "I don't have chest pain, only twitching",
    "no trouble breathing, just twitchy legs",
    "never fainted but my calf twitches a lot",
]

SMALLTALK: list[Row] = [
    ("hi", "smalltalk", "greeting"),
    ("Hello", "smalltalk", "greeting"),
    ("hi there!", "smalltalk", "greeting"),
    ("thanks", "smalltalk", "thanks"),
    ("thank you so much", "smalltalk", "thanks"),
    ("thx", "smalltalk", "thanks"),
    ("bye", "smalltalk", "goodbye"),
    ("ok bye", "smalltalk", "goodbye"),
    ("who are you", "smalltalk", "who-are-you"),
    ("are you a bot?", "smalltalk", "who-are-you"),
    ("what can you do", "smalltalk", "capabilities"),
    ("help", "smalltalk", "capabilities"),
]

TABLE = [*PARAPHRASES, *NEAR_MISSES, *MORE_NEAR_MISSES, *OFF_TOPIC, *URGENT, *SMALLTALK]


def _values(row: Row) -> tuple[str, str, str | None]:
    return tuple(row.values) if hasattr(row, "values") else row  # type: ignore[return-value]


def _is_bug(row: Row) -> bool:
    return any(m.name == "xfail" for m in getattr(row, "marks", ()))


@pytest.fixture(scope="module")
def raw_faq(bot: FAQBot) -> dict[str, Any]:
    """faq.yaml read independently of the bot."""
    return yaml.safe_load(Path(bot.faq.path).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("question", "kind", "entry_id"), TABLE)
def test_reply(bot: FAQBot, raw_faq: dict[str, Any], question: str, kind: str, entry_id: str | None) -> None:
    reply = bot.ask(question)
    assert (reply.kind, reply.id) == (kind, entry_id)
    if kind == "answer":
        answers = {e["id"]: e["answer"] for e in raw_faq["entries"]}
        assert reply.text == answers[entry_id]
    elif kind == "fallback":
        assert reply.text == raw_faq["fallback"]
    elif kind == "urgent":
        assert reply.text == raw_faq["urgent"]["message"]
    elif kind == "smalltalk":
        replies = {s["id"]: s["reply"] for s in raw_faq["smalltalk"]}
        assert reply.text == replies[entry_id]


@pytest.mark.parametrize("question", NOT_URGENT)
def test_a_directly_negated_red_flag_is_not_urgent(bot: FAQBot, question: str) -> None:
    assert bot.ask(question).kind != "urgent"


def test_every_entry_has_at_least_two_paraphrases(bot: FAQBot) -> None:
    counts = Counter(_values(r)[2] for r in PARAPHRASES if not _is_bug(r))
    assert {e.id: counts[e.id] for e in bot.faq.entries if counts[e.id] < 2} == {}


def test_paraphrases_are_not_copies_of_the_faq(bot: FAQBot) -> None:
    phrasings = {" ".join(p.lower().strip("?").split()) for e in bot.faq.entries for p in e.phrasings}
    copies = [q for q, _, _ in map(_values, PARAPHRASES) if " ".join(q.lower().strip("?").split()) in phrasings]
    assert copies == []


def test_answers_are_more_confident_than_fallbacks(bot: FAQBot) -> None:
    rows = [_values(r) for r in TABLE if not _is_bug(r)]
    answered = [q for q, kind, _ in rows if kind == "answer"]
    fell_back = [q for q, kind, _ in rows if kind == "fallback"]
    answer_mean = sum(r.confidence for r in bot.ask_many(answered)) / len(answered)
    fallback_mean = sum(r.confidence for r in bot.ask_many(fell_back)) / len(fell_back)
    assert answer_mean > fallback_mean + 0.5


# -- why it fell back ----------------------------------------------------------------------------

UNANSWERED_FACETS = [
    ("which brand of b12 is best", "brands", "vitamin-b12"),
    ("how many IU of vitamin D should i take a day", "dose", "vitamin-d"),
    ("is low magnesium genetic", "inherited", "magnesium"),
    ("can caffeine make my dog twitch", "animals", "caffeine"),
    ("low calcium in newborns", "children-pregnancy", "calcium"),
    ("who discovered potassium", "chemistry", "potassium"),
]


@pytest.mark.parametrize(("question", "facet", "subject"), UNANSWERED_FACETS)
def test_fallback_reason_names_the_unanswered_facet(
    bot: FAQBot, raw_faq: dict[str, Any], question: str, facet: str, subject: str
) -> None:
    reply: Reply = bot.ask(question)
    assert reply.kind == "fallback"
    assert reply.reason == {
        "reason": "unanswered-facet",
        "facet": raw_faq["out_of_scope"]["facets"][facet]["label"],
        "subject": raw_faq["subjects"][subject]["label"],
    }


@pytest.mark.parametrize("question", [_values(r)[0] for r in OFF_TOPIC])
def test_off_topic_fallback_reason_is_machine_readable(bot: FAQBot, question: str) -> None:
    reason = bot.ask(question).reason
    assert reason is not None
    assert reason["reason"] in {"unknown-words", "low-confidence"}


def test_another_body_part_beside_the_calf_is_still_ours(bot: FAQBot) -> None:
    assert bot.ask("why does my eyelid twitch").kind == "fallback"
    reply = bot.ask("my eyelid twitches and now my calf does too, what is this twitching")
    assert (reply.kind, reply.id) == ("answer", "about-twitching")
