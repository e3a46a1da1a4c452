"""Which clustering groups logged questions by need best: the measurement behind `bot.review`.

A labelled synthetic log (`synthetic_log.py`: twelve needs plus one-off noise questions, as
the bundled FAQ logs them) is clustered by
  A. what `faqbot review` does: TF-IDF character n-grams, agglomerative clustering
     (average linkage, cosine distance, cut at `CUT`), a sample at a time for long logs;
  B. Birch on the same vectors reduced to 100 dimensions by truncated SVD (LSA), the usual
     choice for large data, at several thresholds;
  C. DBSCAN on the same TF-IDF vectors, cosine distance, at several radii.
Printed per method: adjusted Rand index and V-measure against the needs (noise questions
each count as their own need), clusters found, seconds. Also A with word n-grams, and A at
other cuts, to show the choice of features and cut.

Run: python benchmarks/cluster_choice.py [--lines N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.cluster import DBSCAN, Birch
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import adjusted_rand_score, v_measure_score
from sklearn.preprocessing import normalize

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic_log import labelled  # noqa: E402

import bot.review as review  # noqa: E402
from bot import FAQBot  # noqa: E402
from bot.unanswered import unanswered_reason  # noqa: E402

Labels = npt.NDArray[np.intp]


def logged_questions(lines: int, seed: int) -> tuple[list[str], list[str]]:
    """Distinct logged questions (as `review` sees them) and their needs, most frequent first."""
    bot = FAQBot.from_yaml()
    pairs = list(labelled(lines * 2, seed))
    replies = bot.ask_many([text for text, _ in pairs])
    threshold = bot.faq.thresholds.answer
    kept = [(t, need) for (t, need), r in zip(pairs, replies, strict=True)
            if unanswered_reason(r, threshold) is not None][:lines]
    counts: dict[str, list[str]] = {}
    for text, need in kept:
        counts.setdefault(review.key(text), []).append(need)
    distinct = sorted(counts, key=lambda k: -len(counts[k]))
    needs = [max(set(counts[k]), key=counts[k].count) for k in distinct]
    return distinct, [n if n != "noise" else f"noise-{i}" for i, n in enumerate(needs)]


def shipped(texts: list[str]) -> Labels:
    return review.group(review.vectorise(texts))


def shipped_words(texts: list[str]) -> Labels:
    vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit_transform(texts)
    return review.group(sparse.csr_matrix(vectors))


def birch(threshold: float) -> Callable[[list[str]], Labels]:
    def run(texts: list[str]) -> Labels:
        reduced = TruncatedSVD(100, random_state=0).fit_transform(review.vectorise(texts))
        labels: Labels = Birch(threshold=threshold, n_clusters=None).fit_predict(normalize(reduced))
        return labels
    return run


def dbscan(radius: float) -> Callable[[list[str]], Labels]:
    def run(texts: list[str]) -> Labels:
        found = DBSCAN(eps=radius, min_samples=2, metric="cosine").fit_predict(review.vectorise(texts))
        return np.where(found >= 0, found, found.max() + 1 + np.arange(len(found)))  # noise: alone
    return run


def cut(value: float) -> Callable[[list[str]], Labels]:
    def run(texts: list[str]) -> Labels:
        old, review.CUT = review.CUT, value
        try:
            return shipped(texts)
        finally:
            review.CUT = old
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000, help="log lines to generate (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    texts, needs = logged_questions(args.lines, args.seed)
    print(f"{args.lines:,} logged lines, {len(texts):,} distinct questions, "
          f"{len({n for n in needs if not n.startswith('noise')})} needs")
    methods: list[tuple[str, Callable[[list[str]], Labels]]] = [
        (f"A  agglomerative, char n-grams, cut {review.CUT} (shipped)", shipped),
        ("A' agglomerative, word 1-2-grams, same cut", shipped_words),
        *[(f"A  ... cut {c}", cut(c)) for c in (0.8, 0.85, 0.95)],
        *[(f"B  LSA + Birch, threshold {t}", birch(t)) for t in (0.5, 0.7, 0.8, 0.9)],
        *[(f"C  DBSCAN, radius {r}", dbscan(r)) for r in (0.3, 0.4, 0.5)],
    ]
    print(f"{'method':52} {'ARI':>6} {'V':>6} {'clusters':>8} {'seconds':>8}")
    for name, method in methods:
        start = time.perf_counter()
        found = method(texts)
        seconds = time.perf_counter() - start
        print(f"{name:52} {adjusted_rand_score(needs, found):6.3f} {v_measure_score(needs, found):6.3f} "
              f"{len(set(found.tolist())):8} {seconds:8.2f}")


if __name__ == "__main__":
    main()
