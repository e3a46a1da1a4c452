"""The question a long message ends with: "I eat well, but I rarely drink water. Could
dehydration set off my calf twitching?" asks about dehydration, whatever came before."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
_QUESTION_WORDS = frozenset(
    "what why how can could is are does do did should would will which where when who am has have".split()
)
MIN_WORDS = 12  # shorter messages are one question already


def last_question(text: str) -> str | None:
    """The message's last sentence when the message has several and that one asks something."""
    if text.count(" ") < MIN_WORDS - 1 or not any(mark in text for mark in ".!?"):
        return None
    sentences = [s for s in _SENTENCE_END.split(text.strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    last = sentences[-1].strip()
    first = last.split(maxsplit=1)[0].lower().strip("\"'(") if last else ""
    return last if last.endswith("?") or first in _QUESTION_WORDS else None
