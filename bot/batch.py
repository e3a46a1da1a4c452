"""`faqbot batch`: stream a file of questions through the bot, one output row per input row.

The readers in `bot.partition` turn bytes into `Row`s, one per input row, bad rows included;
here rows are answered a chunk at a time (in worker processes with --workers) and written as
.jsonl or .csv. Memory stays flat: a couple of chunks per worker are in flight. A file
output is written to a hidden temporary file beside it and renamed when complete.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import os
import signal
import stat
import sys
import tempfile
import threading
import time
from collections import Counter, deque
from collections.abc import Generator, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import closing, contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

from .core import CHUNK, FAQBot
from .display import escape_json, one_line, safe
from .errors import InputError, UsageError
from .partition import Row, answer_rows, bot_for, output_columns, output_keys, read_csv, read_lines
from .unanswered import UnansweredLog, open_for_cli

Format = Literal["txt", "csv", "jsonl"]
OutFormat = Literal["csv", "jsonl"]

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130
INPUT_FORMATS: dict[str, Format] = {
    ".txt": "txt", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
}
OUTPUT_FORMATS: dict[str, OutFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
IN_FLIGHT = 2  # chunks queued per worker: enough to keep it busy, few enough to keep memory flat


# -- writing ----------------------------------------------------------------------------------

def format_jsonl(rows: list[dict[str, Any]]) -> str:
    """Output rows as JSON lines (C1 controls escaped, as JSON allows: safe on a terminal)."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    return escape_json("".join([dumps(row) + "\n" for row in rows]))


def csv_line(cells: list[str]) -> str:
    """One CSV line (the header)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def format_csv(rows: list[dict[str, Any]], columns: list[str]) -> tuple[str, int]:
    """Output rows as CSV lines under `columns`, and how many rows had fields left out."""
    buffer = io.StringIO()
    known = frozenset(columns)
    cells = [[row.get(c) for c in columns] for row in rows]
    for line in cells:
        for i, value in enumerate(line):
            if isinstance(value, (dict, list)):
                line[i] = json.dumps(value, ensure_ascii=False)
    csv.writer(buffer, lineterminator="\n").writerows(cells)
    return buffer.getvalue(), sum(not known.issuperset(row) for row in rows)


def _answer_and_format(bot: FAQBot, rows: list[Row], out: OutFormat, columns: list[str],
                       log: UnansweredLog | None = None) -> tuple[int, str, Counter[str]]:
    answered = answer_rows(bot, rows, log)
    counts: Counter[str] = Counter()
    for row, done in zip(rows, answered, strict=True):
        kind, *_, error = output_keys(row.fields)
        counts["error" if done[error] is not None else done[kind]] += 1
    if out == "jsonl":
        return len(rows), format_jsonl(answered), counts
    text, left_out = format_csv(answered, columns)
    counts["left_out"] = left_out
    return len(rows), text, counts


# -- worker processes -------------------------------------------------------------------------

_worker_bot: FAQBot | None = None
_worker_log: UnansweredLog | None = None
LogOptions = tuple[str, bool] | None  # --log-unanswered PATH and --log-redact, for the workers


def one_blas_thread() -> None:
    """Limit this process to one BLAS thread. Batch products are too small to share: a second
    thread leaves the speed as it is and spins a core (measured: 1.7x the CPU time)."""
    import scipy.linalg.blas  # noqa: F401 - scipy's own BLAS, loaded now so that the limit reaches it
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


def _init_worker(faq: str | None, log: LogOptions = None) -> None:
    global _worker_bot, _worker_log
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    one_blas_thread()
    _worker_bot = bot_for(faq)  # the parent has loaded this FAQ already, so it is valid
    if log is not None:  # each worker appends to the log with its own file descriptor
        _worker_log = UnansweredLog.for_bot(_worker_bot, log[0], redact=log[1], front_end="batch")


def _work(rows: list[Row], out: OutFormat, columns: list[str]) -> tuple[int, str, Counter[str]]:
    if _worker_bot is None:
        raise RuntimeError("worker started without a bot")
    return _answer_and_format(_worker_bot, rows, out, columns, _worker_log)


def answered_chunks(rows: Iterator[Row], *, faq: str | None, workers: int, out: OutFormat,
                    columns: list[str], log: UnansweredLog | None = None,
                    ) -> Generator[tuple[int, str, Counter[str]], None, None]:
    """(rows, output text, counts) per chunk, in input order, in this process or in `workers`.

    With `log`, every unanswered question is logged (by the workers, to the same file).
    Raises `BrokenProcessPool` when a worker dies (killed, out of memory).
    """
    chunks = iter(lambda: list(islice(rows, CHUNK)), [])
    if workers <= 1:
        bot = bot_for(faq)
        for chunk in chunks:
            yield _answer_and_format(bot, chunk, out, columns, log)
        return
    options: LogOptions = (str(log.path.resolve()), log.redact) if log is not None else None
    # A bounded queue of futures rather than Pool.imap, which reads its whole input ahead;
    # and an executor rather than a Pool, which waits forever for a worker that was killed.
    executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init_worker, initargs=(faq, options))
    pending: deque[Future[tuple[int, str, Counter[str]]]] = deque()
    try:
        for n, chunk in enumerate(chunks):
            with _sigint_ignored(n < workers):  # a worker starts here: Ctrl-C is ours
                pending.append(executor.submit(_work, chunk, out, columns))
            if len(pending) >= IN_FLIGHT * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        if pending:  # interrupted or failed: stop now rather than finish the chunks in hand
            executor.shutdown(wait=False, cancel_futures=True)
            _stop_workers(executor)
        executor.shutdown()


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Terminate the workers (public in Python 3.14; before, the executor's own table)."""
    terminate = getattr(executor, "terminate_workers", None)
    if terminate is not None:
        terminate()
        return
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        with suppress(OSError, ValueError):
            process.terminate()


