"""Fit the confidence model's weights on labelled files and print them for faq.yaml.

    python tools/calibrate.py ../shared/eval/dev.jsonl ../shared/eval/clinc_oos_val.jsonl ...

For every question that reaches retrieval (not urgent, small talk or an out-of-scope facet),
the label is 1 when the top entry is an accepted answer, else 0; a logistic regression over
`bot.decide.FEATURES` then gives a confidence that is a probability of being right. The sweep
shows in-scope accuracy and false accepts at each answer threshold. `--holdout N` also fits on
a random half of the questions and scores the other half, N times: figures that flatter less.

`--ranking` first fits how an entry's score is made (`thresholds: ranking`): a conditional logit
over the entries, whose score is the weighted sum of `Decider.ranking_terms`, fitted to put an
accepted answer of each in-scope question first; the confidence model is then fitted on the
new scores. It prints each signal's top-1 and the combination's, before and after.

`--plain` fits the model of FAQs without their own (`bot/plain_model.yaml`): on the bundled
FAQ stripped to a plain one (each entry's question, alternatives and answer, nothing else),
asked the labelled questions in this repository's tests/data (or the files given):

    python tools/calibrate.py --plain --write
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from bot import FAQBot
from bot.convert import write_faq
from bot.evaluate import Item, read_labelled
from bot.knowledge import FAQ, load_faq
from bot.model import FEATURES, PLAIN_MODEL, RANKING
from bot.retrieve import Scores

REPO = Path(__file__).resolve().parent.parent
RANKING_SCALE = 20.0  # how sharply the fitted scores pick one entry (scores are in about [0, 1])
RANKING_PULL = 0.1  # how strongly the fit keeps to the current weights where the data says little
# the repository's own labelled questions, written for this project (shareable, unlike ../shared)
PLAIN_DATA = sorted(str(p) for p in (REPO / "tests" / "data").glob("*.jsonl") if "dialogues" not in p.name)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--faq")
    parser.add_argument("--plain", action="store_true",
                        help="fit the plain FAQs' model (bot/plain_model.yaml) on the bundled FAQ made plain")
    parser.add_argument("--no-intent", action="store_true",
                        help="fit as for a FAQ without the learned ranking (with --plain: the model's "
                             "without_intent variant, for FAQs over bot.model.MAX_INTENT_ENTRIES entries)")
    parser.add_argument("--c", type=float, default=1.0, help="inverse regularisation strength")
    parser.add_argument("--ranking", action="store_true",
                        help="also fit the ranking weights (thresholds: ranking) before the confidence model")
    parser.add_argument("--write", action="store_true", help="write the fitted weights into the FAQ file")
    parser.add_argument("--holdout", type=int, default=0, metavar="N",
                        help="also report N fit-on-one-half, score-the-other splits")
    args = parser.parse_args()
    if args.plain:
        work = tempfile.TemporaryDirectory()
        plain = Path(work.name) / "plain.yaml"
        write_faq(_plain(load_faq(args.faq)), plain)
        bot, target, files = FAQBot.from_file(plain), PLAIN_MODEL, args.files or PLAIN_DATA
    else:
        bot = FAQBot.from_file(args.faq)
        target, files = Path(bot.faq.path), args.files
    if not files:
        parser.error("name the labelled files to fit on")
    if args.no_intent:
        bot.index.intent = None  # scored as a FAQ too big for the learned ranking is
    items = [i for f in files for i in read_labelled(f)[0]]
    scores = bot.index.score([i.question for i in items])
    d = bot.decider
    ranking = _fit_ranking(bot, items, scores) if args.ranking else None
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
        _write_calibration(target, weights, nested=args.plain and args.no_intent)
        if ranking is not None:
            _write_block(target, "ranking", ranking, nested=args.plain and args.no_intent)
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


def _plain(faq: FAQ) -> FAQ:
    """`faq` with its entries' English questions, alternatives and answers only."""
    from dataclasses import replace

    entries = tuple(replace(e, subjects=(), facet="", section="", related=()) for e in faq.entries)
    return FAQ(path=faq.path, fallback=faq.fallback, entries=entries, subjects={}, facets={}, synonyms={},
               out_of_scope_facets={}, out_of_scope_examples=(), urgent=None, smalltalk=())


