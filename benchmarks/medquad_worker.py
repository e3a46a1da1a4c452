"""One measured run of `bench_medquad.py`, in a process of its own so that its peak memory is its own.

Run by bench_medquad.py as `python benchmarks/medquad_worker.py {baseline,faqbot} FAQ QUERIES
[--load-only]`; prints one JSON object: `load_s`, `fit_s`, `peak_mb` and, unless
`--load-only`, per query in order `times_ms`, `first` (the ranked-first entry id or null) and
`answered` (whether the reply is an answer). QUERIES is the JSON `bench_medquad.py` writes:
`{"warmup": [questions], "queries": [{"text": ...}, ...]}`; the warm-up questions are asked
first, untimed, and are none of the queries (so no per-question cache is warmed by them).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

Ranker = Callable[[str], tuple[str | None, bool]]  # question -> (ranked-first id, answered)


class Refused(Exception):
    """faqbot refuses the FAQ file (its FAQBotError, as one line)."""


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def loader_missing() -> str | None:
    """Why faqbot cannot be measured yet (None when it can)."""
    sys.path.insert(0, str(REPO))
    from bot import FAQBot

    if not hasattr(FAQBot, "from_file"):
        return "faqbot has no FAQBot.from_file(path, max_bytes=...) yet (issue 19's plain-FAQ loader)"
    return None


def baseline(faq: Path) -> tuple[Ranker, float, float]:
    """Character TF-IDF over the questions, cosine top-1; returns it, YAML read and fit seconds."""
    import yaml
    from sklearn.feature_extraction.text import TfidfVectorizer

    start = time.perf_counter()
    with faq.open(encoding="utf-8") as handle:
        entries = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["entries"]
    read = time.perf_counter()
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix_t = vectorizer.fit_transform([entry["question"] for entry in entries]).T.tocsr()
    ids = [entry["id"] for entry in entries]
    fitted = time.perf_counter()

    def rank(text: str) -> tuple[str | None, bool]:
        scores = vectorizer.transform([text]) @ matrix_t  # rows are L2-normalised: the cosines
        return (ids[scores.argmax()] if scores.nnz else None), True

    return rank, read - start, fitted - read


def faqbot(faq: Path) -> tuple[Ranker, float, float]:
    """faqbot's plain-FAQ loader with no size limit; returns it, load+fit seconds and 0 (no separate fit)."""
    sys.path.insert(0, str(REPO))
    from bot import FAQBot, FAQBotError

    start = time.perf_counter()
    try:
        bot = FAQBot.from_file(faq, max_bytes=None)
    except FAQBotError as error:
        raise Refused(f"faqbot refuses {faq.name}: {error}") from None
    loaded = time.perf_counter() - start

    def rank(text: str) -> tuple[str | None, bool]:
        reply = bot.ask(text)
        if reply.kind == "answer":
            return reply.id, True
        return (reply.alternatives[0].id if reply.alternatives else None), False

    return rank, loaded, 0.0


def ask_all(rank: Ranker, warmup: list[str], texts: list[str]) -> dict[str, list[Any]]:
    """Each text asked alone and timed: milliseconds, ranked-first ids and answered flags, in order."""
    for text in warmup:
        rank(text)
    times, first, answered = [], [], []
    for text in texts:
        start = time.perf_counter()
        top, answer = rank(text)
        times.append((time.perf_counter() - start) * 1000)
        first.append(top)
        answered.append(answer)
    return {"times_ms": times, "first": first, "answered": answered}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("system", choices=("baseline", "faqbot"))
    parser.add_argument("faq", type=Path)
    parser.add_argument("queries", type=Path)
    parser.add_argument("--load-only", action="store_true", help="load (and fit), ask nothing")
    args = parser.parse_args()
    if args.system == "faqbot" and (why := loader_missing()):
        print(f"error: {why}", file=sys.stderr)
        return 2
    try:
        rank, load_s, fit_s = (baseline if args.system == "baseline" else faqbot)(args.faq)
    except (Refused, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    result: dict[str, Any] = {"load_s": load_s, "fit_s": fit_s}
    if not args.load_only:
        queries = json.loads(args.queries.read_text(encoding="utf-8"))
        result |= ask_all(rank, queries["warmup"], [query["text"] for query in queries["queries"]])
    result["peak_mb"] = peak_mb()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
