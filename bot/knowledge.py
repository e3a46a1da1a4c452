"""Read and validate a FAQ file into frozen, typed objects.

`load_faq(path)` returns a `FAQ`; any problem raises `FAQFormatError` with the file and line,
e.g. ``faq.yaml:42: entry 'magnesium-foods': 'alternatives' must be a list of strings``, and
with every other problem the same run found as its `problems` (what `faqbot check` prints).
The YAML itself is read safely by `bot.yamlnodes`; this module knows the format
(docs/faq-format.md): the keys and their types, and the rules across the file (unique ids
and phrasings, declared subjects and facets, no word naming two concepts).
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from .errors import FAQFormatError
from .fields import Fields, Problems, Where, as_number, describe, suggest
from .language import ENGLISH
from .languages import Language, read_languages
from .model import CALIBRATION_NAMES, PLAIN_MODEL, RANKING, uses_intent
from .normalise import clean, tokens
from .tables import TABLE_SUFFIXES, read_table
from .yamlnodes import CORE, Map, Node, Scalar, Seq, is_null, read_yaml, size_limit

log = logging.getLogger(__name__)
ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

_TOP_REQUIRED = ("version", "entries")
_TOP_OPTIONAL = ("fallback", "disclaimer", "subjects", "facets", "urgent", "smalltalk", "synonyms", "out_of_scope",
                 "thresholds", "languages")
_COUNT = re.compile(r"[0-9]{1,9}\+")  # a sign's word for "this many or more"
_AT_MOST = re.compile(r"[0-9]{1,9}-")  # ...and for "this many or fewer" ("15-": any age up to 15)
_MAPPINGS = ("subjects", "facets", "synonyms", "out_of_scope_facets", "calibration", "ranking", "languages")
_ENTRY_REQUIRED = ("question", "answer")
_ENTRY_OPTIONAL = ("id", "subjects", "facet", "section", "alternatives", "related", "also_tells")
ID_LENGTH = 60  # letters kept of a question to make an id from it
# What a FAQ without its own `fallback` says when it has no answer.
PLAIN_FALLBACK = "Sorry, I don't have an answer to that. Please try asking in other words."

# (owner, text, line): a phrase and where it came from, for the checks across the file.
_Located = tuple[str, str, int]


@dataclass(frozen=True, slots=True)
class Entry:
    """One curated answer and the ways people ask for it."""

    id: str
    question: str
    answer: str
    subjects: tuple[str, ...] = ()  # none in a plain FAQ: the near-miss rules skip the entry
    facet: str = ""
    section: str = ""
    alternatives: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    line: int = 0
    # facets its answer tells besides its own: the diet plan, about prevention, tells foods too
    also_tells: tuple[str, ...] = ()

    @property
    def facets(self) -> tuple[str, ...]:
        """Its facet and those it also tells (none in a plain FAQ)."""
        return (self.facet, *self.also_tells) if self.facet else self.also_tells

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question followed by every alternative."""
        return (self.question, *self.alternatives)


@dataclass(frozen=True, slots=True)
class Concept:
    """A subject or facet: a name, how the bot says it, and the words that cue it."""

    name: str
    label: str
    words: tuple[str, ...]
    default: bool = False
    unless: tuple[str, ...] = ()  # out-of-scope facets: subjects or synonyms that keep a question ours
    # out-of-scope facets: words that stand for each other in its cues ("double my pills" is
    # also "halve my meds" when `double` and `pills` are signs)
    signs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # subjects: words that point to the subject without naming it ("vegan" to B12): they name it
    # in a question, but in a conversation about another subject they are a remark about the
    # person ("I'm vegan though, does that list still work?"), not a change of subject
    hints: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type[Concept], tuple[object, ...]]:
        """Pickle with a plain dict (a mappingproxy cannot be pickled)."""
        return Concept, (self.name, self.label, self.words, self.default, self.unless, dict(self.signs), self.hints)


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """A small-talk intent: whole-message patterns and a reply."""

    id: str
    patterns: tuple[str, ...]
    reply: str
    closes: bool = False  # a closer ("thanks", "bye"): small talk even with more words after it
    opens: bool = False  # an opener ("hi"): small talk with a few words after it that ask nothing of the FAQ


