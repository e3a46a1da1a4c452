"""`faqbot review LOG`: what users asked that faqbot did not answer, grouped by need.

The questions of an unanswered-questions log (`bot.unanswered`) are grouped into clusters of
the same need, biggest first; each cluster gets its size, its members, three representative
questions, the nearest entry and its score, the reasons the bot gave, and a suggestion:

- "out of scope as designed": at least half of its questions fell back on an out-of-scope
  facet (or the bot now sends them to urgent care: a red flag);
- "add as phrasing of ENTRY": otherwise, when the cluster is close to one entry: the nearest
  entry's mean score is at least `near` and at least `ONE_ENTRY` above the next entry's;
- "candidate new entry": otherwise (far from every entry, or as near to two).

How: questions that differ only in case, punctuation or spacing count as one. Each distinct
question becomes a TF-IDF vector of its words, its character n-grams (typos and word forms
still share most of them) and the out-of-scope facet the bot found in it, with document
frequencies counted over the FAQ's phrasings too (so the words of the FAQ's theme weigh
little); scikit-learn's agglomerative clustering (average linkage on cosine distance) merges
them while a cluster's questions stay on average within `CUT`. A long log is clustered
`SAMPLE` distinct questions at a time, most frequent first; the others join the cluster they
are on average as alike to as its own members, and the rest go to the next round.
docs/review.md has the measurements behind these choices. The nearest entry comes from the
bot itself: its `alternatives` for up to `ASKED` questions of the cluster.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from .unanswered import Logged

if TYPE_CHECKING:
    from .core import FAQBot
    from .reply import Reply

CUT = 0.875  # average cosine distance (1 - similarity) at which clusters stop merging
SAMPLE = 3000  # distinct questions clustered at once: a SAMPLE² distance matrix (72 MB)
REASON_WEIGHT = 0.75  # the reasons' part of a vector, beside the words' and the characters'
BLOCK = 4096  # rows compared with the cluster centres at once (bounds memory)
ASKED = 50  # questions per cluster asked to the bot for its nearest entry
NEAR = 0.45  # nearest-entry score from which a cluster is "close to one entry"...
ONE_ENTRY = 0.05  # ...when it is at least this far above the next entry's score
PICK_FROM = 200  # representatives are picked from this many of the most central questions
ALIKE = 0.7  # cosine similarity at which two questions are too alike to both represent a cluster
OUT_OF_SCOPE = 0.5  # share of out-of-scope questions that makes a cluster out of scope
OUT_OF_SCOPE_REASONS = frozenset({"unanswered-facet", "red-flag"})
_WORD = re.compile(r"\w+")

Labels = npt.NDArray[np.intp]


@dataclass(frozen=True, slots=True)
class Nearest:
    """The entry a cluster comes closest to: its id, its question and the score in [0, 1]."""

    id: str
    question: str
    score: float


@dataclass(frozen=True, slots=True)
class Cluster:
    """One need: every logged text of it (most representative first) and what to do about it."""

    size: int
    members: tuple[str, ...]
    representatives: tuple[str, ...]
    nearest: Nearest | None
    reasons: dict[str, int]  # reason → lines, most frequent first
    suggestion: str
    asked: int = 0  # distinct questions asked to the bot now
    answered_now: int = 0  # of those, how many the bot answers now
    urgent_now: int = 0  # and how many it sends to urgent care now (a red flag)

    @property
    def phrasing_of(self) -> str | None:
        """The entry id when the suggestion is to add a phrasing to it, else None."""
        return self.nearest.id if self.suggestion.startswith("add as phrasing") and self.nearest else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: size, members, nearest {id, score}, reasons, suggestion."""
        nearest = {"id": self.nearest.id, "score": self.nearest.score} if self.nearest else {"id": None, "score": 0.0}
        return {"size": self.size, "members": list(self.members), "nearest": nearest,
                "reasons": dict(self.reasons), "suggestion": self.suggestion}


def key(text: str) -> str:
    """What two logged texts must share to count as one question: words, case-folded."""
    return " ".join(_WORD.findall(text.casefold()))


