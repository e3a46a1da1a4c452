"""The exceptions faqbot raises on purpose.

Everything derives from one root, so a program that embeds faqbot can catch one class::

    FAQBotError
    ├── FAQFormatError        faq.yaml cannot be read or is invalid (path, line, message)
    ├── InputError            a question, a batch row or a request is unusable (message)
    │   └── UsageError        a command line asks for something it must not do (exit status 2)
    └── EvalFormatError       a labelled evaluation file is malformed (path, line, message)

`str()` of each is one line a person can act on, e.g.
``faq.yaml:42: entry 'magnesium-foods': answer is empty``.
"""

from __future__ import annotations

from pathlib import Path


class FAQBotError(Exception):
    """Root of every error faqbot raises on purpose."""


class _LocatedError(FAQBotError):
    """An error about a place in a file: ``path:line: message``."""

    def __init__(self, path: str | Path | None, line: int | None, message: str) -> None:
        self.path = str(path) if path is not None else None
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "<faq>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}"


class FAQFormatError(_LocatedError):
    """A FAQ file is missing, unreadable or invalid.

    `problems` holds every problem found in the file, in line order (this one among them);
    `str()` is this one alone.
    """

    def __init__(self, path: str | Path | None, line: int | None, message: str) -> None:
        super().__init__(path, line, message)
        self.problems: tuple[FAQFormatError, ...] = (self,)


class EvalFormatError(_LocatedError):
    """A labelled evaluation file is malformed."""


class InputError(FAQBotError):
    """A question or request that cannot be answered as given (e.g. empty)."""


class UsageError(InputError):
    """A command line that asks for something it must not do, e.g. to overwrite its input."""
