"""The installed `faqbot` in a real pseudo-terminal: keys go in through pexpect, and what a
user would see is read off a pyte screen (a terminal emulator that also answers the cursor
position requests prompt_toolkit sends, as a real terminal does)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import FAQBot
from bot.knowledge import bundled_faq_path

if sys.platform == "win32":
    pytest.skip("pseudo-terminals are POSIX only", allow_module_level=True)

import pexpect
import pyte

CTRL_C, CTRL_D, TAB = "\x03", "\x04", "\t"


class Terminal:
    """`faqbot ARGS` on a rows x columns screen."""

    def __init__(self, args: list[str], env: dict[str, str], rows: int = 24, columns: int = 80):
        script = Path(sys.executable).with_name("faqbot")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
        self.child = pexpect.spawn(command[0], [*command[1:], *args], env=env,
                                   dimensions=(rows, columns), encoding=None, timeout=10)
        self.screen = pyte.Screen(columns, rows)
        self.screen.write_process_input = self.child.send  # type: ignore[method-assign]
        self.stream = pyte.ByteStream(self.screen)
        self.raw = b""  # every byte the program wrote

    def pump(self, wait: float = 0.05) -> bool:
        """Feed what the program wrote to the screen; False once it has exited."""
        try:
            data = self.child.read_nonblocking(65536, timeout=wait)
            self.raw += data
            self.stream.feed(data)
        except pexpect.TIMEOUT:
            pass
        except pexpect.EOF:
            return False
        return True

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def wait_for(self, text: str, timeout: float = 15.0) -> None:
        """Wait until `text` is on the screen."""
        end = time.monotonic() + timeout
        while text not in self.text():
            if not self.pump() or time.monotonic() > end:
                raise AssertionError(f"{text!r} not on the screen:\n{self.text()}")

    def wait_for_prompt(self, timeout: float = 15.0) -> None:
        """Wait until the cursor sits after an empty "> " prompt."""
        end = time.monotonic() + timeout
        cursor = self.screen.cursor
        while (cursor.x, self.screen.display[cursor.y].rstrip()) != (2, ">"):
            if not self.pump() or time.monotonic() > end:
                raise AssertionError(f"no prompt on the screen:\n{self.text()}")

    def type(self, keys: str) -> None:
        self.child.send(keys.encode())

    def line_with(self, text: str) -> int:
        return next(y for y, line in enumerate(self.screen.display) if text in line)

    def exit_status(self) -> int:
        while self.pump():
            pass
        self.child.close()
        return int(self.child.exitstatus if self.child.exitstatus is not None else -1)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment with HOME and XDG_STATE_HOME in tmp_path."""
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "SYSTEMROOT", "PYTHONPATH", "FAQBOT_CACHE_DIR")}
    return {**keep, "HOME": str(tmp_path / "home"), "XDG_STATE_HOME": str(tmp_path / "state"),
            "TERM": "xterm-256color", "LANG": "C.UTF-8"}


@pytest.fixture
def term(env: dict[str, str], tiny_faq_path: Path) -> Iterator[Terminal]:
    """The chat over the tiny FAQ, at its first prompt."""
    terminal = Terminal(["chat", "--faq", str(tiny_faq_path)], env)
    terminal.wait_for("Ctrl-D to quit")
    terminal.wait_for_prompt()
    yield terminal
    terminal.child.close(force=True)


def test_a_session_in_a_real_terminal(term: Terminal, tiny_bot: FAQBot, tmp_path: Path) -> None:
    conv = tiny_bot.conversation()
    for question in ("why does magnesium matter for muscles", "what foods have it?"):
        term.type(question + "\r")
        term.wait_for(conv.ask(question).text)

    term.type("affect musc" + TAB)  # Tab completes the FAQ's question on the line
    term.wait_for("> How does magnesium affect muscles?")
    term.type("\r")
    term.wait_for("\n   " + tiny_bot.ask("How does magnesium affect muscles?").text + "\n\n>")

    term.type("half a question" + CTRL_C + "/topics\r")
    term.wait_for("3 questions on 2 topics")
    term.type(CTRL_D)
    term.wait_for("Goodbye, and take care.")
    assert term.exit_status() == 0
    history = (tmp_path / "state" / "faqbot" / "history").read_text(encoding="utf-8")
    assert "+How does magnesium affect muscles?" in history and "+half a question" not in history


def test_urgent_replies_are_bold_red_with_a_marker(term: Terminal, tiny_bot: FAQBot) -> None:
    term.type("chest pain\r")
    urgent = tiny_bot.ask("chest pain").text
    term.wait_for("!! " + urgent)
    first = term.screen.buffer[term.line_with(urgent)][0]
    assert (first.data, first.fg, first.bold) == ("!", "red", True)


@pytest.mark.parametrize("how", ["--no-color", "NO_COLOR"])
def test_no_color(env: dict[str, str], tiny_faq_path: Path, how: str) -> None:
    args = ["chat", "--faq", str(tiny_faq_path)]
    if how == "NO_COLOR":
        env["NO_COLOR"] = "1"
    else:
        args.append(how)
    term = Terminal(args, env)
    term.wait_for_prompt()
    term.type("chest pain\rrich\rzzz qqq\r/help\r")
    term.wait_for("/quit")
    colours = {char.fg for line in term.screen.buffer.values() for char in line.values()}
    assert colours == {"default"}
    term.type("/quit\r")
    assert term.exit_status() == 0


def test_a_broken_faq_is_one_line_and_status_1(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nentries: [\n", encoding="utf-8")
    term = Terminal(["chat", "--faq", str(broken)], env)
    assert term.exit_status() == 1
    assert term.raw.decode().startswith(f"faqbot: {broken}:3: ")
    assert term.raw.count(b"\n") == 1 and term.raw.endswith(b"\n")


@pytest.mark.skipif(not bundled_faq_path().exists(), reason="the bundled faq.yaml is not built yet")
def test_faqbot_alone_opens_the_chat_on_the_bundled_faq(env: dict[str, str]) -> None:
    term = Terminal([], env)
    term.wait_for("Welcome to faqbot.")
    term.wait_for_prompt()
    term.type("/topics\r")
    term.wait_for("Ask in your own words.")
    term.type(CTRL_D)
    assert term.exit_status() == 0
