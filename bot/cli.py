"""The `faqbot` command: subcommands, and the one place errors become exit codes."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .display import json_line, one_line, safe
from .errors import FAQBotError, UsageError

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

Handler = Callable[[argparse.Namespace], int]


ENVIRONMENT = """\
environment:
  FAQBOT_CACHE_DIR  where fitted indexes are cached (default: $XDG_CACHE_HOME/faqbot,
                    else ~/.cache/faqbot)
  FAQBOT_NO_CACHE   set to 1 to neither read nor write that cache
  FAQBOT_MAX_FAQ_MB the largest FAQ file read, in MB (default: 5; 0: no limit), as --max-faq-mb
  XDG_STATE_HOME    the chat keeps its history in $XDG_STATE_HOME/faqbot/history
                    (default: ~/.local/state/faqbot/history)
  NO_COLOR          set to anything for a chat without colours (as --no-color)

exit status: 0 done, 1 an error (one line on stderr), 2 a usage error, 130 interrupted
"""
COMPLETION_HELP = """\
install it:
  bash  faqbot completion bash > ~/.local/share/bash-completion/completions/faqbot
  zsh   faqbot completion zsh > ~/.zfunc/_faqbot   (with fpath+=(~/.zfunc) before compinit)
  fish  faqbot completion fish > ~/.config/fish/completions/faqbot.fish
or for this shell only: source <(faqbot completion bash)
"""
TOP_OPTIONS = {"-v", "--verbose", "--faq", "--max-faq-mb"}  # options before the command
_TAKE_VALUE = {"--faq", "--max-faq-mb"}


def _bot(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from .core import FAQBot

    return FAQBot.from_yaml(args.faq)


def cmd_check(args: argparse.Namespace) -> int:
    """Validate a FAQ file: a one-line summary, or every problem as PATH:LINE: message."""
    from .errors import FAQFormatError
    from .knowledge import load_faq

    try:
        faq = load_faq(args.path or args.faq)
    except FAQFormatError as exc:
        for problem in exc.problems:
            print(f"faqbot: {one_line(str(problem))}", file=sys.stderr)
        if len(exc.problems) > 1:
            print(f"faqbot: {len(exc.problems)} problems in {one_line(exc.path or '')}", file=sys.stderr)
        return EXIT_ERROR
    phrasings = sum(len(e.phrasings) for e in faq.entries)
    print(f"{one_line(faq.path)}: ok: {len(faq.entries)} entries, {phrasings} phrasings, "
          f"{len(faq.subjects)} subjects, {len(faq.facets)} facets")
    for warning in faq.warnings:
        print(f"faqbot: warning: {one_line(warning)}", file=sys.stderr)
    return EXIT_OK


def cmd_convert(args: argparse.Namespace) -> int:
    """Write a FAQ (YAML, CSV or JSONL) in another of these forms, by the output's name:
    a spreadsheet's questions as the faq.yaml to grow from, or a FAQ as a table."""
    from .convert import write_faq
    from .knowledge import load_faq

    faq = load_faq(args.path)
    write_faq(faq, args.output, force=args.force)
    print(f"{one_line(args.output)}: wrote {len(faq.entries)} entries", file=sys.stderr)
    return EXIT_OK


def cmd_ask(args: argparse.Namespace) -> int:
    """Answer one question."""
    from .errors import InputError

    question = " ".join(args.question)
    if not question.strip():
        raise InputError("the question is empty: try faqbot ask \"which foods have magnesium?\"")
    bot = _bot(args)
    reply = bot.ask(question, lang=args.lang, log=_unanswered(args, bot, "ask"))
    print(json_line(reply.to_dict()) if args.json else safe(reply.text))
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
        print(safe(line))  # the lines quote questions from the files
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
    """Chat: a terminal UI on a terminal, else one output line per input line (see bot.pipechat)."""
    bot = _bot(args)
    log = _unanswered(args, bot, "chat")
    if not args.json and sys.stdin.isatty() and sys.stdout.isatty():
        from .terminal import run_chat

        return run_chat(bot, color=not args.no_color, log=log)
    from .pipechat import run_pipe

    return run_pipe(bot, sys.stdin, sys.stdout, json=args.json, log=log)


