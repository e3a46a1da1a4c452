"""Red flags: named, spotted through signs in any wording and language, and named in replies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import TINY_FAQ

from bot import FAQBot
from bot.errors import FAQFormatError
from bot.knowledge import load_faq
from bot.slash import explain

URGENT = """\
urgent:
  message: This may need urgent care. Call emergency services now.
  red_flags:
    possible-blood-clot: [swollen calf, calf pain + long flight]
    chest-pain: [chest pain]
  signs:
    leg: [calf, calves, leg]
    swollen: [swollen, puffy, twice the size]
    painful: [pain, hurts, sore]
  negations: ["no", "not", "without"]
  figurative: [lol, haha]
  clause_breaks: [but]
"""
SPANISH = """\
languages:
  es:
    name: Spanish
    negations: ["no", sin]
    red_flags: {chest-pain: [dolor en el pecho]}
    signs: {leg: [pantorrilla], swollen: [hinchada]}
"""


def _faq_with(tmp_path: Path, urgent: str = URGENT, extra: str = "") -> Path:
    start = TINY_FAQ.index("urgent:")
    end = TINY_FAQ.index("smalltalk:")
    path = tmp_path / "faq.yaml"
    path.write_text(TINY_FAQ[:start] + urgent + TINY_FAQ[end:] + extra, encoding="utf-8")
    return path


@pytest.fixture
def flag_bot(tmp_path: Path) -> FAQBot:
    return FAQBot.from_file(_faq_with(tmp_path, extra=SPANISH))


@pytest.mark.parametrize("text, words", [
    ("my leg is puffy since this morning", "leg is puffy"),
    ("one calf is twice the size of the other", "calf is twice the size"),
    ("mi pantorrilla está hinchada", "pantorrilla esta hinchada"),  # the English phrase, Spanish words
    ("my calves are swollen", "calves are swollen"),
])
def test_a_sign_word_stands_for_every_word_of_its_sign(flag_bot: FAQBot, text: str, words: str) -> None:
    reply = flag_bot.ask(text)
    assert reply.kind == "urgent"
    assert reply.reason == {"reason": "red-flag", "flag": "possible-blood-clot", "words": words}


def test_words_outside_a_sign_do_not_stand_for_it(flag_bot: FAQBot) -> None:
    assert flag_bot.ask("my ankle is puffy after the sprain").kind != "urgent"


def test_both_parts_of_a_joined_phrase_anywhere_in_the_message(flag_bot: FAQBot) -> None:
    reply = flag_bot.ask("after a long flight home yesterday I noticed that my calf hurts a lot")
    assert reply.kind == "urgent" and reply.reason is not None
    assert reply.reason["flag"] == "possible-blood-clot"
    assert flag_bot.ask("my calf hurts after the gym, which foods have magnesium?").kind != "urgent"


def test_words_a_phrase_can_do_without_do_not_use_up_its_slack(flag_bot: FAQBot) -> None:
    # "chest pain" with four words between, three of them ones a phrase can do without
    reply = flag_bot.ask("pain in the middle of my chest")
    assert reply.kind == "urgent" and reply.reason is not None
    assert reply.reason["words"] == "pain in the middle of my chest"
    assert flag_bot.ask("pain in my knee after running, and later my sister said her chest").kind != "urgent"


def test_a_count_stands_for_every_larger_number_but_not_an_amount(tmp_path: Path) -> None:
    urgent = URGENT.replace("    chest-pain: [chest pain]\n",
                            "    chest-pain: [chest pain]\n    overdose: [took 10+ pills]\n")
    urgent = urgent.replace("  signs:\n", "  signs:\n    count: ['10+']\n    pills: [pills, tablets]\n")
    bot = FAQBot.from_file(_faq_with(tmp_path, urgent))
    for text in ("i took 30 of my tablets", "took 12 pills an hour ago", "I took 10 pills"):
        reply = bot.ask(text)
        assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == "overdose", text
    for text in ("I took 2 pills", "I took 400 mg tablets", "took 1000 iu tablets"):
        assert bot.ask(text).kind != "urgent", text


@pytest.mark.parametrize("text", ["I ate lots of bananas", "my kid ate lots of sweets", "i ate a lot of spinach",
                                  "I take lots of pills every day", "i take a bunch of meds for my heart"])
def test_eating_a_lot_of_food_or_taking_many_medicines_is_not_an_overdose(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


@pytest.mark.parametrize("text", ["i took like 30 of my magnesium tablets", "I swallowed a handful of my pills",
                                  "my toddler ate a bunch of my pills", "tomei muitos comprimidos",
                                  "ich habe viele Tabletten genommen", "I took lots of pills"])
def test_taking_many_pills_is_an_overdose(bot: FAQBot, text: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == "overdose"


@pytest.mark.parametrize("text", ["everyone would be better off without me", "I've been saving up my pills",
                                  "i dont want to be here anymore", "ive been thinking about ending things"])
def test_self_harm_said_indirectly_is_urgent(bot: FAQBot, text: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == "self-harm"


@pytest.mark.parametrize("text", ["I'm cutting out caffeine to stop the twitching", "no way out of this twitching lol"])
def test_everyday_words_of_self_harm_phrases_are_not_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


@pytest.mark.parametrize("text, flag", [
    ("ho un forte dolore al petto e non riesco a respirare", "breathing-trouble"),
    ("il polpaccio destro è gonfio, rosso e caldo", "possible-blood-clot"),
    ("mijn kuit is opgezwollen en warm", "possible-blood-clot"),
    ("łydka jest spuchnięta i gorąca", "possible-blood-clot"),
    ("göğsüm çok ağrıyor ve nefes alamıyorum", "breathing-trouble"),  # noqa: RUF001 - Turkish dotless i
    ("meri pindli sooj gayi hai aur garam hai", "possible-blood-clot"),
])
def test_red_flags_in_the_languages_faqbot_understands(bot: FAQBot, text: str, flag: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == flag


@pytest.mark.parametrize("text", ["quali cibi contengono magnesio?", "welke voeding bevat veel magnesium?",
                                  "jakie produkty mają dużo magnezu?", "baldırım seğiriyor neden",  # noqa: RUF001
                                  "magnesium ke liye kya khana chahiye", "I am confused about which vitamin to take"])
def test_ordinary_questions_in_those_languages_are_not_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


def test_another_languages_sign_word_that_is_a_common_word_here_is_no_sign(bot: FAQBot) -> None:
    # English "he" (person) is Spanish "I have"
    assert bot.ask("he estado muy confundida con tantas vitaminas").kind != "urgent"
    assert bot.ask("mi madre está confundida de repente").kind == "urgent"
    assert bot.ask("he is suddenly confused").kind == "urgent"


def test_another_languages_negation_that_is_a_word_here_negates_nothing(bot: FAQBot) -> None:
    # French "n'" is chat English's "n" (and); Hindi "mat" (don't) is an English mat
    assert bot.ask("woke up n suddenly my left leg is weak").kind == "urgent"
    assert bot.ask("fell asleep on the yoga mat, chest pain since").kind == "urgent"
    assert bot.ask("je n'ai pas de douleur à la poitrine, juste des tics au mollet").kind != "urgent"


def test_a_clause_break_of_several_words_breaks_only_as_a_whole(bot: FAQBot) -> None:
    # Spanish "sin embargo" (however) starts a clause; "sin" (without) alone negates
    assert bot.ask("sin dolor en el pecho, solo me tiembla la pantorrilla").kind != "urgent"
    assert bot.ask("no me duele la pierna, sin embargo tengo dolor en el pecho").kind == "urgent"


@pytest.mark.parametrize("text", ["my calf is swolen since this morning", "my left calf is sollen and it hurts",
                                  "my calf hurts after a long fligt", "mi pantorrilla está hinchda"])
def test_a_typo_of_a_red_flag_word_is_still_the_red_flag(flag_bot: FAQBot, text: str) -> None:
    assert flag_bot.ask(text).kind == "urgent"


def test_a_typo_of_an_inflected_red_flag_word_is_read_as_its_stem(bot: FAQBot) -> None:
    # "killng" is one letter from "killing", a corpus form of the phrase's "kill"
    assert bot.ask("i've been thinking of killng myself").kind == "urgent"


def test_a_typo_is_read_as_written_not_as_its_stem(bot: FAQBot) -> None:
    # "pased" stems to "pas", no word one edit from a red flag's; as written it is "passed"
    assert bot.ask("I pased out twice today and my calves keep twitching").kind == "urgent"


def test_another_languages_word_does_not_hide_an_english_typo(bot: FAQBot) -> None:
    # "faited" stems to "fait", a French word; in an English message it is a typo of "fainted"
    assert bot.ask("my wife faited in the kitchen").kind == "urgent"
    assert bot.ask("il a fait du sport, quels aliments contiennent du magnésium ?").kind != "urgent"


@pytest.mark.parametrize(("text", "flag"), [
    ("mi abuelo acaba de desmayarse en la cocina", "fainting-or-unresponsive"),  # listed: "se desmayó"
    ("mi sobrina lleva un minuto convulsionando en el suelo", "seizure"),  # listed: "convulsiones"
    ("my tía is convulsionando on the floor", "seizure"),  # an English message, a Spanish word
])
def test_a_red_flag_word_is_found_in_any_form_of_its_language(bot: FAQBot, text: str, flag: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == flag


def test_the_words_around_a_red_flag_keep_their_own_form(bot: FAQBot) -> None:
    # "Jahren" is itself a word of a history phrase ("vor Jahren"): not read as another form of a flag word
    reply = bot.ask("Ich hatte vor Jahren einmal einen Krampfanfall, seitdem nie wieder. "
                    "Hilft Magnesium bei Wadenzucken?")
    assert reply.kind != "urgent"
    assert bot.ask("Ya no me desmayo desde hace años, ¿qué alimentos tienen magnesio?").kind != "urgent"


@pytest.mark.parametrize("text", [
    "the numbness began in my feet on monday, now it has crept up to my thighs",
    "el hormigueo empezó en los pies y ahora sube hasta las rodillas",
])
def test_weakness_climbing_the_legs_is_urgent_across_clauses(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind == "urgent"


def test_spreading_alone_is_no_red_flag(bot: FAQBot) -> None:
    assert bot.ask("the twitching is spreading from one calf to the other, why?").kind != "urgent"


def test_a_real_word_one_edit_from_a_red_flag_word_is_not_taken_for_it(flag_bot: FAQBot) -> None:
    # "fight" is one letter from "flight", but a word of its own
    assert flag_bot.ask("my calf hurts after a long fight with my landlord").kind != "urgent"


def test_a_word_a_phrase_has_twice_must_be_there_twice(tmp_path: Path) -> None:
    urgent = URGENT.replace("    chest-pain: [chest pain]\n", "    chest-pain: [chest pain, swollen puffy]\n")
    bot = FAQBot.from_file(_faq_with(tmp_path, urgent))
    assert bot.ask("my ankle is swollen").kind != "urgent"  # one word of the sign, not two


def test_a_phrase_does_not_span_two_sentences(flag_bot: FAQBot) -> None:
    assert flag_bot.ask("My ankles are less puffy now. Since then my calves twitch, why?").kind != "urgent"
    assert flag_bot.ask("My ankles are fine now. Since then my calves are puffy, why?").kind == "urgent"
    # the parts of a joined phrase still come from anywhere in the message
    assert flag_bot.ask("I was on a long flight. Now my calf hurts.").kind == "urgent"


def test_a_negated_sign_phrase_does_not_count(flag_bot: FAQBot) -> None:
    assert flag_bot.ask("no swollen calf, just a twitch; which foods have magnesium?").kind != "urgent"
    assert flag_bot.ask("no fever but my calf is swollen").kind == "urgent"


def test_a_negation_does_not_reach_past_a_clause_break(tmp_path: Path, flag_bot: FAQBot) -> None:
    assert flag_bot.ask("no fever but chest pain").kind == "urgent"
    without = FAQBot.from_file(_faq_with(tmp_path, URGENT.replace("  clause_breaks: [but]\n", "")))
    assert without.ask("no fever but chest pain").kind != "urgent"


@pytest.mark.parametrize("text, urgent", [
    ("no palpitations or fainting, what symptoms does low potassium cause?", False),
    ("keine Schmerzen oder Atemnot, nur Zucken in der Wade", False),
    ("kein Fieber oder Husten, aber Schmerzen in der Brust", True),
    ("no fever or cough but I have chest pain", True),
])
def test_a_negation_reaches_over_or(bot: FAQBot, text: str, urgent: bool) -> None:
    assert (bot.ask(text).kind == "urgent") is urgent


@pytest.mark.parametrize(("text", "urgent"), [
    ("seizure-free for ten years on my meds, could they cause calf twitching?", False),
    ("pain free since the op, which foods have magnesium?", False),
    ("I had a seizure an hour ago and my calves twitch", True),
    ("chest pain, and I'm free to see a doctor tomorrow", True),
])
def test_a_word_after_a_red_flag_can_negate_it(bot: FAQBot, text: str, urgent: bool) -> None:
    assert (bot.ask(text).kind == "urgent") is urgent


@pytest.mark.parametrize("text", ["no tengo fiebre pero me duele el pecho", "kein Fieber, aber Schmerzen in der Brust",
                                  "pas de fièvre mais une douleur dans la poitrine"])
def test_bundled_clause_breaks_in_other_languages(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind == "urgent"


def test_a_figure_of_speech_is_not_a_red_flag(flag_bot: FAQBot) -> None:
    assert flag_bot.ask("the bill gave me chest pain lol, which foods have magnesium?").kind != "urgent"
    assert flag_bot.ask("haha my calves are swollen from all that cake").kind != "urgent"
    # a joke in another clause does not hide a red flag
    assert flag_bot.ask("that movie was funny lol but now I have chest pain").kind == "urgent"


def test_a_red_flag_told_as_history_is_not_urgent(tmp_path: Path) -> None:
    past = FAQBot.from_file(_faq_with(tmp_path, URGENT + "  past: [years ago, fully recovered]\n"))
    assert past.ask("I had a swollen calf years ago; which foods have magnesium?").kind != "urgent"
    assert past.ask("chest pain after a fall, fully recovered since, what about magnesium?").kind != "urgent"
    # the past reaches no further than its clause, and a recent time is not the past
    assert past.ask("I had chest pain years ago but now my calf is swollen").kind == "urgent"
    assert past.ask("my calf has been swollen since two hours ago").kind == "urgent"
    without = FAQBot.from_file(_faq_with(tmp_path, URGENT))
    assert without.ask("I had a swollen calf years ago; which foods have magnesium?").kind == "urgent"


@pytest.mark.parametrize("text", ["my grandad had a stroke years ago and recovered well, which foods have b12?",
                                  "hace años tuve una trombosis en la pierna, ¿el magnesio ayuda con los tics?",
                                  "vor zehn Jahren hatte ich eine Thrombose. Hilft Magnesium gegen Wadenzucken?"])
def test_bundled_past_phrases(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


@pytest.mark.parametrize("text", ["I passed out at a party in 2012, nothing since. Which foods have potassium?",
                                  "had a seizure in 2021, what foods have calcium?",
                                  "tuve una trombosis en 2016, ¿qué alimentos tienen magnesio?"])
def test_a_red_flag_dated_to_a_past_year_is_history(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


@pytest.mark.parametrize("text", ["I had a DVT in 2018 and now my calf is swollen, red and hot again",
                                  "my calf has been swollen and hot for 2 days",
                                  "I fainted twice today, I was born in 1990"])
def test_a_past_year_dates_only_its_own_clause(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind == "urgent"


@pytest.mark.parametrize("text", ["what are the symptoms of a stroke?", "how do you recognise a seizure?",
                                  "what are the warning signs of a blood clot in the leg",
                                  "¿cuáles son los síntomas de una trombosis?",
                                  "Woran erkennt man einen Schlaganfall?"])
def test_a_question_about_a_red_flag_in_general_is_not_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


@pytest.mark.parametrize("text", ["what are the signs of a blood clot? my calf is swollen, red and hot",
                                  "what are the signs of a stroke, my dad suddenly cannot lift his arm",
                                  "my mum is showing signs of a stroke, her face is drooping"])
def test_symptoms_told_beyond_a_general_question_are_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind == "urgent"


@pytest.mark.parametrize("text", ["my son is 4 and swallowed a bottle of pills",
                                  "mi hijo de 2 años se tragó unas pastillas",
                                  "I had a clot in my leg years ago and now my calf is swollen and hot again"])
def test_bundled_past_phrases_leave_what_happens_now_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind == "urgent"


@pytest.mark.parametrize("text, flag", [
    ("lower back pain and I can't control my bladder since this morning", "bladder-or-bowel-control"),
    ("Ich kann seit heute Morgen die Blase nicht mehr kontrollieren", "bladder-or-bowel-control"),
    ("tingling spreading up my legs since yesterday", "spreading-numbness"),
    ("my legs are weak up to my knees", "spreading-numbness"),
    ("my 2 year old ate a whole bottle of gummy vitamins", "overdose"),
    ("I took an entire box of my sleeping tablets", "overdose"),
    ("mi hija de 3 años se comió un frasco entero de vitaminas", "overdose"),
    ("calf has been sore for days and now I'm out of breath on the stairs", "blood-clot-in-lungs"),
    ("j'ai mal au mollet depuis trois jours et maintenant je suis à bout de souffle", "blood-clot-in-lungs"),
    ("vomiting since yesterday and I'm barely peeing", "severe-dehydration"),
])
def test_bundled_situations_in_their_signs(bot: FAQBot, text: str, flag: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == flag


@pytest.mark.parametrize("text", ["should I buy a bunch of vitamins for my twitching?",
                                  "I ate a whole box of cereal, does it have magnesium?",
                                  "I get out of breath running, could that be low potassium?",
                                  "my kids take gummy vitamins, do they have b12?",
                                  "my legs feel weak going up stairs after leg day"])
def test_the_words_of_those_situations_alone_are_not_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


def test_another_language_names_the_english_flags(flag_bot: FAQBot) -> None:
    reply = flag_bot.ask("tengo dolor en el pecho")
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == "chest-pain"


def test_a_plain_list_of_red_flags_still_loads_each_phrase_its_own_flag(tiny_bot: FAQBot) -> None:
    reply = tiny_bot.ask("I have chest pain")
    assert reply.reason == {"reason": "red-flag", "flag": "chest pain", "words": "chest pain"}


@pytest.mark.parametrize("urgent, extra, message", [
    (URGENT.replace("    chest-pain: [chest pain]\n", "    chest-pain: [chest pain, swollen calf]\n"), "",
     "phrase 'swollen calf' is also under red flag 'possible-blood-clot'"),
    (URGENT.replace("    painful: [pain, hurts, sore]\n", "    painful: [pain, hurts, puffy]\n"), "",
     "word 'puffy' is also under sign 'swollen'"),
    (URGENT.replace("    chest-pain: [chest pain]\n", "    chest-pain: chest pain\n"), "",
     "'chest-pain' must be a list of strings"),
    (URGENT, SPANISH.replace("{chest-pain:", "{chest-pains:"),
     "'red_flags' names 'chest-pains', which the FAQ does not declare (did you mean 'chest-pain'?)"),
    (URGENT + "  past: [years ago, chest pain]\n", "", "phrase 'chest pain' is also under red flag 'chest-pain'"),
    (URGENT + "  examples: [my leg went cold and white]\n  look_alikes: [My leg went cold and white!]\n", "",
     "message 'My leg went cold and white!' is also under 'examples'"),
    (URGENT, SPANISH.replace("{leg: [pantorrilla]", "{legs: [pantorrilla]"),
     "'signs' names 'legs', which the FAQ does not declare (did you mean 'leg'?)"),
])
def test_red_flag_problems_are_located(tmp_path: Path, urgent: str, extra: str, message: str) -> None:
    path = _faq_with(tmp_path, urgent, extra)
    with pytest.raises(FAQFormatError) as caught:
        load_faq(path)
    assert message in str(caught.value)
    assert f"{path}:" in str(caught.value) and caught.value.line


def test_every_bundled_red_flag_phrase_is_urgent_and_named(bot: FAQBot) -> None:
    urgent = bot.faq.urgent
    assert urgent is not None and len(urgent.red_flags) >= 15
    for name, phrases in urgent.red_flags.items():
        for phrase in phrases:
            reply = bot.ask(phrase.replace(" + ", " and "))
            assert reply.kind == "urgent", (name, phrase)
            assert reply.reason is not None and reply.reason["flag"] in urgent.red_flags, (phrase, reply)


@pytest.mark.parametrize("text, flag", [
    ("my calf is red, hot and puffy and it kills to walk", "possible-blood-clot"),
    ("la pantorrilla derecha está roja, caliente e hinchada", "possible-blood-clot"),
    ("mein Bein ist plötzlich ganz schwach geworden", "sudden-weakness"),
    ("estou com dor no peito", "chest-pain"),
    ("my grandfather is confused and keeps getting lost in his own house", "sudden-confusion"),
    ("mein Bein ist seit gestern dick und heiß", "possible-blood-clot"),
])
def test_bundled_red_flags_combine_signs_across_languages(bot: FAQBot, text: str, flag: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == flag, reply


@pytest.mark.parametrize("text", [
    "no chest pain, just twitching in my calf, is that normal?",  # "no" is not "in the" here
    "the rash didn't respond to the cream, and what foods have magnesium?",
    "my pee is dark yellow in the morning, could low water cause twitching?",
])
def test_bundled_look_alikes_are_not_urgent(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


def test_why_names_the_flag(bot: FAQBot) -> None:
    reply = bot.ask("my calf is swollen and hot")
    said = " ".join(p.text for p in explain(bot, reply))
    assert reply.reason is not None and reply.reason["words"] in ("calf is swollen", "swollen and hot")
    assert "possible-blood-clot" in said and reply.reason["words"] in said


def test_the_batch_output_carries_the_reason(tmp_path: Path) -> None:
    from bot.cli import main

    src, dst = tmp_path / "q.txt", tmp_path / "a.jsonl"
    src.write_text("my calf is swollen and hot\nwhich foods have magnesium?\n", encoding="utf-8")
    assert main(["batch", str(src), "-o", str(dst), "--no-progress"]) == 0
    rows = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["reason"]["flag"] == "possible-blood-clot"
    assert rows[1]["reason"] == {"reason": "retrieval"}


def test_no_phrasing_of_the_bundled_faq_is_a_red_flag(bot: FAQBot) -> None:
    faq = bot.faq
    phrasings = [p for e in faq.entries for p in e.phrasings]
    phrasings += [p for lang in faq.languages.values() for t in lang.entries.values() for p in t.phrasings]
    urgent = [p for p, r in zip(phrasings, bot.ask_many(phrasings), strict=True) if r.kind == "urgent"]
    assert urgent == []


LEARNED = URGENT + """\
  examples: [my leg went cold and white and there is no pulse in my foot, my foot is icy and pale with no pulse,
             cannot feel a pulse in my cold white leg, his leg is cold pale and pulseless]
  look_alikes: [my feet get cold in winter, cold hands and feet at night, is a cold room bad for cramps]