@contextmanager
def _sigint_ignored(ignore: bool) -> Iterator[None]:
    """Ignore Ctrl-C for a moment, so that a process started now inherits the ignoring."""
    if not ignore or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


# -- the command ------------------------------------------------------------------------------

class Tally:
    """Rows done so far, by outcome, and the rate."""

    LABELS = (("answer", "answered"), ("clarify", "clarified"), ("fallback", "fell back"),
              ("urgent", "urgent"), ("smalltalk", "small talk"))

    def __init__(self) -> None:
        self.rows = 0
        self.counts: Counter[str] = Counter()
        self.start = time.perf_counter()

    def summary(self) -> str:
        seconds = max(time.perf_counter() - self.start, 1e-9)
        parts = [f"{self.counts[k]:,} {label}" for k, label in self.LABELS]
        parts.append(_plural(self.counts["error"], "error"))
        line = (f"{_plural(self.rows, 'row')} in {seconds:.1f} s "
                f"({self.rows / seconds:,.0f} rows/s): {', '.join(parts)}")
        if self.counts["left_out"]:
            line += (f"; {_plural(self.counts['left_out'], 'row')} had fields outside the CSV "
                     "columns (left out: use .jsonl output to keep them)")
        return line


def run_cli(args: Any) -> int:
    """`faqbot batch`: answer INPUT into OUTPUT; returns the exit status."""
    to_stdout = args.output in (None, "-")
    _check_not_the_input(args.input, None if to_stdout else Path(args.output))
    in_format = _input_format(args.input, args.format)
    out_format = _output_format(args.output, args.output_format)
    if args.workers < 1:
        raise InputError("--workers must be 1 or more")
    if not to_stdout:
        _check_output_path(Path(args.output))
    one_blas_thread()  # in this process too (workers set their own)
    if args.workers > 1:
        from .knowledge import load_faq

        faq = load_faq(args.faq)  # a bad FAQ is one clear error here, not one per worker
    else:
        faq = bot_for(args.faq).faq
    log = open_for_cli(faq, getattr(args, "log_unanswered", None), redact=getattr(args, "log_redact", False),
                       front_end="batch")
    name = "<stdin>" if args.input == "-" else args.input
    tally = Tally()
    bar = None
    with _open_input(args.input) as source:
        if in_format == "csv":
            columns, rows = read_csv(source, args.column, name)
        else:
            columns, rows = (["question"] if in_format == "txt" else []), read_lines(
                source, in_format, args.field)
        try:
            with _output(None if to_stdout else Path(args.output)) as sink:
                on_terminal = to_stdout and out_format == "csv" and sys.stdout.isatty()
                if out_format == "csv":
                    rows, columns = _peek_columns(rows, columns)
                    out_columns = output_columns(columns)
                    header = csv_line(out_columns)
                    sink.write(safe(header) if on_terminal else header)
                else:
                    out_columns = []
                bar = _progress_bar(args, in_format)
                tally.start = time.perf_counter()
                chunks = answered_chunks(rows, faq=args.faq, workers=args.workers,
                                         out=out_format, columns=out_columns, log=log)
                with closing(chunks):  # on Ctrl-C, stop the workers now, not when collected
                    for count, text, counts in chunks:
                        sink.write(safe(text) if on_terminal else text)  # CSV has no escapes
                        tally.rows += count
                        tally.counts += counts
                        if bar is not None:
                            bar.update(count)
        except KeyboardInterrupt:
            _close(bar)
            where = "the output is incomplete" if to_stdout else f"{one_line(args.output)} was not written"
            print(f"faqbot: interrupted after {_plural(tally.rows, 'row')}; {where}",
                  file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenProcessPool:
            _close(bar)
            where = "the output is incomplete" if to_stdout else f"{one_line(args.output)} was not written"
            print(f"faqbot: a worker process stopped unexpectedly (out of memory?) after "
                  f"{_plural(tally.rows, 'row')}; {where}", file=sys.stderr)
            return EXIT_ERROR
        except BrokenPipeError:
            _close(bar)
            _silence_stdout()
            print(f"faqbot: the output was closed after {_plural(tally.rows, 'row')}",
                  file=sys.stderr)
            return EXIT_ERROR
    _close(bar)
    print(f"faqbot: {tally.summary()}", file=sys.stderr)
    return EXIT_OK


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _input_format(path: str, given: Format | None) -> Format:
    if given:
        return given
    if path == "-":
        raise InputError("reading standard input needs --format txt, csv or jsonl")
    fmt = INPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: cannot tell the format from the name: "
                         "use .txt, .csv or .jsonl, or say --format")
    return fmt


