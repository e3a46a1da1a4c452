"""Batch throughput and memory: `python benchmarks/bench_batch.py [--faq PATH] [--quick]`.

Reports, on synthetic questions made by recombining the FAQ's own phrasings with noise:
  * `faqbot batch` throughput on 100,000 questions, one process and --workers 2
    (the CLI's own rows/s, from its summary, and wall time including start-up);
  * where one process spends its time: scoring (`FAQBot.ask_many` alone) against the
    batch pipeline with scoring stubbed out (reading, error handling, writing);
  * peak memory (ru_maxrss of the CLI process) for 1,000,000 rows against 10,000.
Targets: >= 20,000 questions/s in one process; peak memory for 1,000,000 rows within 1.2x of
that for 10,000. Not a test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path
from typing import Any, cast

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import FAQBot, Reply  # noqa: E402
from bot.batch import format_jsonl  # noqa: E402
from bot.core import CHUNK  # noqa: E402
from bot.knowledge import bundled_faq_path  # noqa: E402
from bot.partition import answer_rows, read_lines  # noqa: E402

PREFIXES = ["", "", "", "hey ", "quick question: ", "so ", "um ", "doc, ", "pls tell me ", "hi, "]
SUFFIXES = ["", "", "", "?", "??", " thanks", " pls", " lately", " at night", " :)", " again"]
FILLERS = ["really", "actually", "like", "honestly", "maybe", "still", "often"]

# the measuring process: runs the CLI, then prints the peak RSS of its process tree in KiB
_MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
print(done.returncode, wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
print(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "")
"""


def typo(word: str, rnd: random.Random) -> str:
    """One keyboard slip: a dropped, doubled or swapped letter."""
    if len(word) < 4:
        return word
    i = rnd.randrange(1, len(word) - 1)
    return rnd.choice([word[:i] + word[i + 1 :], word[:i] + word[i] + word[i:],
                       word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]])


def synthetic_questions(bot: FAQBot, n: int, seed: int = 7) -> list[str]:
    """`n` questions: FAQ phrasings recombined within an entry, with typos and filler."""
    rnd = random.Random(seed)
    by_entry = [[p.lower() for p in e.phrasings] for e in bot.faq.entries]
    out = []
    for _ in range(n):
        phrasings = rnd.choice(by_entry)
        words = rnd.choice(phrasings).rstrip("?").split()
        if rnd.random() < 0.3 and len(phrasings) > 1:  # splice two phrasings of the same entry
            other = rnd.choice(phrasings).rstrip("?").split()
            words = words[: max(1, len(words) // 2)] + other[len(other) // 2 :]
        if rnd.random() < 0.3:
            words = [typo(w, rnd) if rnd.random() < 0.2 else w for w in words]
        if rnd.random() < 0.2:
            words.insert(rnd.randrange(len(words) + 1), rnd.choice(FILLERS))
        text = rnd.choice(PREFIXES) + " ".join(words) + rnd.choice(SUFFIXES)
        out.append(text.capitalize() if rnd.random() < 0.5 else text)
    return out


def write_questions(path: Path, questions: list[str], n: int) -> Path:
    """Write `n` lines to `path`, cycling through `questions` (flat memory for a million)."""
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(questions[i % len(questions)] + "\n")
    return path


def run_cli(args: list[str]) -> dict[str, Any]:
    """Run `faqbot batch ARGS` in a child process; its wall time, peak RSS and summary."""
    cmd = [sys.executable, "-m", "bot", "batch", *args, "--no-progress"]
    done = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], cwd=REPO,
                          capture_output=True, text=True, check=True)
    first, summary = [*done.stdout.splitlines(), ""][:2]
    code, wall, rss = first.split()
    if code != "0":
        raise SystemExit(f"faqbot batch failed ({code}): {summary}")
    rate = re.search(r"\(([\d,]+) rows/s\)", summary)
    return {"wall": float(wall), "rss_mib": int(rss) / 1024, "summary": summary,
            "rows_per_s": int(rate.group(1).replace(",", "")) if rate else None}


class StubBot:
    """Answers everything instantly: what the pipeline costs without scoring."""

    def __init__(self) -> None:
        self.reply = Reply("answer", "stub", "A stub answer.", 0.9)

    def ask_many(self, questions: list[str]) -> list[Reply]:
        return [self.reply] * len(questions)


