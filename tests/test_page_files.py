"""The chat page's files, read as shipped: nothing inline for the CSP to refuse, nothing from
elsewhere, no HTML built from strings, and the disclaimer as the library words it."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot import DISCLAIMER
from bot.server import STATIC

HTML_FILES = sorted(STATIC.glob("*.html"))
SCRIPTS = sorted(STATIC.glob("*.js"))


class _Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside <script> and <style> tags."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and data.strip():
            self.inline.append(f"<{self._in}>{data.strip()[:40]}")


def parse(path: Path) -> _Tags:
    tags = _Tags()
    tags.feed(path.read_text(encoding="utf-8"))
    return tags


def test_the_page_files_are_there() -> None:
    names = {p.name for p in STATIC.iterdir()}
    assert {"index.html", "demo.html", "chat.js", "chat.css", "widget.js", "demo.css"} <= names


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_html_has_no_inline_script_style_or_handler(path: Path) -> None:
    tags = parse(path)
    assert tags.inline == []
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        if tag == "script":
            assert attrs.get("src"), "every script is a file"


@pytest.mark.parametrize("path", HTML_FILES, ids=lambda p: p.name)
def test_html_loads_nothing_from_elsewhere(path: Path) -> None:
    for tag, attrs in parse(path).tags:
        for name in ("src", "href"):
            url = attrs.get(name) or ""
            assert not re.match(r"^(https?:)?//", url), (tag, url)


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_never_build_html_from_strings(path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    for risky in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(",
                  "new Function", "setAttribute(\"on", ".onclick"):
        assert risky not in code


def test_the_page_shows_the_disclaimer_of_the_library() -> None:
    text = (STATIC / "index.html").read_text(encoding="utf-8")
    match = re.search(r'<span id="disclaimer-text">(.*?)</span>', text, re.S)
    assert match and " ".join(match[1].split()) == " ".join(DISCLAIMER.split())


def test_the_demo_page_uses_the_widget() -> None:
    scripts = [attrs for tag, attrs in parse(STATIC / "demo.html").tags if tag == "script"]
    assert [s.get("src") for s in scripts] == ["widget.js"]
