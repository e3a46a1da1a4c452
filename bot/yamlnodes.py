"""Read a YAML file safely into a tree of nodes that know their line, and read them typed.

`read_yaml(path)` checks the file (exists, regular, at most 5 MB, UTF-8), then builds
`Scalar` / `Seq` / `Map` nodes from the parser's event stream in one iterative pass. It
never constructs Python objects from tags: anchors, aliases and every tag outside YAML's
core schema are rejected, nesting is capped, and a key given twice is an error (PyYAML
would silently keep the last one).

`Fields` reads one mapping with types checked; every problem raises `FAQFormatError` with
the file, the line and the part of the file it is about (``entry 'x': 'answer' is empty``).
`Problems` collects those errors, so that one run reports every problem of a file.

Plain scalars are text as written wherever text is expected, so ``negations: [no, not]``
means the words "no" and "not" (YAML 1.1 would have read ``no`` as false). No text may hold
a control character but a newline or a tab, raw or written as an escape (``"\\e[31m"``): the
FAQ's text ends up on terminals.
"""

from __future__ import annotations

import difflib
import functools
import math
import re
import stat
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import yaml

from .errors import FAQFormatError

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 50
MAX_NODES = 200_000  # a large FAQ has a few thousand; this bounds memory for hostile files
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_CORE + name for name in ("str", "int", "float", "bool", "null")}
_RESOLVER = yaml.resolver.Resolver()
_INF = math.inf
T = TypeVar("T")
P = ParamSpec("P")
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # stateless for the scalars we build
_BOOLS: dict[str, bool] = yaml.constructor.SafeConstructor.bool_values
# C0 and C1 controls and DEL, but not "\t" and "\n". YAML refuses most of them raw in a file;
# a double-quoted scalar can still write any of them as an escape ("\e", "\x9b", "\u001b").
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
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


def read_yaml(path: Path) -> Node | None:
    """The single document in a YAML file as a node tree, or None if the file is empty.

    Raises `FAQFormatError` for an unreadable or oversized file, bad UTF-8, invalid or
    unsafe YAML, more than one document, and duplicate keys.
    """
    text = _read_text(path)
    bad = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        message = f"control character U+{ord(bad.group()):04X} is not allowed"
        raise FAQFormatError(path, line, message)
    try:
        return _compose(text, path)
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


def _read_text(path: Path) -> str:
    """The file's text; refuses directories, devices and files over `MAX_BYTES`."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise FAQFormatError(path, None, "is a directory, not a FAQ file")
        if not stat.S_ISREG(info.st_mode):
            raise FAQFormatError(path, None, "is not a regular file")
        if info.st_size > MAX_BYTES:
            raise FAQFormatError(path, None, _too_big(info.st_size))
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise FAQFormatError(path, None, "file not found") from None
    except OSError as exc:
        raise FAQFormatError(path, None, f"cannot read file: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:  # the file grew after stat()
        raise FAQFormatError(path, None, _too_big(len(data)))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise FAQFormatError(path, line, message) from None


def _too_big(size: int) -> str:
    return f"file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB"


def _compose(text: str, path: Path) -> Node | None:
    """Build nodes from parser events without recursion; see the module docstring."""
    root: Node | None = None
    stack: list[Seq | Map] = []
    documents = nodes = 0
    for event in yaml.parse(text, Loader=_LOADER):
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise FAQFormatError(path, line, f"more than {MAX_NODES} values in one file")
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                raise FAQFormatError(path, line, "more than one YAML document (found '---')")
        elif isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise FAQFormatError(path, line, "anchors and aliases are not supported")
        elif isinstance(event, yaml.ScalarEvent):
            if _CONTROL.search(event.value):
                raise _control_error(text, event, path)
            root = _attach(stack, Scalar(event.value, _scalar_tag(event, path, line), line), path)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            is_seq = isinstance(event, yaml.SequenceStartEvent)
            expected = _CORE + ("seq" if is_seq else "map")
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
            if _CONTROL.fullmatch(char):
                message = f"control character U+{ord(char):04X} (written {escape.group()}) is not allowed"
                return FAQFormatError(path, number, message)
    found = _CONTROL.search(event.value)
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
    return isinstance(node, Scalar) and node.tag == _CORE + "null"


def describe(node: Node) -> str:
    """A few words for what a node is, for error messages."""
    if isinstance(node, Map):
        return "a mapping"
    if isinstance(node, Seq):
        return "a list"
    return "empty" if is_null(node) or not node.text.strip() else f"'{node.text}'"


def closest(word: str, choices: Iterable[str]) -> str | None:
    """The choice `word` is a near miss of, if any."""
    by_folded = {choice.casefold(): choice for choice in choices}
    close = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=0.6)
    return by_folded[close[0]] if close else None


def suggest(word: str, choices: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for a near miss, else an empty string."""
    close = closest(word, choices)
    return f" (did you mean '{close}'?)" if close else ""


