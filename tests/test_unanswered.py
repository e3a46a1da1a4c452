"""The unanswered-questions log: what is logged, what each line holds, redaction, the file's
permissions, whole lines from concurrent writers, and reading it back."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import textwrap
import time
import types
from pathlib import Path
from typing import Any

import pytest

from bot import Alternative, FAQBot, Reply, UnansweredLog
from bot.errors import InputError
from bot.unanswered import parse_time, read_log, redact

ROOT = Path(__file__).resolve().parent.parent
ALTS = (Alternative("magnesium-foods", "Which foods are rich in magnesium?", 0.61234),
        Alternative("magnesium-role", "How does magnesium affect muscles?", 0.4))
CLOCK = 1_746_091_812.0  # 2025-05-01T09:30:12Z


def open_log(tmp_path: Path, **options: Any) -> UnansweredLog:
    return UnansweredLog(tmp_path / "unanswered.jsonl", clock=lambda: CLOCK, **options)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# -- what is logged ---------------------------------------------------------------------------


@pytest.mark.parametrize(("reply", "reason"), [
    (Reply("fallback", None, "Ask a doctor.", 0.0, ALTS, {"reason": "unanswered-facet", "facet": "doses"}),
     {"reason": "unanswered-facet", "facet": "doses"}),
    (Reply("fallback", None, "Ask a doctor.", 0.2, ALTS, {"reason": "low-confidence"}), {"reason": "low-confidence"}),
    (Reply("clarify", None, "Which one?", 0.35, ALTS), {"reason": "ambiguous"}),
    (Reply("answer", "magnesium-foods", "Greens.", 0.45, ALTS[1:]), {"reason": "low-margin"}),
])
def test_fallbacks_clarifications_and_low_margin_answers_are_logged(
        tmp_path: Path, reply: Reply, reason: dict[str, str]) -> None:
    with open_log(tmp_path, answer_threshold=0.4, front_end="ask") as log:
        assert log("which greens have magnesium", reply) is True
    [line] = lines(log.path)
    assert line == {
        "time": "2025-05-01T09:30:12Z",
        "text": "which greens have magnesium",
        "kind": reply.kind,
        "id": reply.id,
        "reason": reason,
        "confidence": round(reply.confidence, 4),
        "alternatives": [{"id": a.id, "score": round(a.score, 4)} for a in reply.alternatives],
        "lang": "en",  # every Reply says its language
        "front_end": "ask",
    }


@pytest.mark.parametrize("reply", [
    Reply("answer", "magnesium-foods", "Greens.", 0.5, ALTS[1:]),  # at threshold + margin: answered well
    Reply("answer", "magnesium-foods", "Greens.", 0.97, ALTS[1:]),
    Reply("urgent", None, "Call emergency services.", 1.0),
    Reply("smalltalk", "greeting", "Hello!", 1.0),
])
def test_good_answers_red_flags_and_small_talk_are_not_logged(tmp_path: Path, reply: Reply) -> None:
    with open_log(tmp_path, answer_threshold=0.4) as log:
        assert log("a question", reply) is False
    assert log.path.read_text(encoding="utf-8") == ""


def test_low_margin_answers_need_the_threshold(tmp_path: Path) -> None:
    answer = Reply("answer", "magnesium-foods", "Greens.", 0.41)
    with open_log(tmp_path) as log:  # no threshold known: answers are never logged
        assert log("greens?", answer) is False
    with UnansweredLog.for_bot(FAQBot.from_yaml(), tmp_path / "b.jsonl") as log:
        assert log.answer_threshold is not None
        assert log("greens?", Reply("answer", "x", "x", log.answer_threshold + 0.01)) is True


def test_blank_questions_are_not_logged(tmp_path: Path) -> None:
    with open_log(tmp_path) as log:
        assert log("  \n", Reply("fallback", None, "?", 0.0, (), {"reason": "no-question"})) is False


def test_the_reply_language_is_logged_when_the_reply_has_one(tmp_path: Path) -> None:
    reply = types.SimpleNamespace(kind="fallback", id=None, text="?", confidence=0.0, alternatives=(),
                                  reason={"reason": "low-confidence"}, lang="es")
    with open_log(tmp_path) as log:
        log("¿cuánto magnesio?", reply)  # type: ignore[arg-type]
    assert lines(log.path)[0]["lang"] == "es"


# -- redaction --------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "redacted"), [
    ("I am 34 and take 400mg", "I am [number] and take [number]mg"),
    ("vitamin b12 and d3, omega-3", "vitamin b12 and d3, omega-[number]"),
    ("call me on +44 20 7946 0958", "call me on [phone]"),
    ("or (555) 123-4567 or 5551234567", "or [phone] or [phone]"),
    ("mail jane.doe+faq@example.co.uk today", "mail [email] today"),
    ("see https://example.org/a?b=1 and www.webmd.com", "see [url] and [url]"),
    ("nhs.uk/conditions/cramps says so", "[url] says so"),
    ("since 12/03/2024 or 2024-06-01, 1.5 g a day", "since [number] or [number], [number] g a day"),
    ("no numbers here", "no numbers here"),
])
def test_redact_masks_numbers_emails_phones_and_urls(text: str, redacted: str) -> None:
    assert redact(text) == redacted


def test_a_redacting_log_masks_the_text_and_the_reason(tmp_path: Path) -> None:
    reply = Reply("fallback", None, "?", 0.0, ALTS, {"reason": "unknown-words", "words": "jane@x.org 1990"})
    with open_log(tmp_path, redact=True) as log:
        log("I'm jane@x.org, born 1990, is 300 mg ok?", reply)
    [line] = lines(log.path)
    assert line["text"] == "I'm [email], born [number], is [number] mg ok?"
    assert line["reason"] == {"reason": "unknown-words", "words": "[email] [number]"}


# -- the file ---------------------------------------------------------------------------------


def test_the_file_is_created_readable_by_its_owner_only(tmp_path: Path) -> None:
    old = os.umask(0)  # even with a permissive umask
    try:
        with open_log(tmp_path) as log:
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600
    assert log.shared is False


def test_an_existing_file_others_can_read_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "unanswered.jsonl"
    path.write_text("")
    path.chmod(0o644)
    with UnansweredLog(path) as log:
        assert log.shared is True


def test_lines_are_appended_never_overwritten(tmp_path: Path) -> None:
    fallback = Reply("fallback", None, "?", 0.0, (), {"reason": "low-confidence"})
    for text in ("first", "second"):
        with open_log(tmp_path) as log:
            log(text, fallback)
    assert [line["text"] for line in lines(log.path)] == ["first", "second"]


def test_a_failed_write_is_counted_and_warned_not_raised(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    log = open_log(tmp_path)
    log.close()
    fallback = Reply("fallback", None, "?", 0.0, (), {"reason": "low-confidence"})
    with caplog.at_level(logging.WARNING, logger="bot.unanswered"):
        assert log("one", fallback) is False
        assert log("two", fallback) is False
    assert (log.written, log.dropped) == (0, 2)
    assert len(caplog.records) == 1  # warned once, not once per line
    assert "was not written" in caplog.records[0].getMessage()


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        UnansweredLog(tmp_path)


WRITER = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from bot import Reply, UnansweredLog
    path, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    reply = Reply("fallback", None, "?", 0.0, (), {"reason": "low-confidence"})
    with UnansweredLog(path) as log:
        Path(path + "." + name + ".ready").touch()
        while not os.path.exists(path + ".go"):  # both start writing at the same moment
            time.sleep(0.001)
        for n in range(count):
            log(f"{name} {n} " + name * 1000, reply)
""")


