"""From scores to a `Reply`: red flags, small talk, out-of-scope facets, confidence, thresholds.

The confidence is a logistic model over a handful of retrieval features; its weights and the
thresholds live in `faq.yaml` (`calibration:`, `thresholds:`) with the defaults below, which
were fitted on the development sets (see README, "Accuracy").
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .knowledge import FAQ
from .normalise import ConceptMapper, tokens
from .redflags import RedFlags
from .reply import Alternative, Reply
from .retrieve import FACET, SUBJECT, SYNONYM, Analysis, Index, Scores

# How the per-entry similarity is made from its parts.
SCORE_WEIGHTS = {"word": 0.45, "char": 0.2, "fuzzy": 0.2, "subject": 0.12, "facet": 0.03}

# Logistic-model weights for the confidence: feature name → weight ("bias" is the intercept).
DEFAULT_CALIBRATION: dict[str, float] = {
    "bias": -6.0,
    "top": 9.0,
    "word": 0.0,
    "char": 0.0,
    "fuzzy": 0.0,
    "margin": 4.0,
    "unknown_fraction": -4.0,
    "unknown_count": -0.8,
    "subject_named": 0.5,
    "subject_agrees": 1.0,
    "facet_agrees": 0.0,
    "domain": 1.5,
    "oos_gap": -3.0,
    "unknown_beside_subject": -1.0,
}
FEATURES = tuple(k for k in DEFAULT_CALIBRATION if k != "bias")



@dataclass(frozen=True, slots=True)
class Decider:
    """Turns a question's analysis and scores into a Reply; immutable, shareable."""

    faq: FAQ
    index: Index
    calibration: dict[str, float]
    entry_subjects: tuple[frozenset[str], ...]
    entry_facets: tuple[str, ...]
    red_flags: RedFlags
    smalltalk: ConceptMapper
    smalltalk_replies: dict[str, str]
    default_facet: str | None

    @classmethod
    def build(cls, faq: FAQ, index: Index) -> Decider:
        urgent = faq.urgent
        return cls(
            faq=faq,
            index=index,
            calibration={**DEFAULT_CALIBRATION, **faq.calibration},
            entry_subjects=tuple(frozenset(e.subjects) for e in faq.entries),
            entry_facets=tuple(e.facet for e in faq.entries),
            red_flags=RedFlags(urgent.red_flags, urgent.negations) if urgent else RedFlags((), ()),
            smalltalk=ConceptMapper({s.id: s.patterns for s in faq.smalltalk}),
            smalltalk_replies={s.id: s.reply for s in faq.smalltalk},
            default_facet=next((n for n, f in faq.facets.items() if f.default), None),
        )

    # -- before retrieval -------------------------------------------------------------------

    def smalltalk_intent(self, analysis: Analysis) -> str | None:
        """The small-talk intent when the whole message is small talk, else None."""
        mapped = self.smalltalk.map(list(tokens(analysis.text)))
        intents = [w for w in mapped if w in self.smalltalk_replies]
        rest = [w for w in mapped if w not in self.smalltalk_replies]
        if intents and all(w in self.index.stopwords for w in rest):
            return intents[-1]
        return None

    # -- after retrieval --------------------------------------------------------------------

    def combined(self, scores: Scores, row: int) -> np.ndarray:
        """One similarity per entry for question `row`, structure-aware.

        Entries about the subjects the question names, and telling the facet it asks for,
        are lifted; the others are pushed down. A subject named with no facet (or with a
        facet no entry tells about it) asks for the default facet ("hypomagnesemia").
        """
        analysis = scores.analyses[row]
        w = SCORE_WEIGHTS
        total = w["word"] * scores.word[row] + w["char"] * scores.char[row] + w["fuzzy"] * scores.fuzzy[row]
        asked = analysis.facets
        weights = {s: self.index.subject_weight[s] for s in analysis.subjects}
        named = sum(weights.values())
        if named > 0.2:
            agree = np.fromiter(
                (sum(v for s, v in weights.items() if s in subjects) for subjects in self.entry_subjects),
                float,
            )
            total = total + w["subject"] * (2.0 * agree / named - 1.0)
            told = {f for f, a in zip(self.entry_facets, agree, strict=True) if a > 0}
            if (asked and not asked & told) or (not asked and len(analysis.words) <= 2):
                asked = frozenset({self.default_facet}) if self.default_facet else asked
        if asked:
            agree_facet = np.fromiter((f in asked for f in self.entry_facets), bool)
            total = total + w["facet"] * np.where(agree_facet, 1.0, -1.0)
        return np.clip(total, 0.0, 1.0)

    def features(self, scores: Scores, row: int, combined: np.ndarray) -> dict[str, float]:
        """The numbers the confidence model reads."""
        analysis = scores.analyses[row]
        order = np.argsort(-combined, kind="stable")
        top, second = float(combined[order[0]]), float(combined[order[1]]) if len(order) > 1 else 0.0
        unknown = len(analysis.unknown)
        best = int(order[0])
        return {
            "top": top,
            "word": float(scores.word[row, best]),
            "char": float(scores.char[row, best]),
            "fuzzy": float(scores.fuzzy[row, best]),
            "margin": top - second,
            "unknown_fraction": unknown / max(analysis.content, 1),
            "unknown_count": float(min(unknown, 3)),
            "subject_named": float(bool(analysis.subjects)),
            "subject_agrees": float(bool(analysis.subjects & self.entry_subjects[best])),
            "facet_agrees": float(self.entry_facets[best] in analysis.facets),
            "domain": float(any(w.startswith((SUBJECT, FACET, SYNONYM)) for w in analysis.words)),
            "oos_gap": float(scores.out_of_scope[row] - scores.word[row, order[0]]),
            "unknown_beside_subject": float(_unknown_beside_subject(analysis)),
        }

    def confidence(self, features: dict[str, float]) -> float:
        z = self.calibration["bias"] + sum(self.calibration[k] * features[k] for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))

    def decide(self, scores: Scores, row: int) -> Reply:
        """The reply to question `row` of a scored batch."""
        analysis = scores.analyses[row]
        if self.red_flags.urgent(analysis.text):
            return self._urgent()
        intent = self.smalltalk_intent(analysis)
        if intent is not None:
            return Reply("smalltalk", intent, self.smalltalk_replies[intent], 1.0)
        if analysis.content == 0:
            return self._fallback(0.0, (), {"reason": "no-question"})
        combined = self.combined(scores, row)
        order = np.argsort(-combined, kind="stable")[:3]
        alternatives = tuple(
            Alternative(self.faq.entries[i].id, self.faq.entries[i].question, round(float(combined[i]), 4))
            for i in order
        )
        if analysis.out_of_scope:
            facet = self.faq.out_of_scope_facets[sorted(analysis.out_of_scope)[0]]
            reason = {"reason": "unanswered-facet", "facet": facet.label}
            if analysis.subjects:
                reason["subject"] = self.faq.subjects[sorted(analysis.subjects)[0]].label
            return self._fallback(0.0, alternatives, reason)
        conf = self.confidence(self.features(scores, row, combined))
        thresholds = self.faq.thresholds
        best = self.faq.entries[order[0]]
        if conf >= thresholds.answer:
            return Reply("answer", best.id, best.answer, conf, alternatives[1:])
        if conf >= thresholds.clarify and len(order) > 1 and (
            combined[order[0]] - combined[order[1]] < thresholds.margin
        ):
            return self._clarify(conf, alternatives)
        reason = {"reason": "unknown-words", "words": " ".join(analysis.unknown)} if analysis.unknown else {"reason": "low-confidence"}
        return self._fallback(conf, alternatives, reason)

    def _urgent(self) -> Reply:
        message = self.faq.urgent.message if self.faq.urgent else self.faq.fallback
        return Reply("urgent", None, message, 1.0)

    def _fallback(self, conf: float, alternatives: tuple[Alternative, ...], reason: dict[str, str]) -> Reply:
        return Reply("fallback", None, self.faq.fallback, conf, alternatives, reason)

    def _clarify(self, conf: float, alternatives: tuple[Alternative, ...]) -> Reply:
        choices = alternatives[:2]
        lines = ["I'm not sure which of these you mean:"]
        lines += [f"{n}. {a.question}" for n, a in enumerate(choices, 1)]
        lines.append("Reply with a number, or ask in other words.")
        return Reply("clarify", None, "\n".join(lines), conf, choices)


def _unknown_beside_subject(analysis: Analysis) -> bool:
    """An unknown word right next to a subject: a compound name such as "magnesium hydroxide"
    or "calcium pyrophosphate arthritis" names something else than the subject itself."""
    words, unknown = analysis.words, set(analysis.unknown)
    return any(
        w.startswith(SUBJECT) and unknown.intersection(words[max(0, i - 1) : i + 2])
        for i, w in enumerate(words)
    )
