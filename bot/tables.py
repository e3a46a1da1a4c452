"""Plain FAQs as tables: ``.csv`` (a header row, then one entry per row) and ``.jsonl`` (one
JSON object per line), read into the same located nodes as YAML (`bot.yamlnodes`), so that
`bot.knowledge` checks them with the same rules and errors name the file and its line.

CSV columns: `question` and `answer`, optionally `id` and `alternatives` (several separated
by ``|``). A JSONL line is an entry as in YAML: `question`, `answer`, optionally `id`,
`alternatives` (a list of strings) and the other entry keys (docs/faq-format.md).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from .errors import FAQFormatError
from .fields import suggest
from .yamlnodes import CONTROL, CORE, MAX_BYTES, Map, Node, Scalar, Seq, read_text

TABLE_SUFFIXES = (".csv", ".jsonl")
CSV_COLUMNS = ("question", "answer", "id", "alternatives")
ALTERNATIVES_SEPARATOR = "|"


def read_table(path: Path, max_bytes: int | None = MAX_BYTES) -> Map | None:
    """A CSV or JSONL FAQ as ``{version: 1, entries: [...]}`` nodes; None if it has no entries.

    Raises `FAQFormatError` (file and line) for what cannot be an entry at all: a CSV with
    unknown or missing columns or a row of the wrong width, a JSONL line that is not a JSON
    object. What an entry holds is checked by `bot.knowledge`, like any FAQ.
    """
    text = read_text(path, max_bytes)
    entries = _csv(text, path) if path.suffix.lower() == ".csv" else _jsonl(text, path)
    if not entries.items:
        return None
    return Map(1, {"version": (1, Scalar("1", CORE + "int", 1)), "entries": (1, entries)})


def _text(value: str, line: int, path: Path) -> Scalar:
    """A text cell; like YAML's, it may hold no control character but a newline or a tab."""
    found = CONTROL.search(value)
    if found:
        raise FAQFormatError(path, line, f"control character U+{ord(found.group()):04X} is not allowed")
    return Scalar(value, CORE + ("str" if value.strip() else "null"), line)


def _csv(text: str, path: Path) -> Seq:
    """One mapping per data row; a row's line is where it starts (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    entries = Seq(1)
    header: list[str] | None = None
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _header(row, path, line)
                continue
            if len(row) != len(header):
                raise FAQFormatError(path, line, f"row has {len(row)} cells; the header has {len(header)}")
            entries.items.append(_row(dict(zip(header, row, strict=True)), line, path))
    except csv.Error as exc:
        raise FAQFormatError(path, reader.line_num, f"invalid CSV: {exc}") from None
    if header is None:
        raise FAQFormatError(path, 1, "the file is empty (expected a header row: question,answer)")
    return entries


def _header(row: list[str], path: Path, line: int) -> list[str]:
    """The column names, checked: known, none twice, `question` and `answer` present."""
    names = [cell.strip().lower() for cell in row]
    for name in names:
        if name not in CSV_COLUMNS:
            hint = suggest(name, CSV_COLUMNS) or f" (expected: {', '.join(CSV_COLUMNS)})"
            raise FAQFormatError(path, line, f"unknown column '{name}'{hint}")
        if names.count(name) > 1:
            raise FAQFormatError(path, line, f"column '{name}' is given twice")
    for name in ("question", "answer"):
        if name not in names:
            raise FAQFormatError(path, line, f"missing column '{name}' (the header row names the columns)")
    return names


def _row(cells: dict[str, str], line: int, path: Path) -> Map:
    """A CSV row as an entry's mapping; empty optional cells are left out."""
    entry = Map(line)
    for name, value in cells.items():
        if name == "alternatives":
            found = [part.strip() for part in value.split(ALTERNATIVES_SEPARATOR) if part.strip()]
            if found:
                entry.pairs[name] = (line, Seq(line, [_text(part, line, path) for part in found]))
        elif name in ("question", "answer") or value.strip():
            entry.pairs[name] = (line, _text(value, line, path))
    return entry


def _jsonl(text: str, path: Path) -> Seq:
    """One mapping per non-blank line, each JSON value a node on that line."""
    entries = Seq(1)
    for number, source in enumerate(text.splitlines(), 1):
        if not source.strip():
            continue
        try:
            value = json.loads(source)
        except json.JSONDecodeError as exc:
            raise FAQFormatError(path, number, f"not valid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(value, dict):
            kind = "a list" if isinstance(value, list) else type(value).__name__
            raise FAQFormatError(path, number, f"each line must be a JSON object (an entry), not {kind}")
        entries.items.append(_node(value, number, path))
    return entries


def _node(value: Any, line: int, path: Path) -> Node:
    """A JSON value as a node: objects as mappings, arrays as lists, the rest as scalars."""
    if isinstance(value, dict):
        return Map(line, {str(k): (line, _node(v, line, path)) for k, v in value.items()})
    if isinstance(value, list):
        return Seq(line, [_node(v, line, path) for v in value])
    if value is None:
        return Scalar("", CORE + "null", line)
    if isinstance(value, bool):
        return Scalar(str(value).lower(), CORE + "bool", line)
    if isinstance(value, (int, float)):
        return Scalar(repr(value), CORE + ("int" if isinstance(value, int) else "float"), line)
    return _text(str(value), line, path)
