"""The terminal chat, driven through prompt_toolkit's pipe input with a dummy output.

Each test types keys into the real `run_chat` loop and reads what it printed (`file=`).
Expected replies come from the library itself, so these tests check the terminal, not the
scoring: they hold whatever the tiny FAQ's replies are.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.data_structures import Size
from prompt_toolkit.document import Document
from prompt_toolkit.history import InMemoryHistory
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output import DummyOutput
from prompt_toolkit.output.vt100 import Vt100_Output

from bot import DISCLAIMER, FAQBot, Reply, cli, slash, terminal
from bot.slash import Para
from bot.terminal import ChatCompleter, layout, printable, run_chat

CTRL_C, CTRL_D, UP, RIGHT, TAB = "\x03", "\x04", "\x1b[A", "\x1b[C", "\t"
PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # anything but "\n" a terminal acts on


class ScreenOutput(DummyOutput):
    """A dummy output that keeps what the prompt draws, so a test can wait for it."""

    def __init__(self, columns: int = 80) -> None:
        self.columns = columns
        self.drawn: list[str] = []

    def write(self, data: str) -> None:
        self.drawn.append(data)

    def get_size(self) -> Size:
        return Size(rows=24, columns=self.columns)

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        end = time.monotonic() + timeout
        while text not in "".join(self.drawn):
            if time.monotonic() > end:
                raise AssertionError(f"{text!r} never drawn")
            time.sleep(0.01)


Chat = Callable[..., str]


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HOME and XDG_STATE_HOME in tmp_path: tests never touch the real history."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def chat(tiny_bot: FAQBot) -> Chat:
    """Type `keys` into a chat (then Ctrl-C, Ctrl-D) and return what it printed."""

    def run(keys: str, *, bot: FAQBot | None = None, output: ScreenOutput | None = None,
            after: Callable[[PipeInput, ScreenOutput], None] | None = None,
            **options: object) -> str:
        screen = output or ScreenOutput()
        printed = io.StringIO()
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=screen):
            pipe.send_text(keys)
            feeder = None
            if after is not None:  # more keys, sent once the screen shows something
                feeder = threading.Thread(target=after, args=(pipe, screen))
                feeder.start()
            else:
                pipe.send_text(CTRL_C + CTRL_D)
            status = run_chat(bot or tiny_bot, file=printed, **options)  # type: ignore[arg-type]
            if feeder is not None:
                feeder.join()
        assert status == 0
        return printed.getvalue().replace("\r\n", "\n")

    return run


def flat(text: str) -> str:
    """Whitespace collapsed, so wrapped lines compare equal to unwrapped text."""
    return " ".join(text.split())


def assert_in_order(printed: str, *texts: str) -> None:
    """Each text appears in `printed` (wrapping aside), after the one before it."""
    flat_printed, at = flat(printed), 0
    for text in texts:
        found = flat_printed.find(flat(text), at)
        assert found >= 0, f"{text!r} not printed after position {at}:\n{printed}"
        at = found + len(flat(text))


def reply_lines(reply: Reply) -> list[str]:
    """What a reply shows, line by line, as the library wrote it."""
    return [line.strip() for line in reply.text.splitlines() if line.strip()]


@pytest.fixture
def clarifying(tiny_bot: FAQBot) -> str:
    """A message the tiny FAQ answers with a "did you mean" clarification."""
    for text in ("rich", "rich foods list", "foods rich in"):
        if tiny_bot.ask(text).kind == "clarify":
            return text
    pytest.skip("no clarifying question for the tiny FAQ")


# -- a whole session -----------------------------------------------------------------------


def test_welcome_disclaimer_and_hint_come_before_the_first_prompt(chat: Chat) -> None:
    printed = chat("")
    first = printed.split("\n\n")[0]
    assert first.startswith("Welcome to faqbot.")
    assert flat(DISCLAIMER) in flat(first)
    assert all(hint in first for hint in ("/help", "Tab", "Ctrl-D"))
    assert printed.rstrip().endswith("Goodbye, and take care.")


def test_a_whole_session(chat: Chat, tiny_bot: FAQBot, clarifying: str) -> None:
    # the clarification opens the session: after an answer, a lone word follows its topic
    turns = ["why does magnesium matter for muscles", "/reset", clarifying, "2"]
    conv = tiny_bot.conversation()
    expected = [conv.ask(turns[0]), *(conv.ask(turn) for turn in turns[2:])]
    assert expected[1].kind == "clarify" and expected[2].kind == "answer"

    printed = chat("\r".join([*turns, "/why", "/topics", "/reset", "/why", "/help",
                              "half a line" + CTRL_C + "/quit", "never read"]) + "\r")

    replies = [line for reply in expected for line in reply_lines(reply)]
    picked = tiny_bot.faq.entry(str(expected[2].id)).question
    assert_in_order(printed, *replies, f"asked {turns[3]}", f"matched {picked}",
                    "Magnesium", "Potassium",
                    "Forgot our conversation", "Nothing to explain yet",
                    "/help", "/topics", "/why", "/reset", "/quit",
                    "Goodbye, and take care.")
    assert "never read" not in printed and "half a line" not in printed


def test_the_follow_up_uses_the_conversation(chat: Chat, tiny_bot: FAQBot) -> None:
    stateless = tiny_bot.ask("what foods have it?")
    conv = tiny_bot.conversation()
    conv.ask("why does magnesium matter for muscles")
    follow_up = conv.ask("what foods have it?")
    assert follow_up.text != stateless.text  # else this test proves nothing
    printed = chat("why does magnesium matter for muscles\rwhat foods have it?\r")
    assert follow_up.text in printed and stateless.text not in printed


def test_a_clarification_is_picked_by_number(chat: Chat, tiny_bot: FAQBot, clarifying: str) -> None:
    choices = tiny_bot.ask(clarifying).alternatives
    for number, choice in enumerate(choices, 1):
        printed = chat(f"{clarifying}\r{number}\r")
        picked = tiny_bot.faq.entry(choice.id).answer
        assert re.search(rf"^     {number}\. {re.escape(choice.question)}$", printed, re.M)
        assert_in_order(printed, "Reply with a number", picked)


def test_reset_forgets_the_pending_choice(chat: Chat, tiny_bot: FAQBot, clarifying: str) -> None:
    choice = tiny_bot.ask(clarifying).alternatives[0]
    printed = chat(f"{clarifying}\r/reset\r1\r")
    assert tiny_bot.faq.entry(choice.id).answer not in printed.split("Forgot our conversation")[1]


# -- keys ----------------------------------------------------------------------------------


def test_ctrl_c_clears_the_line_and_the_chat_goes_on(chat: Chat, tiny_bot: FAQBot) -> None:
    printed = chat("which foods are rich in" + CTRL_C + "hello\r")
    assert tiny_bot.ask("hello").text in printed


@pytest.mark.parametrize("leave", [CTRL_D, "/quit\r", "/exit\r", "/q\r", "quit\r", " EXIT \r"])
def test_ctrl_d_and_quit_say_goodbye_and_exit_0(chat: Chat, leave: str) -> None:
    printed = chat("hello\r" + leave + "/topics\r")
    assert printed.rstrip().endswith("Goodbye, and take care.")
    assert "Magnesium" not in printed  # nothing after leaving is read


def test_history_is_kept_across_runs_in_the_xdg_state_dir(
        chat: Chat, tiny_bot: FAQBot, tmp_path: Path) -> None:
    chat("hello\r")
    history = tmp_path / "state" / "faqbot" / "history"
    assert "+hello" in history.read_text(encoding="utf-8")
    assert history.stat().st_mode & 0o077 == 0  # private: it holds health questions
    printed = chat(UP + "\r")  # a new run recalls the last line
    assert tiny_bot.ask("hello").text in printed


def test_history_defaults_to_local_state(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_STATE_HOME")
    assert terminal.default_history_path() == tmp_path / "home/.local/state/faqbot/history"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")  # the XDG spec says: ignore it
    assert terminal.default_history_path() == tmp_path / "home/.local/state/faqbot/history"


def test_an_unusable_history_dir_falls_back_to_memory(
        chat: Chat, tiny_bot: FAQBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    assert isinstance(terminal.open_history(), InMemoryHistory)
    printed = chat("hello\r")
    assert tiny_bot.ask("hello").text in printed and "rror" not in printed


def test_history_path_option(chat: Chat, tmp_path: Path) -> None:
    chat("hello\r", history_path=tmp_path / "h" / "custom")
    assert "+hello" in (tmp_path / "h" / "custom").read_text(encoding="utf-8")


def test_right_arrow_takes_a_suggestion_from_history_or_the_faq(
        chat: Chat, tiny_bot: FAQBot) -> None:
    past = "why does magnesium matter for muscles"
    chat(past + "\r")

    def accept(pipe: PipeInput, screen: ScreenOutput) -> None:
        screen.wait_for("agnesium matter for muscles")  # suggested from history
        pipe.send_text(RIGHT + "\r" + "Which foods are rich in p")
        screen.wait_for("otassium?")  # suggested from the FAQ's questions
        pipe.send_text(RIGHT + "\r" + CTRL_D)

    printed = chat("why does m", after=accept)
    assert_in_order(printed, tiny_bot.ask(past).text,
                    tiny_bot.ask("Which foods are rich in potassium?").text)


def test_tab_completes_a_faq_question(chat: Chat, tmp_path: Path) -> None:
    def accept(pipe: PipeInput, screen: ScreenOutput) -> None:
        screen.wait_for("How does magnesium affect muscles?")
        pipe.send_text("\r" + CTRL_D)

    chat("affect musc" + TAB, after=accept)
    history = (tmp_path / "state" / "faqbot" / "history").read_text(encoding="utf-8")
    assert "+How does magnesium affect muscles?" in history


def test_tab_completes_a_slash_command(chat: Chat) -> None:
    def accept(pipe: PipeInput, screen: ScreenOutput) -> None:
        screen.wait_for("the questions I can answer")  # the menu opens while typing after "/"
        pipe.send_text(TAB + "\r" + CTRL_D)

    screen = ScreenOutput()
    printed = chat("/top", output=screen, after=accept)
    assert "3 questions on 2 topics" in printed


def test_completer_offers_commands_topics_and_questions(tiny_bot: FAQBot) -> None:
    completer = ChatCompleter(tiny_bot)

    def texts(typed: str) -> list[str]:
        return [c.text for c in completer.get_completions(Document(typed), CompleteEvent(True))]

    assert texts("/") == [c.name for c in slash.commands()]
    assert texts("/re") == ["/reset"]
    assert texts("/topics po") == ["potassium"]
    assert texts("foods magnesium") == ["Which foods are rich in magnesium?"]
    assert len(texts("")) == len(tiny_bot.faq.entries)  # Tab on an empty line lists them all


# -- slash commands ------------------------------------------------------------------------


def test_help_is_made_from_the_command_table(chat: Chat) -> None:
    printed = chat("/help\r")
    for cmd in slash.commands():
        assert re.search(rf"^   {re.escape(cmd.name)}\b.* {re.escape(cmd.summary)}$", printed, re.M)


@pytest.mark.parametrize(("typed", "hint"), [
    ("/hepl", "Unknown command /hepl. Did you mean /help?"),
    ("/topic", "Unknown command /topic. Did you mean /topics?"),
    ("/xyzzy", "Unknown command /xyzzy. Commands: /help, /topics, /why, /reset, /quit."),
])
def test_an_unknown_command_suggests_the_closest(chat: Chat, typed: str, hint: str) -> None:
    assert hint in chat(typed + "\r")


def test_topics_groups_questions_by_first_subject_label(chat: Chat) -> None:
    printed = chat("/topics\r/topics POT\r/topics zinc\r")
    assert (
        "   Magnesium\n"
        "     - How does magnesium affect muscles?\n"
        "     - Which foods are rich in magnesium?\n"
        "   Potassium\n"
        "     - Which foods are rich in potassium?\n"
        "   3 questions on 2 topics. Ask in your own words.\n"
    ) in printed
    assert ("\n\n   Potassium\n     - Which foods are rich in potassium?\n"
            "   1 question on 1 topic.") in printed
    assert "No topic called zinc. Topics: magnesium, potassium." in printed


def test_why_explains_an_answer(chat: Chat, tiny_bot: FAQBot) -> None:
    question = "why does magnesium matter for muscles"
    reply = tiny_bot.ask(question)
    assert reply.kind == "answer" and reply.id is not None
    printed = chat(question + "\r/why\r")
    assert_in_order(printed, f"asked {question}",
                    f"reply answer, confidence {reply.confidence:.2f}",
                    f"matched {tiny_bot.faq.entry(reply.id).question} ({reply.id})",
                    "runners-up",
                    *(f"{a.score:.2f} {a.question}" for a in reply.alternatives))


@pytest.mark.parametrize(("question", "reason"), [
    ("how much magnesium dose",
     "The FAQ does not cover doses or amounts of magnesium; please ask a doctor."),
    ("xylophone ptarmigan", "These words are not in the FAQ: xylophone, ptarmigan."),
])
def test_why_says_why_the_bot_fell_back(chat: Chat, tiny_bot: FAQBot, question: str,
                                        reason: str) -> None:
    assert tiny_bot.ask(question).kind == "fallback"
    printed = chat(question + "\r/why\r")
    assert_in_order(printed, " ~ " + tiny_bot.faq.fallback, "reply fallback",
                    f"because {reason}", "closest")


@pytest.mark.parametrize(("reason", "text"), [
    ({"reason": "unanswered-facet", "facet": "doses or amounts", "subject": "magnesium"},
     "The FAQ does not cover doses or amounts of magnesium; please ask a doctor."),
    ({"reason": "unanswered-facet", "facet": "brands"},
     "The FAQ does not cover brands; please ask a doctor."),
    ({"reason": "unknown-words", "words": "zinc pills"},
     "These words are not in the FAQ: zinc, pills."),
    ({"reason": "low-confidence"}, "No entry matched well enough."),
    ({"reason": "no-question"}, "There was no question in that message."),
    (None, "I fell back (no reason given)."),
])
def test_reason_in_words(reason: dict[str, str] | None, text: str) -> None:
    assert slash.reason_text(reason) == text


def test_why_for_clarify_urgent_smalltalk_and_nothing_yet(
        chat: Chat, tiny_bot: FAQBot, clarifying: str) -> None:
    printed = chat(f"/why\r{clarifying}\r/why\rchest pain\r/why\rhello\r/why\r")
    assert_in_order(printed, "Nothing to explain yet",
                    "reply clarify", "choices",
                    "reply urgent", "red flag",
                    "reply smalltalk", f"small talk ({tiny_bot.ask('hello').id})")


# -- how replies look ----------------------------------------------------------------------


def test_each_kind_has_its_own_marker(chat: Chat, tiny_bot: FAQBot, clarifying: str) -> None:
    printed = chat(f"why does magnesium matter for muscles\r{clarifying}\rzzz qqq\rchest pain\r")
    urgent = tiny_bot.faq.urgent
    assert urgent is not None
    assert f"\n   {tiny_bot.ask('why does magnesium matter for muscles').text}\n" in printed
    assert "\n ? I'm not sure which of these you mean:" in printed
    assert f"\n ~ {tiny_bot.faq.fallback}\n" in printed
    assert f"\n!! {urgent.message}\n" in printed


def test_replies_are_wrapped_to_the_terminal_width(chat: Chat) -> None:
    printed = chat("/help\r/why\r", output=ScreenOutput(columns=40))
    lines = printed.splitlines()
    assert max(len(line) for line in lines) < 40
    assert len([line for line in lines if line.startswith("   ")]) > 10  # wrapped, indented


def colours(output: str) -> set[str]:
    """The SGR colour codes (30-37, 90-97) in raw terminal output."""
    codes = {c for sgr in re.findall(r"\x1b\[([0-9;]*)m", output) for c in sgr.split(";")}
    return {c for c in codes if re.fullmatch(r"3[0-7]|9[0-7]", c)}


@pytest.mark.parametrize(("no_color_env", "color", "coloured"), [
    (None, True, True), ("1", True, False), (None, False, False)])
def test_no_color_env_and_option_turn_colour_off(
        tiny_bot: FAQBot, monkeypatch: pytest.MonkeyPatch,
        no_color_env: str | None, color: bool, coloured: bool) -> None:
    if no_color_env:
        monkeypatch.setenv("NO_COLOR", no_color_env)
    raw = io.StringIO()
    terminal_out = Vt100_Output(raw, lambda: Size(24, 80), term="xterm-256color", enable_cpr=False)
    with create_pipe_input() as pipe:
        pipe.send_text("chest pain\r" + CTRL_D)
        assert run_chat(tiny_bot, color=color, input=pipe, output=terminal_out) == 0
    assert "!! This may need urgent care" in raw.getvalue()
    assert bool(colours(raw.getvalue())) is coloured


# -- nothing raw reaches the terminal ------------------------------------------------------


def test_escape_sequences_from_the_faq_and_the_user_are_neutralised(
        chat: Chat, hostile_bot: FAQBot) -> None:
    pasted = PASTE_START + "zinc\x1b]52;c;ZWNobyBoaQ==\x07 \x9b2J\x1b[31m\u202epills" + PASTE_END
    printed = chat(f"why does magnesium matter for muscles\r/topics\r{pasted}\r/why\r/hepl\x07\r",
                   bot=hostile_bot)
    assert "Magnesium \ufffd]0;owned\ufffd helps \ufffd[2J muscles \ufffd31m relax." in printed
    assert "zinc\ufffd]52;c;ZWNobyBoaQ==\ufffd \ufffd2J\ufffd[31m\ufffdpills" in printed
    assert not UNSAFE.search(printed), repr(UNSAFE.findall(printed))


def test_layout_escapes_every_fragment_and_printable_keeps_plain_text() -> None:
    fragments = layout([Para("a\x1bb\x07c\x85d\x7f", lead="\x1b[1m> ")], 80)
    assert not any(UNSAFE.search(text) for _, text, *_ in fragments)
    assert printable("Calf twitching: vitamin D, B12 & Mg — ok?") == (
        "Calf twitching: vitamin D, B12 & Mg — ok?")


# -- the way in ------------------------------------------------------------------------------


@pytest.fixture
def fake_tty(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object]]]:
    """Make cmd_chat see a terminal and record how it calls run_chat."""
    calls: list[dict[str, object]] = []

    def record(bot: FAQBot, **options: object) -> int:
        calls.append({"bot": bot, **options})
        return 0

    monkeypatch.setattr(terminal, "run_chat", record)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    yield calls


@pytest.mark.parametrize(("argv", "color"), [
    (["chat"], True), (["chat", "--no-color"], False)])
def test_chat_on_a_terminal_opens_the_terminal_ui(fake_tty: list[dict[str, object]],
                                                  tiny_faq_path: Path, argv: list[str],
                                                  color: bool) -> None:
    assert cli.main([*argv, "--faq", str(tiny_faq_path)]) == 0
    assert len(fake_tty) == 1 and fake_tty[0]["color"] is color


def test_a_broken_faq_fails_before_any_prompt(fake_tty: list[dict[str, object]], tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nentries: [\n", encoding="utf-8")
    assert cli.main(["chat", "--faq", str(broken)]) == 1
    assert fake_tty == []
    err = capsys.readouterr().err
    assert err.startswith("faqbot: ") and err.count("\n") == 1 and str(broken) in err


def test_import_bot_does_not_import_prompt_toolkit() -> None:
    code = ("import sys, bot, bot.cli, bot.slash; "
            "sys.exit(any(m.startswith('prompt_toolkit') for m in sys.modules))")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
