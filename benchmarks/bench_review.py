"""Speed and memory of `faqbot review` on a long log (the target: 100,000 lines in under 60 s).

Writes a synthetic log of unanswered questions (`synthetic_log.py`: the bundled FAQ's own
fallbacks on thirteen needs and noise), then runs the real command on it in a fresh process,
`faqbot review LOG --format json`, and reports the wall time (median of the runs) and the
peak resident memory of that process. Then the same in this process, stage by stage.

Run: python benchmarks/bench_review.py [--lines 100000] [--runs 3] [--log PATH]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_log import write_log  # noqa: E402

import bot.review as review  # noqa: E402
from bot import FAQBot  # noqa: E402
from bot.unanswered import read_log  # noqa: E402

TARGET_SECONDS = 60.0
MEASURE = """
import resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
sys.stdout.write(f"{done.returncode} {seconds} {peak} ")
sys.stdout.flush()
sys.stdout.buffer.write(done.stdout)
"""


def run_command(log: Path) -> tuple[float, float, int]:
    """Seconds, peak memory in MB and clusters of one `faqbot review` in a fresh process."""
    # measured from a small parent of its own, so that the peak is the command's alone
    command = [sys.executable, "-m", "bot", "review", str(log), "--format", "json"]
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], capture_output=True, check=True, cwd=REPO)
    code, seconds, peak, rest = out.stdout.split(b" ", 3)
    if int(code) != 0:
        raise SystemExit(f"faqbot review failed: {out.stderr.decode()}")
    return float(seconds), int(peak) / 1024, len(json.loads(rest)["clusters"])


def stages(log: Path) -> dict[str, float]:
    """Seconds of each stage, in this process."""
    times: dict[str, float] = {}
    start = time.perf_counter()
    bot = FAQBot.from_yaml()
    entries = read_log(log).entries
    times["load the FAQ and read the log"] = time.perf_counter() - start
    keys: dict[str, int] = {}
    for entry in entries:
        keys.setdefault(review.key(entry.text), len(keys))
    distinct = list(keys)
    reasons = [{} for _ in distinct]
    start = time.perf_counter()
    vectors = review.vectors_for(bot, distinct, reasons)
    times[f"vectors of {len(distinct):,} distinct questions"] = time.perf_counter() - start
    start = time.perf_counter()
    review.group(vectors)
    times["clustering"] = time.perf_counter() - start
    start = time.perf_counter()
    review.review(bot, entries)
    times["the whole review (again, with the nearest entries)"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=100_000, help="log lines (default 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="runs of the command (default 3)")
    parser.add_argument("--log", type=Path, help="use this log instead of writing one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = args.log or Path(tmp) / "unanswered.jsonl"
        if args.log is None:
            start = time.perf_counter()
            asked = write_log(log, args.lines)
            print(f"log: {args.lines:,} lines from {asked:,} questions, written in "
                  f"{time.perf_counter() - start:.1f} s")
        runs = [run_command(log) for _ in range(args.runs)]
        seconds = statistics.median(r[0] for r in runs)
        peak = max(r[1] for r in runs)
        print(f"faqbot review LOG --format json: {seconds:.1f} s (median of {len(runs)}: "
              f"{', '.join(f'{r[0]:.1f}' for r in runs)}), peak memory {peak:.0f} MB, {runs[0][2]} clusters")
        print(f"target: under {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'}")
        print("in this process:")
        for stage, took in stages(log).items():
            print(f"  {stage}: {took:.2f} s")
        print(f"  peak memory of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
