"""MedQuAD as a plain FAQ, at 16,407 and about 98,000 entries: faqbot against a character TF-IDF baseline.

Run: python benchmarks/bench_medquad.py [--medquad PATH] [--workdir DIR] [--sizes 1,6]
     [--pairs 3] [--queries 2000] [--seed 0] [--systems baseline,faqbot] [--json PATH]

The benchmark of issue 19 ("Any FAQ, any size"); not a test, pytest does not collect it.

1. The FAQ. `--medquad` is a MedQuAD snapshot (`github:abachaa/MedQuAD`), a bare git
   directory or a checkout. Its question-answer pairs with an answer (16,407) become a plain
   FAQ (`version: 1`, `entries:` of `id`, `question`, `answer`, answers cut to 600 characters,
   see medquad_data.py); size 6 is that list six times over, ids suffixed `-c2` ... `-c6`
   (about 60 MB). The files are written to `--workdir` and reused from there when present.
2. The queries. `--queries` entries drawn with `--seed`, each question typed as a user
   would: lower case, no "?", the stem dropped (leading wh-words, "is", "are", "(are)", "the",
   "to": "What are the symptoms of Glaucoma ?" -> "symptoms of glaucoma"), and one typo (a
   letter deleted, doubled, swapped with its neighbour or replaced, in a word of >= 4 letters).
3. Right means: the ranked-first entry's question, normalised (lower case, whitespace
   collapsed), is the query's source question. MedQuAD asks the same question several times
   with different answers (the same "What is (are) X ?" from several NIH sources; and at size 6
   every question six times), and no retriever can tell those apart from the question alone.
   "top-1" counts the ranked-first entry (faqbot: the answer, else the first alternative it
   offers); "answered right" counts faqbot replies that answer, with a right entry.
4. The baseline: scikit-learn's TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5),
   sublinear_tf=True) over the questions, cosine top-1 by a sparse product. Its first load+fit
   includes reading the YAML (with libyaml's loader when PyYAML has it).
5. faqbot: `FAQBot.from_file(path, max_bytes=None)` in a fresh process with an empty
   `FAQBOT_CACHE_DIR` (first load+fit), then in a second fresh process with the same cache
   (cached load), which then asks every query alone (`bot.ask`): warm p50 and p99.
Every measured run is a process of its own (peak memory: its ru_maxrss); `--pairs` runs of
each system alternate, the table gives medians and the ratio faqbot / baseline. The machine
is shared: compare ratios within one run rather than absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from medquad_data import (  # noqa: E402
    Entry,
    copies,
    normalised,
    query_set,
    read_medquad,
    snapshot_commit,
    source_id,
    write_faq,
)
from medquad_worker import REPO, loader_missing  # noqa: E402

MIRROR = Path("/work/.mirror/abachaa+MedQuAD/repo")
SYSTEMS = ("baseline", "faqbot")
# (key, column heading, format): the figures of one system at one size.
FIGURES = [
    ("load_fit_s", "first load+fit s", "{:.2f}"),
    ("cached_load_s", "cached load s", "{:.2f}"),
    ("p50_ms", "warm p50 ms", "{:.2f}"),
    ("p99_ms", "warm p99 ms", "{:.2f}"),
    ("peak_mb", "peak MB", "{:.0f}"),
    ("top1_pct", "top-1 %", "{:.1f}"),
    ("answered_pct", "answered right %", "{:.1f}"),
]
# (size, key, "<=" or ">=", target): the targets for faqbot.
TARGETS = [
    (1, "load_fit_s", "<=", 3.0),
    (1, "cached_load_s", "<=", 1.0),
    (1, "p50_ms", "<=", 2.0),
    (1, "top1_pct", ">=", 95.0),
    (6, "p50_ms", "<=", 10.0),
    (6, "load_fit_s", "<=", 30.0),
]


class BenchError(Exception):
    """Bad input or a failed run: one line for the user."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def built_entries(workdir: Path, medquad: Path) -> list[Entry]:
    """The MedQuAD entries, read from `workdir/entries.json` or else from the snapshot (and saved)."""
    saved = workdir / "entries.json"
    if saved.exists():
        entries: list[Entry] = json.loads(saved.read_text(encoding="utf-8"))
        return entries
    if not medquad.is_dir():
        raise BenchError(f"--medquad {medquad}: no such directory (fetch github:abachaa/MedQuAD)")
    log(f"reading MedQuAD from {medquad}")
    entries = read_medquad(medquad)
    if not entries:
        raise BenchError(f"--medquad {medquad}: no MedQuAD question-answer pairs found")
    saved.write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
    return entries