@dataclass(frozen=True, slots=True)
class Where:
    """The file and the part of it being read, to build located errors."""

    path: str
    what: str = ""

    def error(self, line: int | None, message: str) -> FAQFormatError:
        """A `FAQFormatError` prefixed with what is being read (e.g. ``entry 'x': ``)."""
        return FAQFormatError(self.path, line, f"{self.what}: {message}" if self.what else message)

    def about(self, what: str) -> Where:
        """The same file, about a nested part."""
        return Where(self.path, what)


class Problems:
    """The `FAQFormatError`s found so far while reading one file."""

    def __init__(self) -> None:
        self.found: list[FAQFormatError] = []

    def add(self, error: FAQFormatError) -> None:
        """Record a problem (once: the same line and message twice is one problem)."""
        if isinstance(error, _Reported):
            return
        if all((e.line, e.message) != (error.line, error.message) for e in self.found):
            self.found.append(error)

    def raise_any(self) -> None:
        """Raise the first problem found, with every problem, in line order, as `problems`.

        The first found is the most basic: the parts of the file are checked before the
        references between them (a misspelt name before the entry it leaves without a subject).
        """
        if self.found:
            problems = tuple(sorted(self.found, key=lambda e: e.line or 0))  # stable: ties in order found
            for problem in problems:
                problem.problems = problems
            raise self.found[0]


class _Reported(FAQFormatError):
    """A problem that another one already explains (a key missing because it is misspelt)."""


