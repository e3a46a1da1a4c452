"""Read and validate a FAQ file into frozen, typed objects.

`load_faq(path)` returns a `FAQ`; any problem raises `FAQFormatError` with the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import FAQFormatError


@dataclass(frozen=True, slots=True)
class Entry:
    """One curated answer and the ways people ask for it."""

    id: str
    subjects: tuple[str, ...]
    facet: str
    section: str
    question: str
    alternatives: tuple[str, ...]
    answer: str
    related: tuple[str, ...] = ()
    line: int = 0

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


@dataclass(frozen=True, slots=True)
class SmallTalk:
    """A small-talk intent: whole-message patterns and a reply."""

    id: str
    patterns: tuple[str, ...]
    reply: str


@dataclass(frozen=True, slots=True)
class Urgent:
    """Red-flag phrases checked before retrieval, and the message they trigger."""

    message: str
    red_flags: tuple[str, ...]
    negations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Decision thresholds; defaults chosen from measurements (see README)."""

    answer: float = 0.5
    clarify: float = 0.3
    margin: float = 0.08


@dataclass(frozen=True, slots=True)
class FAQ:
    """A whole validated FAQ file."""

    path: str
    fallback: str
    entries: tuple[Entry, ...]
    subjects: dict[str, Concept]
    facets: dict[str, Concept]
    synonyms: dict[str, tuple[str, ...]]
    out_of_scope_facets: dict[str, Concept]
    out_of_scope_examples: tuple[str, ...]
    urgent: Urgent | None
    smalltalk: tuple[SmallTalk, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)

    def entry(self, entry_id: str) -> Entry:
        """The entry with this id; raises KeyError if there is none."""
        for entry in self.entries:
            if entry.id == entry_id:
                return entry
        raise KeyError(entry_id)


def bundled_faq_path() -> Path:
    """Where the FAQ shipped with the package lives (in a wheel, or in the source tree)."""
    here = Path(__file__).resolve().parent
    installed = here / "faq.yaml"
    return installed if installed.exists() else here.parent / "faq.yaml"


def load_faq(path: str | Path | None = None) -> FAQ:
    """Load and validate a FAQ file (the bundled one by default).

    Raises `FAQFormatError` (with path and line) for any problem.
    """
    path = Path(path) if path is not None else bundled_faq_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise FAQFormatError(path, None, f"cannot read file: {exc.strerror}") from None

    def concepts(section: dict[str, dict[str, object]]) -> dict[str, Concept]:
        return {
            name: Concept(
                name=name,
                label=str(spec.get("label", name)),
                words=tuple(str(w) for w in spec.get("words", []) or []),  # type: ignore[attr-defined]
                default=bool(spec.get("default", False)),
            )
            for name, spec in (section or {}).items()
        }

    entries = tuple(
        Entry(
            id=e["id"],
            subjects=tuple(e["subjects"]),
            facet=e["facet"],
            section=e["section"],
            question=e["question"],
            alternatives=tuple(e["alternatives"]),
            answer=e["answer"].strip(),
            related=tuple(e.get("related", []) or []),
        )
        for e in data["entries"]
    )
    urgent = data.get("urgent")
    oos = data.get("out_of_scope") or {}
    return FAQ(
        path=str(path),
        fallback=data["fallback"].strip(),
        entries=entries,
        subjects=concepts(data["subjects"]),
        facets=concepts(data["facets"]),
        synonyms={k: tuple(v) for k, v in (data.get("synonyms") or {}).items()},
        out_of_scope_facets=concepts(oos.get("facets") or {}),
        out_of_scope_examples=tuple(oos.get("examples") or []),
        urgent=Urgent(
            message=urgent["message"].strip(),
            red_flags=tuple(urgent["red_flags"]),
            negations=tuple(urgent.get("negations", []) or []),
        )
        if urgent
        else None,
        smalltalk=tuple(
            SmallTalk(id=s["id"], patterns=tuple(s["patterns"]), reply=s["reply"].strip())
            for s in data.get("smalltalk") or []
        ),
        thresholds=Thresholds(**(data.get("thresholds") or {})),
    )
