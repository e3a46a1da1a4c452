"""From scores to a `Reply`: red flags, small talk, out-of-scope facets, confidence, thresholds.

The confidence is a logistic model over a handful of retrieval features (`bot.model`), so it
reads as the probability that the best entry is right. Its weights (`thresholds: calibration:`)
and the thresholds come from the FAQ, or for a FAQ without them from the plain FAQs' model;
`tools/calibrate.py` fits them on labelled questions (see README, "Accuracy"). Everything is
computed for a whole batch of questions at once; only building each Reply is per question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

import numpy as np
import numpy.typing as npt

from .cache import cached_json, fitted_space
from .inflection import Inflections
from .knowledge import FAQ, plain_model, red_flag_counts, red_flag_signs, red_flag_texts_by_language
from .language import ENGLISH
from .messages import Messages, Wording
from .model import FEATURES, RANKING, uses_intent
from .normalise import ConceptMapper, clean, phrase_tokens, stem, tokens
from .reply import Alternative, Reply
from .retrieve import FACET, LEXICON_FORMAT, SUBJECT, SYNONYM, Analysis, Index, Scores
from .spelling import OneEdit
from .spotter import Spotter
from .urgent_model import FLAG as URGENT_EXAMPLES
from .urgent_model import UrgentModel

Matrix = npt.NDArray[np.float64]

NAMED_ENOUGH = 0.2
_DOUBLED = re.compile(r"([^\W\d_])\1")
CONCEPT_INFORMATION = 3.0  # what a FAQ concept tells, on the scale of `WordKnowledge.information`
SMALLTALK_WORDS = 10  # longer messages are questions, not small talk
SMALLTALK_SIMILARITY = 0.6  # character similarity to a small-talk pattern that makes it small talk
SMALLTALK_VERBATIM = 0.85  # ...and that makes it small talk though it names a subject
OUT_OF_SCOPE_LIKELY = 0.5  # the learned ranking's out-of-scope probability that rules out a clarification
LIKELY_OUT_ANSWER = 0.6  # ...and the confidence needed to answer such a question nonetheless
SPECIFIC_SUBJECT = 0.5  # a subject this specific (`Index.subject_weight`) names a topic of its own
OPENER_WORDS = 3  # an opener goes on with this many words at most that are neither small talk nor function words
CLOSER_WORDS = 4  # a closing phrase matched all words but one is this many words at least
LONG_WORD = 8  # summed subject specificity below this names no subject in particular
NEGATION_BEFORE = 2  # a word of the learned detector's evidence this close after a negation is negated
URGENT_LANGUAGE_EXAMPLES = 10  # the learned red-flag detector knows a language of this many of its examples
FLAG_SPELLING_MIN = 5  # shorter words are one edit from too many others to correct
FLAG_ENDINGS = ("s", "es", "ed", "d", "ing", "e")  # a red-flag stem's word forms, when the corpus has them


@dataclass(frozen=True, slots=True)
class Batch:
    """A scored batch, decided: per-question combined scores and confidence features."""

    combined: Matrix  # (questions, entries)
    features: Matrix  # (questions, len(FEATURES))
    best: npt.NDArray[np.intp]


class Decider:
    """Turns a batch's analyses and scores into Replies; immutable after construction."""

    def __init__(self, faq: FAQ, index: Index) -> None:
        self.faq = faq
        self.index = index
        # the loader fills in what a FAQ file leaves out; a FAQ built in code gets the same
        _, plain_calibration, plain_ranking = plain_model(uses_intent(len(faq.entries), len(faq.out_of_scope_examples)))
        self.calibration = {**plain_calibration, **faq.calibration}
        self.ranking = {**plain_ranking, **faq.ranking}
        self.ranking_weights = np.array([self.ranking[k] for k in RANKING])
        self.weights = np.array([self.calibration[k] for k in FEATURES])
        urgent = faq.urgent
        languages = faq.languages.values()
        negations = [*(urgent.negations if urgent else ()), *(n for lang in languages for n in lang.negations)]
        # each red flag is a label, so an urgent reply can say which one it saw
        self.red_flags = Spotter(_red_flags(faq, index), negations, frequency=index.word_frequency,
                                 signs=ConceptMapper(red_flag_signs(faq)),
                                 figurative=urgent.figurative if urgent else (), at_least=red_flag_counts(faq),
                                 clause_breaks=[*(urgent.clause_breaks if urgent else ()),
                                                *(b for lang in languages for b in lang.clause_breaks)],
                                 past=[*(urgent.past if urgent else ()), *(p for lang in languages for p in lang.past)],
                                 negating_after=[*(urgent.negating_after if urgent else ()),
                                                 *(w for lang in languages for w in lang.negating_after)],
                                 general=[*(urgent.general if urgent else ()),
                                          *(g for lang in languages for g in lang.general)])
        self._foreign_signs = _foreign_signs(faq, index)
        # what the named flags do not describe, learned from the FAQ's urgent examples
        phrasings = [p for e in faq.entries for p in e.phrasings]
        phrasings += [p for lang in faq.languages.values() for t in lang.entries.values() for p in t.phrasings]
        look_alikes = (*(urgent.look_alikes if urgent else ()), *phrasings)
        self.urgent_model = UrgentModel.build([clean(m) for m in urgent.examples] if urgent else [],
                                              [clean(m) for m in look_alikes])
        self._foreign_negations = _foreign_negations(faq, index)
        talk: dict[str, list[str]] = {s.id: list(s.patterns) for s in faq.smalltalk}
        # another language's pattern that is an English function word alone ("a+", "re") would
        # make small talk of English text: it is left out
        english = index.english_function_words
        own_talk: dict[str, dict[str, list[str]]] = {}  # each language's patterns with English's
        english_talk = {intent: list(found) for intent, found in talk.items()}
        for code, lang in faq.languages.items():
            own_talk[code] = {intent: list(found) for intent, found in english_talk.items()}
            for intent, found in lang.smalltalk_patterns.items():
                kept = [p for p in found if not _only(phrase_tokens(p), english)]
                talk[intent].extend(kept)
                own_talk[code].setdefault(intent, []).extend(kept)
        self.smalltalk = ConceptMapper(talk)
        self._own_talk = own_talk
        self.smalltalk_replies = {s.id: s.reply for s in faq.smalltalk}
        self.closers = frozenset(s.id for s in faq.smalltalk if s.closes)
        self.openers = frozenset(s.id for s in faq.smalltalk if s.opens)
        self.messages = Messages(faq)
        patterns = [(intent, clean(p)) for intent, found in talk.items() for p in found]
        self.smalltalk_space = fitted_space("char", [p for _, p in patterns]) if patterns else None
        self.smalltalk_ids = [intent for intent, _ in patterns]
        self.smalltalk_patterns = [p for _, p in patterns]
        self.smalltalk_words = frozenset(w for _, p in patterns for w in tokens(p))
        self._pattern_words = [set(tokens(p)) for _, p in patterns]
        self._closing_phrases: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        closing = [(intent, pattern) for intent, pattern in patterns if intent in self.closers]
        # the stems as written do not depend on the language: no need to detect it (and to load
        # the detector's model at every start); cached with the patterns and the word lists
        # they are read with
        closing_stems = cached_json(
            "closing", [LEXICON_FORMAT, index.words_key, "\x1f", *(p for _, p in closing)],
            lambda: [list(index.analyse(pattern, ENGLISH).stems) for _, pattern in closing],
            lambda saved: isinstance(saved, list) and len(saved) == len(closing))
        for (intent, _), stems in zip(closing, closing_stems, strict=True):
            if len(stems) >= CLOSER_WORDS:
                self._closing_phrases.setdefault(len(stems), []).append((intent, tuple(stems)))
        # an entry of a plain FAQ has no facet: "" is its column, one no question asks for
        subjects, facets = list(faq.subjects), [*faq.facets, ""]
        self.subject_col = {name: i for i, name in enumerate(subjects)}
        self.facet_col = {name: i for i, name in enumerate(facets)}
        self.specificity = np.array([index.subject_weight[s] for s in subjects])
        pairs = [(e, self.subject_col[s]) for e, entry in enumerate(faq.entries) for s in entry.subjects]
        self.membership = np.zeros((len(subjects), len(faq.entries)))  # subject × entry
        for entry_row, subject_col in pairs:
            self.membership[subject_col, entry_row] = 1.0
        self.entry_specificity = np.array(  # how specific each entry's subjects are, in [0, 1]
            [max((index.subject_weight[s] for s in e.subjects), default=0.0) for e in faq.entries]
        )
        # entry × facet: the facets each entry tells, its own and those it also tells
        self.entry_facets = np.zeros((len(faq.entries), len(facets)))
        for n, entry in enumerate(faq.entries):
            self.entry_facets[n, [self.facet_col[f] for f in entry.facets]] = 1.0
        default = next((n for n, f in faq.facets.items() if f.default), None)
        self.default_facet = self.facet_col[default] if default else None

    # -- before retrieval -------------------------------------------------------------------

    def smalltalk_intent(self, analysis: Analysis) -> str | None:
        """The small-talk intent when the whole message is small talk, else None."""
        stems = [self._talk_word(w) for w in analysis.stems]
        mapped = self.smalltalk.map(stems)
        intents = [w for w in mapped if w in self.smalltalk_replies]
        # a closer that asks nothing and tells no facet: "ok thanks, off to my GP now" (with a
        # facet, it is one only when the FAQ does not answer it: see `closer`)
        if len(mapped) > 2 and mapped[0] in self.closers and not (
            analysis.asks or analysis.facets or analysis.out_of_scope
        ):
            return mapped[0]
        if analysis.subjects:  # "thanks, and magnesium?" asks about magnesium...
            # ...unless it is nearly word for word a pattern that names the same subjects:
            # "are you a doctor" asks about the bot, though "doctor" is a subject of the FAQ
            # (only a message mostly of small-talk words can be: the others are not compared)
            if 2 * sum(w in self.smalltalk_words for w in stems) < len(stems):
                return None
            similarity, best = self._closest_pattern(analysis)
            verbatim = similarity >= SMALLTALK_VERBATIM and analysis.subjects <= self._pattern_subjects(best)
            return self.smalltalk_ids[best] if verbatim else None
        rest = [w for w in mapped if w not in self.smalltalk_replies]
        if intents and all(w in self.index.stopwords for w in rest):
            return intents[-1]
        # otherwise a short message of small-talk and function words only, close to a pattern:
        # "how does this thing work", "are you a real person or a bot"
        if len(analysis.words) > SMALLTALK_WORDS:
            return None
        function = self.index.english_function_words if analysis.lang == "en" else self.index.function_words
        if not all(w in function or w in self.smalltalk_words for w in stems):
            return None
        similarity, best = self._closest_pattern(analysis, whole=set(stems))
        # a facet of the FAQ its closest pattern does not ask is a question, unless the message
        # is nearly word for word that pattern: "when should I get it looked at?" is no "what
        # should I ask" ("what is my name" asks what "what is your name" does)
        if similarity < SMALLTALK_SIMILARITY:
            return None
        asked = analysis.facets - self._pattern_facets(best)
        return self.smalltalk_ids[best] if similarity >= SMALLTALK_VERBATIM or not asked else None

    def closer(self, analysis: Analysis) -> str | None:
        """The closing intent ("thanks", "goodbye") of a message that asks nothing and opens or
        ends with one, else None: "ok, booking an appointment, thanks", "perfect, that's all I
        needed, have a good one". Asked only of a message the FAQ does not answer, so "thanks
        what about potassium" is answered."""
        if analysis.asks or analysis.out_of_scope or not self.closers or not analysis.stems:
            return None
        # in the message's own language: Portuguese "no chão" ("on the floor") is no Spanish "chao"
        mapped = self._talk_mapper(analysis.lang).map([self._talk_word(w) for w in analysis.stems])
        for word in (mapped[0], mapped[-1]):
            if word in self.closers:
                return word
        # a closing phrase at either end, word for word but one: "..., have a good one"
        stems = analysis.stems
        for n, phrases in self._closing_phrases.items():
            if n < len(stems):
                for end in (stems[:n], stems[-n:]):
                    for intent, phrase in phrases:
                        if sum(a == b for a, b in zip(end, phrase, strict=True)) >= n - 1:
                            return intent
        return None

    def opener(self, analysis: Analysis) -> str | None:
        """The opening intent ("hi", "ok") of a message that asks nothing, starts with one and
        goes on with one to three words (besides function words) that name nothing of the FAQ,
        else None: "hi, quick question", "hola, tengo una pregunta", "ok heading to the
        hospital". Asked only of a message the FAQ does not answer."""
        if not self.openers or not analysis.stems or analysis.asks or analysis.out_of_scope or analysis.unknown or (
                any(":" in w for w in analysis.words)):
            return None  # "hi, my calf hurts" names a concept of the FAQ
        mapped = self._talk_mapper(analysis.lang).map([self._talk_word(w) for w in analysis.stems])
        if mapped[0] not in self.openers:
            return None
        rest = [w for w in mapped[1:] if w not in self.smalltalk_replies and w not in self.index.stopwords]
        return mapped[0] if 1 <= len(rest) <= OPENER_WORDS else None  # "ok what else" is no remark

    @lru_cache(maxsize=16)  # noqa: B019 - the decider lives as long as the bot
    def _talk_mapper(self, lang: str) -> ConceptMapper:
        """The small-talk patterns of English and `lang` (all of them for a language the FAQ lacks)."""
        own = self._own_talk.get(lang)
        return ConceptMapper(own) if own is not None else self.smalltalk

    def _closest_pattern(self, analysis: Analysis, whole: set[str] | None = None) -> tuple[float, int]:
        """The character similarity of a short message to its closest small-talk pattern, and
        that pattern; (0, 0) for a long message or a FAQ without small talk. With `whole` (the
        message's words), a pattern that holds them all and more is left out: a piece of a
        pattern is not that pattern ("ok" is not "you ok", "what?" not "what is up")."""
        if self.smalltalk_space is None or len(analysis.words) > SMALLTALK_WORDS:
            return 0.0, 0
        similarity = self.smalltalk_space.similarity(self.smalltalk_space.transform([analysis.text]))[0]
        if whole is not None:
            similarity = np.where([whole < words for words in self._pattern_words], 0.0, similarity)
        best = int(np.argmax(similarity))
        return float(similarity[best]), best

    def _pattern_subjects(self, pattern: int) -> frozenset[str]:
        """The FAQ subjects a small-talk pattern names itself ("doctor" in "are you a doctor")."""
        return self._pattern_analysis(pattern).subjects

    def _pattern_facets(self, pattern: int) -> frozenset[str]:
        """The FAQ facets a small-talk pattern asks itself ("what is" in "what is your name")."""
        return self._pattern_analysis(pattern).facets

    @lru_cache(maxsize=256)  # noqa: B019 - the decider lives as long as the bot
    def _pattern_analysis(self, pattern: int) -> Analysis:
        return self.index.analyse(self.smalltalk_patterns[pattern])

    def _talk_word(self, word: str) -> str:
        """A small-talk word typed with a letter doubled ("heyy", "thxx", "byee"), or the word."""
        if word in self.smalltalk_words or not _DOUBLED.search(word):
            return word
        single = _DOUBLED.sub(r"\1", word)
        return single if single in self.smalltalk_words else word

    # -- after retrieval --------------------------------------------------------------------

    def _one_hot(self, names: Sequence[frozenset[str]], columns: Mapping[str, int]) -> Matrix:
        out = np.zeros((len(names), len(columns)))
        cells = [(row, columns[n]) for row, found in enumerate(names) for n in found if n in columns]
        if cells:
            rows, cols = zip(*cells, strict=True)
            out[rows, cols] = 1.0
        return out

    def score_batch(self, scores: Scores) -> Batch:
        """Combined per-entry scores and confidence features for every question of a batch."""
        combined, named, asked = self._combine(scores)
        best = _top_two(combined)[:, 0]
        return Batch(combined=combined, features=self._features(scores, combined, named, asked), best=best)

    def _combine(self, scores: Scores) -> tuple[Matrix, Matrix, Matrix]:
        """One similarity per (question, entry), with the subjects and facets the questions name:
        the ranking terms (`ranking_terms`) weighed by `thresholds: ranking`, within [0, 1]."""
        terms, named, asked = self.ranking_terms(scores)
        return np.clip(terms @ self.ranking_weights, 0.0, 1.0), named, asked

    def ranking_terms(self, scores: Scores) -> tuple[npt.NDArray[np.float64], Matrix, Matrix]:
        """Each term of an entry's score, per (question, entry, `bot.model.RANKING` name), and
        the subjects and facets the questions name.

        Entries about the subjects a question names, and telling the facet it asks for, are
        lifted; the others are pushed down. A subject named with no facet, or with a facet no
        entry tells about it, asks for the default facet ("hypomagnesemia" → its role).
        """
        analyses = scores.analyses
        named = self._one_hot([a.subjects for a in analyses], self.subject_col)
        weighted = named * self.specificity
        weight = weighted.sum(axis=1, keepdims=True)
        agree = weighted @ self.membership  # (questions, entries)
        has_subject = weight > NAMED_ENOUGH
        subject = np.where(has_subject, 2.0 * agree / np.maximum(weight, 1e-9) - 1.0, 0.0)
        # naming no subject in particular, a question fits the general entries better than those
        # about one nutrient: "can lacking nutrients make my legs twitch"
        unnamed = np.where(has_subject, 0.0, -self.entry_specificity[None, :])
        # the learned ranking too: naming no subject, a question is not about one nutrient
        intent = scores.intent * np.where(has_subject, 1.0, 1.0 - self.entry_specificity[None, :])

        asked = self._one_hot([a.facets for a in analyses], self.facet_col)
        wanted = asked.copy()
        if self.default_facet is not None:
            told = (agree > 0).astype(float) @ self.entry_facets > 0  # (questions, facets) told of their subjects
            some = asked.any(axis=1)
            short = np.array([len(a.words) <= 2 for a in analyses])
            default = has_subject[:, 0] & np.where(some, ~(told & (asked > 0)).any(axis=1), short)
            wanted[default] = 0.0
            wanted[default, self.default_facet] = 1.0
        facet_agree = np.where(wanted @ self.entry_facets.T > 0, 1.0, -1.0)  # (questions, entries)
        facet = np.where(wanted.any(axis=1, keepdims=True), facet_agree, 0.0)
        terms = {"word": scores.word, "char": scores.char, "fuzzy": scores.fuzzy, "intent": intent,
                 "subject": subject, "facet": facet, "unnamed": unnamed}
        return np.stack([terms[name] for name in RANKING], axis=-1), named, asked

    def _features(self, scores: Scores, combined: Matrix, named: Matrix, asked: Matrix) -> Matrix:
        """The numbers the confidence model reads, one row per question (columns: FEATURES)."""
        analyses = scores.analyses
        rows = np.arange(len(analyses))
        top2 = _top_two(combined)
        best = top2[:, 0]
        top = combined[rows, best]
        second = combined[rows, top2[:, 1]] if combined.shape[1] > 1 else np.zeros(len(rows))
        unknown = np.array([len(a.unknown) for a in analyses], dtype=float)
        content = np.array([max(a.content, 1) for a in analyses], dtype=float)

        def each(feature: Callable[[Analysis, int], float]) -> Matrix:
            return np.array([feature(a, int(b)) for a, b in zip(analyses, best, strict=True)], dtype=float)

        columns = {
            "top": top,
            "word": scores.word[rows, best],
            "char": scores.char[rows, best],
            "fuzzy": scores.fuzzy[rows, best],
            "margin": top - second,
            "unknown_fraction": unknown / content,
            "unknown_count": np.minimum(unknown, 3.0),
            "subject_named": named.any(axis=1).astype(float),
            "subject_agrees": (named * self.membership[:, best].T).any(axis=1),
            "facet_agrees": (asked @ self.entry_facets.T)[rows, best] > 0,
            "domain": each(lambda a, _: _names_domain(a)),
            "oos_gap": scores.out_of_scope - scores.word[rows, best],
            "unknown_beside_subject": each(lambda a, _: _unknown_beside_subject(a)),
            # technical names are long: "pyrophosphate", "paralysis", "trisalicylate"
            "unknown_long": each(lambda a, _: sum(len(w) >= LONG_WORD for w in a.unknown) if a.unknown else 0),
            "unexplained": each(self._unexplained),
            "unexplained_information": each(self._unexplained_information),
            "intent": scores.intent[rows, best],
            # no learned ranking (its probabilities all 0), no agreement
            "intent_agrees": ((np.argmax(scores.intent, axis=1) == best)
                              & (scores.intent.max(axis=1) > 0)).astype(float),
            "intent_out": scores.intent_out,
            # the best entry is about one subject, and the question names none: "what foods have it?"
            "specific_unnamed": self.entry_specificity[best] * ~named.any(axis=1),
        }
        return np.column_stack([columns[k] for k in FEATURES])

    def _content(self, analysis: Analysis) -> list[str]:
        """The words that carry what is asked: of the asking sentences when there are others."""
        return [w for w in analysis.asking or analysis.words if w not in self.index.stopwords]

    def _unexplained(self, analysis: Analysis, entry: int) -> float:
        """Share of the question's content words that the best entry never uses."""
        content = self._content(analysis)
        known = self.index.entry_words(entry)
        return sum(w not in known for w in content) / len(content) if content else 0.0

    def _unexplained_information(self, analysis: Analysis, entry: int) -> float:
        """Like `_unexplained`, each word weighted by how much it tells (its rarity): "cradle
        cap" in "see a doctor for cradle cap" tells more than "doctor" does."""
        content = self._content(analysis)
        known, knowledge = self.index.entry_words(entry), self.index.knowledge
        weight = [CONCEPT_INFORMATION if ":" in w else knowledge.information(w) for w in content]
        total = sum(weight)
        missing = sum(x for w, x in zip(content, weight, strict=True) if w not in known)
        return missing / total if total else 0.0

    def confidence(self, features: Matrix) -> npt.NDArray[np.float64]:
        z = self.calibration["bias"] + features @ self.weights
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -50.0, 50.0))))

    def decide_batch(self, scores: Scores) -> list[Reply]:
        """The reply to every question of a scored batch, in order."""
        batch = self.score_batch(scores)
        # rounded, so a question scored alone or in a batch (sums in another order) gets the same reply
        confidence = np.round(self.confidence(batch.features), 9).tolist()
        combined = batch.combined
        k = min(3, combined.shape[1])
        top = np.argpartition(-combined, k - 1, axis=1)[:, :k] if k < combined.shape[1] else np.tile(
            np.arange(k), (len(combined), 1)
        )
        top_scores = np.take_along_axis(combined, top, axis=1)
        order = np.take_along_axis(top, np.argsort(-top_scores, axis=1, kind="stable"), axis=1)
        ranked = np.take_along_axis(combined, order, axis=1)
        likely_out = (scores.intent_out >= OUT_OF_SCOPE_LIKELY).tolist()
        model = self.urgent_model
        urgent = (np.round(model.probabilities([a.text for a in scores.analyses]), 9) >= self.faq.thresholds.urgent
                  if model is not None else np.zeros(len(confidence), dtype=bool)).tolist()
        urgent = [u and (a.lang == ENGLISH or a.lang in self._urgent_model_languages)
                  for u, a in zip(urgent, scores.analyses, strict=True)]
        return [
            self._decide(scores.analyses[r], order[r].tolist(), ranked[r].tolist(), confidence[r], likely_out[r],
                         urgent[r])
            for r in range(len(confidence))
        ]

    @cached_property
    def _urgent_model_languages(self) -> frozenset[str]:
        """The languages the learned red-flag detector has learned from: those of at least
        `URGENT_LANGUAGE_EXAMPLES` of its examples. Of another it knows only words that look
        alike (Italian "corpo", "forte", "dura" read as Portuguese and Spanish alarms), so there
        the named flags alone decide. Found the first time a message needs it, cached on disk."""
        examples = self.faq.urgent.examples if self.faq.urgent else ()
        languages = cached_json("urgentlangs", [self.index.words_key, *examples],
                                lambda: [self.index.analyse(m).lang for m in examples],
                                lambda saved: isinstance(saved, list) and len(saved) == len(examples))
        return frozenset(code for code, n in Counter(languages).items() if n >= URGENT_LANGUAGE_EXAMPLES)

    def _flag_reading(self, stemmed: str, written: str, lang: str) -> str:
        """The stem a red-flag spotter reads for a word: a typo of a red-flag word, as written
        ("pased") or stemmed, is read as that word's stem ("pass")."""
        fixed = self._as_flag_word(written, lang) if written and written != stemmed else written
        return fixed if fixed != written else self._as_flag_word(stemmed, lang)

    @lru_cache(maxsize=16384)  # noqa: B019 - the decider lives as long as the bot
    def _as_flag_word(self, word: str, lang: str) -> str:
        """A word no corpus list of the message's language knows, read as that language's
        red-flag word one edit away with the same first letter, if any: a typo must not hide a
        red flag ("swolen", "faintd", "hinchda"); a real word one edit from one is none
        ("fumbled"). An English message's word is checked against English's list only: a
        French word ("fait") is an English typo ("faited" for "fainted") there."""
        index = self.index
        if (len(word) < FLAG_SPELLING_MIN or not word.isalpha() or word in index.vocabulary
                or word in index.red_flag_words):
            return word
        known = index.knowledge.english_everyday if lang == "en" else index.common_words
        inflected = self._inflected_flag_word(word, lang, known)
        if inflected is not None:
            return stem(inflected)
        spelling = self._flag_spelling(lang) if word not in known else None
        if spelling is None:
            return word
        nearest = spelling.nearest(word)
        # a corpus word form is read as its stem, as it would be, spelled right ("killng": "kill")
        return stem(nearest) if nearest is not None and nearest[0] == word[0] else word

    def _inflected_flag_word(self, word: str, lang: str, known: Container[str]) -> str | None:
        """The red-flag word `word` is another form of in the message's language ("desmayar":
        "desmayé"); in an English message, a word English does not know, in any language
        ("my bebé is convulsionando")."""
        if word in self._spotted_words or stem(word) in self._spotted_words:
            return None  # already a word the red-flag spotter reads, or a form it reads
        if lang != ENGLISH:
            found = self._inflections.flag_word(word, lang)
            return None if word in self.index.knowledge.functions([lang.split("-")[0]]) else found
        if word in known:
            return None
        return next((w for w in (self._inflections.flag_word(word, code) for code in self._inflections.languages)
                     if w is not None), None)

    def _all_negated(self, evidence: list[str], written: list[str]) -> bool:
        """Is every word that made the learned detector find a message urgent negated where it
        stands (a negation at most two words before it): "my calf is not swollen"?"""
        negations = self.index.negations
        return all(any(w == word and any(v in negations for v in written[max(0, i - NEGATION_BEFORE):i])
                       for i, w in enumerate(written)) for word in evidence)

    @cached_property
    def _inflections(self) -> Inflections:
        return Inflections(self._red_flag_texts)

    @cached_property
    def _spotted_words(self) -> frozenset[str]:
        """Every word the red-flag spotter reads, and its stem: the flags' words and the
        negations, clause breaks, history phrases and figures of speech around them."""
        urgent, languages = self.faq.urgent, self.faq.languages.values()
        texts = sorted(self.index.red_flag_words)
        if urgent:
            texts += [*urgent.negations, *urgent.clause_breaks, *urgent.past, *urgent.figurative,
                      *urgent.negating_after, *urgent.general]
        for lang in languages:
            texts += [*lang.negations, *lang.clause_breaks, *lang.past, *lang.negating_after, *lang.general]

        def read() -> list[str]:
            words = {w for text in texts for w in tokens(clean(text))}
            return sorted(words | {stem(w) for w in words})

        return frozenset(cached_json("spotted", [LEXICON_FORMAT, *texts], read,
                                     lambda saved: isinstance(saved, list) and all(isinstance(w, str) for w in saved)))

    @lru_cache(maxsize=64)  # noqa: B019 - the decider lives as long as the bot
    def _flag_spelling(self, lang: str) -> OneEdit | None:
        """A language's red-flag words (as written, stemmed, inflected), indexed for one-edit
        lookups (built for its first unknown word); None when the FAQ has none in it."""
        texts = self._red_flag_texts.get(lang)
        if texts is None:
            return None
        everyday = self.index.knowledge.zipf
        words = {form for text in texts for w in tokens(clean(text)) for form in (w, stem(w))}
        # and the inflected forms of them that corpus lists know ("killing" for "kill")
        words |= {f for w in list(words) for f in (w + e for e in FLAG_ENDINGS) if f in everyday and stem(f) == w}
        return OneEdit(sorted(w for w in words if len(w) >= FLAG_SPELLING_MIN - 1 and w.isalpha()))

    @cached_property
    def _red_flag_texts(self) -> dict[str, tuple[str, ...]]:
        return {code: tuple(texts) for code, texts in red_flag_texts_by_language(self.faq).items()}

    def _decide(self, analysis: Analysis, order: list[int], ranked: list[float], conf: float,
                likely_out: bool = False, urgent_likely: bool = False) -> Reply:
        """The reply to one question, given its best entries (best first) and their scores;
        `likely_out`: the learned ranking finds it more likely out of scope than not;
        `urgent_likely`: the learned red-flag detector finds it urgent."""
        words = self.messages.speaking(analysis.lang)
        stems = list(analysis.stems)
        foreign = self._foreign_signs.get(analysis.lang)
        if foreign:  # another language's sign word that is a common word here is no sign ("he" in "he estado")
            stems = ["" if w in foreign else w for w in stems]
        written = analysis.text.split()
        if len(written) == len(stems):
            # the word as written first: its stem may hide the typo ("pased" → "pas")
            stems = [self._flag_reading(s, w, analysis.lang) for s, w in zip(stems, written, strict=True)]
        else:
            stems = [self._as_flag_word(s, analysis.lang) for s in stems]
        flags = self.red_flags.matches_in(stems, written, analysis.breaks,
                                          not_negating=self._foreign_negations.get(analysis.lang, frozenset()))
        if flags:
            flag, matched = next(iter(sorted(flags.items())))
            return Reply("urgent", None, words.urgent, 1.0, (),
                         {"reason": "red-flag", "flag": flag, "words": matched}, words.lang)
        if urgent_likely and self.urgent_model is not None:
            evidence = self.urgent_model.evidence(analysis.text, self.index.function_words)
            if not (evidence and self._all_negated(evidence.split(), written)):
                return Reply("urgent", None, words.urgent, 1.0, (),
                             {"reason": "red-flag", "flag": URGENT_EXAMPLES, "words": evidence}, words.lang)
        intent = self.smalltalk_intent(analysis)
        if intent is not None:
            spoken = self.messages.language_of_smalltalk(analysis.stems, analysis.lang)
            reply, lang = self.messages.smalltalk(intent, spoken)
            return Reply("smalltalk", intent, reply, 1.0, (), {"reason": "smalltalk"}, lang)
        if not self.messages.understands(analysis.lang):
            return Reply("fallback", None, words.unsupported, 0.0, (),
                         {"reason": "unsupported-language", "lang": analysis.lang}, words.lang)
        if analysis.content == 0:
            return self._fallback(0.0, (), {"reason": "no-question"}, words)
        entries = self.faq.entries
        alternatives = tuple(
            Alternative(entries[i].id, entries[i].question, round(score, 4))
            for i, score in zip(order, ranked, strict=True)
        )
        if analysis.out_of_scope:
            # a closer that asks nothing is one whatever it tells: "ok thanks, I'll ring the surgery"
            closing = None if analysis.asks else self.closer(replace(analysis, out_of_scope=frozenset()))
            if closing is not None:
                return self._smalltalk(closing, analysis)
            facet = self.faq.out_of_scope_facets[sorted(analysis.out_of_scope)[0]]
            reason = {"reason": "unanswered-facet", "facet": facet.label}
            if analysis.subjects:
                reason["subject"] = self.faq.subjects[sorted(analysis.subjects)[0]].label
            return self._fallback(0.0, alternatives, reason, words)
        thresholds = self.faq.thresholds
        # (a conversation's follow-up adds the topic to its words: "foods" after magnesium)
        if len(analysis.stems) == 1 == len(analysis.words) and analysis.stems[0] in self.index.many_senses:
            # one everyday word ("test", "leg") is no question: offer the closest, or fall back
            if len(alternatives) > 1 and conf >= thresholds.clarify:
                return self._clarify(conf, alternatives, words)
            return self._fallback(conf, alternatives, {"reason": "one-word"}, words)
        if conf >= thresholds.answer and self._unsaid_subject(analysis, order):
            # "what foods have it?" with nothing before it: which nutrient's foods is not said
            return self._clarify(conf, alternatives, words)
        # when the learned ranking finds the question more likely out of scope than not, the
        # confidence must say more than "just over the threshold": "can I give my 5 year old some?"
        if conf >= (max(thresholds.answer, LIKELY_OUT_ANSWER) if likely_out else thresholds.answer):
            best = entries[order[0]]
            text, lang = self.messages.answer(best, analysis.lang)
            return Reply("answer", best.id, text, conf, alternatives[1:], {"reason": "retrieval"}, lang)
        closing = self.closer(analysis) or self.opener(analysis)
        if closing is not None:
            return self._smalltalk(closing, analysis)
        # "did you mean" offers two answers to a question that is likely neither's
        if conf >= thresholds.clarify and len(ranked) > 1 and ranked[0] - ranked[1] < thresholds.margin and (
            not likely_out
        ):
            return self._clarify(conf, alternatives, words)
        if analysis.unknown:
            reason = {"reason": "unknown-words", "words": " ".join(analysis.unknown)}
            return self._fallback(conf, alternatives, reason, words)
        return self._fallback(conf, alternatives, {"reason": "low-confidence"}, words)

    def _unsaid_subject(self, analysis: Analysis, order: list[int]) -> bool:
        """Do the two best entries tell the same facet of two subjects, the question naming
        neither, nor any subject of its own, nor any word beside its facets and function words?"""
        if len(order) < 2 or any(self.index.subject_weight[s] >= SPECIFIC_SUBJECT for s in analysis.subjects):
            return False
        if any(":" not in w and w not in self.index.stopwords for w in analysis.words):
            return False
        first, second = (self.faq.entries[i] for i in order[:2])
        return (first.facet == second.facet != "" and first.subjects != second.subjects
                and self.entry_specificity[order[0]] >= SPECIFIC_SUBJECT
                and self.entry_specificity[order[1]] >= SPECIFIC_SUBJECT)

    def _smalltalk(self, intent: str, analysis: Analysis) -> Reply:
        spoken = self.messages.language_of_smalltalk(analysis.stems, analysis.lang)
        reply, lang = self.messages.smalltalk(intent, spoken)
        return Reply("smalltalk", intent, reply, 1.0, (), {"reason": "smalltalk"}, lang)

    def _fallback(
        self, conf: float, alternatives: tuple[Alternative, ...], reason: dict[str, str], words: Wording
    ) -> Reply:
        return Reply("fallback", None, words.fallback, conf, alternatives, reason, words.lang)

    def _clarify(self, conf: float, alternatives: tuple[Alternative, ...], words: Wording) -> Reply:
        choices = tuple(
            Alternative(a.id, self.messages.question(a.id, words.lang), a.score) for a in alternatives[:2]
        )
        lines = [words.clarify_header]
        lines += [f"{n}. {a.question}" for n, a in enumerate(choices, 1)]
        lines.append(words.clarify_footer)
        return Reply("clarify", None, "\n".join(lines), conf, choices, {"reason": "close-answers"}, words.lang)


