"""A disk cache of big plain FAQs once read and checked, so a second start skips parsing.

Reading and validating 16,000 YAML entries takes most of a second; the checked result, as
JSON in the cache directory (`bot.cache`), reads in a tenth of that. Only plain FAQs (entries
and the fixed texts, no knowledge sections) of at least `CACHE_FROM` bytes are kept. The key
is the file's path, size and modification time, and the format below: a file edited in place
is read anew.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from pathlib import Path
from typing import Any

from .cache import cache_dir, prune, save_json
from .knowledge import FAQ, Entry, Thresholds
from .model import PLAIN_MODEL

log = logging.getLogger(__name__)

FORMAT = "2"
CACHE_FROM = 1024 * 1024  # smaller files parse in less time than the cache saves
_ENTRY_FIELDS = ("id", "question", "answer", "section", "alternatives", "related", "line")


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
    """Save a plain FAQ just read from `source`, when it is big enough to be worth it."""
    path = _path(source)
    if path is None or not is_plain(faq):
        return
    try:
        save_json(path, _to_json(faq))
        prune(path.parent, "faq")
    except OSError as exc:
        log.debug("could not cache the FAQ in %s: %s", path.parent, exc)


def is_plain(faq: FAQ) -> bool:
    """Entries and fixed texts only: no subjects, facets, red flags, small talk or languages."""
    sections = (faq.subjects, faq.facets, faq.synonyms, faq.out_of_scope_facets, faq.languages,
                faq.smalltalk, faq.out_of_scope_examples)
    return faq.urgent is None and not any(sections)


def _to_json(faq: FAQ) -> dict[str, Any]:
    thresholds = faq.thresholds
    return {
        "fallback": faq.fallback,
        "entries": [[getattr(e, name) for name in _ENTRY_FIELDS] for e in faq.entries],
        "thresholds": [thresholds.answer, thresholds.clarify, thresholds.margin],
        "calibration": dict(faq.calibration),
        "ranking": dict(faq.ranking),
        "warnings": list(faq.warnings),
        "disclaimer": faq.disclaimer,
    }


def _from_json(saved: dict[str, Any], path: str) -> FAQ:
    entries = tuple(
        Entry(id=i, question=q, answer=a, section=s, alternatives=tuple(alts), related=tuple(rel), line=int(line))
        for i, q, a, s, alts, rel, line in saved["entries"]
    )
    answer, clarify, margin = (float(x) for x in saved["thresholds"])
    return FAQ(
        path=path, fallback=str(saved["fallback"]), entries=entries, subjects={}, facets={}, synonyms={},
        out_of_scope_facets={}, out_of_scope_examples=(), urgent=None, smalltalk=(),
        thresholds=Thresholds(answer, clarify, margin),
        calibration={str(k): float(v) for k, v in saved["calibration"].items()},
        ranking={str(k): float(v) for k, v in saved["ranking"].items()},
        warnings=tuple(str(w) for w in saved["warnings"]),
        disclaimer=str(saved["disclaimer"]),
    )
