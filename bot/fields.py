"""Read the nodes of `bot.yamlnodes` typed, every problem located.

`Fields` reads one mapping with types checked; every problem raises `FAQFormatError` with
the file, the line and the part of the file it is about (``entry 'x': 'answer' is empty``).
Given a `Problems`, it records each problem instead and reads on, so that one run reports
every problem of a file.
"""

from __future__ import annotations

import difflib
import functools
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Concatenate, ParamSpec, TypeVar

import yaml

from .errors import FAQFormatError
from .yamlnodes import CORE, Map, Node, Scalar, Seq, is_null

_INF = math.inf
_CONSTRUCTOR = yaml.constructor.SafeConstructor()  # stateless for the scalars we build
_BOOLS: dict[str, bool] = yaml.constructor.SafeConstructor.bool_values
T = TypeVar("T")
P = ParamSpec("P")


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

    @_or(dict)
    def groups(self, key: str, *, names_known: Iterable[str] | None = None,
               list_allowed: bool = False) -> dict[str, list[tuple[str, int]]]:
        """``{name: [(text, line), ...]}`` from a mapping of names to lists of strings.

        With `list_allowed`, a plain list is read as one group per text, named by the text.
        `names_known`: the names a group may have (another one is an error).
        """
        pair = self.get(key)
        if pair is None:
            return {}
        node = pair[1]
        if list_allowed and isinstance(node, Seq):
            return {text: [(text, at)] for text, at in self.texts(key)}
        if not isinstance(node, Map):
            kinds = "a mapping of names to lists, or a list" if list_allowed else "a mapping of names to lists"
            raise self.where.error(node.line, f"'{key}' must be {kinds} of strings, not {describe(node)}")
        known = None if names_known is None else set(names_known)
        inner = Fields(node, self.where.about(f"{self.where.what + ': ' if self.where.what else ''}{key}"), None)
        out: dict[str, list[tuple[str, int]]] = {}
        for name, (at, _) in node.pairs.items():
            if known is not None and name not in known:
                hint = suggest(name, known)
                raise self.where.error(at, f"'{key}' names '{name}', which the FAQ does not declare{hint}")
            out[name] = inner.texts(name)
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
        if value is None or not isinstance(node, Scalar) or node.tag != CORE + "bool":
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
    if not isinstance(node, Scalar) or node.tag not in (CORE + "int", CORE + "float"):
        return None
    scalar = yaml.ScalarNode(node.tag, node.text)
    try:
        if node.tag == CORE + "int":
            value = float(_CONSTRUCTOR.construct_yaml_int(scalar))
        else:
            value = float(_CONSTRUCTOR.construct_yaml_float(scalar))
    except (ValueError, OverflowError, IndexError):  # e.g. !!int "" or !!float abc
        return None
    return value if math.isfinite(value) else None
