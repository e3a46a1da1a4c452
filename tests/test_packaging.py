"""The package's metadata tells the truth: every library `bot/` imports is declared, and every
dependency has a lower bound that `.ci/run` installs and tests (tools/lower_bounds.py)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11 and later; the metadata is the same on 3.10

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import lower_bounds  # noqa: E402

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
# imported only to handle an object the caller passes in, so the caller has the library already
BROUGHT_BY_THE_CALLER = {"pandas"}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _declared() -> dict[str, str]:
    """Distribution name → where it is declared ("dependencies" or the extra's name)."""
    found = {_name(r): "dependencies" for r in PROJECT["dependencies"]}
    for extra, requirements in PROJECT["optional-dependencies"].items():
        for requirement in requirements:
            found.setdefault(_name(requirement), extra)
    return found


def _imported_modules() -> set[str]:
    """Top-level names of every absolute import in bot/, the standard library left out."""
    names = set()
    for path in (ROOT / "bot").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"__future__", "bot"}


def test_every_library_bot_imports_is_declared() -> None:
    providers = importlib.metadata.packages_distributions()
    declared = _declared()
    missing = []
    for module in sorted(_imported_modules() - BROUGHT_BY_THE_CALLER):
        distributions = {_name(d) for d in providers.get(module, [module])}
        if not distributions & set(declared):
            missing.append(f"{module} (from {', '.join(sorted(distributions))})")
    assert missing == []


@pytest.mark.parametrize("module", ["numpy", "scipy", "sklearn", "threadpoolctl", "rapidfuzz",
                                    "yaml", "prompt_toolkit", "tqdm"])
def test_the_scoring_stack_and_the_front_ends_are_plain_dependencies(module: str) -> None:
    assert module in _imported_modules()
    providers = importlib.metadata.packages_distributions()
    assert {_name(d) for d in providers[module]} & {_name(r) for r in PROJECT["dependencies"]}


def test_every_dependency_has_a_lower_bound_that_ci_pins() -> None:
    pins, unbounded = lower_bounds.constraints()
    assert unbounded == []
    assert len(pins) == len(PROJECT["dependencies"])
    assert "rapidfuzz==3.8.0" in pins  # process.cpdist, which retrieve.py calls, is new in 3.8


def test_a_requirement_without_a_lower_bound_is_refused(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\ndependencies = ["numpy>=1.23.2,<3", "rapidfuzz"]\n',
                         encoding="utf-8")
    assert lower_bounds.constraints(pyproject) == (["numpy==1.23.2"], ["rapidfuzz"])


def test_ci_runs_the_tests_against_the_lower_bounds() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "tools/lower_bounds.py" in script
    assert re.search(r"\.venv-lowest/bin/python -m pytest", script)


def test_the_license_file_matches_the_declared_license() -> None:
    assert PROJECT["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_mypy_checks_for_the_lowest_supported_python() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lowest = re.fullmatch(r">=\s*(3\.\d+)", PROJECT["requires-python"])
    assert lowest is not None
    assert config["tool"]["mypy"]["python_version"] == lowest.group(1)
    assert config["tool"]["ruff"]["target-version"] == "py" + lowest.group(1).replace(".", "")


def test_ci_runs_the_spark_tests_with_java_installed_only_when_missing() -> None:
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "command -v java >/dev/null || { apt-get update && apt-get install -y default-jre-headless; }" in script
    assert ".venv/bin/pip install pyspark" in script
    assert ".venv/bin/python -m pytest -m spark tests/test_spark.py" in script