def _write_calibration(path: Path, weights: dict[str, float], nested: bool = False) -> None:
    """Put the weights in the FAQ file's `thresholds: calibration:` block (see `_write_block`)."""
    _write_block(path, "calibration", weights, nested)


def _write_block(path: Path, name: str, weights: Mapping[str, float], nested: bool = False) -> None:
    """Put the weights in the FAQ file's `thresholds: <name>:` block, keeping the rest: the
    block is replaced, or added under `thresholds:`, or added with it at the end of the file."""
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise SystemExit(f"{path}: the weights go into a YAML FAQ; write one with "
                         f"'faqbot convert {path} -o {path.with_suffix('.yaml')}' and fit that")
    text = path.read_text(encoding="utf-8")
    if nested:  # the plain model's without_intent variant, one level deeper
        block = f"    {name}:\n" + "".join(f"      {key}: {value:.3f}\n" for key, value in weights.items())
        new, count = re.subn(rf"(?m)^    {name}:\n(?:      .*\n)*", block, text, count=1)
        if count != 1:
            raise SystemExit(f"{path}: no 'without_intent: thresholds: {name}:' block to replace")
        path.write_text(new, encoding="utf-8")
        print(f"wrote the {name} weights into {path} (without_intent)", file=sys.stderr)
        return
    block = f"  {name}:\n" + "".join(f"    {key}: {value:.3f}\n" for key, value in weights.items())
    new, count = re.subn(rf"(?m)^  {name}:\n(?:    .*\n)*", block, text, count=1)
    if count != 1:
        new, count = re.subn(r"(?m)^thresholds:[ \t]*\n", lambda m: m[0] + block, text, count=1)
    if count != 1:
        if re.search(r"(?m)^thresholds:", text) or not re.search(r"(?m)^entries:", text):
            raise SystemExit(f"{path}: no 'thresholds:' block to put the weights in, nor a place to add one")
        new = text + ("" if text.endswith("\n") else "\n") + "thresholds:\n" + block
    path.write_text(new, encoding="utf-8")
    print(f"wrote the {name} weights into {path}", file=sys.stderr)


def _fit_ranking(bot: FAQBot, items: list[Item], scores: Scores) -> dict[str, float]:
    """Ranking weights (`bot.model.RANKING`) fitted on the in-scope items, set on `bot`.

    A conditional logit: each question's entries get the softmax of their weighted ranking
    terms (sharpened by `RANKING_SCALE`), and the weights maximise the probability of the
    accepted answers, pulled towards the current weights (`RANKING_PULL`), none below 0.
    """
    from scipy.optimize import minimize

    decider = bot.decider
    ids = [e.id for e in bot.faq.entries]
    terms = decider.ranking_terms(scores)[0]
    inside = np.array([i.in_scope for i in items])
    accepted = np.array([[e in i.expect for e in ids] for i in items], dtype=float)[inside]
    terms = terms[inside]
    start = decider.ranking_weights.copy()

    def loss(weights: np.ndarray) -> float:
        logits = RANKING_SCALE * (terms @ weights)
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        right = (p * accepted).sum(axis=1) / p.sum(axis=1)
        return float(-np.mean(np.log(right + 1e-12)) + RANKING_PULL * np.sum((weights - start) ** 2))

    fitted = minimize(loss, start, method="L-BFGS-B", bounds=[(0.0, None)] * len(RANKING)).x
    signals = {name: terms[..., k] for k, name in enumerate(RANKING[:4])}
    signals.update({"combined before": terms @ start, "combined after": terms @ fitted})
    print(f"top-1 on {int(inside.sum())} in-scope questions", file=sys.stderr)
    for name, matrix in signals.items():
        right = accepted[np.arange(len(accepted)), np.argmax(matrix, axis=1)].mean()
        print(f"  {name:16} {right:6.1%}", file=sys.stderr)
    weights = {name: round(float(w), 3) for name, w in zip(RANKING, fitted, strict=True)}
    print("ranking:\n" + "".join(f"  {name}: {w:.3f}\n" for name, w in weights.items()))
    decider.ranking = weights
    decider.ranking_weights = np.array([weights[name] for name in RANKING])
    return weights


if __name__ == "__main__":
    raise SystemExit(main())
