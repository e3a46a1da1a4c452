"""The `faqbot` command: subcommands, and the one place errors become exit codes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import FAQBotError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Handler = Callable[[argparse.Namespace], int]


def _bot(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .core import FAQBot

    return FAQBot.from_yaml(args.faq)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a FAQ file and print a one-line summary."""
    from .knowledge import load_faq

    faq = load_faq(args.path)
    phrasings = sum(len(e.phrasings) for e in faq.entries)
    print(f"{faq.path}: ok: {len(faq.entries)} entries, {phrasings} phrasings, "
          f"{len(faq.subjects)} subjects, {len(faq.facets)} facets")
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    from .errors import InputError

    question = " ".join(args.question)
    if not question.strip():
        raise InputError("the question is empty: try faqbot ask \"which foods have magnesium?\"")
    bot = _bot(args)
    reply = bot.ask(question, log=_unanswered(args, bot, "ask"))
    print(json.dumps(reply.to_dict(), ensure_ascii=False) if args.json else reply.text)
    return EXIT_OK


def cmd_eval(args: argparse.Namespace) -> int:
    """Score the bot on labelled .jsonl files."""
    from .evaluate import evaluate, read_labelled

    items, dialogues = [], []
    for path in args.files:
        i, d = read_labelled(path)
        items += i
        dialogues += d
    bot = _bot(args)
    report = evaluate(bot, items, dialogues)
    for line in report.lines(show_wrong=args.show_wrong):
        print(line)
    if args.sweep or args.plot:
        from .evaluate import reliability, sweep

        rows = sweep(report, [round(0.05 * i, 2) for i in range(1, 20)])
        if args.sweep:
            print(f"sweep of the answer threshold (now {bot.faq.thresholds.answer}):")
            print("  threshold  in-scope right  false accepts  answered")
            for r in rows:
                print(f"  {r.threshold:9.2f}  {r.in_scope_right:14.1%}  {r.false_accepts:13.1%}  {r.answered:8.1%}")
        if args.plot:
            from .plot import plot_eval

            plot_eval(rows, reliability(report), bot.faq.thresholds.answer, args.plot)
            print(f"plot written to {args.plot}")
    if args.min_accuracy is not None and report.rate(report.items + report.dialogue_turns) < args.min_accuracy:
        print(f"faqbot: accuracy under --min-accuracy {args.min_accuracy}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_OK


def cmd_chat(args: argparse.Namespace) -> int:
    """Chat: a terminal UI on a terminal, one reply per input line otherwise."""
    bot = _bot(args)
    log = _unanswered(args, bot, "chat")
    if not args.json and sys.stdin.isatty() and sys.stdout.isatty():
        from .terminal import run_chat

        return run_chat(bot, color=not args.no_color, log=log)
    conv = bot.conversation()
    for line in sys.stdin:
        if not line.strip() and not args.json:
            continue  # an empty line asks nothing; in --json mode every line gets its reply
        reply = conv.ask(line.rstrip("\r\n"), log=log)
        text = json.dumps(reply.to_dict(), ensure_ascii=False) if args.json else reply.text
        print(text, flush=True)
    return EXIT_OK


def cmd_batch(args: argparse.Namespace) -> int:
    """Answer a file of questions (txt, csv or jsonl), one output row per input row."""
    from .batch import run_cli

    return run_cli(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the bot over HTTP (OpenAI-compatible chat completions and a JSON API)."""
    from .server import run_cli

    return run_cli(args)


def cmd_review(args: argparse.Namespace) -> int:
    """Group the logged unanswered questions by need, biggest first, with a suggestion for each."""
    from .review_report import run_cli

    return run_cli(args)


def _unanswered(args: argparse.Namespace, bot: Any, front_end: str) -> Any:
    from .unanswered import open_for_cli

    return open_for_cli(bot.faq, args.log_unanswered, redact=args.log_redact, front_end=front_end)


def _date(text: str) -> Any:
    from .review_report import since_date

    return since_date(text)


def _add_log(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-unanswered", metavar="PATH", help="append each fallback, clarification and "
                   "low-margin answer to PATH as a JSON line, for faqbot review (off by default)")
    p.add_argument("--log-redact", action="store_true",
                   help="mask numbers, e-mail addresses, phone numbers and URLs in that log")


def _add_faq(p: argparse.ArgumentParser) -> None:
    p.add_argument("--faq", metavar="PATH", help="FAQ file to use (default: the bundled faq.yaml)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="faqbot",
        description="A retrieval-only FAQ chatbot on calf twitching and the nutrients behind it. "
        "Not medical advice. With no command, opens the chat.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="validate a FAQ file", description=cmd_check.__doc__)
    p.add_argument("path", nargs="?", help="FAQ file (default: the bundled faq.yaml)")
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("ask", help="answer one question", description=cmd_ask.__doc__)
    p.add_argument("question", nargs="+", help="the question")
    p.add_argument("--json", action="store_true", help="print the reply as one JSON object")
    _add_log(p)
    _add_faq(p)
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("eval", help="score the bot on labelled files", description=cmd_eval.__doc__)
    p.add_argument("files", nargs="+", metavar="FILE.jsonl")
    p.add_argument("--min-accuracy", type=float, metavar="X", help="exit 1 when accuracy is under X (0-1)")
    p.add_argument("--show-wrong", type=int, default=50, metavar="N", help="list up to N wrong items")
    p.add_argument("--sweep", action="store_true", help="show how the figures move with the answer threshold")
    p.add_argument("--plot", metavar="FILE.png", help="draw the sweep and a reliability diagram (faqbot[plot])")
    _add_faq(p)
    p.set_defaults(handler=cmd_eval)

    p = sub.add_parser("chat", help="chat (terminal UI, or one turn per stdin line)", description=cmd_chat.__doc__)
    p.add_argument("--json", action="store_true", help="read turns from stdin, write one JSON reply per line")
    p.add_argument("--no-color", action="store_true", help="no colours (also when NO_COLOR is set)")
    _add_log(p)
    _add_faq(p)
    p.set_defaults(handler=cmd_chat)

    p = sub.add_parser("batch", help="answer a file of questions", description=cmd_batch.__doc__)
    p.add_argument("input", metavar="INPUT", help="questions: .txt, .csv or .jsonl; - for stdin")
    p.add_argument("-o", "--output", metavar="OUTPUT", help=".jsonl or .csv (default: jsonl on stdout)")
    p.add_argument("--format", choices=("txt", "csv", "jsonl"), help="input format (needed for -)")
    p.add_argument("--output-format", choices=("csv", "jsonl"), help="output format (default: by extension)")
    p.add_argument("--column", default="question", help="CSV column with the question (default: question)")
    p.add_argument("--field", default="question", help="JSONL field with the question (default: question)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="processes to use (default: 1)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    _add_log(p)
    _add_faq(p)
    p.set_defaults(handler=cmd_batch)

    p = sub.add_parser("serve", help="serve over HTTP (needs faqbot[server])", description=cmd_serve.__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: 1)")
    _add_log(p)
    _add_faq(p)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("review", help="group logged unanswered questions, with suggestions",
                       description=cmd_review.__doc__)
    p.add_argument("log", metavar="LOG", help="a file written by --log-unanswered")
    p.add_argument("--format", choices=("table", "json", "md"), default="table", help="output (default: table)")
    p.add_argument("--min-size", type=int, default=2, metavar="N",
                   help="show clusters of N questions or more (default: 2)")
    p.add_argument("--since", type=_date, metavar="DATE", help="only questions logged from DATE (YYYY-MM-DD, UTC)")
    p.add_argument("--apply", action="store_true",
                   help="walk the 'add as phrasing' suggestions and write a reviewed copy of the FAQ")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="the copy --apply writes (default: NAME.reviewed.yaml beside the FAQ)")
    _add_faq(p)
    p.set_defaults(handler=cmd_review)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `faqbot` script; returns the exit status."""
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv = ["chat", *argv]  # `faqbot` and `faqbot --faq PATH` open the chat
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # the reader went away (`faqbot eval ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except FAQBotError as exc:
        print(f"faqbot: {exc}", file=sys.stderr)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"faqbot: {where}{exc.strerror or exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("faqbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
