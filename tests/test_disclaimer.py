"""The disclaimer is the FAQ's: shown for a FAQ that has one, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import TINY_FAQ

from bot import DISCLAIMER, FAQBot
from bot.http_api import answer_with_state, model_object
from bot.knowledge import load_faq
from bot.terminal import welcome

NO_DISCLAIMER = TINY_FAQ[: TINY_FAQ.index("disclaimer:")] + TINY_FAQ[TINY_FAQ.index("urgent:"):]


def _bot(tmp_path: Path, text: str) -> FAQBot:
    path = tmp_path / "faq.yaml"
    path.write_text(text, encoding="utf-8")
    return FAQBot.from_file(path)


def test_the_bundled_faq_carries_the_health_disclaimer() -> None:
    assert load_faq().disclaimer == DISCLAIMER


def test_a_faq_without_one_shows_none(tmp_path: Path) -> None:
    bot = _bot(tmp_path, NO_DISCLAIMER)
    assert bot.faq.disclaimer == ""
    assert [p.text for p in welcome(bot.faq.disclaimer) if "doctor" in p.text] == []
    assert answer_with_state(bot, "hello", None)["disclaimer"] is None
    assert model_object(None)["disclaimer"] is None


def test_a_faq_of_its_own_shows_its_own(tmp_path: Path) -> None:
    own = "Answers come from our help centre; they are not legal advice."
    bot = _bot(tmp_path, NO_DISCLAIMER.replace("urgent:", f"disclaimer: {own}\nurgent:", 1))
    assert own in [p.text for p in welcome(bot.faq.disclaimer)]
    assert answer_with_state(bot, "hello", None)["disclaimer"] == own


def test_the_page_shows_the_faqs_disclaimer_escaped_or_none() -> None:
    server = pytest.importorskip("bot.server")
    assert "not &lt;legal&gt; advice" in server.index_html("not <legal> advice")
    assert 'id="disclaimer"' not in server.index_html("")
    assert " ".join(DISCLAIMER.split()) in " ".join(server.index_html(DISCLAIMER).split())