def breakdown(bot: FAQBot, questions_file: Path, questions: list[str]) -> dict[str, float]:
    """Rows/s of scoring alone, and of the pipeline alone (scoring stubbed), in this process."""
    sample = questions[:20_000]
    bot.ask_many(sample[:200])
    start = time.perf_counter()
    bot.ask_many(sample)
    scoring = len(sample) / (time.perf_counter() - start)

    stub = cast(FAQBot, StubBot())
    start = time.perf_counter()
    rows = 0
    with open(questions_file, "rb") as f:
        lines = read_lines(f, "txt", "question")
        for chunk in iter(lambda: list(islice(lines, CHUNK)), []):
            format_jsonl(answer_rows(stub, chunk))  # what `faqbot batch` does per chunk
            rows += len(chunk)
    pipeline = rows / (time.perf_counter() - start)
    return {"scoring_rows_per_s": scoring, "pipeline_rows_per_s": pipeline}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faq", help="FAQ file (default: the bundled faq.yaml)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows for throughput")
    parser.add_argument("--memory-rows", type=int, default=1_000_000,
                        help="rows for the memory run")
    parser.add_argument("--memory-base", type=int, default=10_000, help="rows to compare against")
    parser.add_argument("--workers", type=int, default=2, help="workers for the parallel run")
    parser.add_argument("--quick", action="store_true",
                        help="10x fewer rows (the memory base stays 10,000)")
    parser.add_argument("--skip-memory", action="store_true", help="throughput only")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    opts = parser.parse_args()
    if opts.quick:  # the base stays: under a few chunks, a run never reaches its working size
        opts.rows, opts.memory_rows = opts.rows // 10, opts.memory_rows // 10
    faq = Path(opts.faq) if opts.faq else bundled_faq_path()
    if not faq.exists():
        raise SystemExit(f"{faq} does not exist yet: pass --faq PATH")
    bot = FAQBot.from_yaml(faq)
    phrasings = sum(len(e.phrasings) for e in bot.faq.entries)
    print(f"FAQ: {faq} ({len(bot.faq.entries)} entries, {phrasings} phrasings)", flush=True)
    questions = synthetic_questions(bot, 50_000)
    figures: dict[str, Any] = {"faq": str(faq), "entries": len(bot.faq.entries),
                               "phrasings": phrasings}

    with tempfile.TemporaryDirectory(prefix="faqbot-bench-") as tmp:
        work = Path(tmp)
        data = write_questions(work / "questions.txt", questions, opts.rows)
        figures.update(breakdown(bot, data, questions))
        print(f"in-process, one core: scoring alone {figures['scoring_rows_per_s']:,.0f} rows/s; "
              f"pipeline alone (scoring stubbed) {figures['pipeline_rows_per_s']:,.0f} rows/s",
              flush=True)
        for workers in (1, opts.workers):
            result = run_cli([str(data), "-o", str(work / "out.jsonl"), "--faq", str(faq),
                              "--workers", str(workers)])
            figures[f"workers_{workers}"] = result
            print(f"faqbot batch, {opts.rows:,} rows, --workers {workers}: "
                  f"{result['rows_per_s']:,} rows/s (wall {result['wall']:.1f} s with start-up, "
                  f"peak RSS {result['rss_mib']:.0f} MiB)", flush=True)
        if not opts.skip_memory:
            peaks = {}
            for n in (opts.memory_base, opts.memory_rows):
                path = write_questions(work / f"q{n}.txt", questions, n)
                result = run_cli([str(path), "-o", str(work / f"out{n}.jsonl"), "--faq", str(faq)])
                peaks[n] = result["rss_mib"]
                figures[f"memory_{n}"] = result
                print(f"peak RSS for {n:,} rows: {result['rss_mib']:.1f} MiB "
                      f"({result['rows_per_s']:,} rows/s)", flush=True)
                path.unlink()
            ratio = peaks[opts.memory_rows] / peaks[opts.memory_base]
            figures["memory_ratio"] = ratio
            print(f"memory ratio {opts.memory_rows:,} / {opts.memory_base:,} rows: {ratio:.2f}x "
                  f"(target <= 1.2x): {'ok' if ratio <= 1.2 else 'MISSED'}")
    single = figures["workers_1"]["rows_per_s"] or 0
    print(f"one process: {single:,} rows/s (target >= 20,000): "
          f"{'ok' if single >= 20_000 else 'MISSED'}")
    if opts.json:
        print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
