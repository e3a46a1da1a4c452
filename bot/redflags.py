"""Red-flag detection: a message naming an urgent symptom gets the urgent reply, before retrieval.

A red flag such as "swollen calf" matches when all its words occur close together in any
order ("my calf is suddenly swollen"), with word forms and prefixes ("droop" ~ "droopy").
A flag directly negated ("no chest pain") does not count; any other flag in the message still
does, and so does a flag negated further away ("not sure, but chest pain"): we err on the side
of urgent.
"""

from __future__ import annotations

from collections.abc import Iterable

from .normalise import clean, tokens

_SLACK = 3  # extra words allowed between a flag's words
_NEGATION_REACH = 3  # a negation this many words before a flag cancels it
_PREFIX = 4  # words this long also match the same word one letter longer ("droop" ~ "droopy")


class RedFlags:
    """Matches red-flag phrases in a message; built once from the FAQ's `urgent` section."""

    def __init__(self, phrases: Iterable[str], negations: Iterable[str]) -> None:
        self.flags = tuple({tuple(tokens(clean(p))) for p in phrases} - {()})
        self._by_word: dict[str, list[tuple[str, ...]]] = {}  # a flag is tried only if its first word occurs
        for flag in self.flags:
            self._by_word.setdefault(flag[0], []).append(flag)
        # "don't" cleans to "do not": the negating word is the last one
        self.negations = frozenset(tokens(clean(n))[-1] for n in negations if clean(n))

    def _matches(self, flag_word: str, word: str) -> bool:
        return word == flag_word or (
            len(flag_word) >= _PREFIX and len(word) == len(flag_word) + 1 and word.startswith(flag_word)
        )

    def _find(self, flag: tuple[str, ...], words: list[str]) -> list[int]:
        """Start positions of windows that hold every word of `flag`."""
        width = len(flag) + _SLACK
        starts = []
        for i, word in enumerate(words):
            if not self._matches(flag[0], word) and not any(self._matches(f, word) for f in flag):
                continue
            window = words[i : i + width]
            if all(any(self._matches(f, w) for w in window) for f in flag):
                starts.append(i)
        return starts

    def urgent(self, text: str) -> bool:
        """True when `text` (cleaned) names a red flag that is not directly negated."""
        words = tokens(text)
        present = {*words, *(w[:-1] for w in words if len(w) > _PREFIX)}
        candidates = [f for w in present for f in self._by_word.get(w, ())]
        for flag in candidates:
            if not present.issuperset(flag):
                continue
            for start in self._find(flag, words):
                before = words[max(0, start - _NEGATION_REACH) : start]
                if not self.negations.intersection(before):
                    return True
        return False
