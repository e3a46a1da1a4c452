"""`faqbot review LOG --apply`: scripted answers walk the "add as phrasing" suggestions; the
reviewed copy holds exactly the accepted phrasings, passes `faqbot check`, and the FAQ
itself is never touched."""

from __future__ import annotations

import dataclasses
import difflib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_review import NEEDS, REVIEW_FAQ, log_line

from bot import FAQBot
from bot.cli import main
from bot.knowledge import load_faq
from bot.review import Cluster, review
from bot.review_apply import run_apply
from bot.unanswered import read_log

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).parent / ("faqbot.exe" if os.name == "nt" else "faqbot")


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    path = tmp_path / "faq.yaml"
    path.write_bytes(REVIEW_FAQ.read_bytes())
    return path


@pytest.fixture
def log(tmp_path: Path, faq: Path) -> Path:
    bot = FAQBot.from_yaml(faq)
    path = tmp_path / "unanswered.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for questions, _ in NEEDS.values():
            for text in questions:
                reply = bot.ask(text)
                stream.write(log_line(text, reason=dict(reply.reason) if reply.reason else None))
    return path


def offered(faq: Path, log: Path) -> list[tuple[str, str]]:
    """(entry, question) in the order --apply offers them."""
    clusters = review(FAQBot.from_yaml(faq), read_log(log).entries)
    return [(c.phrasing_of, text) for c in clusters if c.phrasing_of for text in c.representatives]


def apply(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], log: Path, faq: Path,
          answers: str, *extra: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    code = main(["review", str(log), "--faq", str(faq), "--apply", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def added(before: Path, after: Path) -> list[str]:
    """The lines `after` adds to `before`; fails if it removes or changes any."""
    diff = list(difflib.ndiff(before.read_text(encoding="utf-8").splitlines(),
                              after.read_text(encoding="utf-8").splitlines()))
    assert not [d for d in diff if d.startswith("- ")], "a line of the FAQ was removed or changed"
    return [d[2:] for d in diff if d.startswith("+ ")]


def test_accepted_and_edited_phrasings_are_written_into_a_checked_copy(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], log: Path, faq: Path) -> None:
    offers = offered(faq, log)
    assert [entry for entry, _ in offers] == ["magnesium-foods"] * 3 + ["potassium-foods"] * 3
    original = faq.read_bytes()
    # accept, edit, skip; then accept, and quit before the last
    code, out, err = apply(monkeypatch, capsys, log, faq, "a\ne\nwhich leafy greens have magnesium\ns\nA\nq\n")
    assert (code, err) == (0, "")
    copy = faq.with_name("faq.reviewed.yaml")
    assert faq.read_bytes() == original
    assert added(faq, copy) == [f"      - {offers[0][1]}", "      - which leafy greens have magnesium",
                                f"    - {offers[3][1]}"]
    before, after = load_faq(faq), load_faq(copy)
    expected = {"magnesium-foods": [offers[0][1], "which leafy greens have magnesium"],
                "potassium-foods": [offers[3][1]]}
    for old, new in zip(before.entries, after.entries, strict=True):
        assert new.alternatives == old.alternatives + tuple(expected.get(old.id, ()))
    assert main(["check", str(copy)]) == 0
    assert f"{copy}: 3 phrasings added to 2 entries (1 edited, 3 skipped, 0 not offered); {faq} is unchanged" in out
    assert f"{copy}: ok: 3 entries, 12 phrasings, 2 subjects, 2 facets" in out


def test_each_offer_names_the_entry_and_the_choices(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str], log: Path, faq: Path) -> None:
    _, out, _ = apply(monkeypatch, capsys, log, faq, "s\n" * 6)
    assert 'cluster 1 (3 questions) is closest to magnesium-foods: "Which foods are rich in magnesium?"' in out
    assert out.count("add as a phrasing of magnesium-foods? [a]ccept, [e]dit, [s]kip, [q]uit (Enter skips): ") == 3
    assert "no phrasings accepted: " in out
    assert not faq.with_name("faq.reviewed.yaml").exists()