def cmd_batch(args: argparse.Namespace) -> int:
    """Answer a file of questions (txt, csv or jsonl), one output row per input row."""
    from .batch import run_cli

    return run_cli(args)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the bot over HTTP: a chat page, a site widget, OpenAI-compatible chat completions."""
    from .server import run_cli

    return run_cli(args)


SHELLS = ("bash", "zsh", "fish")
# options and arguments that name files: completed as paths
PATH_DESTS = {"faq", "top_faq", "path", "files", "plot", "input", "output"}


def cmd_completion(args: argparse.Namespace) -> int:
    """Print a completion script for your shell (commands, options and file names)."""
    import shtab

    parser = build_parser()
    for action in _all_actions(parser):
        if action.dest in PATH_DESTS:
            action.complete = shtab.FILE  # type: ignore[attr-defined]
    print(shtab.complete(parser, shell=args.shell))
    return EXIT_OK


def _all_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The actions of `parser` and of all its subcommands."""
    actions = list(parser._actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                actions += _all_actions(sub)
    return actions


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
    # SUPPRESS: when absent here, the --faq given before the command stays
    p.add_argument("--faq", metavar="PATH", default=argparse.SUPPRESS,
                   help="FAQ file to use (default: the bundled faq.yaml)")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="faqbot",
        description="A retrieval-only FAQ chatbot on calf twitching and the nutrients behind it. "
        "Not medical advice. With no command, opens the chat.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"faqbot {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log what faqbot does on stderr (-vv: debug details)")
    parser.add_argument("--faq", metavar="PATH", dest="top_faq",
                        help="FAQ file for any command (default: the bundled faq.yaml)")
    parser.add_argument("--max-faq-mb", metavar="MB", type=_megabytes,
                        help="read FAQ files up to MB megabytes (default: 5; 0: no limit)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="validate a FAQ file", description=cmd_check.__doc__)
    p.add_argument("path", nargs="?", help="FAQ file (default: --faq, else the bundled faq.yaml)")
    _add_faq(p)
    p.set_defaults(handler=cmd_check)

    p = sub.add_parser("convert", help="write a FAQ as YAML, CSV or JSONL", description=cmd_convert.__doc__)
    p.add_argument("path", help="the FAQ to read (.yaml, .csv or .jsonl)")
    p.add_argument("-o", "--output", metavar="PATH", required=True,
                   help="the file to write; its ending (.yaml, .csv, .jsonl) says the form")
    p.add_argument("--force", action="store_true", help="replace PATH if it exists")
    p.set_defaults(handler=cmd_convert)

    p = sub.add_parser("ask", help="answer one question", description=cmd_ask.__doc__)
    p.add_argument("question", nargs="+", help="the question")
    p.add_argument("--json", action="store_true", help="print the reply as one JSON object")
    p.add_argument("--lang", metavar="CODE", help="the question's language, e.g. es (default: detected)")
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

    p = sub.add_parser("serve", help="serve a chat page and an HTTP API (needs faqbot[server])",
                       description=cmd_serve.__doc__)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1, metavar="N", help="worker processes (default: 1)")
    p.add_argument("--api-key", metavar="KEY", help="require 'Authorization: Bearer KEY' on /v1/* "
                   "(default: $FAQBOT_API_KEY; none)")
    p.add_argument("--cors-origin", action="append", metavar="ORIGIN",
                   help="let scripts on this origin call the API, e.g. https://example.org "
                   "(repeatable; default: none)")
    p.add_argument("--rate-limit", metavar="N/minute", help="at most N requests a minute per client "
                   "address, then 429 (default: no limit)")
    p.add_argument("--no-page", action="store_true", help="serve the API only: no chat page, widget "
                   "or /chat/ask")
    _add_log(p)
    _add_faq(p)
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("completion", help="print a shell completion script",
                       description=cmd_completion.__doc__, epilog=COMPLETION_HELP,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("shell", choices=SHELLS, help="the shell: bash, zsh or fish")
    p.set_defaults(handler=cmd_completion)

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


def _megabytes(text: str) -> str:
    """A --max-faq-mb value: a number of megabytes, 0 for no limit."""
    try:
        ok = float(text) >= 0
    except ValueError:
        ok = False
    if not ok:
        raise argparse.ArgumentTypeError(f"must be a number of megabytes (0: no limit), not {text!r}")
    return text


def with_command(argv: list[str]) -> list[str]:
    """`argv` with "chat" where the command goes when there is none: `faqbot`, `faqbot -v`,
    `faqbot --faq PATH` and `faqbot --no-color` open the chat."""
    n = 0
    while n < len(argv) and (argv[n] in TOP_OPTIONS or argv[n].startswith(("--faq=", "--max-faq-mb=", "-vv"))):
        n += 2 if argv[n] in _TAKE_VALUE else 1
    rest = argv[n:]
    if rest and (not rest[0].startswith("-") or rest[0] in ("-h", "--help", "--version")):
        return argv
    return [*argv[:n], "chat", *rest]


_log_handler: list[logging.Handler] = []  # the one this module added, replaced on each main()


def _logging(verbose: int) -> None:
    """-v: what faqbot does; -vv: the details too, on stderr. Without either, as Python does."""
    logger = logging.getLogger("bot")
    for handler in _log_handler:
        logger.removeHandler(handler)
    _log_handler.clear()
    logger.setLevel(logging.NOTSET)
    if verbose:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("faqbot: %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO if verbose == 1 else logging.DEBUG)
        _log_handler.append(handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `faqbot` script; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(with_command(list(sys.argv[1:] if argv is None else argv)))
    args.faq = getattr(args, "faq", None) or args.top_faq  # after the command, else before it
    if args.max_faq_mb is not None:  # a setting, so that every worker process reads it too
        from .yamlnodes import SIZE_SETTING

        os.environ[SIZE_SETTING] = args.max_faq_mb
    _logging(args.verbose)
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # the reader went away (`faqbot eval ... | head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    except FAQBotError as exc:  # messages quote file names and text: one safe line each
        more = len(getattr(exc, "problems", ())) - 1
        hint = f" (and {more} more: faqbot check {getattr(exc, 'path', '')} lists them)" if more > 0 else ""
        print(f"faqbot: {one_line(str(exc) + hint)}", file=sys.stderr)
        if isinstance(exc, UsageError):
            return EXIT_USAGE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"faqbot: {one_line(f'{where}{exc.strerror or exc}')}", file=sys.stderr)
    except KeyboardInterrupt:
        print("faqbot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_ERROR


if __name__ == "__main__":
    raise SystemExit(main())
