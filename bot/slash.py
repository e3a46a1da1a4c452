"""The chat's slash commands, registered in one table that also produces `/help`.

Commands return plain `Para`graphs (text plus style names); `terminal.py` wraps, escapes and
prints them. This module needs no prompt_toolkit, so it stays cheap to import and to test.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .conversation import Conversation
    from .core import FAQBot
    from .knowledge import Entry
    from .reply import Reply
    from .unanswered import ReplyLog


@dataclass(frozen=True, slots=True)
class Para:
    """One paragraph: `lead` (in `lead_style`) starts its first line, `indent` the others.

    `style` and `lead_style` name styles ("class:answer"); the text is wrapped to the screen.
    """

    text: str
    style: str = ""
    lead: str = "   "
    lead_style: str = ""
    indent: int | None = None  # continuation indent; the width of `lead` when None


BLANK = Para("", lead="")


@dataclass(slots=True)
class ChatState:
    """What the commands may look at or change: the bot, the conversation, the last turn."""

    bot: FAQBot
    conversation: Conversation
    last: Reply | None = None
    last_question: str = ""
    log: ReplyLog | None = None  # --log-unanswered

    def ask(self, text: str) -> Reply:
        """Ask in the conversation and remember the turn for /why."""
        self.last, self.last_question = self.conversation.ask(text, log=self.log), text
        return self.last


class Quit(Exception):
    """Raised by /quit: the chat says goodbye and exits with status 0."""


Handler = Callable[[ChatState, str], list[Para]]


@dataclass(frozen=True, slots=True)
class Command:
    """A slash command: its name, a one-line summary for /help, and what it does."""

    name: str
    summary: str
    run: Handler
    args: str = ""
    aliases: tuple[str, ...] = ()
    complete: Callable[[FAQBot], Sequence[str]] | None = field(default=None, compare=False)


COMMANDS: dict[str, Command] = {}  # every name and alias → its command, in /help order
BARE_WORDS = {"quit": "/quit", "exit": "/quit", "?": "/help"}  # forgiving, without the slash


def command(
    name: str,
    summary: str,
    *,
    args: str = "",
    aliases: tuple[str, ...] = (),
    complete: Callable[[FAQBot], Sequence[str]] | None = None,
) -> Callable[[Handler], Handler]:
    """Register the decorated function as the slash command `name`."""

    def register(run: Handler) -> Handler:
        cmd = Command(name, summary, run, args, aliases, complete)
        for key in (name, *aliases):
            COMMANDS[key] = cmd
        return run

    return register


def commands() -> list[Command]:
    """Each command once, in /help order."""
    return list(dict.fromkeys(COMMANDS.values()))


def dispatch(state: ChatState, line: str) -> list[Para] | None:
    """Run `line` if it is a command and return what to show; None when it is a question.

    Raises `Quit` for /quit.
    """
    text = line.strip()
    text = BARE_WORDS.get(text.lower(), text)
    if not text.startswith("/"):
        return None
    name, _, arg = text.partition(" ")
    cmd = COMMANDS.get(name.lower())
    if cmd is None:
        return unknown_command(name)
    return cmd.run(state, arg.strip())


def unknown_command(name: str) -> list[Para]:
    """A helpful message for a command we do not have: the closest one, or the list."""
    close = difflib.get_close_matches(name.lower(), COMMANDS, n=1, cutoff=0.5)
    hint = f"Did you mean {COMMANDS[close[0]].name}?" if close else (
        "Commands: " + ", ".join(c.name for c in commands()) + "."
    )
    return [Para(f"Unknown command {name}. {hint} Type /help for the list.", "class:error")]


def topics(bot: FAQBot) -> dict[str, list[str]]:
    """The canonical questions grouped by the label of their entry's first subject.

    Topics come in the FAQ's `subjects:` order, questions in entry order.
    """
    subjects = bot.faq.subjects
    rank = {name: n for n, name in enumerate(subjects)}

    def first_subject(entry: Entry) -> str:
        return entry.subjects[0] if entry.subjects else ""

    groups: dict[str, list[str]] = {}
    for entry in sorted(bot.faq.entries, key=lambda e: rank.get(first_subject(e), len(rank))):
        name = first_subject(entry)
        label = subjects[name].label if name in subjects else "other"
        groups.setdefault(label, []).append(entry.question)
    return groups


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


# -- the commands ---------------------------------------------------------------------------


@command("/help", "list the commands and keys", aliases=("/h", "/?"))
def show_help(state: ChatState, arg: str) -> list[Para]:
    rows = [(f"{c.name} {c.args}".rstrip(), c.summary) for c in commands()]
    width = max(len(left) for left, _ in rows) + 4
    paras = [Para(summary, lead=f"   {left}".ljust(width + 3), lead_style="class:command")
             for left, summary in rows]
    return [
        *paras,
        BLANK,
        Para("Ask in your own words; follow-ups such as \"and potassium?\" use the last topic, "
             "and a number picks one of the choices I offer.", "class:hint"),
        Para("Tab completes commands and FAQ questions; Up/Down browse your history; "
             "Right arrow accepts a suggestion; Ctrl-R searches history; "
             "Ctrl-C clears the line; Ctrl-D quits.", "class:hint"),
    ]


@command("/topics", "the questions I can answer, by topic", args="[TOPIC]",
         complete=lambda bot: list(topics(bot)))
def show_topics(state: ChatState, arg: str) -> list[Para]:
    groups = topics(state.bot)
    wanted = [label for label in groups if label.lower().startswith(arg.lower())]
    if not wanted:
        return [Para(f"No topic called {arg}. Topics: {', '.join(groups)}.", "class:error")]
    paras = []
    for label in wanted:
        paras.append(Para(label[:1].upper() + label[1:], "class:topic"))
        paras += [Para(question, lead="     - ") for question in groups[label]]
    total = sum(len(groups[label]) for label in wanted)
    # The summary comes last: a long list scrolls, and this is where the eye lands.
    return [*paras, Para(f"{_count(total, 'question')} on {_count(len(wanted), 'topic')}. "
                         "Ask in your own words.", "class:hint")]


@command("/why", "why I gave my last reply")
def show_why(state: ChatState, arg: str) -> list[Para]:
    if state.last is None:
        return [Para("Nothing to explain yet: ask me a question first.", "class:hint")]
    return [_row("asked", state.last_question), *explain(state.bot, state.last)]


@command("/reset", "forget the conversation (topic and pending choices)")
def reset(state: ChatState, arg: str) -> list[Para]:
    state.conversation.reset()
    state.last, state.last_question = None, ""
    return [Para("Forgot our conversation; ask me anything.", "class:hint")]


@command("/quit", "leave (Ctrl-D does too)", aliases=("/exit", "/q"))
def quit_chat(state: ChatState, arg: str) -> list[Para]:
    raise Quit


# -- /why -----------------------------------------------------------------------------------


def reason_text(reason: dict[str, str] | None) -> str:
    """A fallback's reason (`Reply.reason`) in words."""
    reason = reason or {}
    kind = reason.get("reason", "")
    if kind == "unanswered-facet":
        about = f" of {reason['subject']}" if reason.get("subject") else ""
        return f"The FAQ does not cover {reason.get('facet', 'that')}{about}; please ask a doctor."
    if kind == "unknown-words":
        return f"These words are not in the FAQ: {', '.join(reason.get('words', '').split())}."
    if kind == "low-confidence":
        return "No entry matched well enough."
    if kind == "no-question":
        return "There was no question in that message."
    return f"I fell back ({kind or 'no reason given'})."