def _output_format(path: str | None, given: OutFormat | None) -> OutFormat:
    if given:
        return given
    if path in (None, "-"):
        return "jsonl"
    fmt = OUTPUT_FORMATS.get(Path(path).suffix.lower())
    if fmt is None:
        raise InputError(f"{path}: cannot tell the output format from the name: "
                         "use .jsonl or .csv, or say --output-format")
    return fmt


def _check_output_path(path: Path) -> None:
    if path.is_dir():
        raise InputError(f"{path}: is a directory: give a file name for the output")
    if not path.parent.is_dir():
        raise InputError(f"{path}: the directory {path.parent} does not exist")


def _check_not_the_input(source: str, output: Path | None) -> None:
    """Refuse an output that is the input (the same file by any name or link): it would be
    replaced, or, for standard output appended to it, read back forever."""
    try:
        read = os.fstat(sys.stdin.fileno()) if source == "-" else os.stat(source)
        written = os.fstat(sys.stdout.fileno()) if output is None else output.stat()
    except (OSError, ValueError, AttributeError):  # no such file yet, or no real stdin/stdout
        return
    if (read.st_dev, read.st_ino) == (written.st_dev, written.st_ino) and stat.S_ISREG(read.st_mode):
        where = "standard output" if output is None else one_line(str(output))
        what = "standard input" if source == "-" else one_line(source)
        raise UsageError(f"{where} is the input ({what}): write the answers to another file")


def _peek_columns(rows: Iterator[Row], columns: list[str]) -> tuple[Iterator[Row], list[str]]:
    """CSV columns for JSONL input: the fields seen in the first chunk, in order."""
    if columns:
        return rows, columns
    first = list(islice(rows, CHUNK))
    seen = list(dict.fromkeys(key for row in first for key in row.fields))
    return _chain(first, rows), seen


def _chain(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


@contextmanager
def _open_input(path: str) -> Iterator[IO[bytes]]:
    if path == "-":
        yield sys.stdin.buffer
    else:
        with open(path, "rb", buffering=1 << 20) as stream:
            yield stream


@contextmanager
def _output(path: Path | None) -> Iterator[IO[str]]:
    """Standard output, or a temporary file beside `path` renamed into place on success."""
    if path is None:
        sys.stdout.flush()
        stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8",
                                  errors="backslashreplace", newline="")
        try:
            yield stdout
            stdout.flush()
        finally:
            with suppress(OSError, ValueError):
                stdout.detach()
        return
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        # backslashreplace: a lone surrogate from a JSON escape stays a valid JSON escape
        with open(fd, "w", encoding="utf-8", errors="backslashreplace", newline="") as sink:
            yield sink
            sink.flush()
            os.fsync(sink.fileno())
        os.chmod(temp, _file_mode(path))
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise


def _file_mode(path: Path) -> int:
    """The mode the output would have had if opened directly (mkstemp makes it 0600)."""
    with suppress(OSError):
        return path.stat().st_mode & 0o7777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _progress_bar(args: Any, in_format: Format) -> Any:
    """A tqdm bar on stderr when stderr is a terminal, else None."""
    if args.no_progress or not sys.stderr.isatty():
        return None
    from tqdm import tqdm  # a dependency; imported here, so a pipe or a log never pays for it

    total = None
    if args.input != "-" and Path(args.input).is_file():
        total = max(_count_lines(Path(args.input)) - (in_format == "csv"), 0)
    return tqdm(total=total, unit=" rows", unit_scale=True, file=sys.stderr, leave=False,
                smoothing=0.05, mininterval=0.25, dynamic_ncols=True)


def _count_lines(path: Path) -> int:
    """Lines in a file, read in blocks (for the progress bar's ETA; CSV records may span lines)."""
    lines, last = 0, b"\n"
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    return lines + (last != b"\n")


def _close(bar: Any) -> None:
    if bar is not None:
        bar.close()


def _silence_stdout() -> None:
    """Point stdout at /dev/null so exiting does not complain about the closed pipe again."""
    with suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())

