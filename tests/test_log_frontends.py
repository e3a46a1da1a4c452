"""--log-unanswered on every front-end: ask, chat (stdin and terminal), batch (one process
and workers) and serve (one worker and several). Each logs only when asked, and then logs
exactly the turns it did not answer well, naming itself as the front-end."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput
from starlette.testclient import TestClient

import bot.unanswered
from bot import FAQBot, UnansweredLog
from bot.cli import main
from bot.server import ENV_FAQ, ENV_LOG, ENV_REDACT, app_from_env, create_app
from bot.terminal import run_chat

FALLBACK = "how do i stretch my legs"  # everyday words the tiny FAQ does not answer
OUT_OF_SCOPE = "how much magnesium dosage"  # an out-of-scope facet
ANSWERED = "Which foods are rich in magnesium?"


def logged(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def no_log_may_open(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Fail any attempt to open a log, and run in an empty directory."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a log was opened without --log-unanswered")

    monkeypatch.setattr(bot.unanswered.UnansweredLog, "__init__", refuse)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


# -- off by default ---------------------------------------------------------------------------


def test_ask_chat_and_batch_log_nothing_unless_asked(
        no_log_may_open: Path, tiny_faq_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    faq = str(tiny_faq_path)
    assert main(["ask", "--faq", faq, FALLBACK]) == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{FALLBACK}\n{OUT_OF_SCOPE}\n"))
    assert main(["chat", "--faq", faq]) == 0
    questions = no_log_may_open.parent / "q.txt"
    questions.write_text(f"{FALLBACK}\n{OUT_OF_SCOPE}\n", encoding="utf-8")
    assert main(["batch", str(questions), "--faq", faq]) == 0
    capsys.readouterr()
    assert list(no_log_may_open.iterdir()) == []


def test_serve_logs_nothing_unless_asked(no_log_may_open: Path, tiny_faq_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(app))
    assert main(["serve", "--faq", str(tiny_faq_path)]) == 0
    TestClient(calls[0]).post("/v1/ask", json={"question": FALLBACK})
    assert list(no_log_may_open.iterdir()) == []


def test_log_redact_needs_a_log(tiny_faq_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--faq", str(tiny_faq_path), "--log-redact", FALLBACK]) == 1
    assert capsys.readouterr().err == "faqbot: --log-redact needs --log-unanswered PATH\n"


def test_a_log_that_cannot_be_opened_is_one_clear_error(tiny_faq_path: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing" / "log.jsonl"
    assert main(["ask", "--faq", str(tiny_faq_path), "--log-unanswered", str(path), FALLBACK]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == f"faqbot: {path}: No such file or directory\n"


# -- each front-end ---------------------------------------------------------------------------


def test_ask_logs_what_it_did_not_answer(tiny_faq_path: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    for question in (FALLBACK, ANSWERED, OUT_OF_SCOPE):
        assert main(["ask", "--faq", str(tiny_faq_path), "--log-unanswered", str(path), question]) == 0
    assert [(e["text"], e["kind"], e["reason"]["reason"], e["front_end"]) for e in logged(path)] == [
        (FALLBACK, "fallback", "low-confidence", "ask"),
        (OUT_OF_SCOPE, "fallback", "unanswered-facet", "ask"),
    ]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert capsys.readouterr().err == ""


def test_ask_redacts_when_told(tiny_faq_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    question = "I am 52, mail me at me@example.com: how do i stretch my legs"
    assert main(["ask", "--faq", str(tiny_faq_path), "--log-unanswered", str(path), "--log-redact", question]) == 0
    assert logged(path)[0]["text"] == "I am [number], mail me at [email]: how do i stretch my legs"
    capsys.readouterr()


def test_a_log_others_can_read_gets_a_warning(tiny_faq_path: Path, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("")
    path.chmod(0o644)
    assert main(["ask", "--faq", str(tiny_faq_path), "--log-unanswered", str(path), FALLBACK]) == 0
    err = capsys.readouterr().err
    assert err == (f"faqbot: warning: {path} can be read by other users, and it holds health questions: "
                   f"chmod 600 {path}\n")


def test_chat_over_stdin_logs_each_unanswered_turn(tiny_faq_path: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.jsonl"
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"{ANSWERED}\n{FALLBACK}\nhi\n{OUT_OF_SCOPE}\n"))
    assert main(["chat", "--json", "--faq", str(tiny_faq_path), "--log-unanswered", str(path)]) == 0
    assert [(e["text"], e["front_end"]) for e in logged(path)] == [(FALLBACK, "chat"), (OUT_OF_SCOPE, "chat")]
    capsys.readouterr()


def test_the_terminal_chat_logs_each_unanswered_turn(tiny_bot: FAQBot, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    path = tmp_path / "log.jsonl"
    with UnansweredLog.for_bot(tiny_bot, path, front_end="chat") as log, create_pipe_input() as pipe, \
            create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text(f"{FALLBACK}\r/help\r{ANSWERED}\r\x04")
        assert run_chat(tiny_bot, file=io.StringIO(), log=log) == 0
    assert [(e["text"], e["kind"], e["front_end"]) for e in logged(path)] == [(FALLBACK, "fallback", "chat")]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_batch_logs_each_unanswered_row(tiny_faq_path: Path, tmp_path: Path, workers: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    questions, path = tmp_path / "q.txt", tmp_path / "log.jsonl"
    rows = [FALLBACK, ANSWERED, OUT_OF_SCOPE, "", "hi"] * 3
    questions.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main(["batch", str(questions), "-o", str(tmp_path / "out.jsonl"), "--faq", str(tiny_faq_path),
                 "--workers", workers, "--log-unanswered", str(path)]) == 0
    found = logged(path)
    assert sorted(e["text"] for e in found) == sorted([FALLBACK, OUT_OF_SCOPE] * 3)
    assert {e["front_end"] for e in found} == {"batch"}
    capsys.readouterr()


@pytest.fixture
def server_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The variables serve sets, restored after the test."""
    for name in (ENV_FAQ, ENV_LOG, ENV_REDACT):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_the_app_logs_both_endpoints(tiny_bot: FAQBot, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with UnansweredLog.for_bot(tiny_bot, path, front_end="serve") as log, \
            TestClient(create_app(tiny_bot, log=log)) as client:
        client.post("/v1/ask", json={"question": FALLBACK})
        client.post("/v1/ask", json={"question": ANSWERED})
        client.post("/v1/chat/completions", json={"messages": [
            {"role": "user", "content": ANSWERED}, {"role": "assistant", "content": "..."},
            {"role": "user", "content": OUT_OF_SCOPE}]})
    assert [(e["text"], e["front_end"]) for e in logged(path)] == [(FALLBACK, "serve"), (OUT_OF_SCOPE, "serve")]


@pytest.mark.parametrize("workers", ["1", "3"])
def test_serve_logs_from_every_worker(server_env: None, tiny_faq_path: Path, tmp_path: Path, workers: str,
                                      monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(app))
    path = tmp_path / "log.jsonl"
    argv = ["serve", "--faq", str(tiny_faq_path), "--workers", workers, "--log-unanswered", str(path), "--log-redact"]
    assert main(argv) == 0
    app = calls[0] if workers == "1" else app_from_env()  # what each uvicorn worker builds
    if workers != "1":
        assert (os.environ[ENV_LOG], os.environ[ENV_REDACT]) == (str(path.resolve()), "1")
    TestClient(app).post("/v1/ask", json={"question": f"I am 52: {FALLBACK}"})
    assert [(e["text"], e["front_end"]) for e in logged(path)] == [(f"I am [number]: {FALLBACK}", "serve")]
    capsys.readouterr()


def test_serve_with_a_log_it_cannot_open_fails_before_binding(
        server_env: None, tiny_faq_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append(app))
    path = tmp_path / "missing" / "log.jsonl"
    assert main(["serve", "--faq", str(tiny_faq_path), "--log-unanswered", str(path)]) == 1
    assert capsys.readouterr().err.endswith(f"faqbot: {path}: No such file or directory\n")
    assert calls == []