def _top_two(combined: Matrix) -> npt.NDArray[np.intp]:
    """Indices of the two best entries per row, best first (ties: the earlier entry)."""
    if combined.shape[1] < 2:
        return np.zeros((combined.shape[0], 2), dtype=np.intp)
    best = np.argmax(combined, axis=1)
    masked = combined.copy()
    masked[np.arange(len(best)), best] = -np.inf
    return np.column_stack([best, np.argmax(masked, axis=1)])


def _names_domain(analysis: Analysis) -> bool:
    """Does the question use any of the FAQ's own concepts (a subject, facet or synonym)?"""
    return any(w.startswith((SUBJECT, FACET, SYNONYM)) for w in analysis.words)


def _unknown_beside_subject(analysis: Analysis) -> bool:
    """An unknown word right next to a subject: a compound name such as "magnesium hydroxide"
    or "calcium pyrophosphate arthritis" names something else than the subject itself."""
    if not analysis.unknown or not analysis.subjects:
        return False
    words, unknown = analysis.words, set(analysis.unknown)
    return any(
        w.startswith(SUBJECT) and unknown.intersection(words[max(0, i - 1) : i + 2])
        for i, w in enumerate(words)
    )


def _red_flags(faq: FAQ, index: Index) -> dict[str, list[str]]:
    """Every red flag's phrases; another language's without its function words that are English
    ones of another sense (Portuguese "dor no peito": there "no" is "in the", not "no")."""
    flags = {name: list(phrases) for name, phrases in (faq.urgent.red_flags if faq.urgent else {}).items()}
    english = index.knowledge.functions(["en"])
    for code, language in faq.languages.items():
        negating = {w for n in language.negations for w in tokens(clean(n))}
        function = (index.knowledge.functions([code.split("-")[0]]) & english) - negating
        for name, phrases in language.red_flags.items():
            flags.setdefault(name, []).extend(_without(phrase, function) for phrase in phrases)
    return flags


