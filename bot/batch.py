"""`faqbot batch`: stream a file of questions through the bot, one output row per input row.

Readers turn bytes into `Row`s, one per input row, bad rows included (see `bot.partition`);
rows are answered a chunk at a time, in worker processes with --workers; writers turn
output rows into .jsonl or .csv text. Memory stays flat: one chunk per worker is in flight.
A file output is written to a hidden temporary file beside it and renamed when complete.
"""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import signal
import sys
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import IO, Any, Literal

from .core import CHUNK, FAQBot
from .errors import InputError
from .partition import (
    MAX_LINE_BYTES,
    Row,
    answer_rows,
    bot_for,
    error_row,
    output_columns,
    row_from_bytes,
    row_from_record,
    too_long,
)

Format = Literal["txt", "csv", "jsonl"]
OutFormat = Literal["csv", "jsonl"]

EXIT_OK, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 130
INPUT_FORMATS: dict[str, Format] = {
    ".txt": "txt", ".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl",
}
OUTPUT_FORMATS: dict[str, OutFormat] = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl"}
IN_FLIGHT = 2  # chunks queued per worker: enough to keep it busy, few enough to keep memory flat


# -- reading ----------------------------------------------------------------------------------

def physical_lines(stream: IO[bytes]) -> Iterator[bytes | int]:
    """Byte lines with their endings; an over-long line comes as its size, never held whole."""
    readline = stream.readline
    line = readline(MAX_LINE_BYTES + 2)
    if line.startswith(b"\xef\xbb\xbf"):  # a UTF-8 byte order mark, as Excel writes
        line = line[3:]
    while line:
        if len(line) <= MAX_LINE_BYTES or len(line.rstrip(b"\r\n")) <= MAX_LINE_BYTES:
            yield line
        else:
            size = len(line)
            while not line.endswith(b"\n"):
                line = readline(1 << 20)
                if not line:
                    break
                size += len(line)
            yield size - (len(line) - len(line.rstrip(b"\r\n")) if line.endswith(b"\n") else 0)
        line = readline(MAX_LINE_BYTES + 2)


def read_lines(stream: IO[bytes], format: Literal["txt", "jsonl"], field: str) -> Iterator[Row]:
    """Rows of a .txt file (each line a question) or a .jsonl file (`field` of each object)."""
    empty: dict[str, Any] = {"question": None} if format == "txt" else {}
    for line in physical_lines(stream):
        if isinstance(line, int):
            yield error_row(dict(empty), too_long(line))
        else:
            yield row_from_bytes(line, format, field)


class _RecordLines:
    """Decoded lines for the csv module, remembering the lines and problems of one record.

    A record may span lines (a quoted field with newlines); one that grows past the line
    limit is a runaway quote, and `RunawayRecord` lets the reader give up on it.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.source = physical_lines(stream)
        self.pushed_back: deque[tuple[str, str | None]] = deque()
        self.record: list[tuple[str, str | None]] = []
        self.size = 0

    def start_record(self) -> None:
        self.record, self.size = [], 0

    def __iter__(self) -> _RecordLines:
        return self

    def __next__(self) -> str:
        item = self.pushed_back.popleft() if self.pushed_back else self._decode(next(self.source))
        self.record.append(item)
        self.size += len(item[0])
        if self.size > MAX_LINE_BYTES and len(self.record) > 1:
            raise RunawayRecord(f"a quoted field runs past {MAX_LINE_BYTES} bytes")
        return item[0]

    @staticmethod
    def _decode(line: bytes | int) -> tuple[str, str | None]:
        if isinstance(line, int):
            return "\n", too_long(line)
        try:
            return line.decode("utf-8"), None
        except UnicodeDecodeError as exc:
            from .partition import bad_utf8

            return line.decode("utf-8", "replace"), bad_utf8(exc)


class RunawayRecord(Exception):
    """A CSV record that never ends (an unclosed quote)."""


def read_csv(stream: IO[bytes], column: str, name: str) -> tuple[list[str], Iterator[Row]]:
    """The header of a CSV file and its rows; the question is in `column`.

    Raises `InputError` when the header is unreadable or has no such column. Afterwards a
    bad row (wrong field count, broken quoting, invalid UTF-8, too long) is an error row.
    """
    lines = _RecordLines(stream)
    try:
        header = next(csv.reader(lines, strict=True), None)
    except (csv.Error, RunawayRecord) as exc:
        raise InputError(f"{name}: the header row is not valid CSV: {exc}") from None
    problems = [p for _, p in lines.record if p]
    if problems:
        raise InputError(f"{name}: the header row cannot be read: {problems[0]}")
    if header is None:
        return [column], iter(())
    if column not in header:
        listed = ", ".join(repr(h) for h in header[:10])
        raise InputError(f"{name}: no column {column!r} (the columns are {listed}): "
                         "choose one with --column")
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise InputError(f"{name}: the header names {duplicates[0]!r} twice")
    return header, _csv_rows(lines, header, column)


def _csv_rows(lines: _RecordLines, header: list[str], column: str) -> Iterator[Row]:
    blank = dict.fromkeys(header, "")
    width = len(header)
    reader = csv.reader(lines, strict=True)
    while True:
        lines.start_record()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except (csv.Error, RunawayRecord) as exc:
            # the record's first line is the broken row; the csv module reads on from the next
            lines.pushed_back.extendleft(reversed(lines.record[1:]))
            yield error_row(dict(blank), f"broken CSV row: {exc}")
            reader = csv.reader(lines, strict=True)
            continue
        problem = next((p for _, p in lines.record if p), None)
        if len(cells) == width and problem is None:
            yield row_from_record(dict(zip(header, cells, strict=True)), column)
            continue
        fields = {**blank, **dict(zip(header, cells, strict=False))}
        if problem is None:
            problem = ("empty line" if not cells else
                       f"{len(cells)} fields where the header has {width}"
                       + (" (the extra fields are left out)" if len(cells) > width else ""))
        yield error_row(fields, problem)


# -- writing ----------------------------------------------------------------------------------

def format_jsonl(rows: list[dict[str, Any]]) -> str:
    """Output rows as JSON lines."""
    import json

    dumps = json.JSONEncoder(ensure_ascii=False).encode
    return "".join([dumps(row) + "\n" for row in rows])


def csv_line(cells: list[str]) -> str:
    """One CSV line (the header)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(cells)
    return buffer.getvalue()


