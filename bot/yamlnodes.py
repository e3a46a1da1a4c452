"""Read a YAML file safely into a tree of nodes that know their line, and read them typed.

`read_yaml(path)` checks the file (exists, regular, at most 5 MB by default, UTF-8), then builds
`Scalar` / `Seq` / `Map` nodes from the parser's event stream in one iterative pass. It
never constructs Python objects from tags: anchors, aliases and every tag outside YAML's
core schema are rejected, nesting is capped, and a key given twice is an error (PyYAML
would silently keep the last one).

`bot.fields` reads the nodes typed, with every problem located.

Plain scalars are text as written wherever text is expected, so ``negations: [no, not]``
means the words "no" and "not" (YAML 1.1 would have read ``no`` as false). No text may hold
a control character but a newline or a tab, raw or written as an escape (``"\\e[31m"``): the
FAQ's text ends up on terminals.
"""

from __future__ import annotations

import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .errors import FAQFormatError, InputError

MAX_BYTES = 5 * 1024 * 1024  # the default limit on a FAQ file's size; `max_bytes` raises it
SIZE_SETTING = "FAQBOT_MAX_FAQ_MB"  # the limit in megabytes; 0 for none (`faqbot --max-faq-mb`)
MAX_DEPTH = 50
BYTES_PER_NODE = 25  # values allowed per byte of the limit (200,000 in 5 MB): bounds memory for hostile files
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {CORE + name for name in ("str", "int", "float", "bool", "null")}
_RESOLVER = yaml.resolver.Resolver()
# C0 and C1 controls and DEL, but not "\t" and "\n". YAML refuses most of them raw in a file;
# a double-quoted scalar can still write any of them as an escape ("\e", "\x9b", "\u001b").
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")
_ESCAPED = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", "N": "\x85"}
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a new line


@dataclass(frozen=True, slots=True)
class Scalar:
    """A scalar: its source text, its resolved core tag (`str`, `int`, ...) and its line."""

    text: str
    tag: str
    line: int


@dataclass(slots=True)
class Seq:
    """A sequence of nodes."""

    line: int
    items: list[Node] = field(default_factory=list)


@dataclass(slots=True)
class Map:
    """A mapping from text keys to ``(key line, value node)``, in file order."""

    line: int
    pairs: dict[str, tuple[int, Node]] = field(default_factory=dict)
    pending: Scalar | None = None  # a key read while composing, waiting for its value


Node = Scalar | Seq | Map


