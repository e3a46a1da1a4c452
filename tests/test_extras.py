"""The install hint for an extra is a command that works for the install at hand: from a clone
it names the clone (not the package index), with the running environment's pip."""

from __future__ import annotations

import importlib.metadata
import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from bot import extras
from bot.extras import install_hint

ROOT = Path(__file__).resolve().parent.parent


class FakeDistribution:
    def __init__(self, direct_url: dict[str, Any] | None) -> None:
        self.direct_url = direct_url

    def read_text(self, name: str) -> str | None:
        assert name == "direct_url.json"
        return None if self.direct_url is None else json.dumps(self.direct_url)


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def install(direct_url: dict[str, Any] | None) -> None:
        monkeypatch.setattr(importlib.metadata, "distribution", lambda name: FakeDistribution(direct_url))
    return install


def test_from_an_editable_clone_it_names_the_clone(installed, monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path) -> None:
    installed({"url": ROOT.as_uri(), "dir_info": {"editable": True}})
    monkeypatch.chdir(ROOT)
    assert install_hint("server").endswith(" -m pip install -e '.[server]'")
    monkeypatch.chdir(tmp_path)  # elsewhere: the clone's full path
    assert install_hint("server").endswith(f" -m pip install -e '{ROOT}[server]'")


def test_from_a_plain_install_of_a_clone_it_names_the_clone_without_e(installed, tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    clone = tmp_path / "my clone"
    installed({"url": clone.as_uri(), "dir_info": {}})
    monkeypatch.chdir(tmp_path)
    assert install_hint("plot").endswith(" -m pip install 'my clone[plot]'")


@pytest.mark.parametrize("direct_url", [None, {"url": "https://example.org/faqbot-0.1.0-py3-none-any.whl",
                                               "archive_info": {}}])
def test_from_an_index_or_a_wheel_it_names_the_package(installed, direct_url: dict[str, Any] | None) -> None:
    installed(direct_url)
    assert install_hint("server").endswith(" -m pip install 'faqbot[server]'")


def test_not_installed_at_all_it_names_this_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> None:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", missing)
    monkeypatch.chdir(ROOT)
    assert install_hint("server").endswith(" -m pip install -e '.[server]'")


def test_the_hint_uses_the_running_environment_and_a_real_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    hint = shlex.split(install_hint("server"))
    assert Path(hint[0]).resolve() == Path(sys.executable).resolve()
    assert hint[1:4] == ["-m", "pip", "install"]
    tomllib = pytest.importorskip("tomllib")
    extras_declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))[
        "project"]["optional-dependencies"]
    assert {"server", "plot"} <= set(extras_declared)
    assert extras.DISTRIBUTION == "faqbot"
