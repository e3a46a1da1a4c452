"""`faqbot review LOG --apply`: walk the "add as phrasing" suggestions, write a reviewed copy.

For each cluster whose suggestion is to add a phrasing, its representative questions are
offered one by one as phrasings of the nearest entry: accept, edit (type a better wording),
skip, or quit. Questions that are already a phrasing, or that the bot now answers with that
entry or refuses by design (a red flag, an out-of-scope facet), are not offered. Accepted
phrasings go into a copy of the FAQ file, NAME.reviewed.yaml beside it (never the original),
inserted into each entry's `alternatives:` list as text, so comments and layout stay. The
copy is checked as `faqbot check` checks a file before it is put in place.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import FAQBotError, InputError
from .knowledge import load_faq
from .normalise import clean
from .review import Cluster
from .yamledit import EditError, add_alternatives

if TYPE_CHECKING:
    from .core import FAQBot
    from .knowledge import FAQ

Ask = Callable[[str], "str | None"]  # shows a prompt, returns the typed line (None at end of input)
Say = Callable[[str], None]
CHOICES = "[a]ccept, [e]dit, [s]kip, [q]uit (Enter skips)"
NOT_YAML = (".csv", ".tsv", ".json", ".jsonl", ".ndjson")  # FAQ formats the text edit cannot handle


@dataclass(frozen=True, slots=True)
class Offer:
    """A logged question offered as a phrasing of an entry."""

    cluster: int  # 1-based, as the report numbers them
    size: int
    entry: str
    text: str


@dataclass(slots=True)
class Outcome:
    """What the walk decided: accepted phrasings per entry id, in order, and the tallies."""

    accepted: dict[str, list[str]] = field(default_factory=dict)
    edited: int = 0
    skipped: int = 0
    not_offered: int = 0

    @property
    def count(self) -> int:
        return sum(len(p) for p in self.accepted.values())


def reviewed_path(faq_path: str | Path) -> Path:
    """Where the reviewed copy of a FAQ file goes by default: NAME.reviewed.yaml beside it."""
    path = Path(faq_path)
    return path.with_name(f"{path.stem}.reviewed{path.suffix}")


def run_apply(bot: FAQBot, clusters: Sequence[Cluster], *, output: str | None = None,
              ask: Ask | None = None, say: Say = print) -> int:
    """The interactive walk, then the reviewed copy and a summary; returns the exit status.

    Raises InputError when the FAQ is a CSV or JSON file or the copy would overwrite a file,
    FAQBotError when the edited copy would not pass `faqbot check`.
    """
    source = Path(bot.faq.path)
    target = Path(output) if output else reviewed_path(source)
    if source.suffix.lower() in NOT_YAML:
        raise InputError(f"{source}: --apply adds phrasings to YAML FAQ files only; add them to this file by hand")
    if target.exists() and target.resolve() == source.resolve():
        raise InputError(f"{target}: --apply never writes over the FAQ itself: choose another --output")
    if target.exists():
        raise InputError(f"{target} already exists: move it away, or choose another name with --output")
    offers, not_offered = offers_for(bot, clusters)
    if not offers:
        why = (f" ({not_offered} not offered: the FAQ has them, or the bot answers them with that entry "
               "or refuses them by design)") if not_offered else ""
        say(f"no \"add as phrasing\" suggestions to review{why}: nothing written")
        return 0
    outcome = walk(bot.faq, offers, ask=ask or _terminal_input, say=say)
    outcome.not_offered = not_offered
    if not outcome.count:
        say(f"no phrasings accepted: {target} not written")
        return 0
    faq = write_reviewed(bot.faq, outcome.accepted, target)
    for line in summary(source, target, faq, outcome):
        say(line)
    return 0


def offers_for(bot: FAQBot, clusters: Sequence[Cluster]) -> tuple[list[Offer], int]:
    """The questions to offer, and how many representatives were left out (see module doc)."""
    candidates = [(n, c, text) for n, c in enumerate(clusters, 1) if c.phrasing_of for text in c.representatives]
    replies = bot.ask_many([text for _, _, text in candidates])
    known = _phrasings(bot.faq)
    offers, left_out = [], 0
    for (n, cluster, text), reply in zip(candidates, replies, strict=True):
        entry = cluster.phrasing_of or ""
        refused = reply.kind == "urgent" or (reply.reason or {}).get("reason") == "unanswered-facet"
        answered = reply.kind == "answer" and reply.id == entry
        if refused or answered or clean(text) in known:
            left_out += 1
        else:
            offers.append(Offer(n, cluster.size, entry, " ".join(text.split())))
    return offers, left_out


def walk(faq: FAQ, offers: Sequence[Offer], *, ask: Ask, say: Say) -> Outcome:
    """Offer each question in turn; returns what was accepted (nothing is written here)."""
    from .terminal import printable

    outcome = Outcome()
    known = _phrasings(faq)
    cluster = 0
    for number, offer in enumerate(offers, 1):
        if offer.cluster != cluster:
            cluster = offer.cluster
            entry = faq.entry(offer.entry)
            say(f"\ncluster {offer.cluster} ({offer.size:,} questions) is closest to {entry.id}: "
                f"\"{printable(entry.question)}\"")
        say(f"  {number}/{len(offers)}  \"{printable(offer.text)}\"")
        while True:
            answer = ask(f"  add as a phrasing of {offer.entry}? {CHOICES}: ")
            choice = (answer or "").strip().lower()
            if answer is None or choice in ("q", "quit"):
                outcome.skipped += len(offers) - number + 1
                return outcome
            if choice in ("", "s", "skip", "n", "no"):
                outcome.skipped += 1
                break
            if choice in ("a", "accept", "y", "yes"):
                text = offer.text
            elif choice in ("e", "edit"):
                typed = ask("  phrasing: ")
                if typed is None:
                    outcome.skipped += len(offers) - number + 1
                    return outcome
                text = " ".join(typed.split())
                if not text:
                    continue
            else:
                say("  please answer a, e, s or q")
                continue
            problem = _problem(text, known)
            if problem:
                say(f"  {problem}")
                continue
            known[clean(text)] = f"entry '{offer.entry}' (accepted just now)"
            outcome.accepted.setdefault(offer.entry, []).append(text)
            outcome.edited += text != offer.text
            break
    return outcome


def write_reviewed(faq: FAQ, accepted: dict[str, list[str]], target: Path) -> FAQ:
    """Write the FAQ file with `accepted` phrasings added to `target`; returns it loaded.

    The copy is written beside `target` under a temporary name, loaded and checked (every
    phrasing where it was meant to go, nothing else changed), then renamed into place.
    Raises FAQBotError when it would not pass `faqbot check`; then nothing is written.
    """
    with open(faq.path, encoding="utf-8", newline="") as stream:  # newline="": keep CRLF as it is
        text = stream.read()
    positions = {entry.id: n for n, entry in enumerate(faq.entries)}
    additions = {positions[entry_id]: phrasings for entry_id, phrasings in accepted.items()}
    edited = add_alternatives(text, additions, [e.id for e in faq.entries])
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".yaml")
    try:
        with open(fd, "w", encoding="utf-8", newline="") as sink:
            sink.write(edited)
        checked = load_faq(temp)
        _verify(faq, checked, accepted)
        with suppress(OSError):
            os.chmod(temp, os.stat(faq.path).st_mode & 0o7777)
        os.replace(temp, target)
    except FAQBotError as exc:
        with suppress(OSError):
            os.unlink(temp)
        raise FAQBotError(f"{target} not written: the edited copy would not pass faqbot check: {exc}") from None
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    return load_faq(target)


def _verify(before: FAQ, after: FAQ, accepted: dict[str, list[str]]) -> None:
    """Every entry of `after` is the one of `before` plus exactly its accepted phrasings."""
    if [e.id for e in before.entries] != [e.id for e in after.entries]:
        raise EditError("the entries changed")
    for old, new in zip(before.entries, after.entries, strict=True):
        if new.alternatives != old.alternatives + tuple(accepted.get(old.id, ())):
            raise EditError(f"entry '{old.id}': the phrasings did not come out as accepted")


def summary(source: Path, target: Path, faq: FAQ, outcome: Outcome) -> list[str]:
    """What changed, entry by entry, and how the copy passed the check."""
    entries = len(outcome.accepted)
    lines = [f"\n{target}: {_count(outcome.count, 'phrasing')} added to {_count(entries, 'entry', 'entries')} "
             f"({outcome.edited} edited, {outcome.skipped} skipped, {outcome.not_offered} not offered); "
             f"{source} is unchanged"]
    width = max(len(entry) for entry in outcome.accepted)
    for entry, phrasings in outcome.accepted.items():
        for i, text in enumerate(phrasings):
            lines.append(f"  {entry if i == 0 else '':{width}}  + {text}")
    total = sum(len(e.phrasings) for e in faq.entries)
    lines.append(f"{target}: ok: {len(faq.entries)} entries, {total} phrasings, "
                 f"{len(faq.subjects)} subjects, {len(faq.facets)} facets (as faqbot check {target} says)")
    lines.append(f"to use it: diff {source} {target}, then mv {target} {source}")
    return lines


def _phrasings(faq: FAQ) -> dict[str, str]:
    """Every phrasing the FAQ has (as `faqbot check` compares them) → whose it is."""
    known = {clean(p): f"entry '{e.id}'" for e in faq.entries for p in e.phrasings}
    known.update({clean(t): "the out-of-scope examples" for t in faq.out_of_scope_examples})
    return known


def _problem(text: str, known: dict[str, str]) -> str | None:
    """Why `text` cannot be a new phrasing, or None."""
    key = clean(text)
    if not key:
        return f"\"{text}\" has no letters or digits: type another, or skip"
    if key in known:
        return f"\"{text}\" is already a phrasing of {known[key]}: type another, or skip"
    return None


def _terminal_input(prompt: str) -> str | None:
    try:
        return input(prompt)
    except EOFError:
        print(file=sys.stdout)
        return None


def _count(n: int, noun: str, plural: str | None = None) -> str:
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"
