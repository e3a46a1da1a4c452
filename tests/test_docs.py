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
    assert sorted(["ask", "batch", "chat", "check", "completion", "convert", "eval", "review", "serve"]) == SUBCOMMANDS


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


def _serve_options() -> list[str]:
    serve = build_parser()._subparsers._group_actions[0].choices["serve"]  # type: ignore[union-attr]
    return sorted(o for a in serve._actions for o in a.option_strings if o.startswith("--") and o != "--help")


@pytest.mark.parametrize("option", _serve_options())
def test_every_serve_option_is_in_the_server_doc(option: str) -> None:
    assert f"`{option}" in (ROOT / "docs" / "server.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("option", ["--api-key", "--rate-limit", "--cors-origin", "--no-page"])
def test_the_readme_shows_the_flags_that_expose_the_server(option: str) -> None:
    assert f"`{option}" in README.read_text(encoding="utf-8")


def test_the_readme_screenshots_exist() -> None:
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text(encoding="utf-8"))
    assert {"docs/chat-page.png", "docs/widget.png"} <= set(images)
    for image in images:
        assert (ROOT / image).stat().st_size > 10_000


def test_the_format_doc_says_what_negations_do(bot) -> None:  # type: ignore[no-untyped-def]
    doc = FORMAT_DOC.read_text(encoding="utf-8")
    comment = " ".join(re.sub(r"^\s*(negations:.*?)?#", "", line).strip()
                       for line in doc.split("negations: [", 1)[1].split("\n\n", 1)[0].splitlines())
    assert '"no chest pain" is not urgent, "no fever but chest pain" is' in comment
    assert "up to 3 words after" in comment
    assert bot.ask("no chest pain").kind != "urgent"
    assert bot.ask("without any chest pain").kind != "urgent"  # two words between
    assert bot.ask("no fever but chest pain").kind == "urgent"


def _sections(markdown: str) -> dict[str, str]:
    parts = re.split(r"^## (.+)$", markdown, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_readme_commands_after_the_first_two_use_the_venv() -> None:
    """A newcomer pastes them after the two commands, with no venv activated."""
    sections = _sections(README.read_text(encoding="utf-8"))
    del sections["Two commands"]
    sections.pop("Accuracy", None)  # its commands follow the development sets' own instructions
    commands = []
    for title, text in sections.items():
        for block in re.findall(r"```console\n(.*?)```", text, flags=re.S):
            commands += [(title, line[2:]) for line in block.splitlines() if line.startswith("$ ")]
        commands += [(title, " ".join(code.split())) for code in re.findall(r"`([^`]+)`", text)
                     if re.match(r"(\.venv/bin/)?(python|pip) |source <\(", code)]
    assert len(commands) > 8
    for title, command in commands:
        programs = [w for w in re.split(r"\s*\|\s*|<\(", command) if w]
        first = [p.split()[0] for p in programs if p.split()[0] not in ("cat", "echo", "source")]
        assert all(word.startswith(".venv/bin/") for word in first), f"{title}: {command}"


def test_counts_of_the_bundled_faq_in_the_docs_are_current(bot) -> None:  # type: ignore[no-untyped-def]
    """Counts typed by hand go stale: the docs point to `faqbot check`, or quote what it says."""
    entries = len(bot.faq.entries)
    phrasings = sum(len(e.phrasings) for e in bot.faq.entries)
    for path in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        for found_entries, found_phrasings in re.findall(r"(\d[\d,]*) entries, (\d[\d,]*) phrasings", text):
            assert (int(found_entries.replace(",", "")), int(found_phrasings.replace(",", ""))) == (
                entries, phrasings), f"{path.name}: {found_entries} entries, {found_phrasings} phrasings"
        for found in re.findall(r"faqbot: (\d+) entries;", text):  # faqbot serve's first line
            assert int(found) == entries, path.name
