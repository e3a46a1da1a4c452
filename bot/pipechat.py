"""The chat without a terminal: one line in, one line out, for programs driving faqbot.

Each input line gets exactly one output line, in order and flushed, so a reader can pair
them up: the reply on one line (a reply of several lines, such as numbered choices, is
joined with spaces), an empty line for an empty input line, and for a slash command
(`/why`, `/reset`, `/topics`, `/help`) what it shows, its parts joined with " | ". `/quit`
(or end of input) stops. With `json=True`, a reply is `Reply.to_dict()` and a command
``{"command": "/why", "text": ...}``; an empty line gets the reply to an empty message.
Everything printed is safe for a terminal (`bot.display`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from . import slash
from .display import json_line, one_line
from .slash import ChatState, Para

if TYPE_CHECKING:
    from .core import FAQBot
    from .unanswered import ReplyLog

_LINE_BREAK = re.compile(r"\s*\n\s*")


def joined(text: str) -> str:
    """A reply on one line: its lines joined by one space, safe to print."""
    return one_line(_LINE_BREAK.sub(" ", text.strip()))


def flatten(paras: Iterable[Para]) -> str:
    """What a command shows, on one line: labelled rows as "label: text", parts joined by " | "."""
    parts = []
    for para in paras:
        lead, text = para.lead.strip(), " ".join(para.text.split())
        if para.lead_style == "class:label" and lead:
            parts.append(f"{lead}: {text}")
        elif lead or text:
            parts.append(f"{lead} {text}".strip())
    return one_line(" | ".join(parts))


def run_pipe(bot: FAQBot, lines: Iterable[str], out: TextIO, *, json: bool = False,
             log: ReplyLog | None = None) -> int:
    """Answer each of `lines` with one line on `out`; returns the exit status (0).

    `log` (--log-unanswered) is called with each question and its reply.
    """
    state = ChatState(bot, bot.conversation(), log=log)
    for raw in lines:
        line = raw.rstrip("\r\n")
        try:
            shown = slash.dispatch(state, line)
        except slash.Quit:
            break
        if shown is not None:
            name = line.strip().split(" ", 1)[0].lower()
            text = flatten(shown)
            reply = json_line({"command": slash.BARE_WORDS.get(name, name), "text": text}) if json else text
        elif not line.strip() and not json:
            reply = ""
        else:
            answered = state.ask(line)
            reply = json_line(answered.to_dict()) if json else joined(answered.text)
        print(reply, file=out, flush=True)
    return 0
