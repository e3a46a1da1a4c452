"""Speed of the core: index build, warm `ask` latency, batch throughput, cold start, scale.

Run: python benchmarks/bench_core.py [--quick]. Prints medians; the machine is shared and
noisy, so compare ratios within one run rather than absolute times across runs.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import FAQBot  # noqa: E402
from bot.knowledge import FAQ, Concept, Entry, load_faq  # noqa: E402

SAMPLE = [
    "why do my calves keep twitching at night",
    "which foods have a lot of magnesium",
    "magnesum foods",
    "im vegan could that be it",
    "what is the weather in london tomorrow",
    "how many milligrams of magnesium should I take",
    "my leg muscle keeps jumping, is that normal?",
    "does coffee make twitching worse",
]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def warm_latency(bot: FAQBot, questions: list[str], rounds: int) -> tuple[float, float]:
    """p50 and p99 of one `ask`, in milliseconds."""
    for q in questions:
        bot.ask(q)
    times = []
    for _ in range(rounds):
        for q in questions:
            start = time.perf_counter()
            bot.ask(q)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), percentile(times, 99)


def batch_rate(bot: FAQBot, questions: list[str]) -> float:
    start = time.perf_counter()
    bot.ask_many(questions)
    return len(questions) / (time.perf_counter() - start)


def noisy_questions(faq: FAQ, count: int, seed: int = 7) -> list[str]:
    """Questions made by recombining the FAQ's phrasings with dropped and swapped words."""
    rng = random.Random(seed)
    phrasings = [p for e in faq.entries for p in e.phrasings]
    out = []
    for _ in range(count):
        words = rng.choice(phrasings).split()
        if len(words) > 3 and rng.random() < 0.5:
            words.pop(rng.randrange(len(words)))
        if rng.random() < 0.3:
            words.append(rng.choice(rng.choice(phrasings).split()))
        out.append(" ".join(words))
    return out


def cold_start(runs: int) -> tuple[float, float]:
    """Median wall seconds of a cold `faqbot ask` process and of a bare scikit-learn import."""
    ask = [sys.executable, "-m", "bot", "ask", "why do my calves twitch at night"]
    bare = [sys.executable, "-c", "import sklearn.feature_extraction.text"]
    a, b = [], []
    for _ in range(runs):
        for cmd, sink in ((ask, a), (bare, b)):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=REPO)
            sink.append(time.perf_counter() - start)
    return statistics.median(a), statistics.median(b)


def synthetic_faq(entries: int, seed: int = 3) -> FAQ:
    """A FAQ of `entries` entries over a made-up vocabulary (4 alternatives each)."""
    rng = random.Random(seed)
    syllables = [c + v for c in "bcdfghjklmnprstvwxyz" for v in "aeiou"]
    vocab = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(30000)})
    rng.shuffle(vocab)
    zipf = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))  # Zipfian use
    subjects = {f"topic{i}": Concept(f"topic{i}", f"topic {i}", (vocab[i],)) for i in range(200)}
    facets = {f: Concept(f, f, (), default=(f == "role")) for f in ("role", "foods", "signs", "causes")}
    glue = ["what", "is", "the", "how", "do", "i", "get", "why", "does", "my", "which", "are"]

    def sentence() -> str:
        words = rng.choices(vocab, cum_weights=zipf, k=rng.randint(4, 9))
        return " ".join(rng.choice(glue) if rng.random() < 0.4 else w for w in words)

    built = []
    for i in range(entries):
        subject = f"topic{i % 200}"
        built.append(Entry(
            id=f"e{i}", subjects=(subject,), facet=rng.choice(list(facets)), section="synthetic",
            question=f"{sentence()} {vocab[i % 200]}?", alternatives=tuple(sentence() for _ in range(4)),
            answer=sentence(),
        ))
    base = load_faq()
    return FAQ(path="<synthetic>", fallback=base.fallback, entries=tuple(built), subjects=subjects,
               facets=facets, synonyms={}, out_of_scope_facets={}, out_of_scope_examples=(),
               urgent=base.urgent, smalltalk=base.smalltalk)


def scale(entries: int) -> dict[str, float]:
    """Build time, warm p50/p99 and peak memory for a synthetic FAQ (run in a child process)."""
    faq = synthetic_faq(entries)
    start = time.perf_counter()
    bot = FAQBot(faq)
    build = time.perf_counter() - start
    questions = [e.alternatives[0] for e in faq.entries[:: max(1, entries // 50)]][:50]
    p50, p99 = warm_latency(bot, questions, rounds=3)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"entries": entries, "build_s": build, "p50_ms": p50, "p99_ms": p99, "peak_mib": peak}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs, no 100,000-entry FAQ")
    parser.add_argument("--scale-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.scale_child:
        print(json.dumps(scale(args.scale_child)))
        return 0

    start = time.perf_counter()
    bot = FAQBot.from_yaml()
    print(f"index build (bundled FAQ, {len(bot.faq.entries)} entries): {time.perf_counter() - start:.3f} s")
    p50, p99 = warm_latency(bot, SAMPLE, rounds=20 if args.quick else 100)
    print(f"warm ask: p50 {p50:.3f} ms, p99 {p99:.3f} ms")
    questions = noisy_questions(bot.faq, 20_000 if args.quick else 100_000)
    print(f"batch ask_many: {batch_rate(bot, questions):,.0f} questions/s ({len(questions):,} questions, one process)")
    ask, bare = cold_start(3 if args.quick else 7)
    print(f"cold `faqbot ask`: {ask:.2f} s; bare `import sklearn.feature_extraction.text`: {bare:.2f} s; "
          f"ratio {ask / bare:.2f}")
    for entries in (10_000,) if args.quick else (10_000, 100_000):
        out = subprocess.run([sys.executable, __file__, "--scale-child", str(entries)],
                             check=True, capture_output=True, text=True)
        r = json.loads(out.stdout)
        print(f"synthetic FAQ of {entries:,} entries: build {r['build_s']:.1f} s, warm p50 {r['p50_ms']:.2f} ms, "
              f"p99 {r['p99_ms']:.2f} ms, peak memory {r['peak_mib']:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
