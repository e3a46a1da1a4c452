"""`FAQBot`: wires knowledge → retrieve → decide. Build once, ask many times, from any thread.

Health disclaimer: faqbot gives general information from one curated article on calf
twitching and nutrient deficiencies. It does not diagnose and is not medical advice; its
fallback and urgent replies point to a doctor or emergency care. Show this to your users.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

from .decide import Decider
from .focus import last_question
from .knowledge import FAQ, load_faq
from .reply import Reply
from .retrieve import Analysis, Index

if TYPE_CHECKING:
    from .conversation import Conversation
    from .unanswered import ReplyLog

log = logging.getLogger(__name__)

FOCUS_SUBJECT = 0.5  # subject specificity that makes a closing question answerable alone
CHUNK = 2048  # questions scored together by ask_many: big enough to vectorise, small enough to stream


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a FAQ is read and indexed, as it was before.

    Building creates hundreds of thousands of objects that live as long as the bot, and each
    automatic collection on the way walks all of them again: paused, a 16,000-entry FAQ's
    first build takes about 15 % less time. Any garbage it leaves goes at the next collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class FAQBot:
    """A retrieval-only FAQ bot over one validated FAQ.

    Health disclaimer, to show your users (it is `bot.DISCLAIMER`): faqbot shares general
    information from one article on calf twitching and nutrient deficiencies. It is not a
    doctor and does not diagnose: for persistent, severe or worrying symptoms, see a
    healthcare professional.

    Fallback and urgent replies point to a doctor or emergency care. A bot is immutable after
    construction and safe to share between threads.
    """

    def __init__(self, faq: FAQ) -> None:
        self.faq = faq
        with _collector_paused():
            self.index = Index(faq)
            self.decider = Decider(faq, self.index)
        self._entries = MappingProxyType({entry.id: entry for entry in faq.entries})
        by_subject_facet: dict[tuple[str, str], str] = {}
        for entry in faq.entries:
            for subject in entry.subjects:
                by_subject_facet.setdefault((subject, entry.facet), entry.id)
        for entry in faq.entries:  # what an entry also tells, where no entry has it as its own
            for subject in entry.subjects:
                for facet in entry.also_tells:
                    by_subject_facet.setdefault((subject, facet), entry.id)
        self._by_subject_facet = MappingProxyType(by_subject_facet)
        self._frozen = True  # from here on, attributes can be neither set nor deleted

    def __setattr__(self, name: str, value: object) -> None:
        if getattr(self, "_frozen", False):
            raise AttributeError(f"a FAQBot is immutable: cannot set {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"a FAQBot is immutable: cannot delete {name!r}")

    @classmethod
    def from_file(cls, path: str | Path | None = None, *,
                  max_bytes: int | Literal["setting"] | None = "setting") -> FAQBot:
        """Build a bot from a FAQ file: YAML, CSV or JSONL (the bundled `faq.yaml` by default).

        `max_bytes` bounds the file's size (default: `FAQBOT_MAX_FAQ_MB`, else 5 MB; None: no
        limit). Raises `FAQFormatError` (with file and line) when the file is missing or invalid.
        """
        with _collector_paused():
            return cls(load_faq(path, max_bytes=max_bytes))

    from_yaml = from_file  # the name of earlier releases

    def ask(self, text: str, *, lang: str | None = None, log: ReplyLog | None = None) -> Reply:
        """Answer one question; never raises for any `str`.

        `lang` (an ISO 639-1 code such as "es") forces the question's language; by default
        it is detected, and the reply is in that language where the FAQ has its text.
        `log`, e.g. an `UnansweredLog`, is called with the text and the reply.
        """
        reply = self.ask_many([text], lang=lang)[0]
        if log is not None:
            log(text, reply)
        return reply

    def ask_many(self, questions: Sequence[str], *, lang: str | None = None) -> list[Reply]:
        """Answer many questions in order, scoring them together (much faster than a loop).

        Raises `TypeError` for a single string (it would be answered character by character).
        """
        return list(self.iter_answers(questions, lang=lang))

    def iter_answers(self, questions: Iterable[str], *, lang: str | None = None) -> Iterator[Reply]:
        """Like `ask_many`, lazily: replies stream out in order, chunk by chunk."""
        if isinstance(questions, (str, bytes)):
            raise TypeError("ask_many and iter_answers take a list of questions, not one "
                            "string: use ask(text) for one question")
        return self._iter_answers(questions, lang)

    def _iter_answers(self, questions: Iterable[str], lang: str | None) -> Iterator[Reply]:
        chunk: list[str] = []
        for question in questions:
            chunk.append(question if isinstance(question, str) else str(question))
            if len(chunk) >= CHUNK:
                yield from self._answer_chunk(chunk, lang)
                chunk = []
        if chunk:
            yield from self._answer_chunk(chunk, lang)

    def _answer_chunk(self, questions: Sequence[str], lang: str | None) -> list[Reply]:
        unique = list(dict.fromkeys(questions))  # real batches repeat questions: score each once
        replies = dict(zip(unique, self._replies(unique, lang), strict=True))
        return [replies[q] for q in questions]

    def answer_analysis(self, analysis: Analysis) -> Reply:
        """The reply to a question already analysed (by a conversation, from its context)."""
        return self.decider.decide_batch(self.index.score_analyses([analysis]))[0]

    def _replies(self, questions: Sequence[str], lang: str | None = None) -> list[Reply]:
        replies = self.decider.decide_batch(self.index.score(questions, lang))
        # a long message that ends with a question on another subject than the answer found for
        # the whole message is answered by that question: "I take magnesium already. But I drink
        # six coffees a day. Could the caffeine be causing my twitching?"
        focused: list[tuple[int, str]] = []
        for n, question in enumerate(questions):
            closing = last_question(question)
            if closing is not None:
                asked = self._own_subjects(self.index.analyse(closing))
                if asked and self._misses(replies[n], asked):
                    focused.append((n, closing))
        if focused:
            scores = self.index.score([closing for _, closing in focused], lang)
            for (n, _), reply in zip(focused, self.decider.decide_batch(scores), strict=True):
                if reply.kind == "answer":
                    replies[n] = replace(reply, reason={"reason": "closing-question"})
        return replies

    def _own_subjects(self, analysis: Analysis) -> set[str]:
        """The subjects a question names that identify entries (not the theme everyone names)."""
        weight = self.index.subject_weight
        return {s for s in analysis.subjects if weight.get(s, 0.0) >= FOCUS_SUBJECT}

    def _misses(self, reply: Reply, subjects: set[str]) -> bool:
        """Does `reply` answer about none of `subjects` (and is it not a reply to keep anyway)?"""
        if reply.kind == "answer":
            return not subjects.intersection(self._entries[reply.id or ""].subjects)
        # urgent, small talk and out-of-scope facets stand; a plain fallback may be a long preamble
        return reply.kind == "fallback" and (reply.reason or {}).get("reason") != "unanswered-facet"

    def entry_for(self, subject: str, facet: str) -> str | None:
        """The id of the entry that tells `facet` about `subject`, if the FAQ has one."""
        return self._by_subject_facet.get((subject, facet))

    def conversation(self, state: dict[str, Any] | None = None) -> Conversation:
        """A new conversation (one per user), optionally resumed from `Conversation.to_dict()`.

        Raises `InputError` when `state` is not shaped like that dict.
        """
        from .conversation import Conversation
        from .state import checked_state

        return Conversation(self, checked_state(state))

    def conversation_from_history(self, user_messages: Iterable[str]) -> Conversation:
        """A conversation whose context is rebuilt by replaying past user turns."""
        conv = self.conversation()
        for message in user_messages:
            conv.ask(message)
        return conv