@dataclass(frozen=True, slots=True)
class Urgent:
    """Red flags checked before retrieval, and the message they trigger.

    `red_flags` maps each flag's name to its phrases. `signs` maps a sign's name to the words
    for it, in any language: a phrase's word that is one of a sign's words stands for all of
    them, so "swollen calf" is also "puffy leg" and "pantorrilla hinchada".
    """

    message: str
    red_flags: Mapping[str, tuple[str, ...]]
    negations: tuple[str, ...] = ()
    signs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    figurative: tuple[str, ...] = ()  # words that make a red flag near them a figure of speech ("lol")
    clause_breaks: tuple[str, ...] = ()  # words that start a new clause: a negation before one does not reach past it
    past: tuple[str, ...] = ()  # phrases that make a red flag in their clause history ("years ago", "ruled out")
    negating_after: tuple[str, ...] = ()  # words that negate the red flag right before them ("seizure-free")
    general: tuple[str, ...] = ()  # question frames right before a red flag that ask about it in general
    examples: tuple[str, ...] = ()  # messages that need urgent care, for the learned detector (`bot.urgent_model`)
    look_alikes: tuple[str, ...] = ()  # messages with alarming words that do not

    def __reduce__(self) -> tuple[type[Urgent], tuple[object, ...]]:
        """Pickle with plain dicts (a mappingproxy cannot be pickled)."""
        return Urgent, (self.message, dict(self.red_flags), self.negations, dict(self.signs), self.figurative,
                        self.clause_breaks, self.past, self.negating_after, self.general, self.examples,
                        self.look_alikes)

    @property
    def phrases(self) -> tuple[str, ...]:
        """Every red-flag phrase, of every flag."""
        return tuple(p for found in self.red_flags.values() for p in found)


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds; defaults chosen from measurements (see README)."""

    answer: float = 0.5
    clarify: float = 0.3
    margin: float = 0.08
    urgent: float = 0.95  # the learned red-flag detector's probability that makes a message urgent


@dataclass(frozen=True, slots=True)
class FAQ:
    """A whole validated FAQ file; its mappings are read-only views."""

    path: str
    fallback: str
    entries: tuple[Entry, ...]
    subjects: Mapping[str, Concept]
    facets: Mapping[str, Concept]
    synonyms: Mapping[str, tuple[str, ...]]
    out_of_scope_facets: Mapping[str, Concept]
    out_of_scope_examples: tuple[str, ...]
    urgent: Urgent | None
    smalltalk: tuple[SmallTalk, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)
    calibration: Mapping[str, float] = field(default_factory=dict)
    ranking: Mapping[str, float] = field(default_factory=dict)  # `bot.model.RANKING` → weight
    languages: Mapping[str, Language] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # what `faqbot check` says that is not a problem ("file:line: ...")
    disclaimer: str = ""  # what to show readers of the replies (a health FAQ's "not medical advice"); may be empty

    def __post_init__(self) -> None:
        for name in _MAPPINGS:  # read-only views, so a shared FAQ cannot be changed
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))

    def __reduce__(self) -> tuple[type[FAQ], tuple[object, ...]]:
        """Pickle with plain dicts (a mappingproxy cannot be pickled)."""
        values = (getattr(self, f.name) for f in fields(self))
        return FAQ, tuple(dict(v) if isinstance(v, Mapping) else v for v in values)

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; raises KeyError if there is none."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def red_flag_phrases(faq: FAQ) -> dict[str, list[str]]:
    """Every red flag's phrases, in every language, by the flag's name."""
    flags: dict[str, list[str]] = {}
    for found in [faq.urgent.red_flags if faq.urgent else {}, *(lang.red_flags for lang in faq.languages.values())]:
        for name, phrases in found.items():
            flags.setdefault(name, []).extend(phrases)
    return flags


def red_flag_signs(faq: FAQ) -> dict[str, list[str]]:
    """Every sign's words, in every language, by the sign's token (``~`` and its name)."""
    signs: dict[str, list[str]] = {}
    for found in [faq.urgent.signs if faq.urgent else {}, *(lang.signs for lang in faq.languages.values())]:
        for name, words in found.items():
            signs.setdefault(f"~{name}", []).extend(words)
    return signs


def red_flag_counts(faq: FAQ) -> list[int]:
    """The counts that signs' words such as ``10+`` stand for, with every larger one."""
    return sign_counts(red_flag_signs(faq).values())[0]


