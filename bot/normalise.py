"""Pure text functions: clean, tokenise, stem, and map words to the FAQ's concepts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

# each pattern is tried only when its literal part is in the text (most texts hold none)
_IM = re.compile(r"\bim\b")
_CONTRACTIONS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("can", re.compile(r"\bcan'?t\b"), "can not"),
    ("won", re.compile(r"\bwon'?t\b"), "will not"),
    ("n't", re.compile(r"\b(\w+)n't\b"), r"\1 not"),
    ("'re", re.compile(r"\b(i|you|we|they|who|what|that|there|it|he|she)'re\b"), r"\1 are"),
    ("'ve", re.compile(r"\b(\w+)'ve\b"), r"\1 have"),
    ("'ll", re.compile(r"\b(\w+)'ll\b"), r"\1 will"),
    ("'d", re.compile(r"\b(i|you|we|they|he|she|it)'d\b"), r"\1 would"),
    ("i'm", re.compile(r"\bi'm\b"), "i am"),
    ("'s", re.compile(r"\b(what|that|it|there|here|who|how|where|he|she)'s\b"), r"\1 is"),
    ("'s", re.compile(r"'s\b"), ""),
    ("im", _IM, "i am"),
)
_BARE_NOT = re.compile(r"\b(ca|wo|do|does|did|is|was|are|were|have|has|had|could|would|should|must)nt\b")
_BARE_NOT_BASE = {"ca": "can", "wo": "will"}
# "how dose it work": after a question word or before a pronoun, "dose" is a typo of "does"
_DOSE = re.compile(r"\b(how|why|when|where|who) dose\b|\bdose (it|this|that|my|your|low|high)\b")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})
_NON_WORD = re.compile(r"[^\w']+|_")  # letters of every script are words: "икра" stays
# the same for ASCII text, as a byte table: every byte but a-z and 0-9 becomes a space
_ASCII_NON_WORD = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))
MAX_CHARS = 4000  # longer input is cut: no question needs more, and it bounds the work
# a letter typed three or more times is typed twice: "sooo goood" → "soo good", "heyyy" → "heyy"
_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")


@lru_cache(maxsize=1 << 15)  # an index build cleans many texts twice or more (phrasings, flags)
def clean(text: str) -> str:
    """NFKC, lowercase, contractions expanded, stretched letters cut to two, punctuation and
    control characters removed."""
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = text.encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
        text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
        text = unicodedata.normalize("NFKD", text.casefold())
        text = "".join(ch for ch in text if not unicodedata.combining(ch))  # café → cafe
    text = text.lower()
    if "'" in text:
        for literal, pattern, repl in _CONTRACTIONS:
            if literal in text:
                text = pattern.sub(repl, text)
    elif "im" in text:
        text = _IM.sub("i am", text)
    if "nt" in text:  # contractions typed without the apostrophe: "cant", "dont", "didnt"
        text = _BARE_NOT.sub(lambda m: f"{_BARE_NOT_BASE.get(m[1], m[1])} not", text)
    if "dose" in text:
        text = _DOSE.sub(lambda m: f"{m[1]} does" if m[1] else f"does {m[2]}", text)
    if _STRETCHED.search(text):
        text = _STRETCHED.sub(r"\1\1", text)
    if text.isascii():
        return " ".join(text.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii").split())
    return " ".join(_NON_WORD.sub(" ", text).replace("'", " ").split())


_KEEP = frozenset({"morning", "evening", "during", "ceiling", "bless", "less", "always"})
_SUFFIXES = (
    ("ies", "y"), ("sses", "ss"), ("lves", "lf"), ("oes", "o"),
    ("ing", ""), ("ed", ""), ("es", ""), ("s", ""),
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light English stemmer: plurals and -ing/-ed forms (twitches, twitching → twitch)."""
    if len(word) <= 3 or not word.isalpha() or word in _KEEP or word.endswith("thing"):
        return word
    for suffix, repl in _SUFFIXES:
        if not word.endswith(suffix):
            continue
        base = word[: -len(suffix)] + repl
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            return word
        if suffix == "es" and not word.endswith(("ches", "shes", "xes", "zes", "sses")):
            continue
        if suffix in ("lves", "oes") and len(word) < 6:
            continue
        if suffix in ("ing", "ed"):
            if len(base) < 3 or not any(v in base for v in "aeiouy"):
                return word
            if len(base) >= 4 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]  # running → run, stopped → stop
        return base
    return word


def tokens(text: str) -> list[str]:
    """Stemmed tokens of already-cleaned text."""
    return [stem(w) for w in text.split()]


