"""The value every way into faqbot returns: one `Reply` per user turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["answer", "clarify", "fallback", "urgent", "smalltalk"]
KINDS: tuple[Kind, ...] = ("answer", "clarify", "fallback", "urgent", "smalltalk")


@dataclass(frozen=True, slots=True)
class Alternative:
    """A runner-up entry: its id, its canonical question and its score in [0, 1]."""

    id: str
    question: str
    score: float

    def to_list(self) -> list[Any]:
        return [self.id, self.question, self.score]


@dataclass(frozen=True, slots=True)
class Reply:
    """What faqbot says to one user turn.

    `kind` is one of "answer", "clarify", "fallback", "urgent", "smalltalk"; `id` is the
    entry id for an answer (the small-talk intent for small talk, else None); `confidence`
    is in [0, 1]; `alternatives` are the next best entries, best first (for a clarification,
    the numbered choices); `reason` says how the reply was reached, in machine-readable form;
    `lang` is the language of `text`.
    """

    kind: Kind
    id: str | None
    text: str
    confidence: float
    alternatives: tuple[Alternative, ...] = ()
    reason: dict[str, str] | None = field(default=None, hash=False)
    lang: str = "en"  # the language of `text` (ISO 639-1)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict of every field."""
        return {
            "kind": self.kind,
            "id": self.id,
            "text": self.text,
            "confidence": round(self.confidence, 4),
            "alternatives": [a.to_list() for a in self.alternatives],
            "reason": dict(self.reason) if self.reason else None,
            "lang": self.lang,
        }