def sign_counts(signs: Iterable[Sequence[str]]) -> tuple[list[int], list[int]]:
    """The counts that signs' words stand for with every larger one (``10+``), and those that
    stand for every smaller one (``15-``)."""
    words = [w for found in signs for w in found]
    return (sorted({int(w[:-1]) for w in words if _COUNT.fullmatch(w)}),
            sorted({int(w[:-1]) for w in words if _AT_MOST.fullmatch(w)}))


def red_flag_texts(faq: FAQ) -> list[str]:
    """Every text the red flags are made of: the phrases' parts and the signs' words."""
    return _flag_texts(red_flag_phrases(faq), red_flag_signs(faq))


def red_flag_texts_by_language(faq: FAQ) -> dict[str, list[str]]:
    """The same, each language's apart (English: ``urgent``'s own)."""
    urgent = faq.urgent
    texts = {ENGLISH: _flag_texts(urgent.red_flags, urgent.signs) if urgent else []}
    texts.update({code: _flag_texts(lang.red_flags, lang.signs) for code, lang in faq.languages.items()})
    return texts


def _flag_texts(flags: Mapping[str, Sequence[str]], signs: Mapping[str, Sequence[str]]) -> list[str]:
    phrases = [part for found in flags.values() for p in found for part in p.split(" + ")]
    return phrases + [w for words in signs.values() for w in words]


def bundled_faq_path() -> Path:
    """Where the FAQ shipped with the package lives (in a wheel, or in the source tree)."""
    here = Path(__file__).resolve().parent
    installed = here / "faq.yaml"
    return installed if installed.exists() else here.parent / "faq.yaml"


def load_faq(path: str | Path | None = None, *, max_bytes: int | Literal["setting"] | None = "setting") -> FAQ:
    """Load and validate a FAQ file (the bundled one by default): YAML, or a plain list of
    questions and answers as ``.csv`` or ``.jsonl`` (docs/faq-format.md).

    `max_bytes` bounds the file's size: by default `FAQBOT_MAX_FAQ_MB` (megabytes), else 5 MB;
    None: no limit.
    Raises `FAQFormatError` (with path and line) for the first problem, with every problem
    the run found as its `problems`: a file that is not YAML or not a version 1 FAQ stops
    at that one problem; otherwise every part is checked, even after another is broken.
    """
    path = Path(path) if path is not None else bundled_faq_path()
    if max_bytes == "setting":
        max_bytes = size_limit()
    from . import faqcache  # here: it builds on this module

    try:
        small_enough = max_bytes is None or path.stat().st_size <= max_bytes
    except OSError:
        small_enough = False  # reading says why
    faq = faqcache.cached(path) if small_enough else None
    if faq is None:
        faq = _read_faq(path, max_bytes)
        faqcache.keep(path, faq)
    return faq


def _read_faq(path: Path, max_bytes: int | None) -> FAQ:
    where = Where(str(path))
    root = read_table(path, max_bytes) if path.suffix.lower() in TABLE_SUFFIXES else read_yaml(path, max_bytes)
    if root is None:
        raise where.error(1, "the file is empty")
    if isinstance(root, Seq) and root.items and all(isinstance(item, Map) for item in root.items):
        # a YAML file that is just the list of entries
        root = Map(root.line, {"version": (root.line, Scalar("1", CORE + "int", root.line)),
                               "entries": (root.line, root)})
    _check_version(root, where)
    problems = Problems()
    top = Fields(root, where, _TOP_REQUIRED, _TOP_OPTIONAL, problems=problems)
    fallback = top.text("fallback") or PLAIN_FALLBACK
    words: list[_Located] = []
    subjects = _concepts(top, "subjects", "subject", words)
    facets = _concepts(top, "facets", "facet", words)
    synonyms = _synonyms(top, words)
    oos_node = top.mapping("out_of_scope") or Map(top.line)
    oos = Fields(oos_node, where.about("out_of_scope"), (), ("facets", "examples"), problems=problems)
    oos_facets = _concepts(oos, "facets", "out_of_scope facet", words)
    _check_unless(oos, oos_facets, {*subjects, *synonyms})
    examples = oos.texts("examples", allow_empty=True)
    _check_unique(top, words, "word", key=lambda text: " ".join(tokens(clean(text))))
    entries, phrasings = _entries(top, subjects, facets)
    phrasings += [("out_of_scope examples", text, line) for text, line in examples]
    shared: list[str] = []  # a question two entries both have: they cannot be told apart
    _check_unique(top, phrasings, "phrasing", key=clean, repeats=True, shared=shared)
    learned = uses_intent(len(entries), len(examples))  # does the FAQ get a learned ranking?
    plain = plain_model(learned)
    thresholds, calibration, ranking = _thresholds(top) if top.get("thresholds") else (plain[0], {}, {})
    calibration = {**plain[1], **calibration}  # a weight not given is the plain FAQs' one
    ranking = {**plain[2], **ranking}
    urgent, smalltalk = _urgent(top), _smalltalk(top)
    known = {
        "subjects": set(subjects), "facets": set(facets), "synonyms": set(synonyms),
        "out_of_scope": set(oos_facets), "entries": {e.id for e in entries}, "smalltalk": {s.id for s in smalltalk},
        "red_flags": set(urgent.red_flags if urgent else ()), "signs": set(urgent.signs if urgent else ()),
    }
    languages = read_languages(top, known)
    problems.raise_any()
    log.info("read %s: %d entries, %d phrasings", path, len(entries), sum(len(e.phrasings) for e in entries))
    return FAQ(
        path=str(path),
        fallback=fallback,
        disclaimer=top.text("disclaimer"),
        entries=entries,
        subjects=subjects,
        facets=facets,
        synonyms=synonyms,
        out_of_scope_facets=oos_facets,
        out_of_scope_examples=tuple(text for text, _ in examples),
        urgent=urgent,
        smalltalk=smalltalk,
        thresholds=thresholds,
        calibration=calibration,
        ranking=ranking,
        languages=languages,
        warnings=(*_plain_warning(where, entries), *_shared_warning(where, shared)),
    )


