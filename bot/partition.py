"""Rows in, answered rows out: what `faqbot batch`, Dask and Spark share.

Readers (`read_lines`, `read_csv`, `row_from_*`) turn every input row into a `Row`, bad ones
included; `answer_rows` answers a list of them at once. `answer_partition(rows, faq=...)`
does both for a partition of text lines, JSON lines, records or a pandas DataFrame and
returns one output row per input row, in order: the input's own fields plus `kind`, `id`,
`confidence`, `answer`, `lang`, `reason` and `error`. An input field is never overwritten:
when the input has a field named like one of the seven, faqbot's seven are named `faqbot_kind`, `faqbot_id`, ...
instead (see `output_keys`). A row that cannot be asked (empty, not UTF-8, broken JSON or
CSV, too long) gets an `error` and empty answer fields, and keeps every field that could be
read; nothing raises and no row is dropped. The bot is built once per process and FAQ file,
then reused.
"""

from __future__ import annotations

import csv
import json
import threading
from collections import deque
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, NamedTuple, overload

from .core import CHUNK, FAQBot
from .errors import InputError

if TYPE_CHECKING:
    from .unanswered import ReplyLog

OUTPUT_KEYS = ("kind", "id", "confidence", "answer", "lang", "reason", "error")
OUTPUT_KEYS_SET = frozenset(OUTPUT_KEYS)
PREFIX = "faqbot_"  # before faqbot's own keys when the input has a field of the same name
MAX_LINE_BYTES = 65_536  # longer lines are error rows: no question is that long
LineFormat = Literal["txt", "jsonl"]


class Row(NamedTuple):
    """One input row: the fields kept in the output, the question to ask, or why not."""

    fields: dict[str, Any]
    question: str | None
    error: str | None = None


def error_row(fields: dict[str, Any], message: str) -> Row:
    """A row that is not asked; `message` ends up in its `error` field."""
    return Row(fields, None, message)


def too_long(size: int) -> str:
    return f"line too long: {size} bytes (limit {MAX_LINE_BYTES})"


def bad_utf8(exc: UnicodeDecodeError) -> str:
    return f"invalid UTF-8: byte 0x{exc.object[exc.start]:02x} at position {exc.start}"


def row_from_record(record: Mapping[str, Any], field: str = "question") -> Row:
    """A row from a record (a JSON object, a CSV row, a DataFrame row); the question is `field`."""
    fields = dict(record)
    question = fields.get(field)
    if field not in fields:
        return error_row(fields, f"no {field!r} field")
    if not isinstance(question, str):
        if question is None or (isinstance(question, float) and question != question):
            return error_row(fields, "empty question")  # null in JSON, NaN in a DataFrame
        return error_row(fields, f"{field!r} is not text (it is {_json_type(question)})")
    if not question.strip():
        return error_row(fields, "empty question")
    return Row(fields, question)


def row_from_text(line: str) -> Row:
    """A row from one line of a .txt file; the line, minus its line ending, is the question."""
    line = line.rstrip("\r\n") if line.endswith("\n") else line
    if not line.strip():
        return error_row({"question": line}, "empty line")
    return Row({"question": line}, line)


def row_from_json(line: str, field: str = "question") -> Row:
    """A row from one line of a .jsonl file: an object whose `field` is the question."""
    if not line.strip():
        return error_row({}, "empty line")
    try:
        value = json.loads(line, parse_constant=_reject_constant)
    except ValueError as exc:
        where = f" at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        message = exc.msg if isinstance(exc, json.JSONDecodeError) else str(exc)
        return error_row({}, f"invalid JSON: {message}{where}")
    if not isinstance(value, dict):
        return error_row({}, f"not a JSON object (it is {_json_type(value)})")
    return row_from_record(value, field)


