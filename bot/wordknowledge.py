"""What a word is in everyday language, learned from corpus word frequencies (wordfreq).

A question's words fall into three kinds besides the FAQ's own: function words that carry no
topic ("the", "could", "y", "und"), everyday words that carry some but never name a new
topic ("asleep", "couch", "wrecks"), and rare words that may ("metformin", "pyrophosphate").
The kinds come from wordfreq's frequencies (built from large corpora, for many languages),
never from lists typed by us.

wordfreq is read only when the tables are built; they are kept in the faqbot cache as one
small text file, so answering a question never imports it.
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .cache import cache_dir
from .normalise import clean, stem

log = logging.getLogger(__name__)

FORMAT = "1"
FUNCTION_WORDS = 300  # the most frequent words of a language are its function words
EVERYDAY_ZIPF = 3.0  # a word at least this frequent (about once per million words) is everyday
FOREIGN_EVERYDAY_ZIPF = 3.3  # the same for the other languages, a little stricter
ENGLISH_ZIPF = 3.5  # a foreign word this frequent in English keeps its English sense ("pain")


@dataclass(frozen=True, slots=True)
class WordKnowledge:
    """Function words and everyday words (both as stems), for English and the FAQ's languages;
    and the clearly English words, which a foreign word list must not take over."""

    function_words: frozenset[str]
    everyday: frozenset[str]
    english: frozenset[str] = frozenset()

    @classmethod
    def build(cls, languages: Iterable[str]) -> WordKnowledge:
        """The tables for English plus `languages` (ISO codes wordfreq knows), cached on disk."""
        codes = sorted({"en", *(_wordfreq_code(c) for c in languages)} - {""})
        directory = cache_dir()
        path = directory / f"words-{FORMAT}-{'-'.join(codes)}.txt" if directory else None
        if path is not None:
            try:
                return cls._read(path)
            except FileNotFoundError:
                pass
            except (OSError, ValueError) as exc:
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
            return cls(frozenset(), frozenset())
        function: set[str] = set()
        everyday: set[str] = set()
        english: set[str] = set()
        for code in codes:
            limit = EVERYDAY_ZIPF if code == "en" else FOREIGN_EVERYDAY_ZIPF
            for rank, word in enumerate(wordfreq.iter_wordlist(code)):
                if wordfreq.zipf_frequency(word, code) < limit:
                    break
                for form in clean(word).split():
                    if rank < FUNCTION_WORDS:
                        function.add(form)
                    everyday.add(form)
                    everyday.add(stem(form))
                    if code == "en" and wordfreq.zipf_frequency(word, code) >= ENGLISH_ZIPF:
                        english.add(form)
        return cls(frozenset(function), frozenset(everyday), frozenset(english))

    @classmethod
    def _read(cls, path: Path) -> WordKnowledge:
        parts = path.read_text(encoding="utf-8").split("\n\n")
        if len(parts) != 3 or not parts[1]:
            raise ValueError("not a word table")
        function, everyday, english = (frozenset(p.split()) for p in parts)
        return cls(function, everyday, english)

    def _write(self, path: Path) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(
                "w", encoding="utf-8", dir=path.parent, prefix=".words-", delete=False
            ) as tmp:
                tmp.write("\n\n".join(" ".join(sorted(words)) for words in (self.function_words, self.everyday, self.english)))
            os.replace(tmp.name, path)
        except OSError as exc:
            log.debug("could not cache the word table in %s: %s", path.parent, exc)


def _wordfreq_code(code: str) -> str:
    """A FAQ language code as wordfreq names it ("hi-latn", romanised Hindi, has no table)."""
    base = code.lower().split("-")[0]
    return "" if "-" in code else base
