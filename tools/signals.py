"""Top-1 of each retrieval signal, and of the combination, on the in-scope items of labelled files.

    python tools/signals.py ../shared/eval/dev.jsonl ../shared/eval/dev_hard.jsonl ...

A signal's top-1 is the share of in-scope questions whose highest-scoring entry is an accepted
answer, with no threshold: how well it ranks, not whether faqbot then dares to answer.
"""

from __future__ import annotations

import argparse

import numpy as np

from bot import FAQBot
from bot.evaluate import read_labelled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--faq")
    args = parser.parse_args()
    bot = FAQBot.from_yaml(args.faq)
    items = [i for f in args.files for i in read_labelled(f)[0] if i.in_scope]
    scores = bot.index.score([i.question for i in items])
    combined = bot.decider.score_batch(scores).combined
    ids = [e.id for e in bot.faq.entries]
    signals = {"word": scores.word, "char": scores.char, "fuzzy": scores.fuzzy, "intent": scores.intent,
               "combined": combined}
    print(f"top-1 on {len(items)} in-scope questions")
    for name, matrix in signals.items():
        best = np.argmax(matrix, axis=1)
        right = sum(ids[b] in item.expect for b, item in zip(best.tolist(), items, strict=True))
        print(f"  {name:<9} {right / len(items):6.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
