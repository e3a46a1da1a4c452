"""Fit once, score every entry at once: TF-IDF (word and character n-grams) plus fuzzy matching.

`Index(faq)` learns everything retrieval needs from a FAQ; `index.score(questions)` returns,
for a batch of questions, one row of per-entry similarities per signal, plus what each
question names (subjects, facets, out-of-scope facets, words the FAQ does not know).
"""

from __future__ import annotations

import itertools
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from .cache import cached_json, digest, fitted_space
from .focus import asking_part, sentences
from .intent import IntentModel
from .knowledge import FAQ, red_flag_texts, sign_counts
from .language import ENGLISH, detect, is_plain_english
from .languages import Language
from .lemmas import concept_forms, english_lemmas
from .normalise import MAX_CHARS, ConceptMapper, clean, phrase_tokens, stem, tokens
from .spelling import OneEdit
from .spotter import Spotter
from .tfidf import Postings
from .wordknowledge import FORMAT as WORDS_FORMAT
from .wordknowledge import WordKnowledge

log = logging.getLogger(__name__)

Matrix = npt.NDArray[np.float64]

SUBJECT, FACET, OUT_OF_SCOPE, SYNONYM = "s:", "f:", "x:", "w:"
FUZZY_SCORER = fuzz.token_set_ratio
FUZZY_CANDIDATES = 6  # phrasings per question compared fuzzily: the best by TF-IDF
LOOSE_CUE_WORDS = 4  # out-of-scope cues this long are also spotted with words in between
MIN_FOREIGN_WORDS = 3  # words of an unknown Latin-script language before it is believed
LEXICON_FORMAT = "4"  # bump when how concepts are derived from word lists changes
_DERIVED = {"lexicon", "mapper", "single", "english_single", "english_words", "affix", "own", "yielded", "forms",
            "forms_key", "lexicon_words", "english_concept_words"}
_TYPO_MIN = 4  # letters of the shortest word read as a typo of a very common one
AFFIX_MIN = 5  # letters of the shortest concept word found inside another word
AFFIX_ENDING = 5  # letters an inflection may add after a concept word ("seğirme" + "sini")
MIN_GLUED = 6  # letters in the shortest run-together word split in two ("b12food")
_PREFIXES = frozenset({"anti", "non", "hyper", "hypo", "pre", "post", "super", "over", "under", "multi", "semi", "sub"})
_WORD_FORMS = 200_000  # distinct words whose forms are remembered (then forgotten all at once)
_BLOCK_CELLS = 4_000_000  # questions × phrasings scored densely at once (bounds memory on big FAQs)


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one question names, after cleaning, stemming and concept mapping."""

    text: str
    stems: tuple[str, ...]  # the stemmed words of `text`, as written (what phrase spotting reads)
    words: tuple[str, ...]  # stemmed, spelling-corrected, concepts mapped
    subjects: frozenset[str]
    facets: frozenset[str]
    out_of_scope: frozenset[str]
    unknown: tuple[str, ...]
    content: int
    lang: str = "en"  # the message's language (ISO 639-1), see `bot.language`
    asking: tuple[str, ...] | None = None  # `words` of the sentences that ask, when others are context
    breaks: tuple[int, ...] = ()  # where sentences after the first start in `stems`
    asks: bool = False  # does the message hold a question mark?
    hinted: frozenset[str] = frozenset()  # subjects it names only by their hints ("vegan": B12)

    @property
    def mapped(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-entry similarity of a batch of questions: arrays of shape (questions, entries)."""

    word: Matrix
    char: Matrix
    fuzzy: Matrix
    intent: Matrix  # the learned ranking's probability of each entry
    intent_out: npt.NDArray[np.float64]  # ...and of the FAQ's out-of-scope examples' class
    out_of_scope: npt.NDArray[np.float64]
    analyses: tuple[Analysis, ...]