Model = tuple[Thresholds, dict[str, float], dict[str, float]]  # thresholds, calibration, ranking


def plain_model(learned: bool = True) -> Model:
    """The thresholds, confidence weights and ranking weights of a FAQ that has none of its
    own: fitted on plain FAQs (tools/calibrate.py --plain), shipped as `bot/plain_model.yaml`;
    `learned` False: its variant for FAQs without the learned ranking (over `MAX_INTENT_ENTRIES`)."""
    thresholds, calibration, ranking = _read_plain_model(learned)
    return thresholds, dict(calibration), dict(ranking)


@functools.cache  # read once per process, however many FAQs are loaded
def _read_plain_model(learned: bool) -> Model:
    where = Where(str(PLAIN_MODEL))
    root = read_yaml(PLAIN_MODEL)
    top = Fields(root or Map(1), where, ("thresholds", "without_intent"))
    if learned:
        model = _thresholds(top)
    else:
        variant = top.mapping("without_intent")
        assert variant is not None  # required above
        model = _thresholds(Fields(variant, where.about("without_intent"), ("thresholds",)))
    missing = [name for name in (*RANKING, *sorted(CALIBRATION_NAMES)) if name not in {**model[1], **model[2]}]
    if missing:  # the shipped file gives every weight: FAQs take the ones they leave out from it
        raise FAQFormatError(PLAIN_MODEL, None, f"weights missing: {', '.join(missing)}")
    return model


def _shared_warning(where: Where, shared: Sequence[str]) -> tuple[str, ...]:
    """One line for the phrasings that more than one entry has (an imported FAQ's repeats)."""
    if not shared:
        return ()
    more = f" (and {len(shared) - 1} more)" if len(shared) > 1 else ""
    return (f"{where.path}:{shared[0]}{more}; faqbot answers such a question with the first entry",)


def _plain_warning(where: Where, entries: Sequence[Entry]) -> tuple[str, ...]:
    """One line when entries have no subjects: the near-miss rules cannot protect them."""
    plain = [e for e in entries if not e.subjects]
    if not plain:
        return ()
    which = "no entry has" if len(plain) == len(entries) else f"{len(plain)} of {len(entries)} entries have no"
    return (f"{where.path}:{plain[0].line}: {which} subjects or facets, so the near-miss rules that need "
            "them are off there (docs/faq-format.md)",)


def _check_version(root: Node, where: Where) -> None:
    """Refuse anything but a mapping with ``version: 1``, before reading the rest."""
    if not isinstance(root, Map):
        what = "a mapping of keys such as 'version' and 'entries'"
        raise where.error(root.line, f"the file must be {what}, not {describe(root)}")
    line, node = root.pairs.get("version", (root.line, None))
    if node is None:
        raise where.error(line, "missing required key 'version'")
    if not (isinstance(node, Scalar) and node.tag.endswith(":int") and as_number(node) == 1):
        raise where.error(node.line, f"unsupported version {describe(node)} (only 1 is supported)")


