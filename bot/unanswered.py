"""The opt-in log of what faqbot did not answer, for the people who keep the FAQ.

`UnansweredLog(path)` is called with each question and its `Reply`; it appends one JSON line
for every fallback, clarification and low-margin answer (an answer whose confidence is less
than `margin` above the FAQ's answer threshold) and ignores the rest::

    {"time": "2025-05-01T09:30:12Z", "text": "how much magnesium should i take", "kind":
     "fallback", "id": null, "reason": {"reason": "unanswered-facet", "facet": "doses or
     amounts", "subject": "magnesium"}, "confidence": 0.0, "alternatives": [{"id":
     "testing-and-supplements", "score": 0.4655}, ...], "lang": null, "front_end": "ask"}

Health questions are sensitive personal data. Nothing is logged unless asked for; the file
is created readable by its owner only (0600); `redact=True` masks numbers, e-mail addresses,
phone numbers and URLs before anything is written. Each line is one `os.write` on a file
opened with O_APPEND, so several threads, server workers or batch processes can share one
file without their lines interleaving. `read_log` reads it back for `faqbot review`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import stat
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .errors import InputError

if TYPE_CHECKING:
    from .core import FAQBot
    from .knowledge import FAQ
    from .reply import Reply

log = logging.getLogger(__name__)

LOGGED_KINDS = frozenset({"fallback", "clarify"})  # and answers within `margin` of the threshold
MARGIN = 0.1  # an answer less than this above the answer threshold is logged as "low-margin"
FRONT_ENDS = ("ask", "chat", "batch", "serve", "library")

ReplyLog = Callable[[str, "Reply"], object]  # what `FAQBot.ask(text, log=...)` calls

# Masks for `redact`, applied in this order (an e-mail address holds a domain, a date digits).
_LETTER_BEFORE = r"(?<![^\W_])"  # not inside a word: "b12" and "d3" name vitamins
_MASKS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\b(?:https?://|ftp://|www\.)\S+", re.I), "[url]"),
    (re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|info|io|co|uk|de|fr|es|it|nl|eu|ca|au|us)"
                r"\b(?:/\S*)?", re.I), "[url]"),
    (re.compile(_LETTER_BEFORE + r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b"), "[number]"),  # dates
    (re.compile(r"(?<![\w+])\+?\(?\d(?:[\d ()-]*\d)?(?!\w)"), "[phone]"),  # if enough digits: _masked
    (re.compile(_LETTER_BEFORE + r"\d+(?:[.,]\d+)*"), "[number]"),
)
_PHONE_DIGITS = 7  # a run of digits and separators with this many digits or more is a phone number


def redact(text: str) -> str:
    """`text` with e-mail addresses, URLs, phone numbers and numbers masked.

    They become "[email]", "[url]", "[phone]" and "[number]". Digits right after a letter
    stay ("vitamin b12", "d3"). Names, places and the health details themselves are kept:
    redaction is not anonymisation.
    """
    for pattern, mask in _MASKS:
        text = pattern.sub(_masked(mask), text)
    return text


def _masked(mask: str) -> Callable[[re.Match[str]], str]:
    """The replacement for a match: `mask`; for phone numbers only runs with enough digits."""
    if mask != "[phone]":
        return lambda _: mask
    return lambda m: mask if sum(c.isdigit() for c in m.group()) >= _PHONE_DIGITS else m.group()


def unanswered_reason(reply: Reply, answer_threshold: float | None, margin: float = MARGIN) -> dict[str, str] | None:
    """Why this reply is one to log ({"reason": ...}), or None when it answered well enough.

    Fallbacks keep their own reason; a clarification is "ambiguous"; an answer less than
    `margin` above `answer_threshold` is "low-margin" (never, when the threshold is None).
    """
    if reply.kind == "answer":
        if answer_threshold is None or reply.confidence >= answer_threshold + margin:
            return None
        return {"reason": "low-margin"}
    if reply.kind not in LOGGED_KINDS:
        return None
    if reply.reason:
        return dict(reply.reason)
    return {"reason": "ambiguous" if reply.kind == "clarify" else "low-confidence"}


class UnansweredLog:
    """Appends a JSON line for each question faqbot did not answer well; see the module doc.

    Call it with a question and its Reply (`log(text, reply)`, or pass it as
    `FAQBot.ask(text, log=log)`); it returns whether a line was written. `front_end` names
    who asked ("ask", "chat", "batch", "serve", "library"). Low-margin answers are logged
    only when `answer_threshold` is known: `UnansweredLog.for_bot(bot, path)` reads it from
    the bot's FAQ. Opening raises OSError (a missing directory, no permission); a failed
    write later is counted in `dropped` and logged as a warning, never raised: logging must
    not stop the bot answering. Safe to share between threads.
    """

    def __init__(self, path: str | Path, *, front_end: str = "library", redact: bool = False,
                 answer_threshold: float | None = None, margin: float = MARGIN,
                 clock: Callable[[], float] = time.time) -> None:
        self.path = Path(path)
        self.front_end = front_end
        self.redact = redact
        self.answer_threshold = answer_threshold
        self.margin = margin
        self._clock = clock
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(self.path, flags, 0o600)
        mode = os.fstat(self._fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(self._fd)
            self._fd = None
            raise InputError(f"{self.path}: the unanswered-questions log must be a regular file")
        self.shared = bool(mode & 0o077)  # an existing file others can read: front-ends warn
        self.written = 0
        self.dropped = 0
        self._count = threading.Lock()

    @classmethod
    def for_bot(cls, bot: FAQBot, path: str | Path, **options: Any) -> UnansweredLog:
        """A log that knows `bot`'s answer threshold, so it logs low-margin answers too."""
        return cls(path, answer_threshold=bot.faq.thresholds.answer, **options)

    def entry(self, text: str, reply: Reply) -> dict[str, Any] | None:
        """The JSON object that would be logged for this turn, or None if it is not logged."""
        reason = unanswered_reason(reply, self.answer_threshold, self.margin)
        if reason is None or not text.strip():
            return None
        if self.redact:
            text = redact(text)
            if reason:
                reason = {key: redact(value) for key, value in reason.items()}
        return {
            "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self._clock())),
            "text": text,
            "kind": reply.kind,
            "id": reply.id if reply.kind == "answer" else None,
            "reason": reason,
            "confidence": round(reply.confidence, 4),
            "alternatives": [{"id": a.id, "score": round(a.score, 4)} for a in reply.alternatives],
            "lang": getattr(reply, "lang", None),
            "front_end": self.front_end,
        }

    def __call__(self, text: str, reply: Reply) -> bool:
        """Log this turn if it is one to log; True when a line was written."""
        entry = self.entry(text, reply)
        if entry is None:
            return False
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
        try:
            if self._fd is None:
                raise OSError(f"{self.path} is closed")
            # one write of the whole line on an O_APPEND file: never interleaved with another's
            done = os.write(self._fd, line) == len(line)
        except OSError as exc:
            done = False
            failure: str = str(exc)
        else:
            failure = "the disk took only part of a line"
        with self._count:
            if done:
                self.written += 1
                return True
            self.dropped += 1
            first = self.dropped == 1
        if first:
            log.warning("%s: a line of the unanswered-questions log was not written: %s", self.path, failure)
        return False

    def close(self) -> None:
        """Close the file; later calls are counted as dropped."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)

    def __del__(self) -> None:  # a log dropped without close() does not keep its file open
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)

    def __enter__(self) -> UnansweredLog:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def open_for_cli(faq: FAQ, path: str | Path | None, *, redact: bool, front_end: str) -> UnansweredLog | None:
    """The log a front-end's --log-unanswered PATH asks for, or None without a path.

    Prints a warning to stderr when other users can read an existing file. Raises
    InputError for --log-redact without a path, OSError when the file cannot be opened.
    """
    if path is None:
        if redact:
            raise InputError("--log-redact needs --log-unanswered PATH")
        return None
    unanswered = UnansweredLog(path, answer_threshold=faq.thresholds.answer, redact=redact, front_end=front_end)
    if unanswered.shared:
        print(f"faqbot: warning: {path} can be read by other users, and it holds health questions: "
              f"chmod 600 {path}", file=sys.stderr)
    return unanswered


# -- reading it back -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Logged:
    """One line of the log, as `faqbot review` reads it."""

    line: int
    time: datetime | None
    text: str
    kind: str
    reason: dict[str, str]
    alternatives: tuple[tuple[str, float], ...]


@dataclass(slots=True)
class LogRead:
    """What `read_log` found: the entries, and the lines that were not log entries."""

    entries: list[Logged]
    skipped: int = 0
    first_skipped: int | None = None
    older: int = 0  # entries before `since`


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or time ("2025-05-01", "2025-05-01T09:30:12Z") as an aware UTC datetime.

    Raises ValueError when it is neither.
    """
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def read_log(path: str | Path, *, since: datetime | None = None) -> LogRead:
    """Every entry of an unanswered-questions log (at or after `since`, when given).

    Lines that are not log entries (a line cut short by a full disk, a stray edit) are
    skipped and counted. Raises OSError when the file cannot be read, and InputError when it
    has lines but none is a log entry (the wrong file).
    """
    result = LogRead([])
    lines = 0
    with open(path, encoding="utf-8", errors="replace") as stream:
        for number, raw in enumerate(stream, 1):
            if not raw.strip():
                continue
            lines += 1
            entry = _entry(number, raw)
            if entry is None:
                result.skipped += 1
                result.first_skipped = result.first_skipped or number
            elif since is not None and (entry.time is None or entry.time < since):
                result.older += 1
            else:
                result.entries.append(entry)
    if lines and result.skipped == lines:
        raise InputError(f"{path}:{result.first_skipped}: not an unanswered-questions log "
                         "(expected JSON lines written by --log-unanswered)")
    return result


def _entry(number: int, raw: str) -> Logged | None:
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not isinstance(data.get("kind"), str):
        return None
    when: datetime | None = None
    if isinstance(data.get("time"), str):
        try:
            when = parse_time(data["time"])
        except ValueError:
            when = None
    reason = data.get("reason")
    reason = {str(k): str(v) for k, v in reason.items()} if isinstance(reason, dict) else {}
    return Logged(number, when, data["text"], data["kind"], reason, tuple(_alternatives(data.get("alternatives"))))


def _alternatives(value: Any) -> Iterator[tuple[str, float]]:
    for item in value if isinstance(value, list) else ():
        if isinstance(item, dict) and isinstance(item.get("id"), str) and isinstance(item.get("score"), (int, float)):
            yield item["id"], float(item["score"])
