"""Docs that cannot drift: every subcommand has help and a README mention; the format doc
names every key the loader accepts."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot import DISCLAIMER, knowledge
from bot.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FORMAT_DOC = ROOT / "docs" / "faq-format.md"


def _subcommands() -> dict[str, str | None]:
    """Subcommand name → its help text, read from the real parser."""
    parser = build_parser()
    actions = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert len(actions) == 1
    return {choice.dest: choice.help for choice in actions[0]._choices_actions}


SUBCOMMANDS = sorted(_subcommands())


def test_the_parser_has_the_documented_subcommands() -> None:
    assert sorted(["ask", "batch", "chat", "check", "eval", "review", "serve"]) == SUBCOMMANDS


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_has_help(name: str) -> None:
    help_text = _subcommands()[name]
    assert help_text and help_text.strip()
    subparser = build_parser()._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr]
    assert subparser.description and subparser.description.strip()


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_options_have_help(name: str) -> None:
    subparser = build_parser()._subparsers._group_actions[0].choices[name]  # type: ignore[union-attr]
    undocumented = [
        a.dest for a in subparser._actions
        if a.option_strings and not isinstance(a, argparse._HelpAction) and not a.help
    ]
    assert undocumented == []


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_subcommand_is_in_the_readme(name: str) -> None:
    assert re.search(rf"\bfaqbot {re.escape(name)}\b", README.read_text(encoding="utf-8"))


def _plain(markdown: str) -> str:
    """Markdown as running text: no quote markers, emphasis or line breaks."""
    text = re.sub(r"^\s*>\s?", "", markdown, flags=re.M)
    return " ".join(re.sub(r"[*_`]", "", text).split())


def test_readme_has_the_disclaimer() -> None:
    assert " ".join(DISCLAIMER.split()) in _plain(README.read_text(encoding="utf-8"))


TOP_KEYS = sorted({*knowledge._TOP_REQUIRED, *knowledge._TOP_OPTIONAL})
ENTRY_KEYS = sorted({*knowledge._ENTRY_REQUIRED, "related"})


def test_the_loader_accepts_the_keys_this_test_knows() -> None:
    assert {"version", "fallback", "subjects", "facets", "entries"} <= set(TOP_KEYS)


@pytest.mark.parametrize("key", TOP_KEYS)
def test_format_doc_describes_every_top_level_key(key: str) -> None:
    assert re.search(rf"^{re.escape(key)}:", FORMAT_DOC.read_text(encoding="utf-8"), re.M)


@pytest.mark.parametrize("key", ENTRY_KEYS)
def test_format_doc_describes_every_entry_key(key: str) -> None:
    assert re.search(rf"^\s+(- )?{re.escape(key)}:", FORMAT_DOC.read_text(encoding="utf-8"), re.M)


def test_readme_library_example_runs_as_pasted(capsys: pytest.CaptureFixture[str]) -> None:
    readme = README.read_text(encoding="utf-8")
    example = readme.split("## As a library", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    exec(compile(example, "README.md", "exec"), {})
    assert "magnesium-foods" in capsys.readouterr().out