def _concepts(parent: Fields, key: str, kind: str, words: list[_Located]) -> dict[str, Concept]:
    """``{name: {label, words, default?}}`` as Concepts; adds their words to `words`.

    `default` is allowed for subjects and facets, true for at most one of each. A concept
    that is not a mapping is kept by name (its problem recorded), so that the entries naming
    it are not reported as naming an undeclared one.
    """
    node = parent.mapping(key)
    if node is None:
        return {}
    optional = ("unless", "signs") if kind.startswith("out_of_scope") else (
        ("default", "hints") if kind == "subject" else ("default",))
    concepts: dict[str, Concept] = {}
    default: tuple[str, int] | None = None
    for name, (name_line, spec) in node.pairs.items():
        owner = f"{kind} '{name}'"
        item = _fields(parent, spec, parent.where.about(owner), ("label", "words"), optional, name_line)
        if item is None:
            concepts[name] = Concept(name, name, ())
            continue
        found = item.texts("words", allow_empty=True)
        words.extend((owner, text, line) for text, line in found)
        label, default_flag = item.text("label"), item.flag("default")
        unless = tuple(t for t, _ in item.texts("unless")) if "unless" in optional else ()
        signs = item.groups("signs") if "signs" in optional else {}
        hints = item.texts("hints", allow_empty=True) if "hints" in optional else []
        for text, line in hints:
            if len(tokens(clean(text))) != 1:
                item.fail(line, f"{owner}: hint '{text}' must be one word")
        words.extend((owner, text, line) for text, line in hints)
        sign_words = [(f"{owner}: sign '{sign}'", t, n) for sign, texts in signs.items() for t, n in texts]
        _check_unique(item, sign_words, "word", key=lambda text: " ".join(tokens(clean(text))))
        concept = Concept(name, label, tuple(t for t, _ in found), default_flag, unless,
                          MappingProxyType({sign: tuple(t for t, _ in texts) for sign, texts in signs.items()}),
                          tuple(t for t, _ in hints))
        if concept.default:
            line = item.node.pairs["default"][0]
            if default is not None:
                both = f"{kind}s '{default[0]}' (line {default[1]}) and '{name}'"
                parent.fail(line, f"{both} both have default: true; only one may")
            default = default or (name, line)
        concepts[name] = concept
    return concepts


def _check_unless(parent: Fields, facets: Mapping[str, Concept], known: set[str]) -> None:
    """Every name under an out-of-scope facet's `unless` is a subject or a synonym group."""
    node = parent.mapping("facets")
    for name, facet in facets.items():
        for other in facet.unless:
            if other not in known:
                line = node.pairs[name][0] if node is not None else parent.node.line
                message = f"out_of_scope facet '{name}': 'unless' names '{other}', which is not a subject or synonym"
                parent.fail(line, message)


def _synonyms(top: Fields, words: list[_Located]) -> dict[str, tuple[str, ...]]:
    """``{name: [word, ...]}``; each name and its words are added to `words`."""
    node = top.mapping("synonyms")
    if node is None:
        return {}
    groups = Fields(node, top.where.about("synonyms"), None, problems=top.problems)
    synonyms: dict[str, tuple[str, ...]] = {}
    for name, (line, _) in node.pairs.items():
        found = groups.texts(name)
        owner = f"synonym '{name}'"
        words.append((owner, name, line))
        words.extend((owner, text, at) for text, at in found)
        synonyms[name] = tuple(text for text, _ in found)
    return synonyms


