"""The `faqbot` command through its real entry point: exit codes and exact output.

Mechanics use the tiny FAQ; two runs go through a real process (`python -m bot` and the
installed script) to check the wiring a user actually types."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import FAQBot
from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / ("faqbot.exe" if os.name == "nt" else "faqbot")
TINY_SUMMARY = "ok: 3 entries, 9 phrasings, 2 subjects, 2 facets"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _one_error_line(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert lines[0].startswith("faqbot: ")
    return lines[0]


# -- check ------------------------------------------------------------------------------------------


def test_check_prints_a_one_line_summary(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    assert _run(capsys, "check", str(tiny_faq_path)) == (0, f"{tiny_faq_path}: {TINY_SUMMARY}\n", "")


def test_check_without_a_path_checks_the_bundled_faq(capsys: pytest.CaptureFixture[str], bot: FAQBot) -> None:
    code, out, err = _run(capsys, "check")
    entries = len(bot.faq.entries)
    assert (code, err) == (0, "")
    assert out.startswith(f"{bot.faq.path}: ok: {entries} entries, ")
    assert out.count("\n") == 1


def test_check_a_broken_file_prints_where_and_fails(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    text = tiny_faq_path.read_text(encoding="utf-8")
    broken = text.replace("answer: Bananas and sweet potatoes.", 'answer: ""')
    tiny_faq_path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('    answer: ""') + 1

    code, out, err = _run(capsys, "check", str(tiny_faq_path))

    assert (code, out) == (1, "")
    assert _one_error_line(err).startswith(f"faqbot: {tiny_faq_path}:{line}: ")


@pytest.mark.parametrize(
    ("content", "line"),
    [("version: 1\nfallback: [\n", None), ("- just\n- a list\n", 1), ("", 1), ("version: 2\n", 1)],
    ids=["bad-yaml", "not-a-mapping", "empty", "wrong-version"],
)
def test_check_reports_every_broken_file_on_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, line: int | None
) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(content, encoding="utf-8")
    code, out, err = _run(capsys, "check", str(path))
    assert (code, out) == (1, "")
    where = f"faqbot: {path}:{line}: " if line else f"faqbot: {path}:"
    assert _one_error_line(err).startswith(where)


def test_check_prints_every_problem_then_how_many(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    text = tiny_faq_path.read_text(encoding="utf-8")
    text = text.replace("answer: Bananas and sweet potatoes.", 'answer: ""')
    text = text.replace("facet: foods\n    section: Magnesium", "facet: food\n    section: Magnesium")
    tiny_faq_path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    food, empty = lines.index("    facet: food") + 1, lines.index('    answer: ""') + 1

    code, out, err = _run(capsys, "check", str(tiny_faq_path))
    assert (code, out) == (1, "")
    assert err == (f"faqbot: {tiny_faq_path}:{food}: entry 'magnesium-foods': facet 'food' is not declared "
                   "under 'facets' (did you mean 'foods'?)\n"
                   f"faqbot: {tiny_faq_path}:{empty}: entry 'potassium-foods': 'answer' is empty\n"
                   f"faqbot: 2 problems in {tiny_faq_path}\n")

    code, out, err = _run(capsys, "ask", "--faq", str(tiny_faq_path), "hello")  # the others: one line
    assert (code, out) == (1, "")
    assert _one_error_line(err).endswith(f"(and 1 more: faqbot check {tiny_faq_path} lists them)")


def test_check_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    code, out, err = _run(capsys, "check", str(missing))
    assert (code, out) == (1, "")
    assert str(missing) in _one_error_line(err)


# -- ask ------------------------------------------------------------------------------------------


def test_ask_prints_the_answer(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    result = _run(capsys, "ask", "--faq", str(tiny_faq_path), "which foods are rich in magnesium?")
    assert result == (0, "Leafy greens, nuts and seeds.\n", "")


def test_ask_joins_unquoted_words(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    result = _run(capsys, "ask", "--faq", str(tiny_faq_path), "potassium", "rich", "foods")
    assert result == (0, "Bananas and sweet potatoes.\n", "")


def test_ask_json_prints_one_object(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    code, out, err = _run(capsys, "ask", "--json", "--faq", str(tiny_faq_path), "magnesium rich foods")
    assert (code, err) == (0, "")
    assert out.count("\n") == 1
    reply = json.loads(out)
    assert set(reply) == {"kind", "id", "text", "confidence", "alternatives", "reason", "lang"}
    assert (reply["kind"], reply["id"]) == ("answer", "magnesium-foods")
    assert 0.0 <= reply["confidence"] <= 1.0


def test_ask_json_of_a_fallback(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    code, out, _ = _run(capsys, "ask", "--json", "--faq", str(tiny_faq_path), "what is the magnesium dose")
    reply = json.loads(out)
    assert (code, reply["kind"], reply["id"]) == (0, "fallback", None)
    assert reply["reason"]["reason"] == "unanswered-facet"


@pytest.mark.parametrize("question", ["", "   "])
def test_ask_an_empty_question_fails_clearly(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, question: str
) -> None:
    code, out, err = _run(capsys, "ask", "--faq", str(tiny_faq_path), question)
    assert (code, out) == (1, "")
    assert "question is empty" in _one_error_line(err)


def test_ask_with_a_missing_faq_fails_clearly(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    code, out, err = _run(capsys, "ask", "--faq", str(missing), "hello")
    assert (code, out) == (1, "")
    assert str(missing) in _one_error_line(err)


def test_ask_without_a_question_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["ask"])
    assert exited.value.code == 2
    assert "usage: faqbot ask" in capsys.readouterr().err


# -- eval -----------------------------------------------------------------------------------------

LABELLED = [
    {"q": "which foods are rich in magnesium?", "expect": ["magnesium-foods"], "tag": "paraphrase"},
    {"q": "potassium rich foods", "expect": ["potassium-foods"], "tag": "paraphrase"},
    {"q": "what is the magnesium dose", "expect": ["fallback"], "tag": "oos"},
    {"q": "hello", "expect": ["smalltalk"], "tag": "smalltalk"},
    {"q": "I have chest pain", "expect": ["urgent"], "tag": "urgent"},
    {"name": "follow-up", "turns": [
        {"say": "how does magnesium affect muscles?", "expect": ["magnesium-role"]},
        {"say": "what foods have it?", "expect": ["magnesium-foods"]},
    ]},
]


@pytest.fixture
def labelled(tmp_path: Path) -> Path:
    path = tmp_path / "labelled.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in LABELLED), encoding="utf-8")
    return path


def test_eval_prints_accuracy(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, labelled: Path) -> None:
    code, out, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(labelled))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "questions: 5"
    assert "end-to-end accuracy: 100.0%" in lines
    assert "in-scope accuracy (answered with an accepted id): 100.0% of 2" in lines
    assert "false accepts (fallback items answered or clarified): 0.0% of 1" in lines
    assert "dialogue turns accuracy: 100.0% of 2" in lines
    assert "whole dialogues right: 1 / 1" in lines
    assert not any(line.startswith("wrong") for line in lines)


def test_eval_min_accuracy_above_one_fails(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, labelled: Path
) -> None:
    code, out, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), "--min-accuracy", "1.01", str(labelled))
    assert code == 1
    assert "in-scope accuracy" in out
    assert _one_error_line(err) == "faqbot: accuracy under --min-accuracy 1.01"


def test_eval_min_accuracy_met_passes(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, labelled: Path) -> None:
    code, _, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), "--min-accuracy", "1.0", str(labelled))
    assert (code, err) == (0, "")


def test_eval_lists_a_wrong_item(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "wrong.jsonl"
    path.write_text(json.dumps({"q": "potassium rich foods", "expect": ["magnesium-foods"]}) + "\n", encoding="utf-8")
    code, out, _ = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(path))
    assert code == 0
    assert "end-to-end accuracy: 0.0%" in out.splitlines()
    assert "expected magnesium-foods, got potassium-foods" in out


@pytest.mark.parametrize(
    "bad",
    ['{"q": "hello"', '{"q": "hello"}', '{"q": 3, "expect": ["fallback"]}', '{"q": "hi", "expect": []}',
     '{"q": "hi", "expect": ["fallback", "urgent"]}', '{"turns": [{"say": "hi"}]}', "[1, 2]"],
    ids=["bad-json", "no-expect", "q-not-text", "empty-expect", "two-specials", "turn-no-expect", "not-object"],
)
def test_eval_malformed_line_says_where(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, tmp_path: Path, bad: str
) -> None:
    path = tmp_path / "bad.jsonl"
    good = json.dumps({"q": "hello", "expect": ["smalltalk"]})
    path.write_text(f"{good}\n\n{bad}\n", encoding="utf-8")
    code, out, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(path))
    assert (code, out) == (1, "")
    assert _one_error_line(err).startswith(f"faqbot: {path}:3: ")


def test_eval_an_empty_object_says_what_a_line_needs(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("{}\n", encoding="utf-8")
    code, _, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(path))
    assert code == 1 and "'q' and 'expect'" in _one_error_line(err) and "'turns'" in err


def test_eval_missing_file(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.jsonl"
    code, out, err = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(missing))
    assert (code, out) == (1, "")
    assert str(missing) in _one_error_line(err)


# -- chat over stdin -------------------------------------------------------------------------------


def test_chat_json_answers_each_stdin_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tiny_faq_path: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("hi\nhow does magnesium affect muscles?\nwhat foods have it?\n"))
    code, out, err = _run(capsys, "chat", "--json", "--faq", str(tiny_faq_path))
    assert (code, err) == (0, "")
    replies = [json.loads(line) for line in out.splitlines()]
    assert [(r["kind"], r["id"]) for r in replies] == [
        ("smalltalk", "greeting"), ("answer", "magnesium-role"), ("answer", "magnesium-foods")
    ]


def test_chat_plain_prints_one_reply_per_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tiny_faq_path: Path
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("which foods are rich in potassium?\r\nthanks\n"))
    result = _run(capsys, "chat", "--faq", str(tiny_faq_path))
    assert result == (0, "Bananas and sweet potatoes.\nYou're welcome.\n", "")


def _piped(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, faq: Path,
           lines: list[str], *options: str) -> list[str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(f"{line}\n" for line in lines)))
    code, out, err = _run(capsys, "chat", "--faq", str(faq), *options)
    assert (code, err) == (0, "")
    return out.split("\n")[:-1]


def test_piped_chat_gives_exactly_one_line_per_input_line(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tiny_faq_path: Path,
        tiny_bot: FAQBot) -> None:
    clarify = next(q for q in ("rich", "rich foods list", "foods rich in") if tiny_bot.ask(q).kind == "clarify")
    conv = tiny_bot.conversation()
    conv.ask("why does low magnesium cause twitching")
    choices = conv.ask(clarify)
    assert choices.kind == "clarify" and "\n" in choices.text  # several lines: the point of this test
    lines = ["why does low magnesium cause twitching", "", "   ", "/why", clarify, "2", "/reset",
             "what foods have it?", "/help"]
    out = _piped(capsys, monkeypatch, tiny_faq_path, lines)
    assert len(out) == len(lines)
    assert out[0] == "Magnesium helps muscles relax."
    assert out[1:3] == ["", ""]  # an empty line gets an empty line
    assert out[3].startswith("asked: why does low magnesium cause twitching | reply: answer, confidence ")
    assert "matched: How does magnesium affect muscles? (magnesium-role)" in out[3]
    assert out[4] == re.sub(r"\s*\n\s*", " ", choices.text.strip())
    assert all(f"{n}. {c.question}" in out[4] for n, c in enumerate(choices.alternatives, 1))
    assert out[5] == tiny_bot.faq.entry(choices.alternatives[1].id).answer
    assert out[6] == "Forgot our conversation; ask me anything."
    stateless = tiny_bot.ask("what foods have it?").text  # no topic left to follow up on
    assert out[7] == re.sub(r"\s*\n\s*", " ", stateless.strip())
    assert out[8].startswith("/help list the commands and keys | /topics [TOPIC]")


def test_piped_chat_stops_at_quit(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                  tiny_faq_path: Path) -> None:
    assert _piped(capsys, monkeypatch, tiny_faq_path, ["hi", "/quit", "thanks"]) == [
        "Hello! Ask me about magnesium or potassium."]


def test_piped_json_chat_answers_commands_as_objects(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tiny_faq_path: Path) -> None:
    out = _piped(capsys, monkeypatch, tiny_faq_path,
                 ["why does low magnesium cause twitching", "/reset", "", "/why"], "--json")
    first, reset, empty, why = map(json.loads, out)
    assert first["id"] == "magnesium-role"
    assert reset == {"command": "/reset", "text": "Forgot our conversation; ask me anything."}
    assert empty["kind"] == "fallback"  # in --json every line is a turn, an empty one too
    assert why["command"] == "/why" and why["text"].startswith("asked:  | reply: fallback")


# -- real processes ----------------------------------------------------------------------------------


def test_python_dash_m_bot_ask(bot: FAQBot, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "which foods are rich in magnesium?"],
        capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == bot.faq.entry("magnesium-foods").answer + "\n"


def test_installed_script_check(bot: FAQBot, tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("the faqbot script is not installed in this environment")
    done = subprocess.run(
        [str(SCRIPT), "check"], capture_output=True, text=True, encoding="utf-8", cwd=tmp_path, timeout=120
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(f"{bot.faq.path}: ok: {len(bot.faq.entries)} entries, ")
    assert done.stdout.count("\n") == 1


def test_installed_script_fails_cleanly(tmp_path: Path) -> None:
    if not SCRIPT.exists():
        pytest.skip("the faqbot script is not installed in this environment")
    missing = tmp_path / "missing.yaml"
    done = subprocess.run(
        [str(SCRIPT), "check", str(missing)], capture_output=True, text=True, encoding="utf-8", timeout=120
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert str(missing) in _one_error_line(done.stderr)


def test_eval_sweep_shows_each_threshold(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, labelled: Path
) -> None:
    code, out, _ = _run(capsys, "eval", "--faq", str(tiny_faq_path), "--sweep", str(labelled))
    assert code == 0
    rows = out[out.index("sweep of the answer threshold") :].splitlines()[2:]
    thresholds = [float(r.split()[0]) for r in rows if r.strip()[:1].isdigit()]
    assert thresholds == [round(0.05 * i, 2) for i in range(1, 20)]
    # at the lowest threshold both in-scope items are right; nothing rises as the bar goes up
    right = [float(r.split()[1].rstrip("%")) for r in rows if r.strip()[:1].isdigit()]
    assert right[0] == 100.0
    assert right == sorted(right, reverse=True)


def test_eval_plot_writes_a_png(
    capsys: pytest.CaptureFixture[str], tiny_faq_path: Path, labelled: Path, tmp_path: Path
) -> None:
    pytest.importorskip("matplotlib")
    picture = tmp_path / "eval.png"
    code, out, _ = _run(capsys, "eval", "--faq", str(tiny_faq_path), "--plot", str(picture), str(labelled))
    assert code == 0
    assert f"plot written to {picture}" in out
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# -- nothing raw reaches the terminal -------------------------------------------------------------

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # what a terminal acts on, newline and tab aside


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch, hostile_bot: FAQBot) -> FAQBot:
    """Every command answers from a FAQ whose texts hold escape sequences."""
    monkeypatch.setattr("bot.cli._bot", lambda args: hostile_bot)
    return hostile_bot


def test_ask_neutralises_escape_sequences(capsys: pytest.CaptureFixture[str], hostile: FAQBot) -> None:
    code, out, _ = _run(capsys, "ask", "why does low magnesium cause twitching")
    assert code == 0 and not UNSAFE.search(out)
    assert out == "Magnesium \ufffd]0;owned\ufffd helps \ufffd[2J muscles \ufffd31m relax.\ufffd\ufffd\n"


def test_ask_json_escapes_them_and_keeps_the_text(capsys: pytest.CaptureFixture[str], hostile: FAQBot) -> None:
    from conftest import HOSTILE_ANSWER

    code, out, _ = _run(capsys, "ask", "--json", "why does low magnesium cause twitching")
    assert code == 0 and not UNSAFE.search(out)
    assert "\\u009b31m" in out and json.loads(out)["text"] == HOSTILE_ANSWER


@pytest.mark.parametrize("json_mode", [False, True])
def test_piped_chat_neutralises_escape_sequences(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, hostile: FAQBot,
        json_mode: bool) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("why does low magnesium cause twitching\n"
                                                  "zinc \x1b]52;c;ZWNobw==\x07 \x9b2J\n/why\n"))
    code, out, _ = _run(capsys, "chat", *(["--json"] if json_mode else []))
    assert code == 0 and not UNSAFE.search(out)
    assert "Magnesium \ufffd]0;owned" in out or "Magnesium \\u001b]0;owned" in out


def test_file_names_in_messages_are_neutralised(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                tiny_faq_path: Path) -> None:
    evil = tmp_path / "faq\x1b]0;owned\x07.yaml"
    evil.write_text(tiny_faq_path.read_text(encoding="utf-8"), encoding="utf-8")
    code, out, _ = _run(capsys, "check", str(evil))
    assert code == 0 and "faq\ufffd]0;owned\ufffd.yaml: ok" in out and not UNSAFE.search(out)
    code, out, err = _run(capsys, "ask", "--faq", str(tmp_path / "gone\x9b2J.yaml"), "hello")
    assert code == 1 and "gone\ufffd2J.yaml" in err and not UNSAFE.search(err)


def test_eval_neutralises_the_questions_it_quotes(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                  tiny_faq_path: Path) -> None:
    labelled = tmp_path / "evil.jsonl"
    labelled.write_text(json.dumps({"q": "potassium \x1b[2J foods", "expect": ["magnesium-foods"]}) + "\n",
                        encoding="utf-8")
    _, out, _ = _run(capsys, "eval", "--faq", str(tiny_faq_path), str(labelled))
    assert "potassium \\x1b[2J foods" in out and not UNSAFE.search(out)


# -- commands that score nothing start without the scoring stack ---------------------------------


@pytest.mark.parametrize("argv", [["--help"], ["check"], ["check", "--help"], ["ask", "--help"]])
def test_commands_that_score_nothing_do_not_import_it(argv: list[str]) -> None:
    probe = (f"import sys; from bot.cli import main\ntry: main({argv!r})\nexcept SystemExit: pass\n"
             "print([m for m in ('numpy', 'scipy', 'rapidfuzz', 'sklearn') if m in sys.modules], "
             "file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr


# -- the top level: --version, -v, --faq, help ------------------------------------------------------


def test_version_is_the_packages(capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.metadata

    import bot

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"faqbot {bot.__version__}\n"
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'\nversion = "{bot.__version__}"\n' in pyproject
    assert importlib.metadata.version("faqbot") == bot.__version__


def _environment_variables() -> set[str]:
    """Every environment variable bot/ reads, but the one `serve` sets for its own workers."""
    names = set()
    for path in (ROOT / "bot").glob("*.py"):
        names |= set(re.findall(r"environ(?:\.get\(|\[)\s*\"([A-Z_]+)\"", path.read_text(encoding="utf-8")))
    return names - {"FAQBOT_FAQ"}


def test_top_level_help_lists_faq_verbose_and_every_environment_variable(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    out = capsys.readouterr().out
    assert done.value.code == 0
    assert {"FAQBOT_CACHE_DIR", "FAQBOT_NO_CACHE", "NO_COLOR"} <= _environment_variables()
    for name in [*_environment_variables(), "--faq PATH", "--version", "-v, --verbose", "exit status"]:
        assert name in out, name


def test_verbose_logs_on_stderr(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    assert _run(capsys, "ask", "--faq", str(tiny_faq_path), "hello")[2] == ""
    code, out, err = _run(capsys, "-v", "ask", "--faq", str(tiny_faq_path), "hello")
    assert (code, out) == (0, "Hello! Ask me about magnesium or potassium.\n")
    assert f"faqbot: bot.knowledge: read {tiny_faq_path}: 3 entries, 9 phrasings\n" in err
    assert "bot.retrieve" not in err  # debug details need -vv
    err = _run(capsys, "-vv", "ask", "--faq", str(tiny_faq_path), "hello")[2]
    assert "faqbot: bot.retrieve: index: 3 entries, 9 phrasings" in err
    assert err.count("bot.knowledge: read") == 1  # one handler, however often main() runs
    assert _run(capsys, "ask", "--faq", str(tiny_faq_path), "hello")[2] == ""


@pytest.mark.parametrize(("argv", "expected"), [
    ([], ["chat"]),
    (["-v"], ["-v", "chat"]),
    (["--faq", "x.yaml"], ["--faq", "x.yaml", "chat"]),
    (["--faq=x.yaml", "--no-color"], ["--faq=x.yaml", "chat", "--no-color"]),
    (["--json"], ["chat", "--json"]),
    (["-vv", "ask", "hi"], ["-vv", "ask", "hi"]),
    (["--faq", "x.yaml", "check"], ["--faq", "x.yaml", "check"]),
    (["--help"], ["--help"]),
    (["-v", "--version"], ["-v", "--version"]),
])
def test_with_no_command_the_chat_opens(argv: list[str], expected: list[str]) -> None:
    from bot.cli import with_command

    assert with_command(argv) == expected


def test_faq_before_the_command_is_used_by_it(capsys: pytest.CaptureFixture[str], tiny_faq_path: Path) -> None:
    assert _run(capsys, "--faq", str(tiny_faq_path), "check") == (0, f"{tiny_faq_path}: {TINY_SUMMARY}\n", "")
    assert _run(capsys, "check", "--faq", str(tiny_faq_path)) == (0, f"{tiny_faq_path}: {TINY_SUMMARY}\n", "")
    code, out, _ = _run(capsys, "--faq", str(tiny_faq_path), "ask", "hello")
    assert (code, out) == (0, "Hello! Ask me about magnesium or potassium.\n")
    code, _, err = _run(capsys, "--faq", "/no/such.yaml", "ask", "--faq", str(tiny_faq_path), "hello")
    assert (code, err) == (0, "")  # the one after the command wins
