"""Record the chat session of docs/terminal.md from the current code, in a pseudo-terminal.

    python tools/transcript.py            # print the session
    python tools/transcript.py --write    # and put it into docs/terminal.md

`faqbot` runs with the bundled FAQ in a real pseudo-terminal (pexpect) of 80 columns, with a
fresh history; the turns in `TURNS` are typed one at a time, each once the prompt is back;
what the screen shows at the end (a pyte terminal emulator) is the transcript. So the docs
show what this release does, and `tests/test_transcript.py` fails when they do not.
Needs the test extra (pexpect, pyte) and a POSIX system.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "terminal.md"
TURNS = [
    "which foods have magnesium?",
    "and potassium?",
    "/why",
    "/reset",
    "how many milligrams of magnesium a day?",
    "/why",
    "my legs twitch and now I have chest pain",
    "/quit",
]
COLUMNS, ROWS = 80, 300  # tall enough that nothing scrolls away
_BLOCK = re.compile(r"(This session was recorded .*?:\n\n```text\n)(.*?)(```)", re.S)


def record(timeout: float = 60.0) -> str:
    """The screen after the whole session, as text, starting with the command typed."""
    import pexpect
    import pyte

    script = Path(sys.executable).with_name("faqbot")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "bot"]
    with tempfile.TemporaryDirectory() as home:
        env = {**{k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "FAQBOT_CACHE_DIR")},
               "HOME": home, "XDG_STATE_HOME": home, "TERM": "xterm-256color", "LANG": "C.UTF-8"}
        child = pexpect.spawn(command[0], command[1:], env=env, dimensions=(ROWS, COLUMNS),
                              encoding=None, timeout=timeout)
        screen = pyte.Screen(COLUMNS, ROWS)
        screen.write_process_input = child.send  # answers the cursor position requests
        stream = pyte.ByteStream(screen)
        end = time.monotonic() + timeout

        def pump_until(done: object) -> None:
            while not done():  # type: ignore[operator]
                if time.monotonic() > end:
                    raise TimeoutError("the chat did not answer in time:\n" + text(screen))
                try:
                    stream.feed(child.read_nonblocking(65536, timeout=0.05))
                except pexpect.TIMEOUT:
                    pass
                except pexpect.EOF:
                    return

        def at_prompt() -> bool:
            cursor = screen.cursor
            return (cursor.x, screen.display[cursor.y].rstrip()) == (2, ">")

        def answered(turn: str, after: int) -> bool:
            """Whether `turn` shows below line `after`, with a fresh prompt below it."""
            typed = [y for y, line in enumerate(screen.display) if y > after and line.rstrip() == f"> {turn}"]
            return bool(typed) and at_prompt() and screen.cursor.y > typed[-1]

        pump_until(at_prompt)
        for turn in TURNS:
            after = screen.cursor.y - 1
            child.send(turn.encode() + b"\r")
            pump_until((lambda: not child.isalive()) if turn == "/quit" else
                       (lambda turn=turn, after=after: answered(turn, after)))
        child.close()
    return "$ faqbot\n" + text(screen)


def text(screen: object) -> str:
    lines = [line.rstrip() for line in screen.display]  # type: ignore[attr-defined]
    return "\n".join(lines).strip("\n") + "\n"


def documented() -> str:
    """The session as docs/terminal.md shows it now."""
    match = _BLOCK.search(DOC.read_text(encoding="utf-8"))
    if match is None:
        raise SystemExit(f"{DOC}: no recorded session found")
    return match.group(2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"put the session into {DOC.name}")
    args = parser.parse_args()
    session = record()
    print(session, end="")
    if args.write:
        doc = DOC.read_text(encoding="utf-8")
        DOC.write_text(_BLOCK.sub(lambda m: m.group(1) + session + m.group(3), doc, count=1),
                       encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