"""


def test_the_learned_detector_finds_a_situation_no_named_flag_describes(tmp_path: Path) -> None:
    learned = FAQBot.from_file(_faq_with(tmp_path, LEARNED, "thresholds:\n  urgent: 0.8\n"))  # four examples only
    reply = learned.ask("my leg went icy and white and I can't find a pulse")
    assert reply.kind == "urgent" and reply.reason is not None
    assert reply.reason["flag"] == "urgent-examples" and "pulse" in reply.reason["words"]
    assert learned.ask("my feet get cold at night, which foods have magnesium?").kind != "urgent"
    # without examples there is no learned detector: only the named flags
    assert FAQBot.from_file(_faq_with(tmp_path, URGENT)).ask("my leg went icy and white and I can't find a pulse"
                                                             ).kind != "urgent"


def test_the_learned_detectors_threshold_is_the_faqs(tmp_path: Path) -> None:
    path = _faq_with(tmp_path, LEARNED)
    path.write_text(path.read_text(encoding="utf-8") + "thresholds:\n  urgent: 1.0\n", encoding="utf-8")
    assert FAQBot.from_file(path).ask("my leg went icy and white and I can't find a pulse").kind != "urgent"
    path.write_text(path.read_text(encoding="utf-8").replace("urgent: 1.0", "urgent: 1.5"), encoding="utf-8")
    with pytest.raises(FAQFormatError, match="urgent"):
        load_faq(path)


@pytest.mark.parametrize("text", [
    "cannot hold my pee anymore and my legs have gone weak and numb down there",  # no named flag has it
])
def test_the_bundled_learned_detector_finds_urgent_situations(bot: FAQBot, text: str) -> None:
    reply = bot.ask(text)
    assert reply.kind == "urgent" and reply.reason is not None and reply.reason["flag"] == "urgent-examples"


def test_a_word_of_the_flag_negated_inside_it_cancels_it(flag_bot: FAQBot) -> None:
    assert flag_bot.ask("my calf isn't swollen, it just twitches, which foods have magnesium?").kind != "urgent"
    # a negation of another word does not
    assert flag_bot.ask("my calf is swollen and not sore").kind == "urgent"


@pytest.mark.parametrize("text", ["my calf is not swollen", "my calf isn't swollen or red, just twitchy"])
def test_the_learned_detector_does_not_fire_on_its_words_negated(bot: FAQBot, text: str) -> None:
    assert bot.ask(text).kind != "urgent"


def test_the_learned_detector_decides_only_in_the_languages_of_its_examples(
        bot: FAQBot, monkeypatch: pytest.MonkeyPatch) -> None:
    # a detector sure of everything: English (most of its examples) is urgent; Italian (none
    # of its examples) is left to the named flags, which find nothing here
    model = bot.decider.urgent_model
    assert model is not None
    monkeypatch.setattr(model, "probabilities", lambda texts: [1.0] * len(texts))
    english = bot.ask("my calf has been flickering on and off since tuesday evening")
    italian = bot.ask("il mio polpaccio trema ogni tanto da martedì sera, che cosa può essere?")
    assert english.kind == "urgent" and english.reason["flag"] == "urgent-examples"
    assert italian.kind != "urgent"