def format_csv(rows: list[dict[str, Any]], columns: list[str]) -> tuple[str, int]:
    """Output rows as CSV lines under `columns`, and how many rows had fields left out."""
    import json

    buffer = io.StringIO()
    known = frozenset(columns)
    cells = [[row.get(c) for c in columns] for row in rows]
    for line in cells:
        for i, value in enumerate(line):
            if isinstance(value, (dict, list)):
                line[i] = json.dumps(value, ensure_ascii=False)
    csv.writer(buffer, lineterminator="\n").writerows(cells)
    return buffer.getvalue(), sum(not known.issuperset(row) for row in rows)


def _answer_and_format(bot: FAQBot, rows: list[Row], out: OutFormat,
                       columns: list[str]) -> tuple[int, str, Counter[str]]:
    answered = answer_rows(bot, rows)
    counts = Counter("error" if r["error"] is not None else r["kind"] for r in answered)
    if out == "jsonl":
        return len(rows), format_jsonl(answered), counts
    text, left_out = format_csv(answered, columns)
    counts["left_out"] = left_out
    return len(rows), text, counts


# -- worker processes -------------------------------------------------------------------------

_worker_bot: FAQBot | None = None


def _init_worker(faq: str | None) -> None:
    global _worker_bot
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _worker_bot = bot_for(faq)  # the parent has loaded this FAQ already, so it is valid


def _work(rows: list[Row], out: OutFormat, columns: list[str]) -> tuple[int, str, Counter[str]]:
    if _worker_bot is None:
        raise RuntimeError("worker started without a bot")
    return _answer_and_format(_worker_bot, rows, out, columns)


def answered_chunks(rows: Iterator[Row], *, faq: str | None, workers: int, out: OutFormat,
                    columns: list[str]) -> Iterator[tuple[int, str, Counter[str]]]:
    """(rows, output text, counts) per chunk, in input order, in this process or in `workers`."""
    chunks = iter(lambda: list(islice(rows, CHUNK)), [])
    if workers <= 1:
        bot = bot_for(faq)
        for chunk in chunks:
            yield _answer_and_format(bot, chunk, out, columns)
        return
    # apply_async with a bounded queue rather than imap: imap reads its whole input ahead
    with multiprocessing.get_context("spawn").Pool(workers, _init_worker, (faq,)) as pool:
        pending: deque[Any] = deque()
        for chunk in chunks:
            pending.append(pool.apply_async(_work, (chunk, out, columns)))
            if len(pending) >= IN_FLIGHT * workers:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


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
    in_format = _input_format(args.input, args.format)
    out_format = _output_format(args.output, args.output_format)
    if args.workers < 1:
        raise InputError("--workers must be 1 or more")
    to_stdout = args.output in (None, "-")
    if not to_stdout:
        _check_output_path(Path(args.output))
    if args.workers > 1:
        from .knowledge import load_faq

        load_faq(args.faq)  # a bad FAQ is one clear error here, not one per worker
    else:
        bot_for(args.faq)
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
                if out_format == "csv":
                    rows, columns = _peek_columns(rows, columns)
                    out_columns = output_columns(columns)
                    sink.write(csv_line(out_columns))
                else:
                    out_columns = []
                bar = _progress_bar(args, in_format)
                tally.start = time.perf_counter()
                for count, text, counts in answered_chunks(
                    rows, faq=args.faq, workers=args.workers, out=out_format, columns=out_columns
                ):
                    sink.write(text)
                    tally.rows += count
                    tally.counts += counts
                    if bar is not None:
                        bar.update(count)
        except KeyboardInterrupt:
            _close(bar)
            where = "the output is incomplete" if to_stdout else f"{args.output} was not written"
            print(f"faqbot: interrupted after {tally.rows:,} rows; {where}", file=sys.stderr)
            return EXIT_INTERRUPTED
        except BrokenPipeError:
            _close(bar)
            _silence_stdout()
            print(f"faqbot: the output was closed after {tally.rows:,} rows", file=sys.stderr)
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
    """A tqdm bar on stderr when stderr is a terminal (and tqdm is installed), else None."""
    if args.no_progress or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
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