class Index:
    """Everything retrieval learns from a FAQ; immutable after construction."""

    def __init__(self, faq: FAQ) -> None:
        every_phrase = _every_phrase(faq)
        lexicon: dict[str, list[str]] = {}
        for prefix, concepts in (
            (SUBJECT, faq.subjects), (FACET, faq.facets), (OUT_OF_SCOPE, faq.out_of_scope_facets)
        ):
            for concept in concepts.values():
                lexicon[prefix + concept.name] = [concept.name, *concept.words, *concept.hints]
        for name, words in faq.synonyms.items():
            lexicon[SYNONYM + name] = [name, *words]
        knowledge = WordKnowledge.build(faq.languages)
        english_lexicon = {concept: list(phrases) for concept, phrases in lexicon.items()}

        def derive() -> dict[str, Any]:
            yielded = _add_languages(faq, lexicon, frozenset(map(stem, knowledge.english)))
            single = [(concept, words[0]) for concept, phrases in lexicon.items()
                      for words in map(phrase_tokens, phrases) if len(words) == 1]
            english_single = {words[0] for phrases in english_lexicon.values()
                              for words in map(phrase_tokens, phrases) if len(words) == 1}
            english_concepts = {w for c, phrases in english_lexicon.items() if not c.startswith(OUT_OF_SCOPE)
                                for p in phrases for w in phrase_tokens(p)}
            # English word forms the stemmer keeps apart from their concept word ("drank": drink)
            forms = concept_forms(english_lemmas(knowledge), english_concepts, {w for _, w in single})
            return {
                "lexicon": lexicon, "mapper": ConceptMapper(lexicon).tables(),
                "single": sorted({w for _, w in single}), "english_single": sorted(english_single),
                "english_words": sorted({w for phrases in english_lexicon.values() for p in phrases
                                         for w in phrase_tokens(p)}),
                # single concept words long enough to be found inside inflected forms and compounds
                "affix": {w: c for c, w in single if not c.startswith(OUT_OF_SCOPE) and len(w) >= AFFIX_MIN},
                "own": {code: sorted(_own_words(language)) for code, language in faq.languages.items()},
                "yielded": yielded,
                "forms": forms, "forms_key": digest(sorted(f"{k} {v}" for k, v in forms.items())),
                "lexicon_words": sorted({w for c, phrases in lexicon.items() if not c.startswith(OUT_OF_SCOPE)
                                         for p in phrases for w in phrase_tokens(p)}),
                "english_concept_words": sorted(english_concepts),
            }

        # the concepts in every language: derived from the word lists alone, so cached with them
        derived = cached_json("concepts", [LEXICON_FORMAT, WORDS_FORMAT, *every_phrase], derive,
                              lambda saved: isinstance(saved, dict) and set(saved) == _DERIVED)
        lexicon = derived["lexicon"]
        self.mapper = ConceptMapper.from_tables(derived["mapper"])
        self._affix_words: dict[str, str] = derived["affix"]
        self._lemmas: dict[str, str] = derived["forms"]  # a word form → its concept word's stem
        # out-of-scope cues of several words are also spotted loosely: "how much magnesium should I take"
        long_cues = {
            name: [w for w in facet.words if len(w.split()) >= LOOSE_CUE_WORDS]
            for name, facet in faq.out_of_scope_facets.items()
        }
        phrasings = [(i, p) for i, e in enumerate(faq.entries) for p in _phrasings(faq, e.id, e.phrasings)]
        cleaned = [clean(p) for _, p in phrasings]
        self.word_frequency = Counter(w for text in cleaned for w in tokens(text))  # in the phrasings
        self.out_of_scope_cues = Spotter(long_cues, slack=3, frequency=self.word_frequency, ordered=True)
        # a facet with signs has its cues spotted with them: "double my pills" in "can I double my meds"
        self.signed_cues = [
            Spotter({name: facet.words}, slack=3, frequency=self.word_frequency,
                    signs=ConceptMapper({f"~{sign}": words for sign, words in facet.signs.items()}),
                    at_least=counts[0], at_most=counts[1])
            for name, facet in faq.out_of_scope_facets.items() if facet.signs
            for counts in [sign_counts(facet.signs.values())]
        ]
        self.unless = {name: frozenset(f.unless) for name, f in faq.out_of_scope_facets.items() if f.unless}
        urgent = faq.urgent.negations if faq.urgent else ()
        self.negations = frozenset(  # "don't" cleans to "do not": the negating word is the last one
            tokens(clean(n))[-1] for n in (*urgent, *(n for lang in faq.languages.values() for n in lang.negations))
            if clean(n)
        )
        self.entry_ids = tuple(e.id for e in faq.entries)
        # function and everyday words come from corpus frequencies; the FAQ's own concept words
        # are never function words, whatever their frequency ("water", "food", "sleep")
        concept_words = set(derived["single"])
        self.knowledge = knowledge
        self.function_words = knowledge.functions() - concept_words
        self.english_function_words = knowledge.functions(["en"]) - concept_words
        # an English concept word that is a function word of another language ("als", "mag"
        # in German) keeps that language's sense in a message written in it
        english_single = set(derived["english_single"])
        self._false_friends = {
            code: frozenset(english_single & knowledge.functions([code.split("-")[0]]) - set(own))
            for code, own in derived["own"].items()
        }
        # ...and a language's own concept word that is a frequent English word (Spanish "café")
        # keeps its concept in a message written in that language, though not in English, unless
        # it is a function word there too (Spanish "te", tea and "you")
        self._yielded = {
            code: {w: token for w, token in words.items() if w not in knowledge.functions([code.split("-")[0]])}
            for code, words in derived["yielded"].items()
        }
        self._english_only = {  # English function words that are none of the language's
            code: self.english_function_words - knowledge.functions([code.split("-")[0]]) for code in self._yielded
        }
        self.stopwords = self.function_words
        self.common_words = knowledge.everyday
        self.many_senses = knowledge.common

        self.row_entry = np.fromiter((i for i, _ in phrasings), dtype=np.intp, count=len(phrasings))
        # the words of the answers (slow to read in a big FAQ, so cached)
        answer_words = set(cached_json(
            "answers", [LEXICON_FORMAT, WORDS_FORMAT, "\x1f", *(e.answer for e in faq.entries)],
            lambda: _answer_vocabulary([e.answer for e in faq.entries]),
            lambda saved: isinstance(saved, list) and all(isinstance(w, str) for w in saved)))
        english_phrasings = [clean(p) for e in faq.entries for p in e.phrasings]
        english_written = {w for text in english_phrasings for w in text.split()} | answer_words
        known = set(self.word_frequency)
        known |= {stem(w) for w in answer_words}
        self.vocabulary = frozenset(known)
        self.languages = tuple(faq.languages)
        self._english_words = knowledge.english | {stem(w) for w in english_written} | set(derived["english_words"])
        # spelling is corrected towards what the FAQ answers, never towards an out-of-scope cue:
        # a wrong correction there ("sleep" → "sheep") would turn a good question away
        lexicon_words = set(derived["lexicon_words"])
        # ...and towards content words only: "weather" must not become "whether"
        # ...and towards English: thousands of foreign concept words would turn typos into them
        english_words = set(derived["english_concept_words"])
        english_known = {form for w in english_written for form in (w, stem(w))} & known
        self._spelling = sorted(w for w in english_known | english_words if len(w) >= 4 and w not in self.stopwords)
        # a typo that an alternative happens to contain ("cofee") is known, but still means a concept
        self._lexicon_words = frozenset(lexicon_words)
        self._glue_parts = self.vocabulary | self._lexicon_words  # what a run-together word's halves may be
        self._concept_spelling = sorted(w for w in english_words if len(w) >= 5 and w not in self.stopwords)

        # phrasings are read exactly as questions are; that reading is cached with what it reads
        # what reading a text depends on: the word lists, the phrasings, the answers (a cache of
        # something read with `analyse` is keyed on it)
        reading = [LEXICON_FORMAT, WORDS_FORMAT, derived["forms_key"], *every_phrase]
        self.words_key = digest([*reading, "\x1f", *cleaned, "\x1f", *(e.answer for e in faq.entries)])
        mapped = cached_json("mapped", [*reading, "\x1f", *cleaned],
                             lambda: [self._map(text) for text in cleaned],
                             lambda saved: isinstance(saved, list) and len(saved) == len(cleaned))
        self.word = fitted_space("word", mapped)
        self.char = fitted_space("char", cleaned)
        self.fuzzy_texts = [" ".join(w) for w in mapped]
        # the learned ranking has one class more than the entries: the FAQ's out-of-scope examples
        oos_texts = [clean(q) for q in faq.out_of_scope_examples]
        oos_mapped = [self._map(text) for text in oos_texts]
        intent_labels = np.r_[self.row_entry, np.full(len(oos_texts), len(faq.entries))].astype(np.intp)
        self.intent = IntentModel.build(
            lambda: (
                self.word.to_matrix(self.word.transform([*mapped, *oos_mapped])),
                self.char.to_matrix(self.char.transform([*cleaned, *oos_texts])),
            ),
            intent_labels, len(faq.entries) + 1, [*self.fuzzy_texts, "\x1f", *cleaned, "\x1f", *oos_texts],
        )
        self.subject_weight = _subject_specificity(faq, self.row_entry, mapped)
        # the words each entry's phrasings know; with its answer's (read when first needed), what it can explain
        phrase_words: list[set[str]] = [set() for _ in faq.entries]
        for entry, words in zip(self.row_entry.tolist(), mapped, strict=True):
            phrase_words[entry].update(words)
        self._phrase_words = tuple(frozenset(w) for w in phrase_words)
        self._answers = tuple(e.answer for e in faq.entries)
        self._entry_words: dict[int, frozenset[str]] = {}
        examples = [self._map(clean(q)) for q in faq.out_of_scope_examples]
        self.out_of_scope = (Postings.of_documents(self.word.transform(examples), len(self.word.vocabulary))
                             if examples else None)
        # rows are grouped by entry, so per-entry maxima are one reduceat away
        self._starts = np.flatnonzero(np.r_[True, self.row_entry[1:] != self.row_entry[:-1]])
        self._forms: dict[str, tuple[str, str, str]] = {}
        self._unglued: dict[str, str] = {}
        # words a red flag is made of are never split: "heartbeat" must stay whole
        flag_texts = red_flag_texts(faq)
        self.red_flag_words = frozenset(cached_json(
            "flagwords", [LEXICON_FORMAT, WORDS_FORMAT, *flag_texts],
            lambda: sorted({w for text in flag_texts for w in tokens(clean(text))}),
            lambda saved: isinstance(saved, list) and all(isinstance(w, str) for w in saved)))
        # the subjects' hints, as stems (see `Concept.hints`)
        self._hint_words = frozenset(stem(w) for c in faq.subjects.values() for h in c.hints for w in tokens(clean(h)))
        log.debug("index: %d entries, %d phrasings", len(self.entry_ids), len(phrasings))

    def entry_words(self, entry: int) -> frozenset[str]:
        """The words an entry knows, from its phrasings, concepts and answer: what it can explain."""
        known = self._entry_words.get(entry)
        if known is None:
            known = self._entry_words[entry] = self._phrase_words[entry] | self.answer_words(entry)
        return known

    def answer_words(self, entry: int) -> frozenset[str]:
        """The words of an entry's answer, read as questions are (stems, concepts mapped)."""
        return frozenset(self.mapper.map([stem(w) for w in clean(self._answers[entry]).split()]))

    @lru_cache(maxsize=65536)  # noqa: B019 - the index lives as long as the bot
    def _correct(self, word: str) -> str:
        """The FAQ word a misspelt word most likely meant, or the word itself.

        One edit (a letter added, dropped, changed, or two swapped) corrects a word towards the
        FAQ's concepts first, then its other words; more would turn real words into others
        ("chemist" is not "chemistry", "construction" not "contraction").
        """
        lemma = self._lemmas.get(word)
        if lemma is not None:
            return lemma
        if (len(word) < 5 or word in self._lexicon_words or word in self.stopwords or word in self.common_words
                or not word.isalpha()):
            return word
        concept = self._concept_spelling_index.nearest(word)
        if concept is not None:
            return concept
        if word in self.vocabulary:  # a real word, or a typo an alternative happens to contain
            return word
        return self._word_spelling_index.nearest(word) or word

    @cached_property
    def _concept_spelling_index(self) -> OneEdit:
        """Concept words, indexed for one-edit lookups (built when first needed)."""
        return OneEdit(self._concept_spelling)

    @cached_property
    def _word_spelling_index(self) -> OneEdit:
        """All content words, indexed for one-edit lookups: built for the first word no phrasing
        has, which in a big FAQ is not at load time."""
        return OneEdit(self._spelling)

    def _words(self, text: str) -> list[str]:
        """Cleaned text → stemmed, spelling-corrected words."""
        return [self._correct(w) for w in tokens(text)]

    def _map(self, text: str) -> list[str]:
        """Cleaned text → stemmed, spelling-corrected words with concepts mapped."""
        return self.mapper.map(self._words(text))

    def _word_forms(self, word: str) -> tuple[str, str, str]:
        """A written word's stem, its spelling-corrected stem, and that one's concept token."""
        forms = self._forms.get(word)
        if forms is None:
            if len(self._forms) >= _WORD_FORMS:
                self._forms = {}
            stemmed = stem(word)
            corrected = self._correct(stemmed)
            concept = self.mapper.canonical(corrected)
            # an English everyday word is itself ("discover"); another language's may be an
            # inflected form of a concept word ("evitarlo": evitar + lo)
            if concept == corrected and corrected not in self.vocabulary and (
                    corrected not in self.knowledge.english_everyday):
                concept = self._affixed(corrected) or concept
            forms = self._forms[word] = (stemmed, corrected, concept)
        return forms

    def _known(self, word: str) -> bool:
        """Is this a word the FAQ uses or an everyday one, an adverb made of one ("involuntarily"),
        or a typo of a very common English word ("nigt"): no unknown topic, whatever it is?"""
        if word in self.vocabulary or word in self.common_words:
            return True
        if word.endswith("ly") and len(word) > 5:
            base = word[:-3] + "y" if word.endswith("ily") else word[:-2]
            if base in self.vocabulary or base in self.common_words:
                return True
        return len(word) >= _TYPO_MIN and self._common_spelling_index.nearest(word) is not None

    @cached_property
    def _common_spelling_index(self) -> OneEdit:
        """English's very common words (`WordKnowledge.common`), indexed for one-edit lookups:
        built for the first word nothing knows."""
        return OneEdit(sorted(w for w in self.many_senses if len(w) >= _TYPO_MIN - 1 and w.isalpha()))

    def _affixed(self, word: str) -> str | None:
        """The concept of a word the FAQ knows inside an unknown one: an inflected form
        ("seğirmesini" → "seğirme") or the head of a compound ("wadenkrämpfe" → "krämpfe")."""
        if len(word) < AFFIX_MIN + 2 or not word.isalpha():
            return None
        for size in range(len(word) - 1, AFFIX_MIN - 1, -1):
            for part in (word[:size], word[-size:]):
                concept = self._affix_words.get(part)
                if concept is not None and (part == word[:size]) == (len(word) - size <= AFFIX_ENDING):
                    return concept
                if concept is not None and part == word[-size:] and len(word) - size >= 3:
                    return concept
        return None

    def _analyse(self, text: str, own: Mapping[str, str] = MappingProxyType({})) -> Analysis:
        """`own`: words that keep their meaning in the message's language, each with what it
        stands for there (itself: no English concept; or that language's concept token)."""
        forms = [self._word_forms(w) for w in text.split()]
        stems = [f[0] for f in forms]
        canonical = [own.get(f[0], f[2]) for f in forms]
        mapped = self.mapper.map_canonical(canonical)
        subjects: set[str] = set()
        facets: set[str] = set()
        out_of_scope: set[str] = set()
        named: set[str] = set()
        plain: list[str] = []
        concepts = 0
        for n, w in enumerate(mapped):
            if ":" not in w:
                if w not in self.stopwords:
                    plain.append(w)
                continue
            concepts += 1
            kind, name = w[:2], w[2:]
            if kind == SUBJECT:
                subjects.add(name)
                named.add(name)
            elif kind == FACET and not (n and mapped[n - 1] in self.negations):
                facets.add(name)  # a negated cue asks nothing of it: "won't stop" is no prevention
            elif kind == OUT_OF_SCOPE:
                out_of_scope.add(name)
            elif kind == SYNONYM:
                named.add(name)
        # a subject inside a longer phrase still counts: "how many mg of magnesium a day"
        subjects.update(c[2:] for c in canonical if c.startswith(SUBJECT))
        named.update(c[2:] for c in canonical if c.startswith((SUBJECT, SYNONYM)))
        out_of_scope |= self.out_of_scope_cues.find_in(stems)
        for spotter in self.signed_cues:
            out_of_scope |= spotter.find_in(stems)
        # "my sister's eyelid flutters, and now my calf does too" is still about the calf
        if out_of_scope and self.unless:
            out_of_scope = {f for f in out_of_scope if not named.intersection(self.unless.get(f, ()))}
        # a subject named by nothing but its hints is only hinted at ("I'm vegan"): read without
        # them, the message does not name it
        hinted: frozenset[str] = frozenset()
        if subjects and not self._hint_words.isdisjoint(f[1] for f in forms):
            hints = [f[1] if f[1] in self._hint_words else c for f, c in zip(forms, canonical, strict=True)]
            unhinted = set(self.mapper.map_canonical(hints)) | set(hints)
            hinted = frozenset(name for name in subjects if SUBJECT + name not in unhinted)
        return Analysis(
            text=text,
            stems=tuple(stems),
            words=tuple(mapped),
            hinted=hinted,
            subjects=frozenset(subjects),
            facets=frozenset(facets),
            out_of_scope=frozenset(out_of_scope),
            # an everyday word is never an unknown topic; a rare one may be ("metformin")
            unknown=tuple(w for w in plain if not w.isdigit() and not self._known(w)),
            content=len(plain) + concepts,
        )

    def analyse(self, question: str, lang: str | None = None) -> Analysis:
        """Clean, stem, spell-correct and concept-map one question.

        In a message of several sentences, out-of-scope facets count only where it asks:
        "I pack lunches for my two kids. Which foods have magnesium?" is not about children.
        """
        analysis = self._analyse_text(question)
        lang = lang or self._language(question, analysis)
        if "?" in question or "\uff1f" in question:
            analysis = replace(analysis, asks=True)
        # in German "als" and "mag" are everyday words, not ALS and magnesium
        stems = set(analysis.stems)
        own = {w: w for w in self._false_friends.get(lang, frozenset()) & stems}
        yielded = self._yielded.get(lang)
        if yielded and not stems & self._english_only.get(lang, frozenset()):  # not in a mixed message
            own.update((w, token) for w, token in yielded.items() if w in stems)
        if own:
            analysis = self._analyse_text(question, own)
        asking = asking_part(question)
        if asking is not None:
            asked = self._analyse_text(asking, own)
            # words the FAQ does not know count where the message asks, not in its context
            analysis = replace(analysis, asking=asked.words, out_of_scope=asked.out_of_scope & analysis.out_of_scope,
                               unknown=tuple(w for w in analysis.unknown if w in asked.unknown))
        return analysis if lang == ENGLISH else replace(analysis, lang=lang)

    def _language(self, question: str, analysis: Analysis) -> str:
        """English at a glance when the message is plain English words, else detected."""
        english = self._english_words
        stems = list(analysis.stems)
        if is_plain_english(question, stems, english.__contains__):
            return ENGLISH
        lang = detect(question, self.languages)
        if lang == ENGLISH or lang in self.languages or not question.isascii():
            return lang
        # a Latin-script language the FAQ lacks is believed only for a few words none of
        # which is English: a typo or a code ("31mred") is not Serbian
        return lang if len(stems) >= MIN_FOREIGN_WORDS and not any(map(english.__contains__, stems)) else ENGLISH

    def _analyse_text(self, question: str, own: Mapping[str, str] = MappingProxyType({})) -> Analysis:
        parts = sentences(question[:MAX_CHARS])  # as clean() cuts it: the bound on the work
        if len(parts) < 2:
            return self._analyse(self._words_of(question), own)
        # sentence by sentence (cleaning stays inside words), so it is known where each starts
        words = [self._words_of(part) for part in parts]
        lengths = [len(w.split()) for w in words]
        analysis = self._analyse(" ".join(w for w in words if w), own)
        return replace(analysis, breaks=tuple(itertools.accumulate(lengths))[:-1])

    def _words_of(self, text: str) -> str:
        """Cleaned text, run-together words split."""
        return " ".join(self._unglue(w) for w in clean(text).split())

    def _unglue(self, word: str) -> str:
        """A run-together word split in two ("lowmagnesium" → "low magnesium"), else the word."""
        split = self._unglued.get(word)
        if split is None:
            if len(self._unglued) >= _WORD_FORMS:
                self._unglued = {}
            split = self._unglued[word] = self._split(word)
        return split

    def _split(self, word: str) -> str:
        stemmed = stem(word)
        known = self._glue_parts
        if (len(word) < MIN_GLUED or not word.isalnum() or stemmed in known or stemmed in self.stopwords
                or stemmed in self.common_words or stemmed in self.red_flag_words
                or self.mapper.canonical(stemmed) != stemmed or self._correct(stemmed) != stemmed):
            return word
        for i in range(3, len(word) - 2):
            if word[:i] in _PREFIXES:  # "antidiuretic" is a word of its own
                continue
            left, right = stem(word[:i]), stem(word[i:])
            # one half names a subject or a synonym ("magnesium", "calf"), the other is a word we know
            if any(self.mapper.canonical(part).startswith((SUBJECT, SYNONYM)) for part in (left, right)) and all(
                part in known or part in self.function_words for part in (left, right)
            ):
                return f"{word[:i]} {word[i:]}"
        return word

    def score(self, questions: Sequence[str], lang: str | None = None) -> Scores:
        """Score every question against every entry (in blocks that bound memory).

        `lang` forces the questions' language (else each is detected).
        """
        return self.score_analyses([self.analyse(q, lang) for q in questions])

    def score_analyses(self, analyses: Sequence[Analysis]) -> Scores:
        """Score questions already analysed (a follow-up's analysis, completed from context)."""
        analyses = tuple(analyses)
        block = max(1, _BLOCK_CELLS // max(1, len(self.row_entry)))
        parts = [self._score_block(analyses[i : i + block]) for i in range(0, len(analyses), block)]
        if len(parts) == 1:
            word, char, fuzzy, intent, oos = parts[0]
        else:
            word, char, fuzzy, intent, oos = (np.concatenate(p) for p in zip(*parts, strict=True))
        return Scores(word=word, char=char, fuzzy=fuzzy, intent=intent[:, :-1], intent_out=intent[:, -1],
                      out_of_scope=oos, analyses=analyses)

    def _score_block(self, analyses: Sequence[Analysis]) -> tuple[Matrix, Matrix, Matrix, Matrix, Matrix]:
        words = self.word.transform(a.words for a in analyses)
        word = self.word.similarity(words)
        chars = self.char.transform(a.text for a in analyses)
        char = self.char.similarity(chars)
        if self.intent is not None:
            intent = self.intent.probabilities(words, chars)
        else:
            intent = np.zeros((len(analyses), len(self.entry_ids) + 1))
        # fuzzy matching is the slowest signal: only the best phrasings by TF-IDF get it
        fuzzy = np.zeros((len(analyses), len(self.entry_ids)))
        k = min(FUZZY_CANDIDATES, word.shape[1])
        candidates = np.argpartition(-(word + char), k - 1, axis=1)[:, :k]
        texts = self.fuzzy_texts
        queries = [a.mapped for a in analyses for _ in range(k)]
        ratios = process.cpdist(
            queries, [texts[col] for col in candidates.ravel().tolist()], scorer=FUZZY_SCORER, dtype=np.float64
        ).reshape(candidates.shape) / 100.0
        rows = np.repeat(np.arange(len(analyses)), k)
        np.maximum.at(fuzzy, (rows, self.row_entry[candidates.ravel()]), ratios.ravel())  # best per entry
        examples = self.out_of_scope
        oos = examples.dot(words).max(axis=1) if examples is not None else np.zeros(len(analyses))
        per_entry = self._starts
        return (
            np.maximum.reduceat(word, per_entry, axis=1),
            np.maximum.reduceat(char, per_entry, axis=1),
            fuzzy,
            intent,
            oos,
        )


def _answer_vocabulary(answers: Sequence[str]) -> list[str]:
    """The distinct cleaned words of all answers, each distinct word as written cleaned once:
    a big FAQ's answers repeat their words thousands of times."""
    written = set().union(*(answer.split() for answer in answers))
    return sorted({w for raw in written for w in clean(raw).split()})


def _subject_specificity(
    faq: FAQ, row_entry: npt.NDArray[np.intp], mapped: Sequence[Sequence[str]]
) -> dict[str, float]:
    """How well naming a subject identifies its entries, in [0, 1].

    A theme that questions about other entries mention too ("twitching" in a FAQ on calf
    twitching) identifies nothing (0); a subject only its own entries' phrasings name does (1).
    """
    named_by_others: dict[str, int] = dict.fromkeys(faq.subjects, 0)
    rows_of: dict[str, int] = dict.fromkeys(faq.subjects, 0)
    for entry, words in zip(row_entry.tolist(), mapped, strict=True):
        owners = faq.entries[entry].subjects
        for subject in owners:
            rows_of[subject] += 1
        for word in set(words):
            if word.startswith(SUBJECT) and word[2:] not in owners and word[2:] in named_by_others:
                named_by_others[word[2:]] += 1
    total = len(row_entry)
    return {
        s: float(np.clip(1.0 - named_by_others[s] / max(1, total - rows_of[s]) / 0.1, 0.0, 1.0))
        for s in faq.subjects
    }


_SECTION_PREFIX = {"subjects": SUBJECT, "facets": FACET, "out_of_scope": OUT_OF_SCOPE, "synonyms": SYNONYM}


def _add_languages(faq: FAQ, lexicon: dict[str, list[str]], english: frozenset[str]) -> dict[str, dict[str, str]]:
    """Add each language's words for the FAQ's concepts to `lexicon` (concept token → phrases);
    return, by language, the single words left out as English ones (word → concept token).

    A phrase that is already another concept's English phrase keeps its English meaning, and
    so does a single word that is a frequent English word ("pain" is not French bread here;
    Spanish "café" is coffee only in a Spanish message, see `Index.analyse`).
    A phrase of several words that holds an out-of-scope word ("göz seğirmesi", an eye that
    twitches, listed as twitching) is left out of the concepts the FAQ answers: matched by its
    words' concepts, it would also swallow "eyelid twitch".
    """
    known = {" ".join(phrase_tokens(p)): c for c, phrases in lexicon.items() for p in phrases}
    out_of_scope = {
        words[0] for concept, phrases in lexicon.items() if concept.startswith(OUT_OF_SCOPE)
        for words in map(phrase_tokens, phrases) if len(words) == 1
    }
    out_of_scope |= {
        words[0] for language in faq.languages.values() for found in language.words.get("out_of_scope", {}).values()
        for words in map(phrase_tokens, found) if len(words) == 1
    }
    yielded: dict[str, dict[str, str]] = {}
    for language in faq.languages.values():
        for section, concepts in language.words.items():
            prefix = _SECTION_PREFIX[section]
            for name, words in concepts.items():
                token = prefix + name
                for word in words:
                    tokens_of = phrase_tokens(word)
                    if prefix != OUT_OF_SCOPE and len(tokens_of) > 1 and out_of_scope.intersection(tokens_of):
                        continue
                    owner = known.get(" ".join(tokens_of))
                    if owner == token or (owner is None and not (len(tokens_of) == 1 and tokens_of[0] in english)):
                        lexicon.setdefault(token, [name]).append(word)
                    elif owner is None and prefix != OUT_OF_SCOPE:
                        yielded.setdefault(language.code, {})[tokens_of[0]] = token
    return yielded


def _phrasings(faq: FAQ, entry_id: str, english: Sequence[str]) -> list[str]:
    """An entry's phrasings: the English ones, then those of each language that translates it."""
    out = list(english)
    for language in faq.languages.values():
        translation = language.entries.get(entry_id)
        if translation is not None:
            out.extend(translation.phrasings)
    return out


def _own_words(language: Language) -> set[str]:
    """The single words a language's own lexicon gives to the FAQ's concepts."""
    single = (phrase_tokens(w) for concepts in language.words.values() for words in concepts.values() for w in words)
    return {words[0] for words in single if len(words) == 1}


def _every_phrase(faq: FAQ) -> list[str]:
    """Every word-list phrase of a FAQ, in every language (what `phrase_tokens` will be asked)."""
    phrases = [p for group in (faq.subjects, faq.facets, faq.out_of_scope_facets) for c in group.values()
               for p in (c.name, *c.words, *c.hints)]
    phrases += [p for name, words in faq.synonyms.items() for p in (name, *words)]
    phrases += [p for s in faq.smalltalk for p in s.patterns]
    phrases += [*(faq.urgent.negations if faq.urgent else ()), *red_flag_texts(faq)]
    for language in faq.languages.values():
        phrases += [w for concepts in language.words.values() for words in concepts.values() for w in words]
        phrases += language.negations
        phrases += [p for found in language.smalltalk_patterns.values() for p in found]
    return phrases