def test_two_processes_writing_at_once_leave_whole_lines_only(tmp_path: Path) -> None:
    # (Checked against a writer that splits each line in two writes: it leaves broken lines.)
    path, count = tmp_path / "shared.jsonl", 20_000
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, str(count)], cwd=ROOT)
               for name in ("a", "b")]
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{path}.{name}.ready").exists() for name in ("a", "b")):
            assert time.monotonic() < deadline, "the writers did not start"
            time.sleep(0.01)
        Path(f"{path}.go").touch()
        assert [w.wait(timeout=120) for w in writers] == [0, 0]
    finally:
        for w in writers:
            w.kill()
    found = lines(path)  # every line is whole JSON, or this raises
    assert len(found) == 2 * count
    for name in ("a", "b"):
        texts = [line["text"] for line in found if line["text"].startswith(name + " ")]
        assert texts == [f"{name} {n} " + name * 1000 for n in range(count)]  # each process's, in order


# -- the library hook -------------------------------------------------------------------------


def test_ask_and_conversation_call_the_log_once_per_turn(bot: FAQBot) -> None:
    calls: list[tuple[str, Reply]] = []

    def record(text: str, reply: Reply) -> None:
        calls.append((text, reply))

    reply = bot.ask("how much magnesium should i take", log=record)
    conv = bot.conversation()
    first = conv.ask("how does magnesium help muscles", log=record)
    follow = conv.ask("what foods have it?", log=record)  # answered with the help of the topic
    assert calls == [("how much magnesium should i take", reply), ("how does magnesium help muscles", first),
                     ("what foods have it?", follow)]


