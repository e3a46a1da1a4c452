"""`faqbot batch`: every format in and out, bad rows, order and count, atomic output, workers."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import TINY_FAQ
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bot.batch
from bot.cli import main
from bot.partition import MAX_LINE_BYTES, OUTPUT_KEYS, answer_partition

REPO = Path(__file__).resolve().parent.parent
BIG = "x" * (1 << 20)  # a 1 MB line

QUESTIONS = [
    ("Which foods are rich in magnesium?", "answer", "magnesium-foods"),
    ("hello", "smalltalk", "greeting"),
    ("I have chest pain", "urgent", None),
    ("what dose of magnesium should I take", "fallback", None),
]


def batch(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main(["batch", *map(str, args)])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(text: str) -> list[dict[str, Any]]:
    # split on "\n" alone: a question may hold U+0085 or U+2028, which splitlines() splits on
    return [json.loads(line) for line in text.split("\n")[:-1]]


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- formats ----------------------------------------------------------------------------------

def test_txt_to_stdout_is_jsonl_with_question_and_answer_fields(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.txt"
    src.write_text("".join(q + "\n" for q, _, _ in QUESTIONS), encoding="utf-8")
    code, out, err = batch(capsys, src, "--faq", tiny_faq_path)
    assert code == 0
    rows = jsonl(out)
    assert [(r["question"], r["kind"], r["id"]) for r in rows] == QUESTIONS
    assert all(list(r) == ["question", *OUTPUT_KEYS] for r in rows)
    assert rows[0]["answer"] == "Leafy greens, nuts and seeds."
    assert all(r["error"] is None and 0 <= r["confidence"] <= 1 for r in rows)
    assert err.startswith("faqbot: 4 rows in ")
    assert err.endswith("1 answered, 0 clarified, 1 fell back, 1 urgent, 1 small talk, 0 errors\n")


def test_csv_in_csv_out_keeps_columns_and_uses_column(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.csv", tmp_path / "a.csv"
    src.write_text('n,text,note\n1,"Which foods are rich in magnesium?","a, b"\n2,hello,\n',
                   encoding="utf-8")
    code, out, _ = batch(capsys, src, "-o", dst, "--column", "text", "--faq", tiny_faq_path)
    assert (code, out) == (0, "")
    lines = dst.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "n,text,note,kind,id,confidence,answer,lang,reason,error"
    rows = read_csv(dst)
    assert [(r["n"], r["note"], r["kind"], r["id"], r["error"]) for r in rows] == [
        ("1", "a, b", "answer", "magnesium-foods", ""), ("2", "", "smalltalk", "greeting", "")]


def test_jsonl_in_jsonl_out_keeps_fields_and_uses_field(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.jsonl", tmp_path / "a.jsonl"
    src.write_text(json.dumps({"id0": 7, "q": "hello", "meta": {"a": [1, "é"]}}) + "\n"
                   + json.dumps({"q": "Which foods are rich in potassium?"}) + "\n",
                   encoding="utf-8")
    assert batch(capsys, src, "-o", dst, "--field", "q", "--faq", tiny_faq_path)[0] == 0
    rows = jsonl(dst.read_text(encoding="utf-8"))
    assert rows[0] == {"id0": 7, "q": "hello", "meta": {"a": [1, "é"]}, "kind": "smalltalk",
                       "id": "greeting", "confidence": 1.0, "answer": rows[0]["answer"], "lang": "en",
                       "reason": {"reason": "smalltalk"}, "error": None}
    assert rows[1]["id"] == "potassium-foods"
    assert "é" in dst.read_text(encoding="utf-8")  # UTF-8, not \u escapes


def test_jsonl_in_csv_out_takes_columns_from_the_first_rows(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.jsonl", tmp_path / "a.csv"
    src.write_text('{"question": "hello", "tags": ["a", "b"]}\n{"question": "hi", "x": 1}\n',
                   encoding="utf-8")
    assert batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)[0] == 0
    assert dst.read_text(encoding="utf-8").splitlines()[:2] == [
        "question,tags,x,kind,id,confidence,answer,lang,reason,error",
        'hello,"[""a"", ""b""]",,smalltalk,greeting,1.0,'
        'Hello! Ask me about magnesium or potassium.,en,"{""reason"": ""smalltalk""}",',
    ]


def test_jsonl_to_csv_fields_after_the_first_chunk_are_reported(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.jsonl", tmp_path / "a.csv"
    lines = ['{"question": "hello"}'] * 2048 + ['{"question": "hello", "late": 1}']
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)
    assert code == 0 and len(read_csv(dst)) == 2049
    assert "; 1 row had fields outside the CSV columns (left out" in err


@pytest.mark.parametrize(("fmt", "data", "column"), [
    ("txt", b"hello\nWhich foods are rich in magnesium?\n", "question"),
    ("csv", b"q\nhello\nWhich foods are rich in magnesium?\n", "q"),
    ("jsonl", b'{"q": "hello"}\n{"q": "Which foods are rich in magnesium?"}\n', "q"),
])
def test_stdin_with_format(fmt, data, column, tiny_faq_path, monkeypatch, capsys):
    stdin(monkeypatch, data)
    code, out, _ = batch(capsys, "-", "--format", fmt, "--column", column, "--field", column,
                         "--faq", tiny_faq_path)
    assert code == 0
    assert [r["id"] for r in jsonl(out)] == ["greeting", "magnesium-foods"]


def test_output_format_flag_overrides_the_extension(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.txt", tmp_path / "answers.out"
    src.write_text("hello\n", encoding="utf-8")
    assert batch(capsys, src, "-o", dst, "--output-format", "csv", "--faq", tiny_faq_path)[0] == 0
    assert read_csv(dst)[0]["id"] == "greeting"


@pytest.mark.parametrize("to", [[], ["-o", "-"]])
def test_stdout_as_csv(to, tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.txt"
    src.write_text("hello\n", encoding="utf-8")
    code, out, _ = batch(capsys, src, *to, "--output-format", "csv", "--faq", tiny_faq_path)
    assert code == 0
    assert out.splitlines() == [
        "question,kind,id,confidence,answer,lang,reason,error",
        'hello,smalltalk,greeting,1.0,Hello! Ask me about magnesium or potassium.,en,"{""reason"": ""smalltalk""}",',
    ]


@pytest.mark.parametrize(("name", "data", "output"), [
    ("q.txt", b"", ""),
    ("q.jsonl", b"", ""),
    ("q.csv", b"", ""),
    ("q.csv", b"n,question\n", ""),
    ("q.txt", b"", "--output-format=csv"),
    ("q.csv", b"n,question\n", "--output-format=csv"),
])
def test_empty_inputs_give_empty_outputs(name, data, output, tmp_path, tiny_faq_path, capsys):
    src = tmp_path / name
    src.write_bytes(data)
    code, out, err = batch(capsys, src, "--faq", tiny_faq_path, *([output] if output else []))
    assert code == 0 and err.startswith("faqbot: 0 rows in ")
    header = "n,question," if data else "question,"
    assert out == (f"{header}kind,id,confidence,answer,lang,reason,error\n" if output else "")


@pytest.mark.parametrize(("args", "message"), [
    (["-", ], "reading standard input needs --format"),
    (["q.tsv"], "cannot tell the format from the name"),
    (["q.txt", "-o", "a.txt"], "cannot tell the output format from the name"),
    (["q.txt", "-o", "missing/a.jsonl"], "does not exist"),
    (["q.txt", "--workers", "0"], "--workers must be 1 or more"),
    (["absent.txt"], "absent.txt: No such file or directory"),
    (["q.csv", "--column", "text"], "no column 'text' (the columns are 'question'): choose one"),
])
def test_usage_errors_are_one_line_and_exit_1(args, message, tmp_path, tiny_faq_path, capsys,
                                             monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.txt").write_text("hello\n", encoding="utf-8")
    (tmp_path / "q.csv").write_text("question\nhello\n", encoding="utf-8")
    code, out, err = batch(capsys, *args, "--faq", tiny_faq_path)
    assert (code, out) == (1, "")
    assert message in err and err.count("\n") == 1 and err.startswith("faqbot: ")


def test_an_invalid_faq_is_reported_before_any_output(tmp_path, capsys):
    src, dst, faq = tmp_path / "q.txt", tmp_path / "a.jsonl", tmp_path / "bad.yaml"
    src.write_text("hello\n", encoding="utf-8")
    faq.write_text("version: 1\n", encoding="utf-8")
    code, _, err = batch(capsys, src, "-o", dst, "--faq", faq)
    assert code == 1 and err.startswith(f"faqbot: {faq}")
    assert sorted(tmp_path.iterdir()) == sorted([src, faq])


# -- bad rows: each is one error row, and the batch goes on ---------------------------------

def error_of(rows: list[dict[str, Any]]) -> list[str | None]:
    return [r["error"] for r in rows]


def test_bad_txt_lines(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.txt"
    src.write_bytes(b"\xef\xbb\xbfhello\r\n\n   \nbad \xff byte\n" + BIG.encode() + b"\nhi there")
    code, out, err = batch(capsys, src, "--faq", tiny_faq_path)
    rows = jsonl(out)
    assert code == 0 and len(rows) == 6
    assert error_of(rows) == [None, "empty line", "empty line",
                              "invalid UTF-8: byte 0xff at position 4",
                              f"line too long: {len(BIG)} bytes (limit {MAX_LINE_BYTES})", None]
    assert [r["question"] for r in rows] == [
        "hello", "", "   ", "bad \ufffd byte", None, "hi there"]
    assert all(r[k] is None for r in rows[1:5] for k in ("kind", "id", "confidence", "answer"))
    assert err.endswith(", 4 errors\n")


def test_bad_jsonl_lines(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.jsonl"
    src.write_bytes(b"\n".join([
        b'{"question": "hello"}',
        b"",
        b'{"question": "unclosed',
        b'["a list"]',
        b'{"text": "no question field"}',
        b'{"question": 42}',
        b'{"question": null}',
        b'{"question": "   "}',
        b'{"question": "bad \xff"}',
        b'{"question": NaN}',
        b'{"question": "' + BIG.encode() + b'"}',
        b'{"question": "\\ud800 lone surrogate"}',
    ]) + b"\n")
    code, out, _ = batch(capsys, src, "--faq", tiny_faq_path)
    rows = jsonl(out)
    assert code == 0 and len(rows) == 12
    assert error_of(rows) == [
        None, "empty line", "invalid JSON: Unterminated string starting at at column 14",
        "not a JSON object (it is an array)", "no 'question' field",
        "'question' is not text (it is a number)", "empty question", "empty question",
        "invalid UTF-8: byte 0xff at position 18", "invalid JSON: NaN is not allowed",
        f"line too long: {len(BIG) + 16} bytes (limit {MAX_LINE_BYTES})", None,
    ]
    assert rows[4]["text"] == "no question field"  # the input's fields are kept on error rows
    assert rows[11]["question"] == "\ud800 lone surrogate"  # written as a JSON escape


def test_bad_csv_rows(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.csv", tmp_path / "a.csv"
    src.write_bytes(b"\r\n".join([
        b"n,question",
        b"1,hello",
        b"2",                                   # too few fields
        b"3,hello,extra",                       # too many
        b"",                                    # empty line
        b'4,"multi\nline hello"',               # a quoted newline is one row
        b'5,"abc"def',                          # broken quoting
        b"6,bad \xff",                          # invalid UTF-8
        b"7," + BIG.encode(),                   # too long
        b'8,"unclosed quote',                   # runs on: only this line is lost
        b"9,hello",
        b"10,",                                 # empty question
        b'11,"never closed',                    # at the end of the file
    ]) + b"\r\n")
    code, _, err = batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)
    rows = read_csv(dst)
    assert code == 0 and len(rows) == 12 and err.endswith(", 9 errors\n")
    assert [r["error"] for r in rows] == [
        "", "1 field where the header has 2",
        "3 fields where the header has 2 (the extra fields are left out)", "empty line", "",
        "broken CSV row: ',' expected after '\"'", "invalid UTF-8: byte 0xff at position 6",
        f"line too long: {len(BIG) + 2} bytes (limit {MAX_LINE_BYTES})",
        "broken CSV row: ',' expected after '\"'", "", "empty question",
        "broken CSV row: unexpected end of data",
    ]
    assert [r["n"] for r in rows] == ["1", "2", "3", "", "4", "", "6", "", "", "9", "10", ""]
    assert rows[2]["question"] == "hello" and rows[4]["question"] == "multi\nline hello"
    assert rows[6]["question"] == "bad \ufffd"
    assert [r["kind"] for r in rows if r["question"] == "hello" and not r["error"]] == [
        "smalltalk", "smalltalk"]


def test_csv_runaway_quote_gives_up_after_the_line_limit(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.csv"
    good = "".join(f"{i},hello\n" for i in range(10_000))  # more than MAX_LINE_BYTES in all
    src.write_text('n,question\n0,"hello\n' + good, encoding="utf-8")
    code, out, _ = batch(capsys, src, "--faq", tiny_faq_path)
    rows = jsonl(out)
    assert code == 0 and len(rows) == 10_001
    assert rows[0]["error"] == f"broken CSV row: a quoted field runs past {MAX_LINE_BYTES} bytes"
    assert [r["n"] for r in rows[1:]] == [str(i) for i in range(10_000)]
    assert all(r["kind"] == "smalltalk" for r in rows[1:])


def test_input_columns_named_like_ours_are_kept_and_ours_are_prefixed(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.csv", tmp_path / "a.csv"
    src.write_text("answer,question,id\nold,hello,7\n", encoding="utf-8")
    code, _, err = batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)
    assert code == 0 and "1 small talk, 0 errors" in err
    header = dst.read_text(encoding="utf-8").splitlines()[0]
    assert header == ("answer,question,id,faqbot_kind,faqbot_id,faqbot_confidence,faqbot_answer,faqbot_lang,"
                      "faqbot_reason,faqbot_error")
    row = read_csv(dst)[0]
    assert (row["answer"], row["id"], row["faqbot_id"]) == ("old", "7", "greeting")


def test_a_prefix_that_is_taken_too_is_doubled(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.jsonl"
    src.write_text('{"question": "hello", "id": 1, "faqbot_id": 2}\n{"question": "hello"}\n',
                   encoding="utf-8")
    code, out, err = batch(capsys, src, "--faq", tiny_faq_path)
    first, second = jsonl(out)
    assert (first["id"], first["faqbot_id"], first["faqbot_faqbot_id"]) == (1, 2, "greeting")
    assert second["id"] == "greeting"  # a row with no clash keeps the plain names
    assert code == 0 and "2 small talk, 0 errors" in err


def test_invalid_utf8_in_a_json_line_keeps_the_rows_fields(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.jsonl"
    src.write_bytes(b'{"n": 7, "question": "caf\xff foods"}\n{"n": 8, "question": "hello"}\n'
                    b'{"n": 9, \xff broken\n')
    code, out, _ = batch(capsys, src, "--faq", tiny_faq_path)
    bad, good, broken = jsonl(out)
    assert code == 0
    assert (bad["n"], bad["question"], bad["kind"]) == (7, "caf\ufffd foods", None)
    assert bad["error"] == "invalid UTF-8: byte 0xff at position 25"
    assert (good["n"], good["id"]) == (8, "greeting")
    assert set(broken) == set(OUTPUT_KEYS) and broken["error"].startswith("invalid UTF-8")


# -- never the input as the output -------------------------------------------------------------


@pytest.mark.parametrize("how", ["same name", "dotted path", "symlink", "hard link"])
def test_an_output_that_is_the_input_is_refused(tmp_path, tiny_faq_path, capsys, how):
    src = tmp_path / "q.txt"
    src.write_text("hello\n", encoding="utf-8")
    dst = {"same name": src, "dotted path": tmp_path / "." / "q.txt",
           "symlink": tmp_path / "link.txt", "hard link": tmp_path / "hard.txt"}[how]
    if how == "symlink":
        dst.symlink_to(src)
    elif how == "hard link":
        os.link(src, dst)
    code, out, err = batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)
    assert (code, out) == (2, "")
    assert err == f"faqbot: {dst} is the input ({src}): write the answers to another file\n"
    assert src.read_text(encoding="utf-8") == "hello\n"


@pytest.mark.parametrize("how", ["stdin is the output", "stdout appends to the input"])
def test_the_input_through_a_redirection_is_refused_too(tmp_path, tiny_faq_path, how):
    src = tmp_path / "q.txt"
    src.write_text("hello\n", encoding="utf-8")
    command = [sys.executable, "-m", "bot", "batch", "--faq", str(tiny_faq_path)]
    with open(src, "rb") as read, open(src, "ab") as append:
        if how == "stdin is the output":
            proc = subprocess.run([*command, "-", "--format", "txt", "-o", str(src)], stdin=read,
                                  capture_output=True, timeout=60)
        else:
            proc = subprocess.run([*command, str(src)], stdout=append, stderr=subprocess.PIPE,
                                  timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert b"is the input" in proc.stderr and b"Traceback" not in proc.stderr
    assert src.read_text(encoding="utf-8") == "hello\n"


# -- order and count ------------------------------------------------------------------------

LINE = st.one_of(
    st.sampled_from([q for q, _, _ in QUESTIONS] + ["", " ", "\x00", "é?", "{", "a,b"]),
    st.text(alphabet=st.characters(blacklist_characters="\n\r"), max_size=30),
    st.binary(max_size=20).map(lambda b: b.replace(b"\n", b"").replace(b"\r", b"")),
)


@pytest.fixture(scope="module")
def module_faq(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faq") / "tiny.yaml"
    path.write_text(TINY_FAQ, encoding="utf-8")
    return path


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=st.lists(LINE, max_size=40))
def test_every_line_gives_one_row_in_order(module_faq: Path, lines: list[str | bytes]) -> None:
    data = b"".join((x if isinstance(x, bytes) else x.encode("utf-8", "surrogatepass")) + b"\n"
                    for x in lines)
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "q.txt", Path(tmp) / "a.jsonl"
        src.write_bytes(data)
        assert main(["batch", str(src), "-o", str(dst), "--faq", str(module_faq)]) == 0
        rows = jsonl(dst.read_text(encoding="utf-8"))
    assert len(rows) == len(lines)
    for line, row in zip(lines, rows, strict=True):
        raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
        if row["error"] is None:
            assert row["question"] == raw.decode("utf-8") and row["kind"] is not None
        else:
            assert row["kind"] is None and "\n" not in row["error"]


def test_many_chunks_keep_their_order(tmp_path, tiny_faq_path, capsys):
    src, dst = tmp_path / "q.csv", tmp_path / "a.csv"
    questions = ["hello", "Which foods are rich in potassium?"] * 5000
    src.write_text("n,question\n" + "".join(f"{n},{q}\n" for n, q in enumerate(questions)),
                   encoding="utf-8")
    assert batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)[0] == 0
    rows = read_csv(dst)
    assert [r["n"] for r in rows] == [str(n) for n in range(len(questions))]
    assert [r["id"] for r in rows] == ["greeting", "potassium-foods"] * 5000


def test_workers_give_the_same_rows_as_one_process(tmp_path, tiny_faq_path, capsys):
    src, one, two = tmp_path / "q.txt", tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    lines = (f"{q} {i}\n".encode() for i in range(1500) for q, _, _ in QUESTIONS)
    src.write_bytes(b"".join(lines) + b"\xff\n\n")
    assert batch(capsys, src, "-o", one, "--faq", tiny_faq_path)[0] == 0
    code, _, err = batch(capsys, src, "-o", two, "--faq", tiny_faq_path, "--workers", "2")
    assert code == 0 and "6,002 rows" in err
    assert two.read_text(encoding="utf-8") == one.read_text(encoding="utf-8")


# -- output: atomic, progress, interrupts ----------------------------------------------------

def test_the_output_appears_only_when_complete(tmp_path, tiny_faq_path, capsys, monkeypatch):
    src, dst = tmp_path / "q.txt", tmp_path / "a.jsonl"
    src.write_text("hello\n" * 5000, encoding="utf-8")
    seen: list[list[str]] = []
    real = bot.batch.answer_rows

    def spy(*args: Any) -> Any:
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return real(*args)

    monkeypatch.setattr(bot.batch, "answer_rows", spy)
    assert batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)[0] == 0
    assert len(seen) == 3
    assert all(len(names) == 3 and "a.jsonl" not in names for names in seen)
    assert any(n.startswith(".a.jsonl.") and n.endswith(".part") for n in seen[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "q.txt", "tiny.yaml"]
    assert dst.stat().st_mode & 0o777 == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_an_interrupt_leaves_no_output_and_exits_130(tmp_path, tiny_faq_path, capsys, monkeypatch):
    src, dst = tmp_path / "q.txt", tmp_path / "a.jsonl"
    src.write_text("hello\n" * 5000, encoding="utf-8")
    dst.write_text("the previous answers\n", encoding="utf-8")
    calls = []
    real = bot.batch.answer_rows

    def interrupted(*args: Any) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(bot.batch, "answer_rows", interrupted)
    code, out, err = batch(capsys, src, "-o", dst, "--faq", tiny_faq_path)
    assert (code, out) == (130, "")
    assert err == f"faqbot: interrupted after 2,048 rows; {dst} was not written\n"
    assert dst.read_text(encoding="utf-8") == "the previous answers\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl", "q.txt", "tiny.yaml"]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_on_a_real_run(workers, tmp_path, tiny_faq_path):
    src, dst = tmp_path / "q.txt", tmp_path / "a.jsonl"
    src.write_text("Which foods are rich in magnesium?\n" * 500_000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "batch", src, "-o", dst, "--faq", tiny_faq_path,
         "--workers", workers],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: to the parent and its workers
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.startswith("faqbot: interrupted after ") and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["q.txt", "tiny.yaml"]


def test_a_closed_pipe_stops_quietly(tmp_path, tiny_faq_path):
    src = tmp_path / "q.txt"
    src.write_text("hello\n" * 50_000, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "batch", str(src), "--faq", str(tiny_faq_path)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert json.loads(proc.stdout.readline())["id"] == "greeting"
    proc.stdout.close()
    with proc.stderr:
        err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err.startswith("faqbot: the output was closed after ") and "Traceback" not in err


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_stderr(tmp_path, tiny_faq_path, capsys, monkeypatch):
    src = tmp_path / "q.txt"
    src.write_text("hello\n" * 3000, encoding="utf-8")
    code, _, err = batch(capsys, src, "--faq", tiny_faq_path)  # stderr is not a terminal
    assert code == 0 and err.count("\n") == 1 and "\r" not in err
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["batch", str(src), "--faq", str(tiny_faq_path)]) == 0
    bar = terminal.getvalue()
    assert "/3.00k" in bar and "rows/s" in bar  # total, rate (and ETA) from tqdm
    assert len(jsonl(capsys.readouterr().out)) == 3000  # the data alone on stdout
    terminal.truncate(0)
    assert main(["batch", str(src), "--faq", str(tiny_faq_path), "--no-progress"]) == 0
    assert "\r" not in terminal.getvalue()


# -- the partition function -------------------------------------------------------------------

class SparkRow:
    def __init__(self, **fields: Any) -> None:
        self.fields = fields

    def asDict(self) -> dict[str, Any]:  # pyspark's name
        return dict(self.fields)


def test_answer_partition_reads_lines_bytes_records_and_rows(tiny_faq_path):
    rows = list(answer_partition(
        ["hello\n", b"Which foods are rich in magnesium?\r\n", "bad \udcff\n", "",
         {"question": "hello", "n": 1}, SparkRow(question="I have chest pain"), 3.5],
        faq=tiny_faq_path,
    ))
    assert [(r["kind"], r["error"]) for r in rows] == [
        ("smalltalk", None), ("answer", None), (None, "invalid UTF-8: byte 0xff at position 4"),
        (None, "empty line"), ("smalltalk", None), ("urgent", None),
        (None, "cannot read a row of type float"),
    ]
    assert rows[4]["n"] == 1


def test_answer_partition_reads_json_lines(tiny_faq_path):
    rows = list(answer_partition(['{"q": "hello"}\n', "{oops\n"], faq=tiny_faq_path,
                                 field="q", format="jsonl"))
    assert [r["id"] for r in rows] == ["greeting", None]
    assert rows[1]["error"].startswith("invalid JSON: ")


def test_answer_partition_on_a_dataframe_keeps_index_and_columns(tiny_faq_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"question": ["hello", None, "Which foods are rich in potassium?"],
                          "n": [1, 2, 3]}, index=[10, 11, 12])
    out = answer_partition(frame, faq=tiny_faq_path)
    assert list(out.columns) == ["question", "n", *OUTPUT_KEYS]
    assert list(out.index) == [10, 11, 12]
    assert list(out["id"]) == ["greeting", None, "potassium-foods"]
    assert out["error"][11] == "empty question"
    assert str(out["confidence"].dtype) == "float64"
    again = answer_partition(pd.concat([frame, frame]), faq=tiny_faq_path)  # repeated index
    assert list(again["id"]) == list(out["id"]) * 2
    empty = answer_partition(frame.iloc[:0], faq="/no/such/faq.yaml")  # no bot needed
    assert list(empty.columns) == list(out.columns) and len(empty) == 0


def test_answer_partition_on_a_dataframe_keeps_its_own_id_column(tiny_faq_path):
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"id": ["a-1", "a-2"], "question": ["hello", "Which foods are rich in potassium?"]})
    out = answer_partition(frame, faq=tiny_faq_path)
    assert list(out.columns) == ["id", "question", *(f"faqbot_{k}" for k in OUTPUT_KEYS)]
    assert list(out["id"]) == ["a-1", "a-2"]
    assert list(out["faqbot_id"]) == ["greeting", "potassium-foods"]


def test_the_installed_script_runs_a_batch(tmp_path, tiny_faq_path):
    script = Path(sys.executable).with_name("faqbot")
    if not script.exists():
        pytest.skip("faqbot is not installed in this environment (pip install -e .)")
    src = tmp_path / "q.txt"
    src.write_text("hello\n", encoding="utf-8")
    done = subprocess.run([script, "batch", src, "--faq", tiny_faq_path],
                          cwd=tmp_path, capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert json.loads(done.stdout)["id"] == "greeting"
    assert done.stderr.startswith("faqbot: 1 row in ")


def test_jsonl_output_escapes_c1_controls_and_keeps_the_data(tmp_path, tiny_faq_path, capsys):
    src = tmp_path / "q.jsonl"
    fields = {"question": "hello \u009b2J", "note": "bidi \u202e and del \x7f"}
    src.write_text(json.dumps(fields, ensure_ascii=False) + "\n", encoding="utf-8")
    code, out, _ = batch(capsys, src, "--faq", tiny_faq_path)
    assert code == 0 and re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", out) is None
    assert "\\u009b2J" in out and "\\u202e" in out
    row = json.loads(out)
    assert (row["question"], row["note"]) == (fields["question"], fields["note"])
