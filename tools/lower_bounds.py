"""Print the lowest versions of faqbot's dependencies, as pip constraints (``name==version``).

    python tools/lower_bounds.py > lowest.txt
    pip install -c lowest.txt -e '.[server]' pytest hypothesis pexpect pyte

`.ci/run` installs faqbot this way into a second virtual environment and runs the tests
there, so every lower bound of `[project] dependencies` in pyproject.toml is one that was
tested together with the others. A dependency without a lower bound is an error (exit 1),
since nothing could test it. The extras (server, plot, dask) are installed at their newest:
their own test tools (starlette's test client, pandas) do not run on their oldest releases.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*?)\s*(;.*)?$")


def requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The requirement strings of `[project] dependencies`."""
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return list(project.get("dependencies", []))


def _name(requirement: str) -> str:
    match = _REQUIREMENT.match(requirement)
    return match.group(1).lower().replace("_", "-") if match else requirement


def lower_bound(requirement: str) -> str | None:
    """The version after ``>=`` in a requirement such as ``numpy>=1.23.2,<3``, else None."""
    match = _REQUIREMENT.match(requirement)
    if not match:
        return None
    bound = re.search(r">=\s*([^,\s]+)", match.group(3))
    return bound.group(1) if bound else None


def constraints(pyproject: Path = ROOT / "pyproject.toml") -> tuple[list[str], list[str]]:
    """(``name==version`` lines, requirements that have no lower bound)."""
    pins: dict[str, str] = {}
    unbounded: list[str] = []
    for requirement in requirements(pyproject):
        version = lower_bound(requirement)
        if version is None:
            unbounded.append(requirement)
        else:
            pins[_name(requirement)] = version
    return [f"{name}=={version}" for name, version in sorted(pins.items())], unbounded


def main() -> int:
    pins, unbounded = constraints()
    if unbounded:
        print(f"lower_bounds: no lower bound, so nothing can test it: {', '.join(unbounded)}",
              file=sys.stderr)
        return 1
    print("\n".join(pins))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
