"""Spot phrases loosely: all of a phrase's words close together, in any order and word form.

Used for red flags ("swollen calf" is spotted in "my calf is suddenly swollen", "droop" in
"droopy") and for the out-of-scope cues of `faq.yaml` ("how much should i take" in "how much
magnesium should I take"). A phrase directly negated ("no chest pain") is not spotted when the
spotter has negations; another phrase in the same message still is, and so is a phrase negated
further away ("not sure, but chest pain"): for red flags we err on the side of urgent.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Mapping

from .normalise import ConceptMapper, clean, phrase_tokens, tokens

_NEGATION_REACH = 3  # a negation this many words before a phrase cancels it, unless a new
# clause starts in between (`clause_breaks`): "no fever but chest pain" is still urgent
_FIGURE_REACH = 8  # a figurative word ("lol") this many words after a phrase, in its clause
_WORD_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"  # what a cleaned word is made of
_AND = " + "  # joins the parts of a phrase that may be anywhere in a text
_PREFIX = 4  # words this long also match the same word one letter longer ("droop" ~ "droopy")
_GENERAL_REACH = 2  # a `general` frame ends this many words before a phrase at most
_FIRST_YEAR = 1900  # a number from this year to last year, in a phrase's clause, dates it ("a clot in 2019")


# Words a phrase can do without: "how is the test done" is spotted in "how is a blood test done"
_OPTIONAL = frozenset({"a", "an", "the", "my", "your", "his", "her", "their", "our", "this", "that", "of"})


def _essential(words: list[str]) -> tuple[str, ...]:
    kept = tuple(w for w in words if w not in _OPTIONAL)
    return kept or tuple(words)


class Spotter:
    """Finds which labelled phrases occur in a text; built once, immutable."""

    def __init__(
        self,
        phrases: Mapping[str, Iterable[str]],
        negations: Iterable[str] = (),
        slack: int = 3,
        frequency: Mapping[str, int] | None = None,
        signs: ConceptMapper | None = None,
        figurative: Iterable[str] = (),
        clause_breaks: Iterable[str] = (),
        at_least: Iterable[int] = (),
        at_most: Iterable[int] = (),
        past: Iterable[str] = (),
        negating_after: Iterable[str] = (),
        general: Iterable[str] = (),
        ordered: bool = False,
    ) -> None:
        """`frequency`: how often words occur in the messages to expect (the FAQ's phrasings);
        it changes no result, only how fast most messages are passed over. `signs`: words
        that stand for each other, in phrases and texts alike (each is mapped to its sign);
        `figurative`: words that make a phrase in the same clause near them a figure of speech
        ("heart attack over the bill lol"); `clause_breaks`: words that start a new clause,
        past which neither a negation nor a figurative word reaches ("but", "pero");
        `at_least`: counts that stand for every larger one, a sign's word "10+" ("took 30 pills"
        is spotted as "took 10 pills"); `at_most`: counts that stand for every smaller one, a
        sign's word "15-" ("my 5 year old" is spotted as "15 year old"); `past`: phrases that,
        in a phrase's clause, make it history ("a clot years ago", "a stroke, fully recovered"),
        so it is not spotted;
        `negating_after`: words that negate the phrase right before them ("seizure-free for
        ten years", "pain free"); `general`: question frames that, ending a word or two before a
        phrase in its sentence, ask about it in general ("what are the warning signs of a clot"),
        not about anyone's symptoms. `ordered`: a phrase's words must come in its order (a
        question's words do: "too much of it" is not in "could it be too much coffee"); else
        in any order, as symptoms are told ("my calf is swollen", "a swollen calf")."""
        self.slack = slack  # extra words allowed between a phrase's words
        self.ordered = ordered
        self.signs = signs
        self._at_least = sorted(set(at_least), reverse=True)
        self._at_most = sorted(set(at_most))
        # "calf pain + breathless": each part spotted anywhere in the text; a part is a label
        # of its own ("label + 1"), and the label is found when all its parts are
        self._compounds: dict[str, list[tuple[str, ...]]] = {}
        parts: dict[str, dict[tuple[str, ...], None]] = {}  # label → its phrases, in file order
        for label, group in phrases.items():
            for text in group:
                pieces = [self._phrase(piece) for piece in text.split(_AND)]
                if len(pieces) == 1:
                    parts.setdefault(label, {})[pieces[0]] = None
                    continue
                names = tuple(f"{label}{_AND}{len(self._compounds.get(label, ()))}.{i}" for i in range(len(pieces)))
                self._compounds.setdefault(label, []).append(names)
                for name, piece in zip(names, pieces, strict=True):
                    parts.setdefault(name, {})[piece] = None
        labelled = [(phrase, label) for label, found in parts.items() for phrase in found if phrase]
        uses = Counter(word for phrase, _ in labelled for word in set(phrase))
        often = frequency or {}
        # a phrase is tried only when its rarest word occurs: most messages try none
        self._by_word: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for phrase, label in labelled:
            rarest = min(phrase, key=lambda w: (often.get(w, 0), uses[w], w))
            self._by_word.setdefault(rarest, []).append((phrase, label))
        # every word that can match a key: the key, or the key one letter longer (see `_matches`)
        long_keys = [k for k in self._by_word if len(k) >= _PREFIX]
        self._triggers = frozenset(self._by_word).union(k + c for k in long_keys for c in _WORD_CHARS)
        # "don't" cleans to "do not": the negating word is the last one
        self.negations = frozenset(tokens(clean(n))[-1] for n in negations if clean(n))
        self.figurative = frozenset(w for f in figurative for w in tokens(clean(f))[-1:])
        self.negating_after = frozenset(w for n in negating_after for w in tokens(clean(n))[:1])
        # a break of several words is one only as a whole: Spanish "sin embargo" ("however")
        # starts a clause, "sin" alone ("without") negates
        broken = [tuple(tokens(clean(b))) for b in clause_breaks]
        self.clause_breaks = frozenset(b[0] for b in broken if len(b) == 1)
        self._long_breaks: dict[str, list[tuple[str, ...]]] = {}
        for b in broken:
            if len(b) > 1:
                self._long_breaks.setdefault(b[0], []).append(b)
        # matched on the words as written, not their signs: "de niño" is not "de 2 años"
        self._past = [phrase for phrase in dict.fromkeys(_essential(list(phrase_tokens(p))) for p in past) if phrase]
        self._general = [frame for frame in dict.fromkeys(_essential(list(phrase_tokens(g))) for g in general) if frame]
        self._general_ends = frozenset(frame[-1] for frame in self._general)

    def _phrase(self, text: str) -> tuple[str, ...]:
        words = list(phrase_tokens(text))
        return _essential(self.signs.map(words) if self.signs is not None else words)

    @staticmethod
    def _matches(phrase_word: str, word: str) -> bool:
        return word == phrase_word or (
            len(phrase_word) >= _PREFIX and len(word) == len(phrase_word) + 1 and word.startswith(phrase_word)
        )

    def _window_end(self, words: list[str], start: int, phrase: tuple[str, ...],
                    breaks: frozenset[int] = frozenset()) -> int:
        """Where the window for `phrase` that starts at `start` ends (exclusive): as many words
        as the phrase has plus the slack, not counting the words a phrase can do without, which
        a text may have anywhere ("pressure in the middle of my chest"), and never past the end
        of the sentence (`breaks`: where sentences start)."""
        room, end = len(phrase) + self.slack, start
        while end < len(words) and room > 0 and not (end > start and end in breaks):
            room -= words[end] not in _OPTIONAL
            end += 1
        return end

    def _starts(self, phrase: tuple[str, ...], words: list[str], breaks: frozenset[int] = frozenset()) -> list[int]:
        """Start positions of windows that hold every word of `phrase`."""
        starts = []
        for i, word in enumerate(words):
            if not any(self._matches(p, word) for p in phrase):
                continue
            window = words[i : self._window_end(words, i, phrase, breaks)]
            if self.ordered:
                if self._in_order(phrase, window):
                    starts.append(i)
            # a word a phrase has twice must be found twice ("behki behki baatein" is not "confused")
            elif all(sum(self._matches(p, w) for w in window) >= phrase.count(p) for p in set(phrase)):
                starts.append(i)
        return starts

    def _in_order(self, phrase: tuple[str, ...], window: list[str]) -> bool:
        """Does `window` hold the words of `phrase` in its order, from its first word on?"""
        if not self._matches(phrase[0], window[0]):
            return False
        remaining = iter(window)
        return all(any(self._matches(p, w) for w in remaining) for p in phrase)

    def _breaks(self, words: list[str], i: int) -> bool:
        """Does a new clause start at words[i]?"""
        word = words[i]
        return word in self.clause_breaks or any(
            tuple(words[i : i + len(b)]) == b for b in self._long_breaks.get(word, ()))

    def _negated(self, words: list[str], start: int, not_negating: frozenset[str] = frozenset()) -> bool:
        for i in range(start - 1, max(0, start - _NEGATION_REACH) - 1, -1):
            if self._breaks(words, i):
                return False
            if words[i] in self.negations and words[i] not in not_negating:
                return True
        return False

    def _negated_inside(self, words: list[str], start: int, end: int, phrase: tuple[str, ...],
                        not_negating: frozenset[str] = frozenset()) -> bool:
        """Is a word of the phrase, after its first, directly negated by a word that is not the
        phrase's own: "calf is not swollen", "gemelo sin hinchazón" (but "can not walk" is a phrase)."""
        for i in range(start + 1, end + 1):
            before = words[i - 1]
            negating = before in self.negations and before not in not_negating
            if negating and not any(self._matches(p, before) for p in phrase) and any(
                    self._matches(p, words[i]) for p in phrase):
                return True
        return False

    def _figure_of_speech(self, words: list[str], start: int, end: int) -> bool:
        """Is a figurative word in the clause around words[start:end + 1], a few words away?"""
        if not self.figurative:
            return False
        for step, edge in ((-1, max(0, start - _NEGATION_REACH)), (1, min(len(words), end + 1 + _FIGURE_REACH))):
            i = start - 1 if step < 0 else end + 1
            while (i >= edge) if step < 0 else (i < edge):
                if self._breaks(words, i):
                    break
                if words[i] in self.figurative:
                    return True
                i += step
        return False

    def _in_the_past(self, words: list[str], start: int, end: int, breaks: frozenset[int],
                     unmapped: list[str], starts: list[int], years: frozenset[int] = frozenset()) -> bool:
        """Does a `past` phrase, or a past year ("back in 2015"), occur in the clause of
        words[start:end + 1]? (`unmapped`: the words before signs were mapped, `starts[i]` where
        words[i] starts in them; `years`: where in them a past year was written)"""
        if not self._past and not years:
            return False
        first = start
        while first > 0 and first not in breaks and not self._breaks(words, first - 1):
            first -= 1
        last = end + 1
        while last < len(words) and last not in breaks and not self._breaks(words, last):
            last += 1
        begin, stop = starts[first], starts[last] if last < len(starts) else len(unmapped)
        if any(begin <= year < stop for year in years):
            return True
        clause = unmapped[begin:stop]
        present = {*clause, *(w[:-1] for w in clause if len(w) > _PREFIX)}  # what `_matches` can match
        return any(present.issuperset(phrase) and self._starts(phrase, clause) for phrase in self._past)

    def _asked_in_general(self, start: int, breaks: frozenset[int], unmapped: list[str], starts: list[int]) -> bool:
        """Does a `general` frame end at most `_GENERAL_REACH` words (not counting the words a
        phrase can do without) before words[start], in its sentence? Its words may have others
        between them ("what are the *warning* signs of")."""
        if not self._general:
            return False
        first = start
        while first > 0 and first not in breaks:
            first -= 1
        # first the cheap test: a frame's last word among the few words right before
        near, i = 0, starts[start] - 1
        while i >= starts[first] and near <= _GENERAL_REACH:
            word = unmapped[i]
            if word not in _OPTIONAL:
                if word in self._general_ends or word[:-1] in self._general_ends:
                    break
                near += 1
            i -= 1
        else:
            return False
        before = [w for w in unmapped[starts[first] : starts[start]] if w not in _OPTIONAL]
        for frame in self._general:
            tail = before[-(len(frame) + _GENERAL_REACH + 1):]
            at = 0
            for k, word in enumerate(tail):
                if at < len(frame) and self._matches(frame[at], word):
                    at += 1
                    if at == len(frame) and len(tail) - 1 - k <= _GENERAL_REACH:
                        return True
        return False

    def find(self, text: str) -> set[str]:
        """Labels of the phrases spotted in `text` (already cleaned), negated ones left out."""
        return self.find_in(tokens(text))

    def find_in(self, words: list[str]) -> set[str]:
        """Like `find`, for the stemmed `tokens` of a cleaned text."""
        return set(self.matches_in(words))

    def matches_in(self, words: list[str], written: list[str] | None = None,
                   breaks: Iterable[int] = (), not_negating: frozenset[str] = frozenset()) -> dict[str, str]:
        """Each spotted label with the words that matched it (the window, from `written`: the
        cleaned words the stems `words` come from, one for one; by default the stems). A
        phrase is spotted within a sentence (`breaks`: the indices in `words` where sentences
        start); the parts of an "a + b" phrase may be anywhere. `not_negating`: negations that
        negate nothing in this text's language (French "n'" is English chat's "n")."""
        shown = words if written is None or len(written) != len(words) else written
        # a spotter that knows the past reads past years as it ("a clot back in 2019")
        years = frozenset(i for i, w in enumerate(words) if _past_year(w)) if self._past else frozenset()
        if self._at_least or self._at_most:
            words = [self._count(w, words[i + 1] if i + 1 < len(words) else "") for i, w in enumerate(words)]
        if self.signs is None or (self._triggers.isdisjoint(words) and not self.signs.touches(words)):
            # no sign word: the words are their own mapping (most messages, for most spotters)
            return self._matches_in(words, shown, list(range(len(words))), frozenset(breaks), words, not_negating,
                                    years)
        mapped, starts = self.signs.map_spans(words)
        at = set(breaks)
        return self._matches_in(mapped, shown, starts, frozenset(i for i, s in enumerate(starts) if s in at), words,
                                not_negating, years)

    def _count(self, word: str, after: str) -> str:
        """A number written in digits as the largest count of `at_least` it reaches, else as
        the smallest of `at_most` it does not pass, else itself.

        A number before a short word is an amount in a unit, not a count ("400 mg", "1000 iu"):
        only "of", "my" and the like may come between a count and what it counts. (An `at_most`
        count is read before any word: its phrases say what it counts, "15- yo".)"""
        if not word.isdigit() or len(word) > 9:
            return word
        if not (len(after) <= 3 and after.isalpha() and after not in _OPTIONAL):
            counted = next((str(n) for n in self._at_least if int(word) >= n), None)
            if counted is not None:
                return counted
        return next((str(n) for n in self._at_most if int(word) <= n), word)

    def _matches_in(self, words: list[str], written: list[str], starts: list[int],
                    breaks: frozenset[int], unmapped: list[str],
                    not_negating: frozenset[str] = frozenset(), years: frozenset[int] = frozenset()) -> dict[str, str]:
        """`words`: the (mapped) words spotted in; `starts[i]`: where words[i] starts in `written`
        and in `unmapped`, the words before signs were mapped; `years`: where past years are in `unmapped`."""
        if self._triggers.isdisjoint(words):
            return {}  # no phrase's rarest word: nothing to try
        # in the text's order, so the same text always reports the same words
        present = dict.fromkeys([*words, *(w[:-1] for w in words if len(w) > _PREFIX)])
        found: dict[str, str] = {}
        for phrase, label in (c for w in present for c in self._by_word.get(w, ())):
            if label in found or not present.keys() >= set(phrase):
                continue
            for start in self._starts(phrase, words, breaks):
                end = max(i for i in range(start, self._window_end(words, start, phrase, breaks))
                          if any(self._matches(p, words[i]) for p in phrase))
                if self._negated(words, start, not_negating) or self._negated_inside(
                    words, start, end, phrase, not_negating
                ) or self._figure_of_speech(words, start, end) or self._in_the_past(
                    words, start, end, breaks, unmapped, starts, years
                ) or self._asked_in_general(start, breaks, unmapped, starts) or (
                    end + 1 < len(words) and words[end + 1] in self.negating_after):
                    continue
                stop = starts[end + 1] if end + 1 < len(starts) else len(written)
                found[label] = " ".join(written[starts[start] : stop])
                break
        if self._compounds:
            for label, alternatives in self._compounds.items():
                for names in alternatives:
                    if label not in found and all(name in found for name in names):
                        found[label] = " … ".join(found[name] for name in names)
            found = {label: words for label, words in found.items() if _AND not in label}
        return found


def _past_year(word: str) -> bool:
    """Is `word` a year from `_FIRST_YEAR` to last year, written in digits?"""
    return len(word) == 4 and word.isdigit() and _FIRST_YEAR <= int(word) < datetime.date.today().year