def _fields_of(line: str) -> dict[str, Any]:
    """The fields of a JSON object line, or none if it is not one."""
    try:
        value = json.loads(line, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def row_from_bytes(line: bytes, format: LineFormat = "txt", field: str = "question") -> Row:
    """A row from one undecoded line; invalid UTF-8 or an over-long line is an error row."""
    body = line.rstrip(b"\r\n") if line.endswith(b"\n") else line
    if len(body) > MAX_LINE_BYTES:
        return error_row({"question": None} if format == "txt" else {}, too_long(len(body)))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        readable = body.decode("utf-8", "replace")  # the bad bytes become U+FFFD
        if format == "jsonl":  # keep the fields, so that the row can be joined back
            return error_row(_fields_of(readable), bad_utf8(exc))
        return error_row({"question": readable}, bad_utf8(exc))
    return row_from_text(text) if format == "txt" else row_from_json(text, field)


def row_from_line(line: str, format: LineFormat = "txt", field: str = "question") -> Row:
    """A row from a decoded line, checked like `row_from_bytes`.

    Lone surrogates (text read with errors="surrogateescape") count as invalid UTF-8.
    """
    if line.isascii() and len(line) <= MAX_LINE_BYTES:
        return row_from_text(line) if format == "txt" else row_from_json(line, field)
    return row_from_bytes(line.encode("utf-8", "surrogateescape"), format, field)


def answer_rows(bot: FAQBot | None, rows: Sequence[Row], log: ReplyLog | None = None) -> list[dict[str, Any]]:
    """Output rows for `rows`, in order, asking the bot every askable question at once.

    `bot` may be None when every row is an error row. `log` (--log-unanswered) is called
    with each question and its reply. Never raises for a bad row.
    """
    questions = [row.question for row in rows if row.question is not None]
    if questions and bot is None:
        raise ValueError("answer_rows needs a bot: some rows have questions")
    replies = iter(bot.ask_many(questions) if questions and bot is not None else ())
    out: list[dict[str, Any]] = []
    for fields, question, error in rows:
        result = fields.copy()
        if question is None:
            values: tuple[Any, ...] = (None, None, None, None, None, None, error)
        else:
            reply = next(replies)
            values = (reply.kind, reply.id, round(reply.confidence, 4), reply.text, reply.lang, reply.reason, None)
            if log is not None:
                log(question, reply)
        if OUTPUT_KEYS_SET.isdisjoint(fields):
            result.update(zip(OUTPUT_KEYS, values, strict=True))
        else:  # the input has a kind, id, ... of its own: it stays, ours are prefixed
            result.update(zip(output_keys(fields), values, strict=True))
        out.append(result)
    return out


def output_keys(fields: Collection[str]) -> tuple[str, ...]:
    """faqbot's seven keys for a row with these input fields, none of them an input field.

    `OUTPUT_KEYS` when none clashes; else each prefixed with `PREFIX` (``faqbot_id``), or
    twice (``faqbot_faqbot_id``) if those are taken too.
    """
    prefix = ""
    while any(prefix + key in fields for key in OUTPUT_KEYS):
        prefix += PREFIX
    return tuple(prefix + key for key in OUTPUT_KEYS) if prefix else OUTPUT_KEYS


def output_columns(input_columns: Iterable[str]) -> list[str]:
    """The columns of the output: the input's own, then faqbot's seven (`output_keys`)."""
    columns = list(input_columns)
    return columns + list(output_keys(set(columns)))


# -- reading files: one Row per input row, however broken -----------------------------------

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
                       f"{len(cells)} field{'s' * (len(cells) != 1)} where the header has {width}"
                       + (" (the extra fields are left out)" if len(cells) > width else ""))
        yield error_row(fields, problem)


# -- one bot per process and FAQ file ---------------------------------------------------------

_BOTS: dict[tuple[str, int, int], FAQBot] = {}
_BOTS_LOCK = threading.Lock()
_MAX_BOTS = 4


