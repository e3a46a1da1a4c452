"""`faqbot completion SHELL` prints a script that completes commands, options and choices;
the bash one is run in a real bash, the others are checked by their shell when it is there."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import SHELLS, main

SCRIPT = Path(sys.executable).with_name("faqbot")


def script(capsys: pytest.CaptureFixture[str], shell: str) -> str:
    assert main(["completion", shell]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


@pytest.mark.parametrize("shell", SHELLS)
def test_the_script_names_every_command_and_option(capsys: pytest.CaptureFixture[str], shell: str) -> None:
    text = script(capsys, shell)
    for word in ("check", "ask", "eval", "chat", "batch", "serve", "completion", "--faq", "--version",
                 "--workers", "--output-format"):
        assert (f"-l {word[2:]}" if shell == "fish" and word.startswith("--") else word) in text, word


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(("words", "expected"), [
    (["faqbot", "c"], ["check", "chat", "completion", "convert"]),
    (["faqbot", "batch", "--output-f"], ["--output-format"]),
    (["faqbot", "batch", "x.txt", "--format", ""], ["txt", "csv", "jsonl"]),
    (["faqbot", "completion", ""], ["bash", "zsh", "fish"]),
    (["faqbot", "--fa"], ["--faq"]),
])
def test_bash_completes_commands_options_and_choices(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, words: list[str], expected: list[str]) -> None:
    completion = tmp_path / "faqbot.bash"
    completion.write_text(script(capsys, "bash"), encoding="utf-8")
    quoted = " ".join(f"'{w}'" for w in words)
    probe = (f"source {completion}\n"
             f"COMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}\n"
             f"_shtab_faqbot faqbot '{words[-1]}' '{words[-2]}'\n"
             'printf "%s\\n" "${COMPREPLY[@]}"\n')
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.split()) == sorted(expected)


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_completes_file_names_after_faq(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text("", encoding="utf-8")
    completion = tmp_path / "faqbot.bash"
    completion.write_text(script(capsys, "bash"), encoding="utf-8")
    probe = (f"source {completion}\ncd {tmp_path}\nCOMP_WORDS=(faqbot ask --faq mi); COMP_CWORD=3\n"
             "_shtab_faqbot faqbot mi --faq\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n")
    done = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert done.stdout.split() == ["mine.yaml"], done.stderr


@pytest.mark.parametrize(("shell", "check"), [("bash", ["bash", "-n"]), ("zsh", ["zsh", "-n"]),
                                              ("fish", ["fish", "--no-execute"])])
def test_the_shell_accepts_its_script(capsys: pytest.CaptureFixture[str], tmp_path: Path, shell: str,
                                      check: list[str]) -> None:
    if shutil.which(check[0]) is None:
        pytest.skip(f"{shell} is not installed")
    path = tmp_path / f"faqbot.{shell}"
    path.write_text(script(capsys, shell), encoding="utf-8")
    done = subprocess.run([*check, str(path)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


def test_an_unknown_shell_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["completion", "powershell"])
    assert done.value.code == 2
    assert "invalid choice: 'powershell'" in capsys.readouterr().err