def _foreign_signs(faq: FAQ, index: Index) -> dict[str, frozenset[str]]:
    """By language: the sign words of the other languages that are its own function words and
    none of its signs' (English "he" is Spanish "I have"; English "ate" Portuguese "até")."""
    words = {"en": {w for found in (faq.urgent.signs if faq.urgent else {}).values() for w in found}}
    words.update({code: {w for found in lang.signs.values() for w in found} for code, lang in faq.languages.items()})
    single = {code: {stem(c) for c in map(clean, found) if " " not in c} for code, found in words.items()}
    out: dict[str, frozenset[str]] = {}
    for code, own in single.items():
        others = set().union(*(found for other, found in single.items() if other != code))
        function = index.knowledge.functions([code.split("-")[0]])
        clash = frozenset((others & function) - own)
        if clash:
            out[code] = clash
    return out


def _foreign_negations(faq: FAQ, index: Index) -> dict[str, frozenset[str]]:
    """By language: the negating words of the other languages that are its own words, or a
    lone letter, and negate nothing in it: French "n'" is English chat's "n" ("woke up n half
    my body is weak"), Hindi "mat" an English mat."""
    own = {"en": faq.urgent.negations if faq.urgent else ()}
    own.update({code: lang.negations for code, lang in faq.languages.items()})
    negating = {code: {w for n in found for w in tokens(clean(n))} for code, found in own.items()}
    out: dict[str, frozenset[str]] = {}
    for code, mine in negating.items():
        others = set().union(*(found for other, found in negating.items() if other != code))
        words = index.knowledge.english if code == "en" else index.knowledge.functions([code.split("-")[0]])
        clash = frozenset(w for w in others - mine if len(w) == 1 or w in words)
        if clash:
            out[code] = clash
    return out


def _without(phrase: str, words: frozenset[str]) -> str:
    """`phrase` (its parts joined by " + ") cleaned, without `words` (unless that leaves nothing)."""
    parts = []
    for part in phrase.split(" + "):
        kept = [w for w in clean(part).split() if w not in words and stem(w) not in words]
        parts.append(" ".join(kept) or clean(part))
    return " + ".join(parts)


def _only(words: tuple[str, ...], function_words: frozenset[str]) -> bool:
    """Is a phrase nothing but function words (or a lone letter)?"""
    return all(w in function_words or len(w) < 2 for w in words)
