"""The session in docs/terminal.md is what the current code shows: tools/transcript.py records
it again in a pseudo-terminal, and the two must be the same."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

if sys.platform == "win32":
    pytest.skip("pseudo-terminals are POSIX only", allow_module_level=True)
pytest.importorskip("pexpect")
pytest.importorskip("pyte")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
import transcript


def test_the_documented_session_is_current() -> None:
    recorded = transcript.record()
    assert recorded.startswith("$ faqbot\nWelcome to faqbot.")
    assert recorded.rstrip().endswith("> /quit\nGoodbye, and take care.")
    assert all(f"> {turn}" in recorded for turn in transcript.TURNS)
    assert recorded == transcript.documented(), "docs/terminal.md is stale: python tools/transcript.py --write"
