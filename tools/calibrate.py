"""Fit the confidence model's weights on labelled files and print them for faq.yaml.

    python tools/calibrate.py ../shared/eval/dev.jsonl ../shared/eval/clinc_oos_val.jsonl ...

For every question that reaches retrieval (not urgent, small talk or an out-of-scope facet),
the label is 1 when the top entry is an accepted answer, else 0; a logistic regression over
`bot.decide.FEATURES` then gives a confidence that is a probability of being right. The sweep
shows in-scope accuracy and false accepts at each answer threshold. `--holdout N` also fits on
a random half of the questions and scores the other half, N times: figures that flatter less.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

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
    parser.add_argument("--write", action="store_true", help="write the fitted weights into the FAQ file")
    parser.add_argument("--holdout", type=int, default=0, metavar="N",
                        help="also report N fit-on-one-half, score-the-other splits")
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
    if args.write:
        weights = {"bias": model.intercept_[0], **dict(zip(FEATURES, model.coef_[0], strict=True))}
        _write_calibration(Path(bot.faq.path), weights)
    p = model.predict_proba(x)[:, 1]
    n_in = sum(i.in_scope for i in items)
    n_out = sum(i.expect == ("fallback",) for i in items)
    print(f"\nthreshold  in-scope-right  false-accepts   (of {n_in} in-scope, {n_out} fallback)", file=sys.stderr)
    for t in np.arange(0.3, 0.95, 0.05):
        right = sum(1 for i, pi, yi in zip(keep, p, y, strict=True) if pi >= t and yi)
        fa = sum(1 for i, pi in zip(keep, p, strict=True) if pi >= t and i.expect == ("fallback",))
        print(f"  {t:.2f}      {right / n_in:6.1%}         {fa / n_out:6.1%}", file=sys.stderr)
    if args.holdout:
        threshold = bot.faq.thresholds.answer
        reached = {id(i) for i in keep}
        fitted = np.array([id(i) in reached for i in items])  # questions the model decides
        position = np.cumsum(fitted) - 1  # row of x for each item that reached it
        in_scope = np.array([i.in_scope for i in items])
        fallback = np.array([i.expect == ("fallback",) for i in items])
        rng = np.random.default_rng(0)
        results = []
        for _ in range(args.holdout):
            half = rng.permutation(len(items)) < len(items) // 2  # True: fit; False: score
            train = position[fitted & half]
            split = LogisticRegression(C=args.c, max_iter=5000).fit(x[train], y[train])
            test = fitted & ~half
            answered = np.zeros(len(items), dtype=bool)
            answered[test] = split.predict_proba(x[position[test]])[:, 1] >= threshold
            right = np.zeros(len(items), dtype=bool)
            right[test] = y[position[test]] == 1
            results.append(((answered & right & in_scope).sum() / (in_scope & ~half).sum(),
                            (answered & fallback).sum() / (fallback & ~half).sum()))
        kept, false = np.array(results).T
        print(f"\nheld out ({args.holdout} half splits, threshold {threshold}): in-scope right "
              f"{kept.mean():.1%} ± {kept.std():.1%}, false accepts {false.mean():.1%} ± {false.std():.1%}",
              file=sys.stderr)
    return 0


def _write_calibration(path: Path, weights: dict[str, float]) -> None:
    """Replace the `calibration:` block under `thresholds:` in the FAQ file, keeping the rest."""
    text = path.read_text(encoding="utf-8")
    block = "".join(f"    {name}: {value:.3f}\n" for name, value in weights.items())
    new, count = re.subn(r"(?m)^  calibration:\n(?:    .*\n)*", "  calibration:\n" + block, text, count=1)
    if count != 1:
        raise SystemExit(f"{path}: no 'thresholds: calibration:' block to replace")
    path.write_text(new, encoding="utf-8")
    print(f"wrote the weights into {path}", file=sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
