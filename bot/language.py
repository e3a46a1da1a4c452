"""The language of a message: English at a glance, else py3langid.

py3langid (a maintained fork of langid.py, its model shipped in the package) was measured
against lingua and langdetect on short messages made of the FAQ's own phrasings and concept
words in six languages (tools/languages.py): the most accurate of the three and by far the
fastest per message. Loading its model takes about half a second, so a message that is plain
ASCII made of English words is called English without it, and a cold start in English never
loads it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

ENGLISH = "en"
ENGLISH_SHARE = 0.75  # of a message's words English or the FAQ's own: English at a glance
# what py3langid may answer: the languages a FAQ can have, and those of other scripts, so
# that a question in Russian or Japanese is told what faqbot speaks instead of being misread
OTHER_LANGUAGES = ("ru", "uk", "ja", "zh", "ko", "ar", "he", "hi", "el", "th", "fa", "bg", "sr")

_lock = threading.Lock()
_classify: dict[frozenset[str], Callable[[str], str]] = {}


def is_plain_english(text: str, words: list[str], english: Callable[[str], bool]) -> bool:
    """ASCII, and most of its words English ones (`english` says which)."""
    if not text.isascii():
        return False
    if not words:
        return True
    return sum(english(w) for w in words) >= ENGLISH_SHARE * len(words)


def detect(text: str, candidates: Iterable[str]) -> str:
    """The ISO 639-1 code of `text`'s language among `candidates`, English, and the languages
    of other scripts (so a question in Russian is told what faqbot speaks, not misread)."""
    if not any(ch.isalpha() for ch in text):
        return ENGLISH
    languages = frozenset({ENGLISH, *OTHER_LANGUAGES, *(c.split("-")[0] for c in candidates)})
    return _classifier(languages)(text)


def _classifier(languages: frozenset[str]) -> Callable[[str], str]:
    with _lock:
        classify = _classify.get(languages)
        if classify is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            identifier = LanguageIdentifier.from_model_file(MODEL_FILE)
            identifier.set_languages(sorted(languages & set(identifier.nb_classes)))

            def classify(text: str) -> str:
                return str(identifier.classify(text)[0])

            _classify[languages] = classify
        return classify