_PHRASES: dict[str, tuple[str, ...]] = {}  # FAQ phrase → its tokens, remembered for good
_MAX_PHRASES = 1_000_000


def phrase_tokens(phrase: str) -> tuple[str, ...]:
    """A FAQ phrase cleaned and stemmed, remembered: a FAQ's word lists are read many times."""
    found = _PHRASES.get(phrase)
    if found is None:
        found = tuple(tokens(clean(phrase)))
        if len(_PHRASES) < _MAX_PHRASES:
            _PHRASES[phrase] = found
    return found


class ConceptMapper:
    """Replaces words and phrases with concept tokens, longest phrase first.

    Built from ``{concept_token: [phrase, ...]}``; phrases are cleaned and stemmed the same
    way as questions, so "Calves" and "calf" map alike. Words that name a concept on their own
    are replaced first, in phrases too, so a phrase matches whatever spelling of its words the
    FAQ knows: "cause twitch" also matches "cause twiches" when "twich" names twitching.
    """

    def __init__(self, lexicon: Mapping[str, Iterable[str]]) -> None:
        keys = [
            (phrase_tokens(phrase), concept) for concept, phrases in lexicon.items() for phrase in phrases
        ]
        self._single: dict[str, str] = {}
        for key, concept in keys:
            if len(key) == 1:
                self._single.setdefault(key[0], concept)
        self._phrases: dict[tuple[str, ...], str] = {}
        for key, concept in keys:
            if len(key) > 1:
                self._phrases.setdefault(self._canonical(key), concept)
        self._set_sizes()

    def tables(self) -> dict[str, Any]:
        """The mapper as JSON-safe tables (see `from_tables`)."""
        return {"single": self._single, "phrases": [[*key, concept] for key, concept in self._phrases.items()]}

    @classmethod
    def from_tables(cls, tables: Mapping[str, Any]) -> ConceptMapper:
        """A mapper rebuilt from `tables()` (a cached one), without reading any phrase again."""
        mapper = cls.__new__(cls)
        mapper._single = dict(tables["single"])
        mapper._phrases = {tuple(row[:-1]): row[-1] for row in tables["phrases"]}
        mapper._set_sizes()
        return mapper

    def _set_sizes(self) -> None:
        # the phrase lengths that start with each word, longest first: most words start none
        starts: dict[str, set[int]] = {}
        for key in self._phrases:
            starts.setdefault(key[0], set()).add(len(key))
        self._sizes = {word: sorted(sizes, reverse=True) for word, sizes in starts.items()}

    def touches(self, words: Iterable[str]) -> bool:
        """Could mapping change any of `words` (one names a concept or starts a phrase)?"""
        single, sizes = self._single, self._sizes
        return any(w in single or w in sizes for w in words)

    def canonical(self, word: str) -> str:
        """The concept token a single word names, or the word itself."""
        return self._single.get(word, word)

    def _canonical(self, words: Iterable[str]) -> tuple[str, ...]:
        single = self._single
        return tuple(single.get(w, w) for w in words)

    def map(self, words: list[str]) -> list[str]:
        """Stemmed words → words with every known phrase replaced by its concept token."""
        return self.map_canonical(list(self._canonical(words)))

    def map_spans(self, words: list[str]) -> tuple[list[str], list[int]]:
        """Like `map`, with the index in `words` where each output token starts."""
        canon = list(self._canonical(words))
        sizes, phrases = self._sizes, self._phrases
        out: list[str] = []
        starts: list[int] = []
        i, n = 0, len(canon)
        while i < n:
            for size in sizes.get(canon[i], ()):
                concept = phrases.get(tuple(canon[i : i + size])) if i + size <= n else None
                if concept is not None:
                    out.append(concept)
                    starts.append(i)
                    i += size
                    break
            else:
                out.append(canon[i])
                starts.append(i)
                i += 1
        return out, starts

    def map_canonical(self, canon: list[str]) -> list[str]:
        """Like `map`, for words already replaced by their `canonical` forms."""
        sizes, phrases = self._sizes, self._phrases
        starts = [i for i, w in enumerate(canon) if w in sizes]
        if not starts:  # most questions hold no phrase
            return canon
        out: list[str] = []
        done, n = 0, len(canon)  # canon[:done] is mapped
        for i in starts:
            if i < done:  # inside a phrase already replaced
                continue
            for size in sizes[canon[i]]:
                concept = phrases.get(tuple(canon[i : i + size])) if i + size <= n else None
                if concept is not None:
                    out.extend(canon[done:i])
                    out.append(concept)
                    done = i + size
                    break
        out.extend(canon[done:])
        return out
