"""Fit the confidence model's weights on labelled files and print them for faq.yaml.

    python tools/calibrate.py ../shared/eval/dev.jsonl ../shared/eval/clinc_oos_val.jsonl ...

For every question that reaches retrieval (not urgent, small talk or an out-of-scope facet),
the label is 1 when the top entry is an accepted answer, else 0; a logistic regression over
`bot.decide.FEATURES` then gives a confidence that is a probability of being right. The sweep
shows in-scope accuracy and false accepts at each answer threshold.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot import FAQBot
from bot.decide import FEATURES
from bot.evaluate import read_labelled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--faq")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    args = parser.parse_args()
    bot = FAQBot.from_yaml(args.faq)
    items = [i for f in args.files for i in read_labelled(f)[0]]
    scores = bot.index.score([i.question for i in items])
    d = bot.decider
    batch = d.score_batch(scores)
    rows, labels, keep = [], [], []
    for n, item in enumerate(items):
        analysis = scores.analyses[n]
        if (d.red_flags.find(analysis.text) or d.smalltalk_intent(analysis) is not None
                or analysis.out_of_scope or analysis.content == 0):
            continue
        best = bot.faq.entries[int(batch.best[n])].id
        rows.append(batch.features[n])
        labels.append(int(item.in_scope and best in item.expect))
        keep.append(item)
    x, y = np.array(rows), np.array(labels)
    model = LogisticRegression(C=args.c, max_iter=5000).fit(x, y)
    print("calibration:")
    print(f"  bias: {model.intercept_[0]:.3f}")
    for name, w in zip(FEATURES, model.coef_[0], strict=True):
        print(f"  {name}: {w:.3f}")
    p = model.predict_proba(x)[:, 1]
    n_in = sum(i.in_scope for i in items)
    n_out = sum(i.expect == ("fallback",) for i in items)
    print(f"\nthreshold  in-scope-right  false-accepts   (of {n_in} in-scope, {n_out} fallback)", file=sys.stderr)
    for t in np.arange(0.3, 0.95, 0.05):
        right = sum(1 for i, pi, yi in zip(keep, p, y, strict=True) if pi >= t and yi)
        fa = sum(1 for i, pi in zip(keep, p, strict=True) if pi >= t and i.expect == ("fallback",))
        print(f"  {t:.2f}      {right / n_in:6.1%}         {fa / n_out:6.1%}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
