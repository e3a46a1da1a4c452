"""The per-language layer of a FAQ file: ``languages: {code: {...}}`` (docs/faq-format.md).

Each language may bring the FAQ's concepts in its own words (so "mi pantorrilla" means the
calf in any message), negations, red flags, small-talk patterns and replies, the fixed
messages, and translated entries (question, phrasings, answer). A language with translated
entries is answered in full; any other is understood where its words are known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .fields import Fields
from .yamlnodes import Node

MESSAGES = ("fallback", "urgent", "disclaimer", "clarify_header", "clarify_footer", "unsupported", "closer")
WORD_SECTIONS = ("subjects", "facets", "synonyms", "out_of_scope")
LANGUAGE_KEYS = ("name", "native", "words", "negations", "clause_breaks", "past", "negating_after", "general",
                 "messages", "smalltalk", "red_flags", "signs", "entries")


@dataclass(frozen=True, slots=True)
class Translation:
    """One entry in another language: its question, phrasings and answer."""

    question: str
    alternatives: tuple[str, ...]
    answer: str

    @property
    def phrasings(self) -> tuple[str, ...]:
        return (self.question, *self.alternatives)


@dataclass(frozen=True, slots=True)
class Language:
    """What a FAQ knows of one language besides English."""

    code: str
    name: str
    native: str = ""
    words: Mapping[str, Mapping[str, tuple[str, ...]]] = field(default_factory=dict)  # section → concept → words
    negations: tuple[str, ...] = ()
    clause_breaks: tuple[str, ...] = ()
    past: tuple[str, ...] = ()  # as `Urgent.past`
    negating_after: tuple[str, ...] = ()  # as `Urgent.negating_after`
    general: tuple[str, ...] = ()  # as `Urgent.general`
    messages: Mapping[str, str] = field(default_factory=dict)
    smalltalk_patterns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    smalltalk_replies: Mapping[str, str] = field(default_factory=dict)
    red_flags: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # flag → phrases
    signs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # sign → words
    entries: Mapping[str, Translation] = field(default_factory=dict)

    @property
    def answers(self) -> bool:
        """Does this language have translated answers (is it answered in full)?"""
        return bool(self.entries)


def read_languages(
    top: Fields,
    known: Mapping[str, set[str]],
) -> dict[str, Language]:
    """``languages:`` as Languages, checked against the FAQ's names.

    `known` maps ``subjects``, ``facets``, ``synonyms``, ``out_of_scope``, ``entries``,
    ``smalltalk``, ``red_flags`` and ``signs`` to the names the FAQ declares; a translation
    must use those names (a list of red flags: each phrase is its own flag).
    Raises `FAQFormatError` with the line of the problem.
    """
    node = top.mapping("languages")
    if node is None:
        return {}
    out: dict[str, Language] = {}
    for code, (line, spec) in node.pairs.items():
        where = top.where.about(f"language '{code}'")
        if code == "en":
            raise where.error(line, "English is the FAQ's own language; only other languages go here")
        item = Fields(spec, where, ("name",), LANGUAGE_KEYS[1:], line)
        patterns, replies = _smalltalk(item, known["smalltalk"])
        out[code] = Language(
            code=code,
            name=item.text("name"),
            native=item.text("native"),
            words=_words(item, known),
            negations=tuple(t for t, _ in item.texts("negations", allow_empty=True)),
            clause_breaks=tuple(t for t, _ in item.texts("clause_breaks", allow_empty=True)),
            past=tuple(t for t, _ in item.texts("past", allow_empty=True)),
            negating_after=tuple(t for t, _ in item.texts("negating_after", allow_empty=True)),
            general=tuple(t for t, _ in item.texts("general", allow_empty=True)),
            messages=_messages(item),
            smalltalk_patterns=patterns,
            smalltalk_replies=replies,
            red_flags=_groups(item, "red_flags", known["red_flags"], list_allowed=True),
            signs=_groups(item, "signs", known["signs"]),
            entries=_entries(item, known["entries"]),
        )
    return out


def _names(item: Fields, key: str, known: set[str], kind: str) -> list[tuple[str, int, Node]]:
    """``(name, line, value)`` of a mapping whose keys must be among `known`."""
    node = item.mapping(key)
    if node is None:
        return []
    found: list[tuple[str, int, Node]] = []
    for name, (line, value) in node.pairs.items():
        if name not in known:
            raise item.where.error(line, f"'{key}' names {kind} '{name}', which the FAQ does not declare")
        found.append((name, line, value))
    return found


def _words(item: Fields, known: Mapping[str, set[str]]) -> Mapping[str, Mapping[str, tuple[str, ...]]]:
    node = item.mapping("words")
    if node is None:
        return MappingProxyType({})
    words = Fields(node, item.where.about(f"{item.where.what}: words"), (), WORD_SECTIONS)
    out: dict[str, Mapping[str, tuple[str, ...]]] = {}
    for section in WORD_SECTIONS:
        group = words.mapping(section)
        if group is None:
            continue
        concepts = Fields(group, words.where.about(f"{words.where.what} {section}"), None)
        names = _names(words, section, known[section], section.rstrip("s"))
        out[section] = MappingProxyType({name: tuple(t for t, _ in concepts.texts(name)) for name, _, _ in names})
    return MappingProxyType(out)


def _groups(item: Fields, key: str, known: set[str], list_allowed: bool = False) -> Mapping[str, tuple[str, ...]]:
    """A mapping of names among `known` to texts (or, if `list_allowed`, a list: one group per text)."""
    found = item.groups(key, names_known=known, list_allowed=list_allowed)
    return MappingProxyType({name: tuple(t for t, _ in texts) for name, texts in found.items()})


def _messages(item: Fields) -> Mapping[str, str]:
    node = item.mapping("messages")
    if node is None:
        return MappingProxyType({})
    messages = Fields(node, item.where.about(f"{item.where.what}: messages"), (), MESSAGES)
    return MappingProxyType({key: messages.text(key) for key in MESSAGES if messages.get(key)})


def _smalltalk(item: Fields, known: set[str]) -> tuple[Mapping[str, tuple[str, ...]], Mapping[str, str]]:
    patterns: dict[str, tuple[str, ...]] = {}
    replies: dict[str, str] = {}
    for name, line, value in _names(item, "smalltalk", known, "small-talk intent"):
        spec = Fields(value, item.where.about(f"{item.where.what}: smalltalk '{name}'"),
                      ("patterns",), ("reply",), line)
        patterns[name] = tuple(t for t, _ in spec.texts("patterns"))
        if spec.get("reply"):
            replies[name] = spec.text("reply")
    return MappingProxyType(patterns), MappingProxyType(replies)


def _entries(item: Fields, known: set[str]) -> Mapping[str, Translation]:
    out: dict[str, Translation] = {}
    for name, line, value in _names(item, "entries", known, "entry"):
        spec = Fields(value, item.where.about(f"{item.where.what}: entry '{name}'"),
                      ("question", "answer"), ("alternatives",), line)
        out[name] = Translation(
            question=spec.text("question"),
            alternatives=tuple(t for t, _ in spec.texts("alternatives", allow_empty=True)),
            answer=spec.text("answer"),
        )
    return MappingProxyType(out)

