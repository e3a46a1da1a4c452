"""What to run to install one of faqbot's extras, for the install the user actually has.

`pip install 'faqbot[server]'` asks a package index for faqbot; from a clone of the repository
that is the wrong command (faqbot is installed from the clone, and the index may not have it,
or have another project of that name). `install_hint("server")` says what works here: from a
clone, the clone's path with the environment's own pip; otherwise the package name.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

DISTRIBUTION = "faqbot"


def _source() -> tuple[Path | None, bool]:
    """(the directory faqbot was installed from, whether editably), or (None, False) if an index."""
    import importlib.metadata

    try:
        record = importlib.metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        here = Path(__file__).resolve().parent.parent
        return (here, True) if (here / "pyproject.toml").is_file() else (None, False)
    try:
        direct = json.loads(record or "{}")
    except ValueError:
        return None, False
    url = urlparse(str(direct.get("url", "")))
    if url.scheme != "file" or "dir_info" not in direct:  # from an index, a wheel or VCS URL
        return None, False
    return Path(unquote(url.path)), bool(direct["dir_info"].get("editable"))


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is inside it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def install_hint(extra: str) -> str:
    """The command that installs `extra` (e.g. "server") into the running environment."""
    pip = f"{shlex.quote(_shown(Path(sys.executable)))} -m pip install"
    clone, editable = _source()
    if clone is None:
        return f"{pip} '{DISTRIBUTION}[{extra}]'"
    target = shlex.quote(f"{_shown(clone)}[{extra}]")
    return f"{pip} {'-e ' if editable else ''}{target}"
