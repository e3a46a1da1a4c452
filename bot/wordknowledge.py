"""What a word is in everyday language, learned from corpus word frequencies (wordfreq).

A question's words fall into three kinds besides the FAQ's own: function words that carry no
topic ("the", "could", "y", "und"), everyday words that carry some but never name a new
topic on their own ("asleep", "couch", "wrecks"), and rare words that may ("metformin",
"pyrophosphate"). How much a word tells is its rarity: `information(word)` grows as its
frequency falls. All of it comes from wordfreq's frequencies (built from large corpora, for
many languages), never from lists typed by us.

wordfreq is read only when the tables are built; they are kept in the faqbot cache as one
JSON file, so answering a question never imports it.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, KeysView, Mapping
from dataclasses import dataclass
from pathlib import Path

from .cache import cache_dir, save_json
from .normalise import clean, stem

log = logging.getLogger(__name__)

FORMAT = "5"
FUNCTION_WORDS = 300  # the most frequent words of a language are its function words
EVERYDAY_ZIPF = 3.0  # a word at least this frequent (about once per million words) is everyday
FOREIGN_EVERYDAY_ZIPF = 3.3  # the same for the other languages, a little stricter
ENGLISH_ZIPF = 3.5  # a foreign word this frequent in English keeps its English sense ("pain")
COMMON_ZIPF = 4.5  # a word this frequent has many senses: alone, it is no question ("test", "leg")
RARE_ZIPF = 2.0  # the frequency assumed for a word wordfreq does not list as everyday
TOP_ZIPF = 7.0  # about the frequency of "the": information is counted from here down


@dataclass(frozen=True, slots=True)
class WordKnowledge:
    """Word tables (stems included) for English and the FAQ's other languages."""

    function_words: Mapping[str, frozenset[str]]  # language → its function words
    zipf: Mapping[str, float]  # everyday word → its frequency (Zipf scale, rounded down to 0.5)
    english: frozenset[str] = frozenset()  # clearly English words
    common: frozenset[str] = frozenset()  # English words of many senses
    english_everyday: frozenset[str] = frozenset()  # English's everyday words and their stems

    @property
    def everyday(self) -> KeysView[str]:
        """Every word frequent enough to be everyday language, in any of the languages."""
        return self.zipf.keys()

    def information(self, word: str) -> float:
        """How much a word tells, in [0, 5]: 0 for the most frequent words, most for rare ones."""
        return TOP_ZIPF - self.zipf.get(word, RARE_ZIPF)

    def functions(self, languages: Iterable[str] | None = None) -> frozenset[str]:
        """The function words of `languages` (all of them by default)."""
        codes = self.function_words if languages is None else languages
        return frozenset().union(*(self.function_words.get(code, frozenset()) for code in codes))

    @classmethod
    def build(cls, languages: Iterable[str]) -> WordKnowledge:
        """The tables for English plus `languages` (ISO codes wordfreq knows), cached on disk."""
        codes = sorted({"en", *(_wordfreq_code(c) for c in languages)} - {""})
        directory = cache_dir()
        path = directory / f"words-{FORMAT}-{'-'.join(codes)}.json" if directory else None
        if path is not None:
            try:
                return cls._read(path)
            except FileNotFoundError:
                pass
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.debug("ignoring unreadable word table %s: %s", path, exc)
        knowledge = cls._from_wordfreq(codes)
        if path is not None:
            knowledge._write(path)
        return knowledge

    @classmethod
    def _from_wordfreq(cls, codes: list[str]) -> WordKnowledge:
        try:
            import wordfreq
        except ImportError:  # declared as a dependency; without it, everything counts as rare
            log.warning("wordfreq is not installed: every word the FAQ does not know counts as unknown")
            return cls({}, {})
        function: dict[str, set[str]] = {code: set() for code in codes}
        zipf: dict[str, float] = {}
        english: set[str] = set()
        common: set[str] = set()
        english_everyday: set[str] = set()
        for code in codes:
            limit = EVERYDAY_ZIPF if code == "en" else FOREIGN_EVERYDAY_ZIPF
            # the frequency table itself, most frequent first (much faster than asking word by word)
            table = sorted(wordfreq.get_frequency_dict(code).items(), key=lambda item: -item[1])
            for rank, (word, share) in enumerate(table):
                frequency = round(math.log10(share) + 9, 2) if share > 0 else 0.0
                if frequency < limit:
                    break
                plain = word.isascii() and word.isalpha() and word.islower()
                for form in [word] if plain else clean(word).split():  # most words need no cleaning
                    forms = {form, stem(form)}
                    if rank < FUNCTION_WORDS:
                        function[code].add(form)
                    for f in forms:
                        zipf[f] = max(zipf.get(f, 0.0), int(frequency * 2) / 2)
                    if code == "en":
                        english_everyday.update(forms)
                    if code == "en" and frequency >= ENGLISH_ZIPF:
                        english.add(form)
                    if code == "en" and frequency >= COMMON_ZIPF:
                        common.update(forms)
        frozen = {code: frozenset(words) for code, words in function.items()}
        return cls(frozen, zipf, frozenset(english), frozenset(common), frozenset(english_everyday))

    @classmethod
    def _read(cls, path: Path) -> WordKnowledge:
        data = json.loads(path.read_text(encoding="utf-8"))
        zipf: dict[str, float] = {}
        for frequency, words in sorted(data["zipf"].items(), key=lambda item: float(item[0])):
            zipf.update(dict.fromkeys(words.split(), float(frequency)))
        if not zipf:
            raise ValueError("empty word table")
        function = {code: frozenset(words) for code, words in data["function"].items()}
        return cls(function, zipf, frozenset(data["english"]), frozenset(data["common"]),
                   frozenset(data["english_everyday"].split()))

    def _write(self, path: Path) -> None:
        by_zipf: dict[str, list[str]] = {}
        for word, frequency in sorted(self.zipf.items()):
            by_zipf.setdefault(str(frequency), []).append(word)
        blobs = {frequency: " ".join(words) for frequency, words in by_zipf.items()}  # loads fastest
        data = {
            "function": {code: sorted(words) for code, words in self.function_words.items()},
            "zipf": blobs, "english": sorted(self.english), "common": sorted(self.common),
            "english_everyday": " ".join(sorted(self.english_everyday)),
        }
        try:
            save_json(path, data)
        except OSError as exc:
            log.debug("could not cache the word table in %s: %s", path.parent, exc)


def _wordfreq_code(code: str) -> str:
    """A FAQ language code as wordfreq names it ("hi-latn", romanised Hindi, has no table)."""
    return "" if "-" in code else code.lower()
