"""Red-flag words in the forms people write: a word read as the red-flag word it shares a stem with.

A FAQ lists a red flag's words in a few forms ("desmayé, desmayó, desmayado"); people write
others ("se acaba de desmayar", "está convulsionando"). The language's Snowball stemmer
(snowballstemmer) takes both to one stem ("desmay", "convulsion"), so any form of a listed
word is read as the listed one. English keeps its own light stemmer (`bot.normalise.stem`).
The tables are made the first time a word needs them, and cached on disk with the texts.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from functools import cached_property
from itertools import islice
from typing import Any

from .cache import cached_json
from .normalise import clean, tokens

FORMAT = "1"
# The FAQ's language codes and their Snowball algorithms; a language snowballstemmer does not
# have (romanised Hindi; Polish before snowballstemmer 3) is left as it is.
SNOWBALL = {"es": "spanish", "de": "german", "fr": "french", "pt": "portuguese", "it": "italian",
            "nl": "dutch", "pl": "polish", "tr": "turkish"}
MIN_STEM = 4  # shorter stems are shared by too many unrelated words ("pie", "mal")
_CHECKED = 20  # a cached table's first words are stemmed again: another stemmer release builds anew


class Inflections:
    """By language, its red-flag words by their Snowball stems. Safe to share between threads."""

    def __init__(self, texts_by_language: Mapping[str, Iterable[str]]) -> None:
        import snowballstemmer  # here: a bot whose messages need no table never imports it

        available = set(snowballstemmer.algorithms())
        self._texts = {code: tuple(texts) for code, texts in texts_by_language.items()
                       if SNOWBALL.get(code) in available}
        self.languages = tuple(self._texts)
        self._stemmers = {code: snowballstemmer.stemmer(SNOWBALL[code]) for code in self.languages}
        self._lock = threading.Lock()  # a Snowball stemmer keeps the word it works on: one word at a time

    def flag_word(self, word: str, lang: str) -> str | None:
        """The red-flag word of `lang` that `word` (cleaned) is a form of, if any."""
        if lang not in self._stemmers:
            return None
        table = self._tables[lang]
        prefixes = self._prefixes[lang]
        # a Snowball stem is the start of its word: without a stem's start, no stemming (it is slow)
        if not any(word[:n] in prefixes for n in range(MIN_STEM, len(word) + 1)):
            return None
        found: str | None = table.get(self._stem(word, lang))
        return found

    @cached_property
    def _prefixes(self) -> dict[str, frozenset[str]]:
        return {code: frozenset(table) for code, table in self._tables.items()}

    @cached_property
    def _tables(self) -> dict[str, dict[str, str]]:
        key = [FORMAT]
        for code, texts in self._texts.items():
            key += ["\x1e", code, *texts]
        return cached_json("inflections", key, self._build, self._is_tables)  # type: ignore[no-any-return]

    def _stem(self, word: str, lang: str) -> str:
        with self._lock:
            return str(self._stemmers[lang].stemWord(word))

    def _build(self) -> dict[str, dict[str, str]]:
        tables: dict[str, dict[str, str]] = {}
        for code, texts in self._texts.items():
            by_stem = tables[code] = {}
            for word in sorted({w for text in texts for w in tokens(clean(text))}):
                key = self._stem(word, code)
                if len(key) >= MIN_STEM:
                    by_stem.setdefault(key, word)  # two listed forms of one stem: either is the flag's
        return tables

    def _is_tables(self, saved: Any) -> bool:
        """Is `saved` the tables of these languages, made by this stemmer release?"""
        if not isinstance(saved, dict) or set(saved) != set(self.languages):
            return False
        for code, table in saved.items():
            if not isinstance(table, dict) or not all(isinstance(w, str) for w in table.values()):
                return False
            if any(self._stem(word, code) != key for key, word in islice(table.items(), _CHECKED)):
                return False
        return True
