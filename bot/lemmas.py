"""English word forms the light stemmer misses, read as the concept word they are a form of.

`bot.normalise.stem` strips regular endings only, so irregular forms ("drank", "ate",
"brought") and the -ed/-ing forms of verbs ending in e ("described", "depleted") never reach
the concept word the FAQ lists ("drink", "eat", "describe", "deplete"). simplemma's
dictionary of English word forms and their lemmas closes the gap: an everyday form whose
lemma is a concept word is read as that word.

Other languages keep their forms: a FAQ's concept words of every language share one lexicon,
and one language's lemmas read into another's words ("sola", alone in Spanish, is "solar" by
the Spanish dictionary; Italian "minerale" is Polish "minerał"). Their inflections are found
by the concept words inside them (`bot.retrieve.Index._affixed`).

simplemma is read once; the everyday forms and their lemmas are kept in the faqbot cache
(`bot.cache.cached_json`), so neither building a FAQ's index nor answering a question imports it again.
"""

from __future__ import annotations

import logging
from collections.abc import Container, Mapping

from .cache import cached_json
from .normalise import stem
from .wordknowledge import FORMAT as WORDS_FORMAT
from .wordknowledge import WordKnowledge

log = logging.getLogger(__name__)

FORMAT = "1"
MIN_LETTERS = 3  # shorter forms are mostly abbreviations a dictionary guesses at ("ds", "pl")


def english_lemmas(knowledge: WordKnowledge) -> dict[str, str]:
    """{stem of an everyday English word form: stem of its lemma}, for the forms the stemmer
    keeps apart from their lemma.

    Function words ("was", "these") and forms that are a lemma themselves ("car", "bit":
    words of their own, whatever a dictionary guesses) are left out. Cached on disk.
    """
    table: dict[str, str] = cached_json("lemmas", [FORMAT, WORDS_FORMAT, "en"], lambda: _from_simplemma(knowledge),
                                        lambda saved: isinstance(saved, dict))
    return table


def _from_simplemma(knowledge: WordKnowledge) -> dict[str, str]:
    try:
        from simplemma.strategies.dictionaries import DefaultDictionaryFactory
    except ImportError:  # declared as a dependency; without it, forms are read as written
        log.warning("simplemma is not installed: irregular word forms are not recognised")
        return {}
    dictionary = DefaultDictionaryFactory().get_dictionary("en")
    lemmas = {lemma.lower() for lemma in dictionary.values()}
    function_words = knowledge.functions(["en"])
    table: dict[str, str] = {}
    for word in sorted(knowledge.english_everyday):
        lemma = dictionary.get(word)
        if (lemma is None or len(word) < MIN_LETTERS or not word.isalpha() or word in lemmas
                or word in function_words or lemma.lower() in function_words):
            continue
        written, base = stem(word), stem(lemma.lower())
        if written != base:
            table.setdefault(written, base)
    return table


def concept_forms(lemmas: Mapping[str, str], targets: Container[str], concepts: Container[str]) -> dict[str, str]:
    """{stem of a word form: stem of the concept word it is a form of}, from `english_lemmas`.

    `targets`: the FAQ's English concept words (stems) a form may be read as; a form that is
    one of them already, or names a concept on its own in any language (`concepts`), stays
    itself.
    """
    return {written: base for written, base in lemmas.items()
            if base in targets and written not in targets and written not in concepts}
