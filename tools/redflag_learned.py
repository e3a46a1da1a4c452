"""A learned red-flag detector measured against faqbot's own (named red flags through signs).

    python tools/redflag_learned.py ../shared/eval/dev.jsonl ../shared/eval/dev_hard.jsonl ...

The learned detector is a character n-gram TF-IDF and logistic regression fitted on the FAQ's
red-flag phrases (every language) against its entries' phrasings; a message is urgent when
its probability reaches a threshold. For each file and threshold it prints the red flags
found and the false alarms of "faqbot's matcher or the classifier", then of the matcher
alone: what a learned component would add on top of it.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from bot import FAQBot
from bot.knowledge import red_flag_phrases
from bot.normalise import clean

THRESHOLDS = (0.5, 0.7, 0.9, 0.97, 0.99)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", help="labelled JSONL files (q, expect)")
    parser.add_argument("--faq")
    args = parser.parse_args()
    bot = FAQBot.from_file(args.faq)
    faq = bot.faq
    positive = [clean(p.replace(" + ", " ")) for phrases in red_flag_phrases(faq).values() for p in phrases]
    negative = [clean(p) for e in faq.entries for p in e.phrasings]
    negative += [clean(p) for lang in faq.languages.values() for t in lang.entries.values() for p in t.phrasings]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    features = vectorizer.fit_transform(positive + negative)
    labels = np.r_[np.ones(len(positive)), np.zeros(len(negative))]
    model = LogisticRegression(C=10, max_iter=2000, class_weight="balanced").fit(features, labels)
    rows = []
    for path in args.files:
        with open(path, encoding="utf-8") as handle:
            items = [d for d in map(json.loads, handle) if "q" in d]
        questions = [d["q"] for d in items]
        urgent = np.array(["urgent" in d["expect"] for d in items])
        matched = np.array([r.kind == "urgent" for r in bot.ask_many(questions)])
        learned = model.predict_proba(vectorizer.transform([clean(q) for q in questions]))[:, 1]
        rows.append((path.rsplit("/", 1)[-1], urgent, matched, learned))
    for threshold in (*THRESHOLDS, None):
        label = f"or classifier >= {threshold}" if threshold is not None else "matcher alone"
        print(label)
        for name, urgent, matched, learned in rows:
            found = matched | (learned >= threshold) if threshold is not None else matched
            print(f"  {name:28} red flags {found[urgent].sum()} / {urgent.sum()}, "
                  f"false alarms {found[~urgent].sum()} / {(~urgent).sum()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
