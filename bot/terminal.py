"""The interactive chat: one prompt_toolkit session in one loop (like its sqlite-cli example).

History persists in the XDG state directory, Tab completes slash commands and FAQ questions,
replies are wrapped to the terminal and styled by kind, and no control or escape sequence
from the user or the FAQ file reaches the terminal. Slash commands live in `slash.py`.
"""

from __future__ import annotations

import contextlib
import os
import re
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application.current import get_app
from prompt_toolkit.auto_suggest import AutoSuggest, AutoSuggestFromHistory, Suggestion
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import ColorDepth, Output, create_output
from prompt_toolkit.styles import Style

from . import slash
from .display import one_line
from .messages import DISCLAIMER
from .slash import BLANK, ChatState, Para

if TYPE_CHECKING:
    from .core import FAQBot
    from .reply import Reply
    from .unanswered import ReplyLog

PROMPT = "> "
STYLE = Style.from_dict({
    "prompt": "ansicyan bold",
    "title": "bold",
    "disclaimer": "italic",
    "hint": "ansibrightblack",
    "answer": "",
    "smalltalk": "",
    "clarify": "ansicyan",
    "choice": "ansicyan",
    "choice-number": "ansicyan bold",
    "fallback": "ansiyellow",
    "urgent": "ansired bold",
    "marker": "bold",
    "command": "ansigreen",
    "topic": "bold",
    "label": "ansibrightblack",
    "error": "ansired",
})
# A marker in the left margin tells the kinds apart without colour (NO_COLOR, screen readers).
MARKERS = {"clarify": " ? ", "fallback": " ~ ", "urgent": "!! "}
_CHOICE = re.compile(r"(\d+)[.)]\s+(.*)")


def printable(text: str) -> str:
    """`text` on one line with every control character replaced: safe to print."""
    return one_line(text)


def layout(paras: Iterable[Para], width: int) -> FormattedText:
    """Wrap paragraphs to `width` columns as styled fragments, escaping all text."""
    width = max(width - 1, 20)  # the last column would make some terminals wrap early
    out: list[tuple[str, str]] = []
    for para in paras:
        lead, text = printable(para.lead), printable(para.text)
        indent = " " * (len(lead) if para.indent is None else para.indent)
        if text and max(len(lead), len(indent)) > width // 2:  # narrow: the lead on its own line
            out += [(para.lead_style, lead.rstrip()), ("", "\n")]
            lead = indent = " " * 5
        lines = textwrap.wrap(text, width, initial_indent=lead, subsequent_indent=indent,
                              break_on_hyphens=False) or [lead]
        out += [(para.lead_style, lead), (para.style, lines[0][len(lead):]), ("", "\n")]
        for line in lines[1:]:
            out += [("", indent), (para.style, line[len(indent):]), ("", "\n")]
    return FormattedText(out)


def reply_paras(reply: Reply) -> list[Para]:
    """A reply as paragraphs: a margin marker and a style per kind, numbered choices apart."""
    style = f"class:{reply.kind}"
    paras = []
    for n, line in enumerate(x for x in reply.text.splitlines() if x.strip()):
        choice = _CHOICE.fullmatch(line.strip()) if reply.kind == "clarify" else None
        if choice:
            paras.append(Para(choice[2], "class:choice", lead=f"     {choice[1]}. ",
                              lead_style="class:choice-number"))
        else:
            lead = MARKERS.get(reply.kind, "   ") if n == 0 else "   "
            paras.append(Para(line, style, lead=lead, lead_style=f"{style} class:marker"))
    return paras


def welcome(disclaimer: str = DISCLAIMER) -> list[Para]:
    """The banner: one welcome line, the FAQ's disclaimer (if it has one), how to get help and leave."""
    return [
        Para("Welcome to faqbot. Ask me a question in your own words.", "class:title", lead=""),
        *([Para(disclaimer, "class:disclaimer", lead="")] if disclaimer else []),
        Para("Type /help for commands, Tab to complete, Ctrl-D to quit.", "class:hint", lead=""),
        BLANK,
    ]


# -- history, completion, suggestions --------------------------------------------------------


def default_history_path() -> Path:
    """$XDG_STATE_HOME/faqbot/history, or ~/.local/state/faqbot/history."""
    state = os.environ.get("XDG_STATE_HOME", "")
    root = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"
    return root / "faqbot" / "history"


class _QuietFileHistory(FileHistory):
    """A FileHistory that stops saving, silently, when the file stops being writable."""

    def store_string(self, string: str) -> None:
        with contextlib.suppress(OSError):
            super().store_string(string)


