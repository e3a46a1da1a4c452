"""A disk cache of fitted TF-IDF spaces: a second start skips fitting, and importing scikit-learn.

The key is a hash of exactly what is fitted (the analysed phrasings), so any change to a FAQ,
or to how faqbot reads one, fits anew. Files live in `$FAQBOT_CACHE_DIR`, else
`$XDG_CACHE_HOME/faqbot`, else `~/.cache/faqbot`; `FAQBOT_NO_CACHE=1` turns the cache off.
They are plain NumPy arrays (no pickles). A cache that cannot be read or written is ignored:
it only ever costs the fit it was meant to save.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # numpy and scipy load only when a space is fitted or read: `faqbot check` needs neither
    from .tfidf import Analyzer, TfidfSpace

log = logging.getLogger(__name__)

FORMAT = "1"  # bump when the saved arrays or the analysis behind them change meaning
KEEP = 16  # cached spaces kept per directory; older ones are removed


def cache_dir() -> Path | None:
    """Where fitted spaces are kept, or None when caching is off."""
    if os.environ.get("FAQBOT_NO_CACHE"):
        return None
    if os.environ.get("FAQBOT_CACHE_DIR"):
        return Path(os.environ["FAQBOT_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "faqbot"


def _key(kind: Analyzer, documents: Sequence[Sequence[str]] | Sequence[str]) -> str:
    digest = hashlib.sha256(f"{FORMAT}\x1f{kind}".encode())
    # one encode and one update for all of them (the same bytes as one per document, at a
    # fraction of the cost on every start)
    texts = "".join("\x1e" + (d if isinstance(d, str) else "\x1f".join(d)) for d in documents)
    digest.update(texts.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:40]


def fitted_space(kind: Analyzer, documents: Sequence[Sequence[str]] | Sequence[str]) -> TfidfSpace:
    """The TF-IDF space of `documents`: from the cache when it has it, else fitted and saved."""
    from .tfidf import TfidfSpace

    directory = cache_dir()
    if directory is None:
        return TfidfSpace.fit(kind, documents)
    path = directory / f"tfidf-{kind}-{_key(kind, documents)}.npz"
    try:
        space = TfidfSpace.load(path, kind)
        log.debug("%s index read from the cache: %s", kind, path)
        return space
    except FileNotFoundError:
        pass
    except Exception as exc:
        log.debug("ignoring unreadable cache file %s: %s", path, exc)
    log.info("%s index not in the cache: fitting it (then saving %s)", kind, path)
    space = TfidfSpace.fit(kind, documents)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".tfidf-", suffix=".npz", delete=False) as tmp:
            space.save(tmp)
        os.replace(tmp.name, path)
        prune(directory)
    except OSError as exc:
        log.debug("could not cache the index in %s: %s", directory, exc)
    return space


def prune(directory: Path, kind: str = "tfidf") -> None:
    """Keep the KEEP newest cache files of one kind ("tfidf-…", "intent-…"), remove the rest."""
    try:
        files = sorted(directory.glob(f"{kind}-*"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError as exc:  # another process pruned first
        log.debug("could not prune %s files in %s: %s", kind, directory, exc)


def save_json(path: Path, value: Any) -> None:
    """Write `value` as JSON to `path` atomically (a temporary file, then a rename), so that a
    reader never sees half a file; raises OSError. `json.dumps`: its encoder is the C one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=".tmp-",
                                     suffix=".json", delete=False) as tmp:
        tmp.write(json.dumps(value, ensure_ascii=False))
    os.replace(tmp.name, path)


def cached_json(kind: str, key: Sequence[str], compute: Callable[[], Any],
                valid: Callable[[Any], bool] = lambda value: value is not None) -> Any:
    """`compute()` (JSON-safe), from the cache when it was computed before for the same `key`.

    For what is slow to derive from a FAQ's word lists in many languages (their tokens, the
    concept tables) and changes only when they do. A saved value `valid` refuses is computed
    again: a cache can only cost time, never an error.
    """
    return _cached(kind, key, ".json", lambda path: json.loads(path.read_text(encoding="utf-8")), save_json,
                   compute, valid)


def cached_arrays(kind: str, key: Sequence[str], compute: Callable[[], dict[str, Any]],
                  valid: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """`compute()` (NumPy arrays by name), from the cache when it was computed before for the
    same `key`: for fitted weights. Saved as a plain `.npz` (no pickles); a saved value `valid`
    refuses is computed again."""
    import numpy as np

    def read(path: Path) -> dict[str, Any]:
        with np.load(path, allow_pickle=False) as saved:
            return {name: saved[name] for name in saved.files}

    def write(path: Path, arrays: dict[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{kind}-", suffix=".npz", delete=False) as tmp:
            np.savez(tmp, **arrays)
        os.replace(tmp.name, path)

    result: dict[str, Any] = _cached(kind, key, ".npz", read, write, compute, valid)
    return result


def digest(parts: Sequence[str]) -> str:
    """A short digest of `parts`, for a cache key that stands for many texts."""
    return _key("char", parts)


def _cached(kind: str, key: Sequence[str], suffix: str, read: Callable[[Path], Any],
            write: Callable[[Path, Any], None], compute: Callable[[], Any], valid: Callable[[Any], bool]) -> Any:
    """`compute()`, or what `read` finds in the cache file for (`kind`, `key`) when `valid`
    accepts it; what is computed is saved with `write`. An unreadable or unwritable cache
    only costs time."""
    directory = cache_dir()
    path = directory / f"{kind}-{_key('char', [kind, *key])}{suffix}" if directory else None
    if path is not None:
        try:
            saved = read(path)
            if valid(saved):
                return saved
            log.debug("ignoring cache file %s of another shape", path)
        except FileNotFoundError:
            pass
        except (OSError, ValueError, KeyError) as exc:
            log.debug("ignoring unreadable cache file %s: %s", path, exc)
    value = compute()
    if path is not None:
        try:
            write(path, value)
            prune(path.parent, kind)
        except OSError as exc:
            log.debug("could not cache %s in %s: %s", kind, path.parent, exc)
    return value
