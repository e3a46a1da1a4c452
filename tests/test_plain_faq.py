"""Plain FAQs: a list of questions and answers as YAML, CSV or JSONL answers its own questions;
bad rows give file:line errors; `faqbot convert` round-trips; the size limit is a default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot import FAQBot
from bot.cli import main
from bot.convert import write_faq
from bot.errors import FAQFormatError, UsageError
from bot.knowledge import load_faq, plain_model

ENTRIES = [
    ("How do I reset my password?", "Open Settings, then Account, then Reset password.", ["forgot my password"]),
    ("What are your opening hours?", "We are open from nine to five on weekdays.", ["when are you open"]),
    ("How do I cancel my order?", "Go to Orders and press Cancel next to the order.", []),
    ("Do you ship abroad?", "We ship to every country in Europe.", ["international delivery"]),
]
QUESTIONS = {  # typed as a user would, none of them a phrasing of the FAQ
    "i forgot my pasword, how do i reset it": "how-do-i-reset-my-password",
    "when do you open": "what-are-your-opening-hours",
    "how can i cancel an order": "how-do-i-cancel-my-order",
    "do you ship to other countries abroad": "do-you-ship-abroad",
}


def yaml_faq(tmp_path: Path) -> Path:
    lines = ["version: 1", "entries:"]
    for question, answer, alternatives in ENTRIES:
        lines += [f"- question: {question}", f"  answer: {answer}"]
        if alternatives:
            lines.append(f"  alternatives: [{', '.join(alternatives)}]")
    path = tmp_path / "faq.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def csv_faq(tmp_path: Path) -> Path:
    rows = ["question,answer,alternatives"]
    rows += [f'"{q}","{a}",{"|".join(alts)}' for q, a, alts in ENTRIES]
    path = tmp_path / "faq.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def jsonl_faq(tmp_path: Path) -> Path:
    path = tmp_path / "faq.jsonl"
    path.write_text("".join(json.dumps({"question": q, "answer": a, "alternatives": alts}) + "\n"
                            for q, a, alts in ENTRIES), encoding="utf-8")
    return path


@pytest.mark.parametrize("make", [yaml_faq, csv_faq, jsonl_faq], ids=["yaml", "csv", "jsonl"])
def test_plain_faq_answers_its_own_questions(tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    bot = FAQBot.from_file(make(tmp_path))
    assert [e.id for e in bot.faq.entries] == list(QUESTIONS.values())  # ids derived from the questions
    for question, expected in QUESTIONS.items():
        reply = bot.ask(question)
        assert (reply.kind, reply.id) == ("answer", expected), question
    assert bot.ask("what is the capital of mongolia").kind == "fallback"
    assert bot.faq.warnings and "no entry has subjects or facets" in bot.faq.warnings[0]


def test_check_warns_in_one_line_and_succeeds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(csv_faq(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert "ok: 4 entries" in out
    assert len(err.splitlines()) == 1 and err.startswith("faqbot: warning: ")


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        ("question,answer\nWhy?,Because.\nHow?,\n", 3, "'answer' is empty"),
        ("question,answr\nWhy?,Because.\n", 1, "unknown column 'answr' (did you mean 'answer'?)"),
        ("question,alternatives\nWhy?,x\n", 1, "missing column 'answer'"),
        ('question,answer\nWhy?,"Because\nof that."\nHow?,x,y\n', 4, "row has 3 cells; the header has 2"),
        ("id,question,answer\na,Why?,Yes.\na,How?,No.\n", 3, "duplicate id 'a'"),
    ],
)
def test_bad_csv_rows_name_their_line(tmp_path: Path, text: str, line: int, phrase: str) -> None:
    path = tmp_path / "faq.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FAQFormatError) as info:
        load_faq(path)
    assert (info.value.path, info.value.line) == (str(path), line)
    assert phrase in info.value.message


@pytest.mark.parametrize(
    ("text", "line", "phrase"),
    [
        ('{"question": "Why?", "answer": "Because."}\n{"question": "How?"\n', 2, "not valid JSON"),
        ('{"question": "Why?", "answer": "Because."}\n\n["How?", "No."]\n', 3, "must be a JSON object"),
        ('{"question": "Why?", "answer": ["a", "b"]}\n', 1, "'answer' must be a string"),
        ('{"question": "Why?", "answer": "x", "colour": "red"}\n', 1, "unknown key 'colour'"),
        ('{"question": "Why?", "answer": "a \\u001b[31m b"}\n', 1, "control character U+001B"),
    ],
)
def test_bad_jsonl_lines_name_their_line(tmp_path: Path, text: str, line: int, phrase: str) -> None:
    path = tmp_path / "faq.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FAQFormatError) as info:
        load_faq(path)
    assert (info.value.line, phrase in info.value.message) == (line, True), str(info.value)


@pytest.mark.parametrize("ending", [".yaml", ".csv", ".jsonl"])
def test_convert_round_trips(tmp_path: Path, ending: str) -> None:
    original = load_faq(csv_faq(tmp_path))
    converted = tmp_path / f"out{ending}"
    assert main(["convert", str(tmp_path / "faq.csv"), "-o", str(converted)]) == 0
    again = load_faq(converted)
    assert [(e.id, e.question, e.alternatives, e.answer) for e in again.entries] == [
        (e.id, e.question, e.alternatives, e.answer) for e in original.entries]
    assert again.fallback == original.fallback


def test_convert_refuses_to_overwrite_and_rich_faqs(tmp_path: Path) -> None:
    target = tmp_path / "faq.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(UsageError, match="exists; --force"):
        write_faq(load_faq(csv_faq(tmp_path)), target)
    assert target.read_text(encoding="utf-8") == "keep me\n"
    with pytest.raises(UsageError, match="plain FAQs only"):
        write_faq(load_faq(), tmp_path / "bundled.csv")


def test_size_limit_is_a_default_that_can_be_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = csv_faq(tmp_path)
    with pytest.raises(FAQFormatError, match=r"the limit is .* MB .*--max-faq-mb"):
        load_faq(path, max_bytes=100)
    monkeypatch.setenv("FAQBOT_MAX_FAQ_MB", "0.0001")
    with pytest.raises(FAQFormatError):
        load_faq(path)
    monkeypatch.setenv("FAQBOT_MAX_FAQ_MB", "0")  # no limit
    assert len(load_faq(path).entries) == 4
    assert len(load_faq(path, max_bytes=None).entries) == 4


def test_big_plain_faq_is_read_back_from_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import faqcache

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(faqcache, "CACHE_FROM", 0)
    path = jsonl_faq(tmp_path)
    first = load_faq(path)
    assert list((tmp_path / "cache").glob("faq-*.json"))
    assert load_faq(path) == first


def test_the_cache_keeps_a_plain_faqs_disclaimer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import faqcache

    monkeypatch.setenv("FAQBOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(faqcache, "CACHE_FROM", 0)
    path = yaml_faq(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "disclaimer: Not legal advice.\n", encoding="utf-8")
    first = load_faq(path)
    assert list((tmp_path / "cache").glob("faq-*.json"))
    again = load_faq(path)
    assert again.disclaimer == "Not legal advice." and again == first


def test_the_confidence_model_is_refitted_into_a_plain_faq(tmp_path: Path) -> None:
    import subprocess
    import sys

    faq = yaml_faq(tmp_path)
    labelled = tmp_path / "labelled.jsonl"
    rows = [{"q": q, "expect": [entry]} for q, entry in QUESTIONS.items()]
    rows += [{"q": q, "expect": ["fallback"]} for q in ("what is the weather today", "tell me a joke",
                                                       "how tall is mount everest", "who won the match")]
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tool = Path(__file__).resolve().parent.parent / "tools" / "calibrate.py"
    before = dict(load_faq(faq).calibration)  # the plain FAQs' model
    done = subprocess.run([sys.executable, str(tool), "--faq", str(faq), str(labelled), "--write"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "thresholds:\n  calibration:\n    bias:" in faq.read_text(encoding="utf-8")
    assert dict(load_faq(faq).calibration) != before
    refused = subprocess.run([sys.executable, str(tool), "--faq", str(csv_faq(tmp_path)), str(labelled), "--write"],
                             capture_output=True, text=True, timeout=300)
    assert refused.returncode != 0 and "faqbot convert" in refused.stderr


def test_the_ranking_weights_are_fitted_into_the_faq_with_the_confidence_model(tmp_path: Path) -> None:
    import subprocess
    import sys

    from bot.model import RANKING

    faq = yaml_faq(tmp_path)
    labelled = tmp_path / "labelled.jsonl"
    rows = [{"q": q, "expect": [entry]} for q, entry in QUESTIONS.items()]
    rows += [{"q": q, "expect": ["fallback"]} for q in ("what is the weather today", "tell me a joke")]
    labelled.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    tool = Path(__file__).resolve().parent.parent / "tools" / "calibrate.py"
    done = subprocess.run([sys.executable, str(tool), "--faq", str(faq), str(labelled), "--ranking", "--write"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "combined after" in done.stderr  # each signal's top-1 and the combination's
    text = faq.read_text(encoding="utf-8")
    assert "thresholds:\n  ranking:\n    word:" in text and "\n  calibration:\n    bias:" in text
    fitted = load_faq(faq)  # and the FAQ still loads: every weight named and at least 0
    assert set(fitted.ranking) == set(RANKING) and all(weight >= 0 for weight in fitted.ranking.values())


def test_a_faq_too_big_for_the_learned_ranking_gets_the_model_fitted_without_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot import knowledge, model

    small = load_faq(yaml_faq(tmp_path))
    monkeypatch.setattr(model, "MAX_INTENT_ENTRIES", len(ENTRIES) - 1)
    big = load_faq(yaml_faq(tmp_path))
    assert big.calibration["intent"] == 0.0 != small.calibration["intent"]
    assert dict(big.calibration) == knowledge.plain_model(learned=False)[1]


def test_a_one_entry_faq_answers_its_question_without_a_learned_ranking(tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("version: 1\nentries:\n  - question: What time do you open?\n    answer: At nine.\n")
    bot = FAQBot.from_file(path)
    assert bot.index.intent is None  # one class: nothing to learn
    assert bot.ask("What time do you open?").id == bot.faq.entries[0].id
    assert dict(bot.faq.calibration) == plain_model(learned=False)[1]
