"""The confidence model by name: the features it reads, and where plain FAQs get theirs.

A FAQ's `thresholds:` section holds its model: thresholds, the `ranking:` weights that make
one score per entry from the retrieval signals (`RANKING`), and the `calibration:` weights of
the confidence model, one per feature plus "bias", fitted by `tools/calibrate.py` on
labelled questions. Weights a FAQ does not give, or all of them for a FAQ without the
section, come from `plain_model.yaml`, fitted on plain question-and-answer FAQs (its
`without_intent` variant for FAQs too big for the learned ranking).
"""

from __future__ import annotations

from pathlib import Path

# What the confidence model reads about a question and its best entry (see `bot.decide`).
FEATURES = (
    "top", "word", "char", "fuzzy", "margin", "unknown_fraction", "unknown_count", "subject_named",
    "subject_agrees", "facet_agrees", "domain", "oos_gap", "unknown_beside_subject", "unknown_long",
    "unexplained", "intent", "intent_agrees", "intent_out", "specific_unnamed", "unexplained_information",
)
CALIBRATION_NAMES = frozenset({"bias", *FEATURES})
# How an entry's score is made (see `bot.decide.Decider._combine`): the weights of the word,
# character and fuzzy similarities and of the learned ranking, the lift for agreeing with the
# subjects and the facet a question names, and the push down of entries about one subject
# for questions that name none.
RANKING = ("word", "char", "fuzzy", "intent", "subject", "facet", "unnamed")
PLAIN_MODEL = Path(__file__).with_name("plain_model.yaml")
# past this many entries no learned ranking is fitted (its weights get large; retrieval alone
# ranks them), and a plain FAQ uses the plain model's `without_intent` variant
MAX_INTENT_ENTRIES = 3000


def uses_intent(entries: int, out_of_scope_examples: int) -> bool:
    """Is a FAQ with this many entries and out-of-scope examples ranked with the learned
    intent model? Its classes are the entries, plus one for the examples when there are any:
    it needs two classes to tell apart, and at most `MAX_INTENT_ENTRIES` entries."""
    return entries <= MAX_INTENT_ENTRIES and entries + (out_of_scope_examples > 0) >= 2
