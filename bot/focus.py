"""Which part of a message asks: "I eat well, but I rarely drink water. Could dehydration set
off my calf twitching?" asks about dehydration, whatever came before.

Decided from the message's structure alone, in any language: sentences are split at their
ending marks, and the ones that end with a question mark ask. A message without one asks in
its last sentence.
"""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")
MIN_WORDS = 12  # shorter messages are one question already


def sentences(text: str) -> list[str]:
    """The message's sentences, stripped, empty ones dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if s.strip()]


def _several(text: str) -> list[str] | None:
    """A long message's sentences, when it has several; else None (it is one question)."""
    if text.count(" ") < MIN_WORDS - 1:
        return None
    parts = sentences(text)
    return parts if len(parts) >= 2 else None


def asking_part(text: str) -> str | None:
    """The sentences that ask, when a long message also holds others (context), else None."""
    parts = _several(text)
    if parts is None:
        return None
    asking = [s for s in parts if s.endswith("?")] or parts[-1:]
    return " ".join(asking) if len(asking) < len(parts) else None


def last_question(text: str) -> str | None:
    """The message's last sentence when the message has several and that one asks something."""
    parts = _several(text)
    if parts is None:
        return None
    asks = parts[-1].endswith("?") or not any(p.endswith("?") for p in parts)
    return parts[-1] if asks else None