def review(bot: FAQBot, logged: Sequence[Logged], *, near: float = NEAR) -> list[Cluster]:
    """The clusters of `logged`, biggest first (ties: in order of first appearance)."""
    if not logged:
        return []
    keys: dict[str, list[int]] = defaultdict(list)  # distinct question → its lines
    for n, entry in enumerate(logged):
        keys[key(entry.text) or entry.text.strip().casefold()].append(n)
    distinct = sorted(keys, key=lambda k: (-len(keys[k]), keys[k][0]))  # most frequent first
    weights = np.array([len(keys[k]) for k in distinct], dtype=np.float64)
    vectors = vectors_for(bot, distinct, [logged[keys[k][0]].reason for k in distinct])
    labels = group(vectors)
    found: list[tuple[list[int], npt.NDArray[np.float64]]] = []
    by_label = np.argsort(labels, kind="stable")
    starts = np.flatnonzero(np.diff(labels[by_label], prepend=-1))
    for rows in np.split(by_label, starts[1:]):
        w = weights[rows]
        centre = np.asarray(vectors[rows].T @ w / w.sum()).ravel()
        closeness = np.asarray(vectors[rows] @ centre).ravel()  # mean similarity to the members
        order = np.lexsort((rows, -closeness))
        central = rows[order].tolist()
        first = [central[i] for i in _diverse(vectors[central[:PICK_FROM]])]
        chosen = set(first)
        ordered = first + [r for r in central if r not in chosen]
        found.append((ordered, weights[ordered]))
    found.sort(key=lambda c: (-c[1].sum(), min(keys[distinct[r]][0] for r in c[0])))

    # the bot's view, for up to ASKED distinct questions per cluster, asked all at once
    shown = [[_usual_text(logged, keys[distinct[r]]) for r in members] for members, _ in found]
    asked = [texts[:ASKED] for texts in shown]
    replies = iter(bot.ask_many([t for texts in asked for t in texts]))
    clusters = []
    for (members, w), texts, sample in zip(found, shown, asked, strict=True):
        lines = [n for r in members for n in keys[distinct[r]]]
        now = [next(replies) for _ in sample]
        clusters.append(_cluster(bot, logged, lines, texts, now, w[:len(sample)], near))
    return clusters


def vectors_for(bot: FAQBot, texts: Sequence[str], reasons: Sequence[dict[str, str]]) -> sparse.csr_matrix:
    """The vectors `review` clusters: `texts` weighed against the FAQ's own phrasings (words
    every question of the FAQ uses count for little), with what the bot found in each."""
    phrasings = [p for e in bot.faq.entries for p in e.phrasings]
    return vectorise(texts, phrasings, [reason_words(r) for r in reasons])


def vectorise(texts: Sequence[str], background: Sequence[str] = (), reasons: Sequence[str] = ()) -> sparse.csr_matrix:
    """TF-IDF vectors, one row per text: words and character n-grams (3 to 5, within words)
    side by side, equal parts of the length, so that typos and word forms still match but a
    long word is not worth more than a short one; the inverse document frequencies count
    `background` texts too. With `reasons` (one string of words per text), a third part.
    Rows have length 1 (or 0 for a text with no term)."""
    from sklearn.preprocessing import normalize

    words = _tfidf(texts, background)
    chars = _tfidf(texts, background, analyzer="char_wb", ngram_range=(3, 5))
    blocks = [words, chars]
    if reasons:
        blocks.append(REASON_WEIGHT * _tfidf(reasons, (), token_pattern=r"\S+", lowercase=False))
    return sparse.csr_matrix(normalize(sparse.hstack(blocks, format="csr")))


