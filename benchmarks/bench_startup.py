"""Start-up of commands that score nothing: `faqbot --help` and `faqbot check` in a fresh
process, against a bare `python -c 'import sklearn.feature_extraction.text'`.

Run: python benchmarks/bench_startup.py [--pairs 20]. The runs alternate (faqbot, then the
reference, and so on), so that a busy moment on the shared machine slows both alike; the
figure to read is the ratio of the medians. Target: `faqbot --help` at most 0.1x. Not a
test: pytest does not collect it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCRIPT = Path(sys.executable).with_name("faqbot")
FAQBOT = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "bot"]
REFERENCE = [sys.executable, "-c", "import sklearn.feature_extraction.text"]
COMMANDS = {"faqbot --help": [*FAQBOT, "--help"], "faqbot check": [*FAQBOT, "check"]}


def seconds(command: list[str]) -> float:
    """Wall time of one run of `command`, which must succeed."""
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO,
                   env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - start


def paired(command: list[str], pairs: int) -> tuple[float, float]:
    """Median seconds of `command` and of the reference, over alternating runs."""
    seconds(command), seconds(REFERENCE)  # warm the file cache for both
    ours, theirs = [], []
    for n in range(pairs):
        runs = [(ours, command), (theirs, REFERENCE)]
        for times, run in runs if n % 2 == 0 else runs[::-1]:
            times.append(seconds(run))
    return statistics.median(ours), statistics.median(theirs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20, help="runs of each (default: 20)")
    args = parser.parse_args()
    print(f"reference: {' '.join(REFERENCE[1:])}; {args.pairs} alternating pairs; medians")
    for name, command in COMMANDS.items():
        ours, theirs = paired(command, args.pairs)
        print(f"  {name:14} {ours * 1000:7.1f} ms  vs {theirs * 1000:7.1f} ms  ({ours / theirs:.2f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