def test_without_a_log_nothing_is_written(bot: FAQBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    bot.ask("how much magnesium should i take")
    bot.conversation().ask("how much magnesium should i take")
    assert list(tmp_path.iterdir()) == []


# -- reading it back --------------------------------------------------------------------------


def test_read_log_skips_lines_that_are_not_entries(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    fallback = Reply("fallback", None, "?", 0.0, ALTS, {"reason": "low-confidence"})
    with UnansweredLog(path) as log:
        log("one", fallback)
    with path.open("a", encoding="utf-8") as stream:
        stream.write('{"text": "cut sh\n\n[1, 2]\n')
    with UnansweredLog(path) as log:
        log("two", fallback)
    read = read_log(path)
    assert [e.text for e in read.entries] == ["one", "two"]
    assert [e.line for e in read.entries] == [1, 5]
    assert (read.skipped, read.first_skipped) == (2, 2)
    assert read.entries[0].alternatives == (("magnesium-foods", 0.6123), ("magnesium-role", 0.4))


def test_a_file_that_is_not_a_log_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("some notes\nmore notes\n")
    with pytest.raises(InputError, match=r"notes.txt:1: not an unanswered-questions log"):
        read_log(path)


def test_since_keeps_the_entries_from_that_time(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    fallback = Reply("fallback", None, "?", 0.0, (), {"reason": "low-confidence"})
    for clock, text in ((CLOCK, "may"), (CLOCK + 40 * 86400, "june")):
        with UnansweredLog(path, clock=lambda c=clock: c) as log:  # type: ignore[misc]
            log(text, fallback)
    assert [e.text for e in read_log(path, since=parse_time("2025-06-01")).entries] == ["june"]
    assert read_log(path, since=parse_time("2025-06-01")).older == 1
    assert [e.text for e in read_log(path, since=parse_time("2025-05-01T09:30:12Z")).entries] == ["may", "june"]


@pytest.mark.parametrize("text", ["2025-05-01", "2025-05-01T09:30", "2025-05-01T09:30:12Z", "2025-05-01T11:30+02:00"])
def test_parse_time_reads_dates_and_times_as_utc(text: str) -> None:
    assert parse_time(text).utcoffset() is not None
    assert parse_time(text).strftime("%Y-%m-%d") == "2025-05-01"


def test_parse_time_refuses_other_text() -> None:
    with pytest.raises(ValueError):
        parse_time("last tuesday")
