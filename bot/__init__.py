"""faqbot: a small, fast, local, retrieval-only FAQ chatbot.

    >>> from bot import FAQBot
    >>> faq = FAQBot.from_yaml()
    >>> faq.ask("which foods are rich in magnesium?").id
    'magnesium-foods'

Health disclaimer: the bundled FAQ gives general information from one article on calf
twitching; it is not medical advice and never diagnoses (see `bot.DISCLAIMER`).
"""

from .conversation import Conversation
from .core import DISCLAIMER, FAQBot
from .errors import EvalFormatError, FAQBotError, FAQFormatError, InputError
from .reply import Alternative, Reply
from .unanswered import UnansweredLog

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
