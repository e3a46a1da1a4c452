"""Find a word one edit away (a letter added, dropped, changed, or two swapped) in a word list."""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import OSA


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class OneEdit:
    """A word list indexed by single-letter deletions, so a lookup never scans the list.

    Two words one edit apart always share a key (the word itself or one of its deletions):
    a lookup gathers the few words that share one and checks each with the true distance.
    """

    def __init__(self, words: Sequence[str]) -> None:
        self._rank = {w: i for i, w in reversed(list(enumerate(words)))}  # first place of each word
        self._by_key: dict[str, list[str]] = {}
        for word in self._rank:
            for key in (word, *_deletions(word)):
                self._by_key.setdefault(key, []).append(word)

    def nearest(self, word: str) -> str | None:
        """The closest listed word at most one edit away (ties: the earliest listed), or None."""
        candidates: set[str] = set()
        for key in (word, *_deletions(word)):
            candidates.update(self._by_key.get(key, ()))
        scored = [(OSA.distance(word, c), self._rank[c], c) for c in candidates]
        close = [s for s in scored if s[0] <= 1]
        return min(close)[2] if close else None