def read_yaml(path: Path, max_bytes: int | None = MAX_BYTES) -> Node | None:
    """The single document in a YAML file as a node tree, or None if the file is empty.

    Raises `FAQFormatError` for an unreadable file or one over `max_bytes` (None: no limit),
    bad UTF-8, invalid or unsafe YAML, more than one document, and duplicate keys.
    """
    text = read_text(path, max_bytes)
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        message = f"control character U+{ord(bad.group()):04X} is not allowed"
        raise FAQFormatError(path, line, message)
    try:
        return _compose(text, path, None if max_bytes is None else max(1, max_bytes // BYTES_PER_NODE))
    except yaml.MarkedYAMLError as exc:
        raise FAQFormatError(path, *_syntax_error(exc)) from None
    except yaml.YAMLError as exc:
        raise FAQFormatError(path, None, f"invalid YAML: {exc}") from None


def _syntax_error(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    """The line and message for a YAML syntax error.

    The line is where the parser gave up, except at the end of the file (an unclosed
    quote or bracket): then it is where the unfinished thing started.
    """
    problem, context = exc.problem_mark, exc.context_mark
    at_end = problem is None or "end of stream" in str(exc.problem)
    mark = context if context is not None and at_end else problem
    detail = str(exc.problem)
    if exc.context:
        started = f" at line {context.line + 1}" if context and mark is not context else ""
        detail += f" ({exc.context}{started})"
    return (mark.line + 1 if mark is not None else None), f"invalid YAML: {detail}"


def size_limit() -> int | None:
    """The size limit set by `FAQBOT_MAX_FAQ_MB` (megabytes, 0: none), else `MAX_BYTES`.

    Raises `InputError` when the setting is not a number.
    """
    setting = os.environ.get(SIZE_SETTING, "").strip()
    if not setting:
        return MAX_BYTES
    try:
        megabytes = float(setting)
    except ValueError:
        megabytes = math.nan
    if not math.isfinite(megabytes) or megabytes < 0:
        raise InputError(f"{SIZE_SETTING} must be a number of megabytes (0: no limit), not {setting!r}")
    return None if megabytes == 0 else int(megabytes * 1024 * 1024)


def read_text(path: Path, max_bytes: int | None = MAX_BYTES) -> str:
    """The file's text (UTF-8, a byte-order mark dropped); refuses directories, devices and
    files over `max_bytes` (None: no limit)."""
    limit = max_bytes if max_bytes is not None else -1
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FAQFormatError(path, None, "is a directory, not a FAQ file")
        if not stat.S_ISREG(info.st_mode):
            raise FAQFormatError(path, None, "is not a regular file")
        if max_bytes is not None and info.st_size > max_bytes:
            raise FAQFormatError(path, None, _too_big(info.st_size, max_bytes))
        with path.open("rb") as handle:
            data = handle.read(limit + 1 if limit >= 0 else -1)
    except FileNotFoundError:
        raise FAQFormatError(path, None, "file not found") from None
    except OSError as exc:
        raise FAQFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from None
    if max_bytes is not None and len(data) > max_bytes:  # the file grew after stat()
        raise FAQFormatError(path, None, _too_big(len(data), max_bytes))
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise FAQFormatError(path, line, message) from None


def _too_big(size: int, limit: int) -> str:
    return (f"file is {size / 1024 / 1024:.1f} MB; the limit is {limit / 1024 / 1024:g} MB "
            "(raise it with --max-faq-mb or FAQBOT_MAX_FAQ_MB)")


def _compose(text: str, path: Path, max_nodes: int | None) -> Node | None:
    """Build nodes from parser events without recursion; see the module docstring."""
    root: Node | None = None
    stack: list[Seq | Map] = []
    documents = nodes = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if max_nodes is not None and nodes > max_nodes:
                raise FAQFormatError(path, line, f"more than {max_nodes} values in one file "
                                     f"(the limit that goes with the file size limit; --max-faq-mb raises both)")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise FAQFormatError(path, line, "more than one YAML document (found '---')")
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise FAQFormatError(path, line, "anchors and aliases are not supported")
        elif isinstance(event, yaml.ScalarEvent):
            if CONTROL.search(event.value):
                raise _control_error(text, event, path)
            root = _attach(stack, Scalar(event.value, _scalar_tag(event, path, line), line), path)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            is_seq = isinstance(event, yaml.SequenceStartEvent)
            expected = CORE + ("seq" if is_seq else "map")
            if event.tag is not None and event.tag != expected:
                raise FAQFormatError(path, line, f"YAML tag '{event.tag}' is not supported")
            if stack and isinstance(stack[-1], Map) and stack[-1].pending is None:
                raise FAQFormatError(path, line, "a mapping key must be plain, non-empty text")
            if len(stack) >= MAX_DEPTH:
                raise FAQFormatError(path, line, f"nesting deeper than {MAX_DEPTH} levels")
            stack.append(Seq(line) if is_seq else Map(line))
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            root = _attach(stack, stack.pop(), path)
    return None if root is None or is_null(root) else root


def _control_error(text: str, event: yaml.ScalarEvent, path: Path) -> FAQFormatError:
    """The error for a scalar holding a control character, at the line of its escape."""
    first = event.start_mark.line if event.start_mark else 0
    last = event.end_mark.line if event.end_mark else first
    for number, source in enumerate(_LINE_BREAK.split(text)[first : last + 1], first + 1):
        for escape in _ESCAPE.finditer(source):
            char = _unescape(escape.group())
            if CONTROL.fullmatch(char):
                message = f"control character U+{ord(char):04X} (written {escape.group()}) is not allowed"
                return FAQFormatError(path, number, message)
    found = CONTROL.search(event.value)
    code = ord(found.group()) if found else 0
    return FAQFormatError(path, first + 1, f"control character U+{code:04X} is not allowed")


def _unescape(escape: str) -> str:
    """The character a YAML double-quoted escape such as ``\\e`` or ``\\x1b`` stands for."""
    body = escape[1:]
    if body[:1] in ("x", "u", "U") and len(body) > 1:
        return chr(int(body[1:], 16))
    return _ESCAPED.get(body, body)


def _scalar_tag(event: yaml.ScalarEvent, path: Path, line: int) -> str:
    """The core tag of a scalar: explicit if allowed, else resolved (plain) or `str`."""
    if event.tag is not None:
        if event.tag not in _SCALAR_TAGS:
            raise FAQFormatError(path, line, f"YAML tag '{event.tag}' is not supported")
        return event.tag
    resolve = _RESOLVER.resolve  # untyped in the stubs
    return str(resolve(yaml.ScalarNode, event.value, event.implicit))  # type: ignore[no-untyped-call]


def _attach(stack: list[Seq | Map], node: Node, path: Path) -> Node:
    """Add a finished node to the open collection on top of `stack`; returns the node."""
    if not stack:
        return node
    parent = stack[-1]
    if isinstance(parent, Seq):
        parent.items.append(node)
    elif parent.pending is None:
        if not isinstance(node, Scalar) or is_null(node):
            raise FAQFormatError(path, node.line, "a mapping key must be plain, non-empty text")
        if node.text in parent.pairs:
            first = parent.pairs[node.text][0]
            message = f"duplicate key '{node.text}' (first at line {first})"
            raise FAQFormatError(path, node.line, message)
        parent.pending = node
    else:
        parent.pairs[parent.pending.text] = (parent.pending.line, node)
        parent.pending = None
    return node


def is_null(node: Node) -> bool:
    """Whether a node is YAML's null (an empty value, ``~`` or ``null``)."""
    return isinstance(node, Scalar) and node.tag == CORE + "null"
