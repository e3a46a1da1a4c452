"""faqbot: a small, fast, local, retrieval-only FAQ chatbot.

    >>> from bot import FAQBot
    >>> faq = FAQBot.from_yaml()
    >>> faq.ask("which foods are rich in magnesium?").id
    'magnesium-foods'

Health disclaimer: the bundled FAQ gives general information from one article on calf
twitching; it is not medical advice and never diagnoses (see `bot.DISCLAIMER`).

The scoring stack (NumPy, SciPy, rapidfuzz) loads on first use of a name that needs it
(PEP 562), so `import bot` and commands that do not score, such as `faqbot --help` and
`faqbot check`, start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import EvalFormatError, FAQBotError, FAQFormatError, InputError
from .reply import Alternative, Reply
from .unanswered import UnansweredLog

if TYPE_CHECKING:
    from .conversation import Conversation
    from .core import FAQBot
    from .messages import DISCLAIMER

__version__ = "0.1.0"  # the same as pyproject.toml's (a test checks)

__all__ = [
    "DISCLAIMER",
    "Alternative",
    "Conversation",
    "EvalFormatError",
    "FAQBot",
    "FAQBotError",
    "FAQFormatError",
    "InputError",
    "Reply",
    "UnansweredLog",
]

_LAZY = {"DISCLAIMER": "messages", "FAQBot": "core", "Conversation": "conversation"}


def __getattr__(name: str) -> Any:
    """Import the module behind `FAQBot`, `Conversation` or `DISCLAIMER` on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value  # found directly from now on
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