def _tfidf(texts: Sequence[str], background: Sequence[str], **options: Any) -> sparse.csr_matrix:
    """Sublinear TF-IDF rows of length 1 (no columns at all when no text has a term)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(sublinear_tf=True, dtype=np.float32, **options)
    try:  # fitted on both, counted once: the first rows are the texts'
        return sparse.csr_matrix(vectoriser.fit_transform([*texts, *background]))[:len(texts)]
    except ValueError:  # "empty vocabulary": every text is punctuation or one letter
        return sparse.csr_matrix((len(texts), 0), dtype=np.float32)


def group(vectors: sparse.csr_matrix) -> Labels:
    """A cluster number for each row (rows most frequent first), numbered from 0."""
    labels = np.full(vectors.shape[0], -1, dtype=np.intp)
    pending = np.arange(vectors.shape[0])
    next_label = 0
    while pending.size:
        sample, rest = pending[:SAMPLE], pending[SAMPLE:]
        found = _agglomerate(vectors[sample])
        labels[sample] = found + next_label
        count = int(found.max()) + 1
        if rest.size:
            members = sparse.csr_matrix((np.ones(sample.size), (found, np.arange(sample.size))),
                                        shape=(count, sample.size))
            sizes = np.asarray(members.sum(axis=1)).ravel()
            centres = sparse.diags(1.0 / sizes) @ members @ vectors[sample]  # mean member vectors
            best, alike = _closest(vectors[rest], sparse.csr_matrix(centres.T))
            joins = alike >= 1.0 - CUT
            labels[rest[joins]] = best[joins] + next_label
            rest = rest[~joins]
        next_label += count
        pending = rest
    return labels


def _closest(vectors: sparse.csr_matrix, centres_t: sparse.csr_matrix) -> tuple[Labels, npt.NDArray[np.float64]]:
    """For each row, the centre it is most alike to and how alike (a block of rows at a time)."""
    best = np.empty(vectors.shape[0], dtype=np.intp)
    alike = np.empty(vectors.shape[0], dtype=np.float64)
    for start in range(0, vectors.shape[0], BLOCK):
        similarity = (vectors[start:start + BLOCK] @ centres_t).toarray()
        best[start:start + BLOCK] = similarity.argmax(axis=1)
        alike[start:start + BLOCK] = similarity.max(axis=1)
    return best, alike


def _agglomerate(vectors: sparse.csr_matrix) -> Labels:
    """Average-linkage clusters of these rows, cut at CUT, numbered from 0."""
    if vectors.shape[0] < 2:
        return np.zeros(vectors.shape[0], dtype=np.intp)
    from sklearn.cluster import AgglomerativeClustering

    distance = 1.0 - (vectors @ vectors.T).toarray()
    np.clip(distance, 0.0, 2.0, out=distance)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=CUT)
    labels: Labels = model.fit_predict(distance)
    return labels


def _diverse(vectors: sparse.csr_matrix, count: int = 3) -> list[int]:
    """Up to `count` rows, first the first, then each next row unlike those already picked
    (so the representatives are not one question with and without "hi")."""
    similarity = (vectors @ vectors.T).toarray()
    picked = [0] if vectors.shape[0] else []
    for row in range(1, vectors.shape[0]):
        if len(picked) == count:
            break
        if similarity[row, picked].max() < ALIKE:
            picked.append(row)
    return picked


def _usual_text(logged: Sequence[Logged], lines: list[int]) -> str:
    """The commonest way a distinct question was written (the first of equals)."""
    counts = Counter(" ".join(logged[n].text.split()) for n in lines)
    return counts.most_common(1)[0][0]


def _cluster(bot: FAQBot, logged: Sequence[Logged], lines: list[int], texts: list[str],
             now: list[Reply], weights: npt.NDArray[np.float64], near: float) -> Cluster:
    reasons = Counter(reason_label(logged[n].kind, logged[n].reason) for n in lines
                      if logged[n].reason.get("reason") != "unknown-words")
    unknown = [logged[n].reason.get("words", "") for n in lines if logged[n].reason.get("reason") == "unknown-words"]
    if unknown:  # one reason, with the unknown words most of its questions have
        words = Counter(w for found in unknown for w in dict.fromkeys(found.split()))
        common = sorted(words, key=lambda w: (-words[w], w))[:3]
        reasons[f"words the FAQ does not know ({', '.join(common)})"] = len(unknown)
    out_of_scope = sum(_out_of_scope(logged[n]) for n in lines) / len(lines)
    urgent_now = sum(w for w, r in zip(weights, now, strict=True) if r.kind == "urgent") / weights.sum()
    ranked = entry_scores(now, weights)
    nearest = Nearest(ranked[0][0], bot.faq.entry(ranked[0][0]).question, ranked[0][1]) if ranked else None
    return Cluster(
        size=len(lines),
        members=tuple(logged[n].text for n in lines),
        representatives=tuple(texts[:3]),
        nearest=nearest,
        reasons=dict(sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        suggestion=suggest(max(out_of_scope, urgent_now), ranked, near),
        asked=len(now),
        answered_now=sum(r.kind == "answer" for r in now),
        urgent_now=sum(r.kind == "urgent" for r in now),
    )


def suggest(out_of_scope: float, ranked: Sequence[tuple[str, float]], near: float = NEAR) -> str:
    """The suggestion for a cluster (see the module doc), from the share of its questions
    that are out of scope and its entries by mean score, best first."""
    if out_of_scope >= OUT_OF_SCOPE:
        return "out of scope as designed"
    best = ranked[0] if ranked else None
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if best is not None and best[1] >= near and round(best[1] - runner_up, 4) >= ONE_ENTRY:
        return f"add as phrasing of {best[0]}"
    return "candidate new entry"


def entry_scores(replies: Sequence[Reply], weights: npt.NDArray[np.float64]) -> list[tuple[str, float]]:
    """Entries by their mean score over `replies` (weighted), best first, from the replies'
    alternatives (an entry missing from a reply's alternatives scores 0 for it).

    A Reply that answers does not carry its own entry's score: its confidence stands in for
    it (at least the runner-up's score), and the answered entry wins ties.
    """
    scores: dict[str, float] = defaultdict(float)
    votes: dict[str, float] = defaultdict(float)
    for reply, weight in zip(replies, weights, strict=True):
        alternatives = {a.id: a.score for a in reply.alternatives}
        if reply.kind == "answer" and reply.id is not None:
            alternatives[reply.id] = max(reply.confidence, *alternatives.values())
            votes[reply.id] += weight
        elif reply.alternatives:
            votes[reply.alternatives[0].id] += weight
        for entry_id, score in alternatives.items():
            scores[entry_id] += weight * score
    total = float(weights.sum()) or 1.0
    ranked = sorted(scores, key=lambda e: (-scores[e], -votes[e], e))
    return [(e, round(float(scores[e]) / total, 4)) for e in ranked]


def reason_words(reason: dict[str, str]) -> str:
    """What the bot found in a question, as a word for its vector: the out-of-scope facet
    it named ("how much" and "dosage" ask one thing), else nothing. Not the subject, which
    the text names and which unrelated needs share ("acupuncture" and "epsom salt" questions
    are both about calf twitching); not unknown words, which are in the text already."""
    if reason.get("reason") != "unanswered-facet" or "facet" not in reason:
        return ""
    return "facet=" + reason["facet"].replace(" ", "_")


def _out_of_scope(entry: Logged) -> bool:
    return entry.kind == "urgent" or entry.reason.get("reason") in OUT_OF_SCOPE_REASONS


def reason_label(kind: str, reason: dict[str, str]) -> str:
    """A logged reason as people read it: "doses or amounts of magnesium", "low confidence"."""
    name = reason.get("reason", "")
    if name == "unanswered-facet":
        facet, subject = reason.get("facet", "an out-of-scope question"), reason.get("subject")
        return f"{facet} of {subject}" if subject else facet
    if name == "unknown-words":
        return f"words the FAQ does not know: {reason.get('words', '')}".strip()
    labels = {"low-confidence": "low confidence", "no-question": "no question found",
              "ambiguous": "unsure between two entries", "low-margin": "answered, with a low margin",
              "red-flag": "red flag"}
    if name in labels:
        return labels[name]
    if kind == "urgent":
        return "red flag"
    details = ", ".join(f"{k} {v}" for k, v in reason.items() if k != "reason")
    return " ".join(filter(None, [name.replace("-", " ") or kind, details]))