def faq_file(workdir: Path, entries: list[Entry], size: int) -> Path:
    """The FAQ of `size` copies of `entries`, written once."""
    path = workdir / f"medquad-x{size}.yaml"
    if not path.exists():
        log(f"writing {path.name} ({len(entries) * size:,} entries)")
        partial = path.with_suffix(".part")
        write_faq(copies(entries, size), partial)
        partial.replace(path)
    return path


def queries_file(workdir: Path, entries: list[Entry], count: int, seed: int) -> Path:
    """The typed queries for `count` and `seed`, written once."""
    path = workdir / f"queries-n{count}-seed{seed}.json"
    if not path.exists():
        path.write_text(json.dumps(query_set(entries, count, seed), ensure_ascii=False), encoding="utf-8")
    return path


def run_worker(system: str, faq: Path, queries: Path, cache: Path, *, load_only: bool = False) -> dict[str, Any]:
    """One measured run in a fresh process; its JSON result."""
    command = [sys.executable, str(HERE / "medquad_worker.py"), system, str(faq), str(queries)]
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path, "FAQBOT_CACHE_DIR": str(cache)}
    done = subprocess.run([*command, *(["--load-only"] if load_only else [])], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1].removeprefix("error: ")
        raise BenchError(f"{system} run on {faq.name} failed (exit {done.returncode}): {last}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank `q`th percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def scored(run: dict[str, Any], queries: list[dict[str, str]], questions: dict[str, str]) -> dict[str, float]:
    """p50, p99, top-1 % and answered-right % of a run's answers to `queries`."""
    right = [top is not None and questions[source_id(top)] == query["question"]
             for top, query in zip(run["first"], queries, strict=True)]
    answered = [ok and answer for ok, answer in zip(right, run["answered"], strict=True)]
    return {
        "p50_ms": statistics.median(run["times_ms"]),
        "p99_ms": percentile(run["times_ms"], 99),
        "top1_pct": 100 * sum(right) / len(right),
        "answered_pct": 100 * sum(answered) / len(answered),
    }


def measure(system: str, faq: Path, queries: Path, workdir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """One run of `system` on `faq`: its figures so far (no scores yet), and the run that asked the queries."""
    cache = Path(tempfile.mkdtemp(prefix="cache-", dir=workdir))
    try:
        if system == "baseline":
            run = run_worker(system, faq, queries, cache)
            return {"load_fit_s": run["load_s"] + run["fit_s"], "fit_s": run["fit_s"], "peak_mb": run["peak_mb"]}, run
        first = run_worker(system, faq, queries, cache, load_only=True)
        run = run_worker(system, faq, queries, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    figures = {"load_fit_s": first["load_s"], "cached_load_s": run["load_s"],
               "peak_mb": max(first["peak_mb"], run["peak_mb"]),
               "peak_first_mb": first["peak_mb"], "peak_cached_mb": run["peak_mb"]}
    return figures, run


def paired(systems: list[str], faq: Path, queries: Path, workdir: Path, pairs: int,
           questions: dict[str, str]) -> dict[str, list[dict[str, float]]]:
    """`pairs` runs of each system, alternating which goes first; the figures of every run."""
    asked = json.loads(queries.read_text(encoding="utf-8"))["queries"]
    runs: dict[str, list[dict[str, float]]] = {system: [] for system in systems}
    for n in range(pairs):
        for system in systems if n % 2 == 0 else systems[::-1]:
            start = time.perf_counter()
            figures, run = measure(system, faq, queries, workdir)
            runs[system].append(figures | scored(run, asked, questions))
            log(f"  {faq.name} pair {n + 1}/{pairs}: {system} done in {time.perf_counter() - start:.0f} s")
    return runs


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: statistics.median(run[key] for run in runs) for key in runs[0]}


def ratios(ours: dict[str, float], theirs: dict[str, float]) -> dict[str, float]:
    return {key: ours[key] / theirs[key] for key in ours if theirs.get(key)}


def table(results: dict[int, dict[str, Any]]) -> str:
    """The figures of every size and system as aligned text; '-' where a system has no such figure."""
    heads = ["size", "system", *(head for _, head, _ in FIGURES)]
    rows = []
    for result in results.values():
        for name in (*SYSTEMS, "faqbot/baseline"):
            figures = result["ratio"] if name == "faqbot/baseline" else result.get(name, {}).get("median")
            if not figures:
                continue
            cells = [(f"{figures[key]:.2f}x" if "/" in name else fmt.format(figures[key])) if key in figures else "-"
                     for key, _, fmt in FIGURES]
            rows.append([f"{result['entries']:,}", name, *cells])
    widths = [max(len(row[i]) for row in [heads, *rows]) for i in range(len(heads))]
    return "\n".join("  ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True))
                     for row in [heads, *rows])


def target_lines(results: dict[int, dict[str, Any]]) -> list[str]:
    """Each of the issue's targets, with every measured system's figure and whether it is met."""
    heads = {key: head for key, head, _ in FIGURES}
    lines = []
    for size, key, op, limit in TARGETS:
        if size not in results:
            continue
        measured = []
        for system in SYSTEMS:
            value = results[size].get(system, {}).get("median", {}).get(key)
            if value is not None:
                met = value <= limit if op == "<=" else value >= limit
                measured.append(f"{system} {value:.2f} ({'met' if met else 'missed'})")
        figures = ", ".join(measured) or "not measured"
        lines.append(f"  {results[size]['entries']:>7,} entries, {heads[key]} {op} {limit:g}: {figures}")
    return lines


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=MIRROR, help=f"MedQuAD snapshot (default: {MIRROR})")
    parser.add_argument("--workdir", type=Path, help="where the built files go and are reused (default: a temp dir)")
    parser.add_argument("--sizes", default="1,6", help="copies of MedQuAD to measure at (default: 1,6)")
    parser.add_argument("--pairs", type=int, default=3, help="runs of each system (default: 3)")
    parser.add_argument("--queries", type=int, default=2000, help="typed queries (default: 2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the query sample and typos (default: 0)")
    parser.add_argument("--systems", default="baseline,faqbot", help="what to measure (default: baseline,faqbot)")
    parser.add_argument("--json", type=Path, help="also save every figure here")
    return parser.parse_args()


def checked(args: argparse.Namespace) -> tuple[list[int], list[str]]:
    """The sizes and systems asked for; raises BenchError for bad options."""
    try:
        sizes = sorted({int(size) for size in args.sizes.split(",")})
    except ValueError:
        raise BenchError(f"--sizes {args.sizes!r}: give whole numbers of copies, such as 1,6") from None
    systems = [system for system in SYSTEMS if system in args.systems.split(",")]
    if not sizes or sizes[0] < 1 or args.pairs < 1 or args.queries < 1:
        raise BenchError("--sizes, --pairs and --queries must be at least 1")
    if not systems or set(args.systems.split(",")) - set(SYSTEMS):
        raise BenchError(f"--systems {args.systems!r}: choose from {', '.join(SYSTEMS)}")
    if "faqbot" in systems and (why := loader_missing()):
        raise BenchError(f"{why}; measure the baseline alone with --systems baseline")
    return sizes, systems


def bench(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    """Build what is missing, run every size, print the report; returns everything measured."""
    sizes, systems = checked(args)
    entries = built_entries(workdir, args.medquad)
    queries = queries_file(workdir, entries, args.queries, args.seed)
    questions = {entry["id"]: normalised(entry["question"]) for entry in entries}
    asked = json.loads(queries.read_text(encoding="utf-8"))["queries"]
    print(f"MedQuAD: {len(entries):,} entries with an answer; {len(asked):,} typed queries (seed {args.seed}), e.g.")
    for query in asked[:5]:
        print(f"  {query['text']!r:48} <- {query['question']!r}")
    results: dict[int, dict[str, Any]] = {}
    for size in sizes:
        faq = faq_file(workdir, entries, size)
        runs = paired(systems, faq, queries, workdir, args.pairs, questions)
        result: dict[str, Any] = {"entries": len(entries) * size, "faq_mb": faq.stat().st_size / 1e6}
        result |= {system: {"median": medians(runs[system]), "runs": runs[system]} for system in systems}
        both = "baseline" in result and "faqbot" in result
        result["ratio"] = ratios(result["faqbot"]["median"], result["baseline"]["median"]) if both else {}
        results[size] = result
    print(f"\n{args.pairs} paired runs, medians; {args.queries:,} queries asked one at a time\n")
    print(table(results))
    if "baseline" in systems:
        fits = ", ".join(f"{r['entries']:,}: {r['baseline']['median']['fit_s']:.2f} s" for r in results.values())
        print(f"\nbaseline fit alone (without reading the YAML): {fits}")
    print("the baseline has no cache, and always answers (so its answered right is its top-1)")
    print("\ntargets (issue 19, for faqbot):")
    print("\n".join(target_lines(results)))
    return {"medquad": str(args.medquad), "medquad_commit": snapshot_commit(args.medquad),
            "queries": args.queries, "seed": args.seed, "pairs": args.pairs, "medquad_entries": len(entries),
            "examples": asked[:5], "sizes": {str(size): result for size, result in results.items()}}


def main() -> int:
    args = parse_args()
    try:
        if args.workdir:
            args.workdir.mkdir(parents=True, exist_ok=True)
            report = bench(args, args.workdir)
        else:
            with tempfile.TemporaryDirectory(prefix="bench-medquad-") as workdir:
                report = bench(args, Path(workdir))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    except (BenchError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2 if isinstance(error, BenchError) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