def open_history(path: str | Path | None = None) -> History:
    """The history file (created private: it holds health questions), else memory only."""
    try:
        file = Path(path) if path is not None else default_history_path()
        file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(file, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600))
    except (OSError, RuntimeError):  # RuntimeError: no home directory
        return InMemoryHistory()
    return _QuietFileHistory(str(file))


class ChatCompleter(Completer):
    """Slash commands (and their arguments) after "/", FAQ questions otherwise."""

    def __init__(self, bot: FAQBot) -> None:
        self.bot = bot
        self.questions = [printable(entry.question) for entry in bot.faq.entries]

    def get_completions(self, document: Document, complete_event: CompleteEvent
                        ) -> Iterable[Completion]:
        text = document.text_before_cursor
        if text.lstrip().startswith("/"):
            yield from self._commands(text.lstrip())
            return
        words = text.lower().split()
        for question in self.questions:
            if all(w in question.lower() for w in words):
                yield Completion(question, -len(text))

    def _commands(self, text: str) -> Iterable[Completion]:
        name, space, arg = text.partition(" ")
        if not space:
            for cmd in slash.commands():
                if cmd.name.startswith(name.lower()):
                    yield Completion(cmd.name, -len(name), display_meta=cmd.summary)
            return
        found = slash.COMMANDS.get(name.lower())
        if found is not None and found.complete is not None:
            for choice in found.complete(self.bot):
                if choice.lower().startswith(arg.lower()):
                    yield Completion(printable(choice), -len(arg))


class ChatSuggest(AutoSuggest):
    """Suggest from history first, then the rest of a FAQ question the line starts."""

    def __init__(self, questions: Sequence[str]) -> None:
        self.history = AutoSuggestFromHistory()
        self.questions = questions

    def get_suggestion(self, buffer: Buffer, document: Document) -> Suggestion | None:
        found = self.history.get_suggestion(buffer, document)
        text = document.text
        if found is not None or len(text.strip()) < 3 or text.startswith("/"):
            return found
        for question in self.questions:
            if len(question) > len(text) and question.lower().startswith(text.lower()):
                return Suggestion(question[len(text):])
        return None


# -- the loop ---------------------------------------------------------------------------------


def run_chat(
    bot: FAQBot,
    *,
    color: bool = True,
    input: Input | None = None,
    output: Output | None = None,
    file: TextIO | None = None,
    history_path: str | Path | None = None,
    log: ReplyLog | None = None,
) -> int:
    """Chat on the terminal until /quit or Ctrl-D; returns the exit status (0).

    `input`/`output` default to the terminal (or the current prompt_toolkit app session);
    `file` receives the chat's messages as plain text instead of `output` (for tests);
    `history_path` defaults to `default_history_path()`; `log` (--log-unanswered) is called
    with each question and reply. Colour is off when `color` is False or NO_COLOR is set.
    """
    depth = ColorDepth.DEPTH_1_BIT if not color or os.environ.get("NO_COLOR") else None
    completer = ChatCompleter(bot)
    session: PromptSession[str] = PromptSession(
        history=open_history(history_path),
        completer=completer,
        complete_while_typing=Condition(
            lambda: get_app().current_buffer.text.lstrip().startswith("/")),
        auto_suggest=ChatSuggest(completer.questions),
        style=STYLE,
        color_depth=depth,
        include_default_pygments_style=False,
        enable_suspend=True,
        input=input,
        output=output,
    )
    printer = create_output(file) if file is not None else session.output

    def show(paras: Iterable[Para]) -> None:
        text = layout(paras, session.output.get_size().columns)
        print_formatted_text(text, end="", style=STYLE, output=printer, color_depth=depth,
                             include_default_pygments_style=False)

    state = ChatState(bot, bot.conversation(), log=log)
    show(welcome(bot.faq.disclaimer))
    while True:
        try:
            line = session.prompt([("class:prompt", PROMPT)])
            shown = slash.dispatch(state, line)
            if shown is None:
                question = " ".join(line.split())  # pasted newlines and tabs: one question
                if not question:
                    continue
                shown = reply_paras(state.ask(question))
            show([*shown, BLANK])
        except KeyboardInterrupt:  # Ctrl-C: forget this line, keep chatting
            continue
        except (EOFError, slash.Quit):
            break
    show([Para("Goodbye, and take care.", "class:hint", lead="")])
    return 0
