"""Spanish in full: Spanish questions get the Spanish answer of the same entry, and every
translated answer names exactly the nutrients, foods and numbers its English answer names."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import TINY_FAQ

from bot import FAQBot

# Written for this test, in the words of people who ask (not the FAQ's own phrasings).
SPANISH = [
    ("oye, por qué se me mueve sola la pantorrilla? qué es eso", "about-twitching"),
    ("me falta alguna vitamina o mineral si me tiemblan los gemelos?", "deficiency-overview"),
    ("es verdad que casi todo el mundo toma poco magnesio?", "how-common"),
    ("para qué sirven los electrolitos en los músculos", "electrolytes"),
    ("qué papel tiene el magnesio en los temblores de los músculos", "magnesium-role"),
    ("dónde encuentro magnesio en la comida", "magnesium-foods"),
    ("cómo sé si me falta magnesio, qué síntomas da", "magnesium-signs"),
    ("por qué puedo tener el magnesio bajo, bebo bastante alcohol", "magnesium-risk-factors"),
    ("qué tiene que ver el potasio con los espasmos musculares", "potassium-role"),
    ("qué como para subir el potasio aparte del plátano", "potassium-foods"),
    ("síntomas de tener el potasio bajo", "potassium-signs"),
    ("por qué se baja el potasio? sudo muchísimo en el trabajo", "potassium-causes"),
    ("cómo afecta el calcio bajo a los músculos y los nervios", "calcium-role"),
    ("alimentos con calcio que no sean lácteos", "calcium-foods"),
    ("señales de que me falta calcio", "calcium-signs"),
    ("la vitamina D tiene algo que ver con los temblores de los músculos?", "vitamin-d-role"),
    ("casi no salgo al sol, de dónde saco vitamina D", "vitamin-d-sources"),
    ("la b12 tiene que ver con los nervios y los temblores?", "vitamin-b12-role"),
    ("soy vegana, qué alimentos tienen vitamina b12", "vitamin-b12-foods"),
    ("bebo muy poca agua, puede ser por eso que me tiembla la pierna?", "dehydration"),
    ("estoy muy estresado con el trabajo, puede causar los temblores en la pierna?", "stress"),
    ("después de correr me tiemblan los gemelos, es por el ejercicio?", "exercise"),
    ("tomo cinco cafés al día, eso puede provocar los temblores?", "caffeine"),
    ("mis pastillas para la tensión pueden dar temblores musculares?", "medications"),
    ("qué dieta me ayuda a que no me tiemblen las pantorrillas", "diet-plan"),
    ("cuándo tengo que ir al médico por los temblores de la pantorrilla", "see-a-doctor"),
    ("me hago un análisis de sangre o tomo suplementos directamente?", "testing-and-supplements"),
]


@pytest.mark.parametrize(("question", "entry_id"), SPANISH)
def test_a_spanish_question_gets_the_spanish_answer(bot: FAQBot, question: str, entry_id: str) -> None:
    reply = bot.ask(question)
    assert (reply.kind, reply.id, reply.lang) == ("answer", entry_id, "es"), reply.reason
    assert reply.text == bot.faq.languages["es"].entries[entry_id].answer


def test_every_entry_is_translated_and_asked(bot: FAQBot) -> None:
    assert set(bot.faq.languages["es"].entries) == {e.id for e in bot.faq.entries}
    assert {entry_id for _, entry_id in SPANISH} == {e.id for e in bot.faq.entries}


def test_the_language_can_be_forced(bot: FAQBot) -> None:
    reply = bot.ask("which foods are rich in magnesium", lang="es")
    assert (reply.id, reply.lang) == ("magnesium-foods", "es")
    assert bot.ask("which foods are rich in magnesium").lang == "en"


def test_spanish_fixed_messages_are_used(bot: FAQBot) -> None:
    spanish = bot.faq.languages["es"].messages
    assert bot.ask("tengo un dolor fuerte en el pecho y me cuesta respirar").text == spanish["urgent"]
    assert bot.ask("cuántos miligramos de magnesio debo tomar al día?").text == spanish["fallback"]
    assert bot.ask("hola!").lang == "es"


# What each English answer names, and how the Spanish names it (several spellings allowed).
TERMS = {
    "magnesium": ["magnesio"], "potassium": ["potasio"], "calcium": ["calcio"], "vitamin d": ["vitamina d"],
    "b12": ["b12"], "sodium": ["sodio"], "spinach": ["espinaca"], "kale": ["col rizada", "kale"],
    "almond": ["almendra"], "pumpkin seed": ["semillas de calabaza", "pipas de calabaza"],
    "black bean": ["frijoles negros", "judías negras", "alubias negras"], "whole grain": ["integral"],
    "banana": ["plátano", "banana"], "sweet potato": ["batata", "boniato", "camote"],
    "avocado": ["aguacate"], "lentil": ["lenteja"], "milk": ["leche"], "cheese": ["queso"],
    "yogurt": ["yogur"], "tofu": ["tofu"], "salmon": ["salmón"], "egg": ["huevo"],
    "mushroom": ["seta", "champiñón", "hongo"], "meat": ["carne"], "fish": ["pescado"],
    "poultry": ["aves", "pollo"], "caffeine": ["cafeína"], "alcohol": ["alcohol"],
    "sun": ["sol"], "diuretic": ["diurético"],
}


def _names(text: str, words: list[str]) -> bool:
    """Does `text` name one of `words` (as whole words, plurals allowed)?"""
    return any(re.search(rf"\b{re.escape(w)}(e?s)?\b", text, re.IGNORECASE) for w in words)


@pytest.mark.parametrize("entry_id", [
    "about-twitching", "deficiency-overview", "how-common", "electrolytes", "magnesium-role", "magnesium-foods",
    "magnesium-signs", "magnesium-risk-factors", "potassium-role", "potassium-foods", "potassium-signs",
    "potassium-causes", "calcium-role", "calcium-foods", "calcium-signs", "vitamin-d-role", "vitamin-d-sources",
    "vitamin-b12-role", "vitamin-b12-foods", "dehydration", "stress", "exercise", "caffeine", "medications",
    "diet-plan", "see-a-doctor", "testing-and-supplements",
])
def test_a_translated_answer_names_what_its_english_answer_names(bot: FAQBot, entry_id: str) -> None:
    english = bot.faq.entry(entry_id).answer
    spanish = bot.faq.languages["es"].entries[entry_id].answer
    assert re.findall(r"\d+", english) == re.findall(r"\d+", spanish)
    for term, translations in TERMS.items():
        assert _names(english, [term]) == _names(spanish, translations), (entry_id, term)


def test_faqbot_ask_takes_the_language(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["ask", "--lang", "es", "which foods are rich in magnesium"]) == 0
    printed = capsys.readouterr().out.strip()
    assert "magnesio" in printed.lower()


@pytest.mark.parametrize(("layer", "message"), [
    ("  es:\n    name: Spanish\n    entries:\n      no-such-entry:\n        question: q\n        answer: a\n",
     "names entry 'no-such-entry'"),
    ("  es:\n    name: Spanish\n    words:\n      subjects:\n        zinc: [zinc]\n", "names subject 'zinc'"),
    ("  en:\n    name: English\n", "English is the FAQ's own language"),
    ("  es:\n    name: Spanish\n    smalltalk:\n      greeting: hola\n", "must be a mapping"),
])
def test_a_bad_language_layer_is_one_located_error(tmp_path: Path, layer: str, message: str) -> None:
    from bot import FAQFormatError
    from bot.knowledge import load_faq

    path = tmp_path / "faq.yaml"
    path.write_text(TINY_FAQ + "languages:\n" + layer, encoding="utf-8")
    with pytest.raises(FAQFormatError) as raised:
        load_faq(path)
    assert message in str(raised.value) and raised.value.line is not None