def test_end_of_input_keeps_what_was_accepted(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                              log: Path, faq: Path) -> None:
    code, _, _ = apply(monkeypatch, capsys, log, faq, "a\n")
    first = offered(faq, log)[0][1]
    assert code == 0 and added(faq, faq.with_name("faq.reviewed.yaml")) == [f"      - {first}"]


def test_a_phrasing_the_faq_has_already_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str], log: Path, faq: Path) -> None:
    answers = "e\nWhich foods are rich in POTASSIUM?\ne\n!!!\nx\ne\nnew wording\n" + "s\n" * 5
    code, out, _ = apply(monkeypatch, capsys, log, faq, answers)
    assert "\"Which foods are rich in POTASSIUM?\" is already a phrasing of entry 'potassium-foods'" in out
    assert '"!!!" has no letters or digits' in out
    assert "please answer a, e, s or q" in out
    assert code == 0 and added(faq, faq.with_name("faq.reviewed.yaml")) == ["      - new wording"]


def test_output_chooses_where_the_copy_goes(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                            log: Path, faq: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yaml"
    code, _, _ = apply(monkeypatch, capsys, log, faq, "a\nq\n", "-o", str(target))
    assert code == 0 and len(added(faq, target)) == 1
    assert not faq.with_name("faq.reviewed.yaml").exists()


def test_an_existing_copy_is_never_overwritten(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                               log: Path, faq: Path) -> None:
    copy = faq.with_name("faq.reviewed.yaml")
    copy.write_text("my own notes\n")
    code, _, err = apply(monkeypatch, capsys, log, faq, "a\n")
    assert (code, err) == (1, f"faqbot: {copy} already exists: move it away, or choose another name with --output\n")
    assert copy.read_text() == "my own notes\n"
    code, _, err = apply(monkeypatch, capsys, log, faq, "a\n", "-o", str(faq))
    assert (code, err) == (1, f"faqbot: {faq}: --apply never writes over the FAQ itself: choose another --output\n")


def test_a_faq_that_is_not_yaml_is_refused(log: Path, faq: Path) -> None:
    bot = FAQBot.from_yaml(faq)
    csv = FAQBot(dataclasses.replace(bot.faq, path=str(faq.with_suffix(".csv"))))
    clusters: list[Cluster] = review(csv, read_log(log).entries)
    with pytest.raises(Exception, match=r"faq.csv: --apply adds phrasings to YAML FAQ files only"):
        run_apply(csv, clusters, ask=lambda _: "a")


def test_questions_the_bot_answers_now_are_not_offered(log: Path, faq: Path) -> None:
    relaxed = faq.read_text(encoding="utf-8").replace("answer: 0.999", "answer: 0.9").replace("clarify: 0.998",
                                                                                               "clarify: 0.3")
    faq.write_text(relaxed, encoding="utf-8")
    bot = FAQBot.from_yaml(faq)
    clusters = review(bot, read_log(log).entries)
    said: list[str] = []
    assert run_apply(bot, clusters, ask=lambda _: "a", say=said.append) == 0
    offered_now = [c.representatives for c in clusters if c.phrasing_of]
    answered = [t for reps in offered_now for t in reps if bot.ask(t).kind == "answer"]
    assert answered  # the relaxed FAQ answers some of them now
    assert not any(f'"{t}"' in line for t in answered for line in said)
    assert any("not offered" in line for line in said)


def test_apply_through_the_installed_script(log: Path, faq: Path) -> None:
    proc = subprocess.run([str(SCRIPT), "review", str(log), "--faq", str(faq), "--apply"], input="a\nq\n",
                          capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert (proc.returncode, proc.stderr) == (0, "")
    assert "1 phrasing added to 1 entry" in proc.stdout
    copy = faq.with_name("faq.reviewed.yaml")
    assert subprocess.run([str(SCRIPT), "check", str(copy)], capture_output=True, timeout=60).returncode == 0