def _entries(
    top: Fields, subjects: Mapping[str, Concept], facets: Mapping[str, Concept]
) -> tuple[tuple[Entry, ...], list[_Located]]:
    """Every entry, checked against the declared subjects and facets, and all phrasings.

    Also checks that `related` names existing entries and every subject has an entry. An
    entry with a problem is left out, after all its problems are recorded.
    """
    entries: list[Entry] = []
    first_line: dict[str, int] = {}
    phrasings: list[_Located] = []
    related: list[tuple[Fields, str, str, int]] = []
    problems = top.problems
    named: set[str] = set()  # the subjects of every entry read, with problems or not
    unread = False  # an entry too broken to say its subjects
    nodes = top.items("entries")
    given = {_given_id(node) for node in nodes} - {None}  # derived ids must not take these
    for number, node in enumerate(nodes, 1):
        item = _fields(top, node, _name(top.where, node, "entry", number), _ENTRY_REQUIRED, _ENTRY_OPTIONAL)
        if item is None:
            unread = True
            continue
        before = len(problems.found) if problems else 0
        if item.get("id") is None and not _lacks_text(item, "question"):
            entry_id = derive_id(item.text("question"), first_line, given)
            first_line[entry_id] = item.line
        else:
            entry_id = _read_id(item, first_line)
        entry_subjects = _subjects(item, subjects)
        named.update(entry_subjects)
        facet, facet_line = item.text_at("facet")
        _check_declared(item, facet, facets, "facet", facet_line)
        also = item.texts("also_tells", allow_empty=True)
        told = {facet}
        for other, line in also:
            _check_declared(item, other, facets, "facet", line)
            if other in told:
                item.fail(line, f"'also_tells' repeats facet '{other}'")
            told.add(other)

        question, question_line = item.text_at("question")
        alternatives = item.texts("alternatives", allow_empty=True)
        links = item.texts("related", allow_empty=True)
        section, answer = item.text("section"), item.text("answer")
        owner = f"entry '{entry_id}'"
        phrasings.extend((owner, text, line) for text, line in [(question, question_line), *alternatives]
                         if text)  # a missing question is one problem, not also an empty phrasing
        related.extend((item, entry_id, text, line) for text, line in links)
        if problems and len(problems.found) > before:
            unread = unread or not entry_subjects
            continue
        entries.append(
            Entry(
                id=entry_id,
                subjects=entry_subjects,
                facet=facet,
                section=section,
                question=question,
                alternatives=tuple(text for text, _ in alternatives),
                answer=answer,
                related=tuple(text for text, _ in links),
                line=item.line,
                also_tells=tuple(dict.fromkeys(text for text, _ in also)),
            )
        )
    for entry_item, entry_id, other, line in related:
        if other not in first_line:
            hint = suggest(other, [name for name in first_line if name != entry_id])
            entry_item.fail(line, f"'related' names unknown entry '{other}'{hint}")
        elif other == entry_id:
            entry_item.fail(line, "'related' names the entry itself")
    for name, (line, _) in (top.mapping("subjects") or Map(0)).pairs.items():
        if name not in named and not unread:
            top.fail(line, f"subject '{name}' has no entry")
    return tuple(entries), phrasings


