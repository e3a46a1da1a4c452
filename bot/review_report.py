"""`faqbot review LOG`: the command, and its three output formats (table, json, md).

The table is for a terminal, Markdown for an issue or a wiki page, JSON for other tools:
``{"clusters": [{"size", "members", "nearest": {"id", "score"}, "reasons", "suggestion"}]}``,
biggest cluster first. Logged text is user input: in the table and in Markdown every
control character is replaced before it is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .errors import InputError
from .review import Cluster
from .unanswered import LogRead, parse_time

FORMATS = ("table", "json", "md")
REASONS_SHOWN = 4


@dataclass(frozen=True, slots=True)
class Summary:
    """What the header line says about the whole log."""

    log: str
    questions: int
    clusters: int
    hidden: int  # clusters under --min-size
    min_size: int
    first: datetime | None
    last: datetime | None

    def line(self) -> str:
        span = ""
        if self.first and self.last:
            first, last = f"{self.first:%Y-%m-%d}", f"{self.last:%Y-%m-%d}"
            span = f" on {first}" if first == last else f" from {first} to {last}"
        hidden = f"; {_count(self.hidden, 'cluster')} under --min-size {self.min_size} not shown" if self.hidden else ""
        return (f"{self.log}: {_count(self.questions, 'unanswered question')}{span} "
                f"in {_count(self.clusters, 'cluster')}{hidden}")


def since_date(text: str) -> datetime:
    """--since: an ISO date or date-time (UTC unless it says otherwise)."""
    try:
        return parse_time(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date: '{text}' (use YYYY-MM-DD or YYYY-MM-DDTHH:MM)") from None


def run_cli(args: argparse.Namespace) -> int:
    """`faqbot review`: read the log, cluster it, print it (or --apply it); returns the status."""
    from .core import FAQBot
    from .review import review
    from .unanswered import read_log

    if args.min_size < 1:
        raise InputError(f"--min-size must be 1 or more, not {args.min_size}")
    bot = FAQBot.from_yaml(args.faq)
    read = read_log(args.log, since=args.since)
    _warn_skipped(args.log, read)
    clusters = review(bot, read.entries)
    shown = [c for c in clusters if c.size >= args.min_size]
    times = [e.time for e in read.entries if e.time is not None]
    summary = Summary(args.log, len(read.entries), len(clusters), len(clusters) - len(shown), args.min_size,
                      min(times, default=None), max(times, default=None))
    if args.apply:
        from .review_apply import run_apply

        print(summary.line())
        return run_apply(bot, shown, output=args.output)
    if args.format == "json":
        print(as_json(shown))
    elif args.format == "md":
        print(as_markdown(shown, summary), end="")
    else:
        print(as_table(shown, summary), end="")
    return 0


def _warn_skipped(log: str, read: LogRead) -> None:
    if read.skipped:
        lines = _count(read.skipped, "line")
        print(f"faqbot: warning: {log}: {lines} not written by --log-unanswered skipped "
              f"(the first is line {read.first_skipped})", file=sys.stderr)


def as_json(clusters: Sequence[Cluster]) -> str:
    """The JSON form, on one line."""
    return json.dumps({"clusters": [c.to_dict() for c in clusters]}, ensure_ascii=False)


def as_table(clusters: Sequence[Cluster], summary: Summary) -> str:
    """Plain text for a terminal: the header line, then one block per cluster."""
    from .terminal import printable

    out = [summary.line(), ""]
    for n, c in enumerate(clusters, 1):
        out.append(f"{n:2}. {_count(c.size, 'question')}: {c.suggestion}")
        for i, text in enumerate(c.representatives):
            out.append(f"    {'asked as:' if i == 0 else '':9}  \"{printable(text)}\"")
        if c.nearest is not None:
            question = printable(c.nearest.question)
            out.append(f"    {'nearest:':9}  {c.nearest.id} ({c.nearest.score:.2f}) \"{question}\"")
        out.append(f"    {'reasons:':9}  {printable(_reasons(c))}")
        if c.answered_now or c.urgent_now:
            out.append(f"    {'now:':9}  {_now(c)}")
        out.append("")
    return "\n".join(out) + ("" if clusters else "\n")


def as_markdown(clusters: Sequence[Cluster], summary: Summary) -> str:
    """A Markdown page: the header line, then a table with a row per cluster."""
    out = [f"# Unanswered questions: {_cell(summary.log)}", "", _cell(summary.line()) + ".", ""]
    if clusters:
        out += ["| # | questions | suggestion | nearest entry | asked as | reasons |",
                "|--:|--:|---|---|---|---|"]
    for n, c in enumerate(clusters, 1):
        nearest = f"`{c.nearest.id}` ({c.nearest.score:.2f})" if c.nearest else ""
        asked = "<br>".join(_cell(t) for t in c.representatives)
        reasons = "<br>".join(f"{_cell(r)}: {k:,}" for r, k in list(c.reasons.items())[:REASONS_SHOWN])
        out.append(f"| {n} | {c.size:,} | {_cell(c.suggestion)} | {nearest} | {asked} | {reasons} |")
    return "\n".join(out) + "\n"


def _now(cluster: Cluster) -> str:
    """What the bot does now with the cluster's questions, when it is not falling back."""
    parts = [f"answers {cluster.answered_now}"] if cluster.answered_now else []
    parts += [f"sends {cluster.urgent_now} to urgent care"] if cluster.urgent_now else []
    return f"asked again, the bot {' and '.join(parts)} of {cluster.asked}"


def _reasons(cluster: Cluster) -> str:
    items = list(cluster.reasons.items())
    text = "; ".join(f"{reason}: {count:,}" for reason, count in items[:REASONS_SHOWN])
    more = len(items) - REASONS_SHOWN
    return text + (f"; {more} more" if more > 0 else "")


def _cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, no pipes or HTML, no control characters."""
    from .terminal import printable

    escaped = printable(text).replace("\\", "\\\\").replace("|", "\\|")
    return escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("`", "\\`")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