def explain(bot: FAQBot, reply: Reply) -> list[Para]:
    """Why `reply` was chosen: its kind and confidence, the entry, the reason, the runners-up."""
    rows = [_row("reply", f"{reply.kind}, confidence {reply.confidence:.2f}")]
    if reply.kind == "answer" and reply.id is not None:
        rows.append(_row("matched", f"{bot.faq.entry(reply.id).question} ({reply.id})"))
        if not reply.alternatives and len(bot.faq.entries) > 1:
            rows.append(_row("because", "it followed from our conversation "
                                        "(a follow-up, or a pick of a numbered choice)"))
        return rows + _scores("runners-up", reply)
    if reply.kind == "clarify":
        rows.append(_row("because", "these were too close to call, so I asked you to choose"))
        return rows + _scores("choices", reply)
    if reply.kind == "fallback":
        rows.append(_row("because", reason_text(reply.reason), "class:fallback"))
        return rows + _scores("closest", reply)
    if reply.kind == "urgent":
        reason = reply.reason or {}
        earlier = bool(reason.get("from"))
        named = f" ({reason['flag']}: \"{reason.get('words', '')}\")" if reason.get("flag") else ""
        because = (f"your earlier message named a possible red flag{named}, and this one asked nothing "
                   "else I could answer, so I pointed to urgent care again" if earlier else
                   f"your message named a possible red flag{named}, so I pointed to urgent care")
        return [*rows, _row("because", because, "class:urgent")]
    return [*rows, _row("because", f"it looked like small talk ({reply.id})")]


_LABEL = 14  # width of the label column of /why


def _row(label: str, text: str, style: str = "") -> Para:
    return Para(text, style, lead=f"   {label}".ljust(_LABEL), lead_style="class:label")


def _scores(label: str, reply: Reply) -> list[Para]:
    return [
        Para(f"{a.score:.2f}  {a.question}", lead=f"   {label if n == 0 else ''}".ljust(_LABEL),
             lead_style="class:label", indent=_LABEL + 6)
        for n, a in enumerate(reply.alternatives)
    ]