def derive_id(question: str, taken: Mapping[str, int] | set[str], given: set[str | None]) -> str:
    """The id of an entry that has none: its question's letters and digits, lower case,
    joined by dashes and cut at a word near `ID_LENGTH` ("What is X?" → "what-is-x"); a
    question that gives no such letters is ``entry-<hash>``. The first question to give an
    id keeps it; later ones add "-2", "-3"... So ids stay as long as questions and their
    order do: give `id` explicitly where links or logs must outlive edits.
    """
    folded = unicodedata.normalize("NFKD", question.casefold()).encode("ascii", "ignore").decode()
    slug = "-".join(re.findall(r"[a-z0-9]+", folded))
    if len(slug) > ID_LENGTH:
        slug = slug[: slug.rfind("-", 0, ID_LENGTH + 1)] if "-" in slug[:ID_LENGTH] else slug[:ID_LENGTH]
    if not slug:
        slug = "entry-" + hashlib.sha256(question.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    candidate, n = slug, 1
    while candidate in taken or candidate in given:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate


def _given_id(node: Node) -> str | None:
    """The id an entry's node states, if it states one as text."""
    pair = node.pairs.get("id") if isinstance(node, Map) else None
    return pair[1].text.strip() if pair and isinstance(pair[1], Scalar) and not is_null(pair[1]) else None


def _lacks_text(item: Fields, key: str) -> bool:
    """Is `key` of this mapping missing or not text? (Then no id is derived from it.)"""
    pair = item.node.pairs.get(key)
    return pair is None or not isinstance(pair[1], Scalar) or is_null(pair[1]) or not pair[1].text.strip()


def _fields(parent: Fields, node: Node, where: Where, required: tuple[str, ...],
            optional: tuple[str, ...] = (), line: int | None = None) -> Fields | None:
    """A nested mapping read like `parent` (recording problems if it does), or None when it is
    not a mapping and the problem is recorded."""
    try:
        return Fields(node, where, required, optional, line, problems=parent.problems)
    except FAQFormatError as error:
        if parent.problems is None:
            raise
        parent.problems.add(error)
        return None


def _name(where: Where, node: Node, kind: str, number: int) -> Where:
    """Errors about an item name it by its id if it has one, else by its number."""
    pair = node.pairs.get("id") if isinstance(node, Map) else None
    if pair and isinstance(pair[1], Scalar) and not is_null(pair[1]) and pair[1].text.strip():
        return where.about(f"{kind} '{pair[1].text.strip()}'")
    return where.about(f"{kind} {number}")


def _read_id(item: Fields, first_line: dict[str, int]) -> str:
    """A well-formed id not seen before; records its line in `first_line`."""
    item_id = item.text("id")
    if not item_id:
        return item_id
    if not ID_PATTERN.fullmatch(item_id):
        message = f"id '{item_id}' must be lowercase letters and digits joined by dashes"
        item.fail(item.line, message)
    if item_id in first_line:
        message = f"duplicate id '{item_id}' (first at line {first_line[item_id]})"
        item.fail(item.line, message)
    else:  # a malformed id too: 'related' naming it is not a second problem
        first_line[item_id] = item.line
    return item_id


def _subjects(item: Fields, known: Mapping[str, Concept]) -> tuple[str, ...]:
    """An entry's subjects: each declared, none listed twice."""
    names: list[str] = []
    for name, line in item.texts("subjects"):
        _check_declared(item, name, known, "subject", line)
        if name in names:
            item.fail(line, f"subject '{name}' is listed twice")
        else:
            names.append(name)
    return tuple(names)


def _check_declared(
    item: Fields, name: str, known: Mapping[str, Concept], kind: str, line: int
) -> None:
    if name and name not in known:
        message = f"{kind} '{name}' is not declared under '{kind}s'{suggest(name, known)}"
        item.fail(line, message)


def _check_unique(
    where: Fields,
    located: Iterable[_Located],
    what: str,
    *,
    key: Callable[[str], str],
    repeats: bool = False,
    shared: list[str] | None = None,
) -> None:
    """No text (compared by `key`) under two owners, nor twice under one if `repeats`.

    A text that normalises to nothing is refused too: it could never match. Given `shared`,
    a text under two entries is not a problem but noted there ("line: what").
    """
    seen: dict[str, tuple[str, int]] = {}
    for owner, text, line in located:
        norm = key(text)
        if not norm:
            where.fail(line, f"{owner}: {what} '{text}' has no letters or digits")
        elif norm not in seen:
            seen[norm] = (owner, line)
        elif seen[norm][0] != owner:
            first_owner, first_line = seen[norm]
            message = f"{owner}: {what} '{text}' is also under {first_owner} (line {first_line})"
            if shared is not None and owner.startswith("entry") and first_owner.startswith("entry"):
                shared.append(f"{line}: {message}")
            else:
                where.fail(line, message)
        elif repeats:
            where.fail(line, f"{owner}: {what} '{text}' is repeated (first at line {seen[norm][1]})")


def _urgent(top: Fields) -> Urgent | None:
    """``urgent: {message, red_flags, signs?, negations?, figurative?, clause_breaks?, past?,
    negating_after?, general?, examples?, look_alikes?}``, or None.

    `red_flags` maps names to phrases (or is a list: each phrase its own flag); `signs` maps
    names to words. No phrase under two flags, no word under two signs.
    """
    node = top.mapping("urgent")
    if node is None:
        return None
    item = _fields(top, node, top.where.about("urgent"), ("message", "red_flags"),
                   ("negations", "signs", "figurative", "clause_breaks", "past", "negating_after", "general",
                    "examples", "look_alikes"))
    if item is None:
        return None
    flags = item.groups("red_flags", list_allowed=True)
    signs = item.groups("signs")
    negations = item.texts("negations", allow_empty=True)
    figurative = item.texts("figurative", allow_empty=True)
    past = item.texts("past", allow_empty=True)
    negating_after = item.texts("negating_after", allow_empty=True)
    general = item.texts("general", allow_empty=True)
    located = [(f"red flag '{name}'", t, n) for name, found in flags.items() for t, n in found]
    located += [("'negations'", t, n) for t, n in negations]
    located += [("'figurative'", t, n) for t, n in figurative]
    located += [("'past'", t, n) for t, n in past]
    located += [("'negating_after'", t, n) for t, n in negating_after]
    located += [("'general'", t, n) for t, n in general]
    _check_unique(item, located, "phrase", key=lambda text: " ".join(tokens(clean(text))))
    examples = item.texts("examples", allow_empty=True)
    look_alikes = item.texts("look_alikes", allow_empty=True)
    messages = [("'examples'", t, n) for t, n in examples] + [("'look_alikes'", t, n) for t, n in look_alikes]
    _check_unique(item, messages, "message", key=lambda text: " ".join(tokens(clean(text))))
    sign_words = [(f"sign '{name}'", t, n) for name, found in signs.items() for t, n in found]
    _check_unique(item, sign_words, "word", key=lambda text: " ".join(tokens(clean(text))))
    return Urgent(
        message=item.text("message"),
        red_flags=MappingProxyType({name: tuple(t for t, _ in found) for name, found in flags.items()}),
        negations=tuple(text for text, _ in negations),
        signs=MappingProxyType({name: tuple(t for t, _ in found) for name, found in signs.items()}),
        figurative=tuple(text for text, _ in figurative),
        clause_breaks=tuple(text for text, _ in item.texts("clause_breaks", allow_empty=True)),
        past=tuple(text for text, _ in past),
        negating_after=tuple(text for text, _ in negating_after),
        general=tuple(text for text, _ in general),
        examples=tuple(text for text, _ in examples),
        look_alikes=tuple(text for text, _ in look_alikes),
    )


def _smalltalk(top: Fields) -> tuple[SmallTalk, ...]:
    """``smalltalk: [{id, patterns, reply, closes?, opens?}]``; ids unique, no pattern under two ids."""
    intents: list[SmallTalk] = []
    patterns: list[_Located] = []
    first_line: dict[str, int] = {}
    for number, node in enumerate(top.items("smalltalk"), 1):
        where = _name(top.where, node, "smalltalk", number)
        item = _fields(top, node, where, ("id", "patterns", "reply"), ("closes", "opens"))
        if item is None:
            continue
        intent_id = _read_id(item, first_line)
        found = item.texts("patterns")
        patterns.extend((f"smalltalk '{intent_id}'", text, line) for text, line in found)
        intents.append(SmallTalk(intent_id, tuple(t for t, _ in found), item.text("reply"), item.flag("closes"),
                                 item.flag("opens")))
    _check_unique(top, patterns, "pattern", key=clean)
    return tuple(intents)


def _thresholds(top: Fields) -> Model:
    """``thresholds: {answer?, clarify?, margin?, urgent?, ranking?, calibration?}``: numbers in [0, 1].

    `ranking` maps the names of `bot.model.RANKING` to weights of at least 0; `calibration`
    maps the confidence model's names to any finite numbers.
    """
    node = top.mapping("thresholds")
    if node is None:
        return Thresholds(), {}, {}
    where = top.where.about("thresholds")
    item = _fields(top, node, where, (), ("answer", "clarify", "margin", "urgent", "ranking", "calibration"))
    if item is None:
        return Thresholds(), {}, {}
    defaults = Thresholds()
    thresholds = Thresholds(
        answer=item.number("answer", defaults.answer, 0.0, 1.0),
        clarify=item.number("clarify", defaults.clarify, 0.0, 1.0),
        margin=item.number("margin", defaults.margin, 0.0, 1.0),
        urgent=item.number("urgent", defaults.urgent, 0.0, 1.0),
    )
    if thresholds.clarify > thresholds.answer:
        values = f"({thresholds.clarify:g} > {thresholds.answer:g})"
        line = (item.get("clarify") or item.get("answer") or (item.line,))[0]
        item.fail(line, f"'clarify' must not exceed 'answer' {values}")
    ranking = _weights(top, item, where, "ranking", frozenset(RANKING), 0.0)
    calibration = _weights(top, item, where, "calibration", CALIBRATION_NAMES)
    return thresholds, calibration, ranking


def _weights(top: Fields, item: Fields, where: Where, key: str, names: frozenset[str],
             low: float = -math.inf) -> dict[str, float]:
    """The ``thresholds: <key>:`` mapping of finite weights by name (each at least `low`), or {}."""
    node = item.mapping(key)
    if node is None:
        return {}
    weights = Fields(node, where.about(f"thresholds: {key}"), None, problems=top.problems)
    for name, (line, _) in node.pairs.items():
        if name not in names:
            weights.fail(line, f"unknown weight '{name}'{suggest(name, names)}")
    return {name: weights.number(name, 0.0, low) for name in node.pairs if name in names}
