"""The conversation state a client hands back (`Conversation.to_dict()`), checked for shape.

`FAQBot.conversation(state)` and the HTTP server accept the same state: None, or a mapping
whose `last` is an entry id or None, whose `choices` is a list of entry ids, whose `topic`
is a subject's name or None, and whose `urgent` (the red flag of the last urgent reply) is
None or a dict of strings. Ids the FAQ
no longer has are forgotten (the FAQ may have changed since); a wrong shape is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InputError


def checked_state(state: object) -> dict[str, Any] | None:
    """`state` as a dict, or None; raises `InputError` when it is not shaped like one."""
    if state is None:
        return None
    if not isinstance(state, Mapping):
        raise InputError(f"conversation state must be a dict (from Conversation.to_dict()), "
                         f"not {type(state).__name__}")
    last, choices = state.get("last"), state.get("choices", [])
    if last is not None and not isinstance(last, str):
        raise InputError(f"conversation state: 'last' must be a string or None, "
                         f"not {type(last).__name__}")
    if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
        raise InputError("conversation state: 'choices' must be a list of strings")
    topic = state.get("topic")
    if topic is not None and not isinstance(topic, str):
        raise InputError(f"conversation state: 'topic' must be a string or None, not {type(topic).__name__}")
    if not urgent_shaped(state.get("urgent")):
        raise InputError("conversation state: 'urgent' must be None or a dict of strings")
    return dict(state)


def urgent_shaped(urgent: object) -> bool:
    """Is a state's `urgent` None or a dict of strings (its flag and words)?"""
    return urgent is None or (isinstance(urgent, Mapping) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in urgent.items()))
