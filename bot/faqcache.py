"""A disk cache of FAQs once read and checked, so a second start skips parsing and checking.

Reading and validating the bundled FAQ's YAML takes a fifth of a second, a 16,000-entry
plain FAQ's most of a second; the checked result, as JSON in the cache directory
(`bot.cache`), reads in a fraction of that. Files of at least `CACHE_FROM` bytes are kept.
The key is the file's path, size and modification time, and the format below: a file
edited in place is read anew. The JSON is the FAQ's dataclasses field by field, read back
by their type hints: a field added to them is cached with no change here.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import types
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import knowledge, languages
from .cache import cache_dir, prune, save_json
from .knowledge import FAQ
from .model import PLAIN_MODEL

log = logging.getLogger(__name__)

FORMAT = "7"
CACHE_FROM = 64 * 1024  # smaller files parse in less time than the cache saves


def _path(source: Path) -> Path | None:
    directory = cache_dir()
    try:
        info = source.stat()
    except OSError:
        return None
    if directory is None or info.st_size < CACHE_FROM:
        return None
    # the plain model too: a FAQ without its own weights was given that file's when it was read
    key = f"{FORMAT}\x1f{source.resolve()}\x1f{info.st_size}\x1f{info.st_mtime_ns}\x1f{_plain_model_stamp()}"
    return directory / f"faq-{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:40]}.json"


@functools.cache
def _plain_model_stamp() -> str:
    try:
        return hashlib.sha256(PLAIN_MODEL.read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


def cached(source: Path) -> FAQ | None:
    """The FAQ read from `source` before, if the cache has it and the file has not changed."""
    path = _path(source)
    if path is None:
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        return _from_json(saved, str(source))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        log.debug("ignoring unreadable FAQ cache %s: %s", path, exc)
        return None


def keep(source: Path, faq: FAQ) -> None:
    """Save a FAQ just read from `source`, when it is big enough to be worth it."""
    path = _path(source)
    if path is None:
        return
    try:
        save_json(path, _encode(faq))
        prune(path.parent, "faq")
    except OSError as exc:
        log.debug("could not cache the FAQ in %s: %s", path.parent, exc)


def _encode(value: Any) -> Any:
    """A FAQ (or any part of it) as JSON values: dataclasses and mappings as objects, tuples as lists."""
    if dataclasses.is_dataclass(value):
        return {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _encode(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return [_encode(item) for item in value]
    return value


def _from_json(saved: Any, path: str) -> FAQ:
    faq: FAQ = _decode(FAQ, saved)
    return dataclasses.replace(faq, path=path)


def _decode(kind: Any, value: Any) -> Any:
    """`value` read back as `kind`, a type hint of the FAQ's dataclasses; raises TypeError
    or KeyError when it is not one (a cache written by other code)."""
    return _decoder(kind)(value)


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """The reader of values of `kind`, made once per type hint (a FAQ has tens of thousands of
    values and a handful of types)."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is types.UnionType or origin is typing.Union:  # X | None
        (inner,) = (_decoder(a) for a in args if a is not type(None))
        optional = type(None) in args
        return lambda value: None if value is None and optional else inner(value)
    if isinstance(kind, type) and dataclasses.is_dataclass(kind):
        fields = [(name, _decoder(hint)) for name, hint in _hints(kind).items()]
        made = kind

        def read_dataclass(value: Any) -> Any:
            if not isinstance(value, dict):
                raise TypeError(f"{made.__name__}: an object expected")
            return made(**{name: read(value[name]) for name, read in fields})

        return read_dataclass
    if origin is tuple:
        item = _decoder(args[0])

        def read_tuple(value: Any) -> tuple[Any, ...]:
            if not isinstance(value, list):
                raise TypeError("a list expected")
            return tuple(map(item, value))

        return read_tuple
    if origin is Mapping:
        entry = _decoder(args[1])

        def read_mapping(value: Any) -> Mapping[str, Any]:
            if not isinstance(value, dict):
                raise TypeError("an object expected")
            return MappingProxyType({str(key): entry(item) for key, item in value.items()})

        return read_mapping

    def read_scalar(value: Any) -> Any:
        if type(value) is kind or (kind is float and type(value) is int):
            return kind(value)
        raise TypeError(f"{kind!r} expected, not {type(value).__name__}")

    return read_scalar


@functools.cache
def _hints(kind: type) -> dict[str, Any]:
    """A dataclass's fields and their types (the hints resolved, as `from __future__` leaves strings)."""
    hints = typing.get_type_hints(kind, vars(knowledge) | vars(languages))
    return {f.name: hints[f.name] for f in dataclasses.fields(kind)}
