"""Which clustering groups logged questions by need best: the measurement behind `bot.review`.

A labelled synthetic log (`synthetic_log.py`: twelve needs plus one-off noise questions, as
the bundled FAQ logs them) is clustered by
  A. what `faqbot review` does: TF-IDF character n-grams, agglomerative clustering
     (average linkage, cosine distance, cut at `CUT`), a sample at a time for long logs;
  B. Birch on the same vectors reduced to 100 dimensions by truncated SVD (LSA), the usual
     choice for large data, at several thresholds;
  C. DBSCAN on the same TF-IDF vectors, cosine distance, at several radii.
Printed per method: adjusted Rand index and V-measure against the needs (noise questions
each count as their own need), clusters found, seconds; and the adjusted Rand index on two
small hand-written logs of four needs each. Also A without each of its parts and at other
cuts, to show the choice of features and cut.

Run: python benchmarks/cluster_choice.py [--lines N]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
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

import synthetic_log  # noqa: E402
from synthetic_log import labelled  # noqa: E402

import bot.review as review  # noqa: E402
from bot import FAQBot  # noqa: E402
from bot.unanswered import unanswered_reason  # noqa: E402

Labels = npt.NDArray[np.intp]

# Two small logs written by hand (four needs each, six wordings per need): less regular than the
# templates, and with needs that share words ("magnesium" in doses and in chocolate).
HANDWRITTEN: list[dict[str, list[str]]] = [
    {
        "dose": [
            "how much magnesium should i take a day",
            "what is a safe daily dose of magnesium",
            "magnesium dosage for adults",
            "how many mg of magnesium per day",
            "whats the right magnesium dose for cramps",
            "How much magnesium is too much per day?",
        ],
        "chocolate": [
            "is there magnesium in dark chocolate",
            "does chocolate have magnesium",
            "dark chocolate magnesium",
            "is there any magnesium in chocolate?",
            "does dark chocolate contain magnesium",
            "how about chocolate for magnesium",
        ],
        "ashwagandha": [
            "does ashwagandha help calf twitching",
            "ashwagandha for muscle twitches",
            "should i try ashwagandha for my twitching",
            "can ashwagandha stop twitches",
            "is ashwagandha good for twitchy calves",
            "Ashwagandha and twitching?",
        ],
        "socks": [
            "do compression socks help calf twitching",
            "compression socks for twitching calves",
            "should i wear compression stockings at night for twitching",
            "will compression socks stop my calves twitching",
            "are compression sleeves good for calf twitches",
            "compression socks twitching",
        ],
    },
    {
        "vitamin-d-dose": [
            "how much vitamin d should i take",
            "vitamin d dosage per day",
            "how many IU of vitamin d daily",
            "what is a safe amount of vitamin d",
            "vitamin d dose for adults",
            "how much vitamin d is too much",
        ],
        "potassium-in-avocado": [
            "is there potassium in avocado",
            "does avocado have potassium",
            "avocado potassium",
            "are avocados high in potassium",
            "do avocados contain potassium",
            "is avocado a potassium food",
        ],
        "epsom-salt": [
            "do epsom salt baths help calf twitching",
            "epsom salt soak for twitching calves",
            "should i try an epsom salt bath for twitches",
            "epsom salts and muscle twitching",
            "is an epsom bath good for twitchy legs",
            "will epsom salt stop twitching",
        ],
        "acupuncture": [
            "can acupuncture help calf twitching",
            "acupuncture for muscle twitches",
            "does acupuncture stop twitching calves",
            "should i try acupuncture for my twitching",
            "is acupuncture good for fasciculations",
            "acupuncture and twitching?",
        ],
    },
]


@dataclass(frozen=True)
class Log:
    """The distinct logged questions (as `review` sees them, most frequent first), the
    reason logged for each, and the need each was written for."""

    texts: list[str]
    reasons: list[dict[str, str]]
    needs: list[str]


def logged_questions(bot: FAQBot, lines: int, seed: int) -> Log:
    pairs = list(labelled(lines * 2, seed))
    replies = bot.ask_many([text for text, _ in pairs])
    threshold = bot.faq.thresholds.answer
    kept = [(t, need, reason) for (t, need), r in zip(pairs, replies, strict=True)
            if (reason := unanswered_reason(r, threshold)) is not None][:lines]
    found: dict[str, list[tuple[str, dict[str, str]]]] = {}
    for text, need, reason in kept:
        found.setdefault(review.key(text), []).append((need, reason))
    distinct = sorted(found, key=lambda k: -len(found[k]))
    needs = [max({n for n, _ in found[k]}, key=[n for n, _ in found[k]].count) for k in distinct]
    return Log(distinct, [found[k][0][1] for k in distinct],
               [n if n != "noise" else f"noise-{i}" for i, n in enumerate(needs)])


def handwritten(bot: FAQBot, needs: dict[str, list[str]]) -> Log:
    """A hand-written log as the bot logs it (the questions it does not answer well)."""
    texts, reasons, labels = [], [], []
    threshold = bot.faq.thresholds.answer
    for need, questions in needs.items():
        for text, reply in zip(questions, bot.ask_many(questions), strict=True):
            reason = unanswered_reason(reply, threshold)
            if reason is not None:
                texts.append(review.key(text))
                reasons.append(reason)
                labels.append(need)
    return Log(texts, reasons, labels)


Method = Callable[[FAQBot, Log], Labels]


def shipped(bot: FAQBot, log: Log) -> Labels:
    return review.group(review.vectors_for(bot, log.texts, log.reasons))


def without_reasons(bot: FAQBot, log: Log) -> Labels:
    phrasings = [p for e in bot.faq.entries for p in e.phrasings]
    return review.group(review.vectorise(log.texts, phrasings))


def without_background(bot: FAQBot, log: Log) -> Labels:
    return review.group(review.vectorise(log.texts, (), [review.reason_words(r) for r in log.reasons]))


def words_only(bot: FAQBot, log: Log) -> Labels:
    vectors = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32).fit_transform(log.texts)
    return review.group(sparse.csr_matrix(vectors))


def birch(threshold: float) -> Method:
    def run(bot: FAQBot, log: Log) -> Labels:
        reduced = TruncatedSVD(100, random_state=0).fit_transform(review.vectors_for(bot, log.texts, log.reasons))
        labels: Labels = Birch(threshold=threshold, n_clusters=None).fit_predict(normalize(reduced))
        return labels
    return run


def dbscan(radius: float) -> Method:
    def run(bot: FAQBot, log: Log) -> Labels:
        vectors = review.vectors_for(bot, log.texts, log.reasons)
        found = DBSCAN(eps=radius, min_samples=2, metric="cosine").fit_predict(vectors)
        return np.where(found >= 0, found, found.max() + 1 + np.arange(len(found)))  # noise: alone
    return run


def cut(value: float) -> Method:
    def run(bot: FAQBot, log: Log) -> Labels:
        old, review.CUT = review.CUT, value
        try:
            return shipped(bot, log)
        finally:
            review.CUT = old
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=5000, help="log lines per run (default 5000)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3], help="one log per seed")
    args = parser.parse_args()
    bot = FAQBot.from_yaml()
    logs = [logged_questions(bot, args.lines, seed) for seed in args.seeds]
    print(f"{len(logs)} logs of {args.lines:,} lines ({', '.join(f'{len(g.texts):,}' for g in logs)} distinct "
          f"questions), {len(synthetic_log.NEEDS)} needs and one-off questions")
    methods: list[tuple[str, Method]] = [
        (f"A  agglomerative, cut {review.CUT} (shipped)", shipped),
        ("A  ... without the out-of-scope reasons", without_reasons),
        ("A  ... without the FAQ's phrasings as background", without_background),
        ("A  ... word 1-2-grams only", words_only),
        *[(f"A  ... cut {c}", cut(c)) for c in (0.8, 0.85, 0.9, 0.925)],
        *[(f"B  LSA + Birch, threshold {t}", birch(t)) for t in (0.6, 0.7, 0.8, 0.9)],
        *[(f"C  DBSCAN, radius {r}", dbscan(r)) for r in (0.3, 0.4, 0.5)],
    ]
    small = [handwritten(bot, needs) for needs in HANDWRITTEN]
    print(f"{'method':50} {'ARI mean':>8} {'min':>6} {'V mean':>7} {'clusters':>8} {'seconds':>8}"
          f" {'hand-written':>13}")
    for name, method in methods:
        aris, vs, counts, seconds = [], [], [], 0.0
        for log in logs:
            start = time.perf_counter()
            found = method(bot, log)
            seconds += time.perf_counter() - start
            aris.append(adjusted_rand_score(log.needs, found))
            vs.append(v_measure_score(log.needs, found))
            counts.append(len(set(found.tolist())))
        by_hand = " ".join(f"{adjusted_rand_score(g.needs, method(bot, g)):6.3f}" for g in small)
        print(f"{name:50} {np.mean(aris):8.3f} {min(aris):6.3f} {np.mean(vs):7.3f} "
              f"{np.mean(counts):8.0f} {seconds / len(logs):8.2f} {by_hand}")


if __name__ == "__main__":
    main()