def _or(default: Any) -> Callable[[Callable[Concatenate[Fields, P], T]], Callable[Concatenate[Fields, P], T]]:
    """A `Fields` reader that, given `problems`, records its error and returns `default`."""

    def wrap(read: Callable[Concatenate[Fields, P], T]) -> Callable[Concatenate[Fields, P], T]:
        def reader(self: Fields, /, *args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return read(self, *args, **kwargs)
            except FAQFormatError as error:
                if self.problems is None:
                    raise
                self.problems.add(error)
                return default() if callable(default) else default  # type: ignore[no-any-return]

        functools.update_wrapper(reader, read)  # its docstring and name
        return reader

    return wrap


class Fields:
    """One mapping read with its keys and types checked; errors name `where`.

    Without `problems`, every reader raises `FAQFormatError` at the first problem; with it,
    a reader records the problem there and returns an empty value, so reading goes on.
    """

    def __init__(
        self,
        node: Node,
        where: Where,
        required: Sequence[str] | None,
        optional: Sequence[str] = (),
        line: int | None = None,
        problems: Problems | None = None,
    ) -> None:
        """Check `node` is a mapping with no unknown keys; `required` None: any, all required.

        `line` (default: the mapping's first line) is where a missing key is reported. An
        unknown key is added to `problems` when given (and the others are read), else raised.
        """
        if not isinstance(node, Map):
            raise where.error(node.line, f"must be a mapping, not {describe(node)}")
        self.node, self.where, self.line, self.problems = node, where, line or node.line, problems
        self.required = list(node.pairs) if required is None else list(required)
        allowed = [*self.required, *optional]
        self.misspelt: set[str] = set()  # keys an unknown key looks like: not missing as well
        for key, (line, _) in node.pairs.items():
            if key not in allowed:
                meant = closest(key, allowed)
                hint = f" (did you mean '{meant}'?)" if meant else f" (expected one of: {', '.join(allowed)})"
                self.misspelt.add(meant or "")
                self.fail(line, f"unknown key '{key}'{hint}")

    def fail(self, line: int | None, message: str) -> None:
        """A problem about this mapping: raised, or recorded in `problems` when given."""
        error = self.where.error(line, message)
        if self.problems is None:
            raise error
        self.problems.add(error)

    def get(self, key: str, *, may_be_empty: bool = False) -> tuple[int, Node] | None:
        """``(key line, value)``; None if the key is absent or empty and that is allowed."""
        pair = self.node.pairs.get(key)
        empty = pair is not None and is_null(pair[1])
        if key in self.required and (pair is None or (empty and not may_be_empty)):
            problem = f"'{key}' is empty" if pair else f"missing required key '{key}'"
            kind = _Reported if pair is None and key in self.misspelt else FAQFormatError
            raise kind(self.where.path, pair[0] if pair else self.line,
                       f"{self.where.what}: {problem}" if self.where.what else problem)
        return None if pair is None or empty else pair

    @_or("")
    def text(self, key: str) -> str:
        """A non-empty string, stripped (``""`` if an optional key is absent)."""
        return self.text_at(key)[0]

    @_or(("", 0))
    def text_at(self, key: str) -> tuple[str, int]:
        """A non-empty string, stripped, and its line (``("", 0)`` if optional and absent)."""
        pair = self.get(key)
        if pair is None:
            return "", 0
        line, node = pair
        if not isinstance(node, Scalar):
            raise self.where.error(node.line, f"'{key}' must be a string, not {describe(node)}")
        if not node.text.strip():
            raise self.where.error(line, f"'{key}' is empty")
        return node.text.strip(), node.line

    @_or(list)
    def texts(self, key: str, *, allow_empty: bool = False) -> list[tuple[str, int]]:
        """A list of non-empty strings, with the line of each; ``[]`` if absent."""
        pair = self.get(key, may_be_empty=allow_empty)
        if pair is None:
            return []
        line, node = pair
        if not isinstance(node, Seq):
            message = f"'{key}' must be a list of strings, not {describe(node)}"
            raise self.where.error(node.line, message)
        if not node.items and not allow_empty:
            raise self.where.error(line, f"'{key}' is empty")
        out = []
        for number, item in enumerate(node.items, 1):
            if not isinstance(item, Scalar) or describe(item) == "empty":
                message = f"'{key}' must be a list of strings; item {number} is {describe(item)}"
                raise self.where.error(item.line, message)
            out.append((item.text.strip(), item.line))
        return out

    @_or(list)
    def items(self, key: str) -> list[Node]:
        """The items of a list (of mappings); ``[]`` if absent; a required one not empty."""
        pair = self.get(key)
        if pair is None:
            return []
        line, node = pair
        if not isinstance(node, Seq):
            message = f"'{key}' must be a list of mappings, not {describe(node)}"
            raise self.where.error(node.line, message)
        if not node.items and key in self.required:
            raise self.where.error(line, f"'{key}' is empty")
        return node.items

    def number(self, key: str, default: float, low: float = -_INF, high: float = _INF) -> float:
        """A finite number in ``[low, high]``; `default` if absent (or wrong, with `problems`)."""
        try:
            pair = self.get(key)
        except FAQFormatError as error:
            if self.problems is None:
                raise
            self.problems.add(error)
            return default
        if pair is None:
            return default
        node = pair[1]
        value = as_number(node)
        if value is None or not low <= value <= high:
            span = f" between {low:g} and {high:g}" if math.isfinite(low) else ""
            self.fail(node.line, f"'{key}' must be a number{span}, not {describe(node)}")
            return default
        return value

    @_or(False)
    def flag(self, key: str) -> bool:
        """true or false; false if absent."""
        pair = self.get(key)
        if pair is None:
            return False
        node = pair[1]
        value = _BOOLS.get(node.text.lower()) if isinstance(node, Scalar) else None
        if value is None or not isinstance(node, Scalar) or node.tag != _CORE + "bool":
            message = f"'{key}' must be true or false, not {describe(node)}"
            raise self.where.error(node.line, message)
        return value

    @_or(None)
    def mapping(self, key: str) -> Map | None:
        """A nested mapping; None if an optional one is absent or empty."""
        pair = self.get(key)
        if pair is None:
            return None
        line, node = pair
        if not isinstance(node, Map):
            raise self.where.error(node.line, f"'{key}' must be a mapping, not {describe(node)}")
        if not node.pairs and key in self.required:
            raise self.where.error(line, f"'{key}' is empty")
        return node


def as_number(node: Node) -> float | None:
    """The value of an int or float scalar if finite, else None."""
    if not isinstance(node, Scalar) or node.tag not in (_CORE + "int", _CORE + "float"):
        return None
    scalar = yaml.ScalarNode(node.tag, node.text)
    try:
        if node.tag == _CORE + "int":
            value = float(_CONSTRUCTOR.construct_yaml_int(scalar))
        else:
            value = float(_CONSTRUCTOR.construct_yaml_float(scalar))
    except (ValueError, OverflowError, IndexError):  # e.g. !!int "" or !!float abc
        return None
    return value if math.isfinite(value) else None