def bot_for(faq: str | Path | None = None) -> FAQBot:
    """The bot for a FAQ file (the bundled one by default), built once per process.

    Rebuilt when the file changes. Raises `FAQFormatError` when the file is missing or invalid.
    """
    from .knowledge import bundled_faq_path

    path = Path(faq if faq is not None else bundled_faq_path()).resolve()
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = (str(path), 0, 0)  # from_yaml reports it
    with _BOTS_LOCK:  # Dask and Spark may run partitions on several threads
        bot = _BOTS.get(key)
        if bot is None:
            bot = FAQBot.from_yaml(path)
            if len(_BOTS) >= _MAX_BOTS:
                del _BOTS[next(iter(_BOTS))]
            _BOTS[key] = bot
    return bot


# -- the partition function -------------------------------------------------------------------

@overload
def answer_partition(
    rows: Iterable[Any], *, faq: str | Path | None = None, field: str = "question",
    format: LineFormat = "txt",
) -> Iterator[dict[str, Any]]: ...
@overload
def answer_partition(
    rows: Any, *, faq: str | Path | None = None, field: str = "question",
    format: LineFormat = "txt",
) -> Any: ...
def answer_partition(rows: Any, *, faq: str | Path | None = None,
                     field: str = "question", format: LineFormat = "txt") -> Any:
    """Answer one partition of rows; the same output rows `faqbot batch` writes.

    `rows` is a pandas DataFrame (returns a DataFrame with the same index: Dask's
    `map_partitions`, Spark's `mapInPandas`), or an iterable (returns an iterator of dicts:
    Dask bag `map_partitions`, Spark `mapPartitions`) of
      str or bytes: a line of a .txt file, or of a .jsonl file when `format="jsonl"`;
      a mapping, or a Spark Row: a record whose `field` is the question.
    `faq` is the FAQ file (default: the bundled one), loaded once per process.
    Never raises for bad rows; raises `FAQFormatError` when the FAQ cannot be loaded.
    """
    if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
        return _answer_frame(rows, faq, field)
    return _answer_iterable(rows, faq, field, format)


def _to_row(item: Any, field: str, format: LineFormat) -> Row:
    if isinstance(item, str):
        return row_from_line(item, format, field)
    if isinstance(item, (bytes, bytearray)):
        return row_from_bytes(bytes(item), format, field)
    if isinstance(item, Mapping):
        return row_from_record(item, field)
    if hasattr(item, "asDict"):  # pyspark.sql.Row
        return row_from_record(item.asDict(), field)
    return error_row({}, f"cannot read a row of type {type(item).__name__}")


def _answer_iterable(items: Iterable[Any], faq: str | Path | None, field: str,
                     format: LineFormat) -> Iterator[dict[str, Any]]:
    chunk: list[Row] = []
    for item in items:
        chunk.append(_to_row(item, field, format))
        if len(chunk) >= CHUNK:
            yield from _answer(chunk, faq)
            chunk = []
    if chunk:
        yield from _answer(chunk, faq)


def _answer_frame(frame: Any, faq: str | Path | None, field: str) -> Any:
    import pandas as pd

    rows = [row_from_record(record, field) for record in frame.to_dict("records")]
    out: list[dict[str, Any]] = []
    for start in range(0, len(rows), CHUNK):
        out += _answer(rows[start : start + CHUNK], faq)
    result = frame.copy()
    for plain, key in zip(OUTPUT_KEYS, output_keys(set(frame.columns)), strict=True):
        dtype = "float64" if plain == "confidence" else object  # object: a missing value stays None
        values = [r[key] for r in out]
        if plain == "reason":  # a column of text, as in a CSV file
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        result[key] = pd.Series(values, index=result.index, dtype=dtype)
    return result


def _answer(chunk: Sequence[Row], faq: str | Path | None) -> list[dict[str, Any]]:
    # no bot for a chunk of error rows (or the empty frame Dask passes to learn the types)
    needed = any(row.question is not None for row in chunk)
    return answer_rows(bot_for(faq) if needed else None, chunk)


def _json_type(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "text",
            list: "an array", dict: "an object", type(None): "null"}.get(
                type(value), type(value).__name__)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")
