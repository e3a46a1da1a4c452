"""A synthetic log of unanswered questions, labelled with the need each question comes from.

Thirteen needs the bundled FAQ does not answer (doses, magnesium in one food, pregnancy, herbs,
statins, restless legs, ...), each written as templates with slots, then varied the way people type: fillers,
lower case, missing question marks, one-letter typos. Some one-off questions on nothing in
particular are mixed in as noise. Used by `bench_review.py` (a 100,000-line log) and by
`cluster_choice.py` (which clustering groups the needs best).

Run: python benchmarks/synthetic_log.py OUT.jsonl [--lines N] [--seed S]
"""

from __future__ import annotations

import argparse
import itertools
import random
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot import FAQBot, UnansweredLog  # noqa: E402

# need → templates; {a|b|c} picks one of the choices
NEEDS: dict[str, list[str]] = {
    "magnesium-dose": [
        "how much magnesium should i {take|have} {a day|per day|daily|each day}",
        "what is {the right|a safe|the usual|the recommended} {dose|dosage} of magnesium",
        "how many mg of magnesium {a day|per day|daily} {for adults|for a woman|for a man|}",
        "magnesium {dose|dosage} {for cramps|for twitching|per day|for adults}",
        "is {200|300|400|500} mg of magnesium {too much|enough|safe}",
    ],
    "magnesium-in-a-food": [
        "is there magnesium in {chocolate|dark chocolate|oats|quinoa|cashews|edamame|almonds}",
        "does {chocolate|dark chocolate|oats|quinoa|cashews|edamame} have {magnesium|any magnesium}",
        "{chocolate|dark chocolate|oats|quinoa|cashews|edamame} {and|for} magnesium",
        "where do i find magnesium in the {supermarket|shops|grocery store}",
    ],
    "pregnancy": [
        "{is|can} calf twitching {normal|a problem|dangerous} {in|during} pregnancy",
        "my calf {twitches|keeps twitching|jumps} since i {got|am} pregnant",
        "calf twitching {while|when} pregnant {third trimester|second trimester|at night|}",
        "{i am|i'm} {pregnant|expecting} and my {calves|calf muscles} twitch {a lot|all day|at night}",
    ],
    "ashwagandha": [
        "{does|can|will} ashwagandha {help|stop|reduce} {calf twitching|my twitching|muscle twitches}",
        "ashwagandha for {twitching|muscle twitches|calf twitches|cramps}",
        "{should i|can i} take ashwagandha {for my calves|for twitching|for muscle jumps}",
        "is ashwagandha {good|useful|safe} for {twitching muscles|calf spasms|fasciculations}",
    ],
    "statins": [
        "{can|do} statins {cause|give you} {calf twitching|muscle twitches|twitchy calves}",
        "{i take|i'm on|started} {atorvastatin|simvastatin|a statin} and my calf twitches",
        "statin {side effects|side effect} {twitching|calf twitching|muscle jumping}",
        "{is|could} my cholesterol {medicine|medication|statin} {behind|causing} the twitching",
    ],
    "restless-legs": [
        "is {this|it|my twitching} restless legs syndrome",
        "restless legs {or|vs|versus} calf twitching {what is the difference|difference|}",
        "{does|do} restless legs {cause|mean} twitching {at night|in bed|}",
        "{how do i know|how can i tell} if i have restless legs",
    ],
    "compression-socks": [
        "{do|will|would} compression socks {help|stop|reduce} {calf twitching|the twitching|twitches}",
        "compression {socks|stockings|sleeves} for {twitching calves|calf twitching|muscle twitch}",
        "should i wear compression {socks|stockings} {at night|during the day|to bed} for twitching",
    ],
    "massage-gun": [
        "{can|should} i use a massage gun on {my twitching calf|my calf|a twitching muscle}",
        "{does|will} a massage gun {help|stop|fix} {calf twitching|twitching|twitches}",
        "massage gun {for|on} {calf twitches|twitching calves|muscle twitching}",
        "is {percussion|deep tissue} massage {good|bad|ok} for {a twitching calf|twitching}",
    ],
    "keto": [
        "{can|does} {the keto diet|keto|going keto} {cause|trigger} {calf twitching|twitching|muscle twitches}",
        "keto {flu|diet} {and|with} {twitching calves|calf twitching|muscle twitches}",
        "{started|since starting|after starting} keto my {calves|calf} {twitch|keep twitching}",
    ],
    "marathon": [
        "calf twitching after {a marathon|running a marathon|a long run|my first marathon}",
        "{why do|why does} my {calves|calf} twitch after {running|a marathon|long runs}",
        "{is|are} {twitching|calf twitches} after a marathon {normal|ok|a concern}",
    ],
    "children": [
        "my {son's|daughter's|kid's|child's} calf {twitches|keeps twitching|is twitching}",
        "{is|can} calf twitching {normal|common} in {children|kids|toddlers|teenagers}",
        "{should i worry|do i worry} about my {toddler|child|kid} having {twitchy calves|calf twitches}",
    ],
    "alcohol": [
        "{can|does} {alcohol|drinking|beer|wine} {cause|make} {calf twitching|twitching worse|twitches}",
        "calf twitching after {drinking|a night out|alcohol|a hangover}",
        "{is|could} {my drinking|alcohol} {behind|the reason for} my calf twitches",
    ],
    "vaccine": [
        "calf twitching after {the|my} {covid|flu|booster} {vaccine|shot|jab}",
        "{can|does} {the covid vaccine|a vaccine|the booster} cause {calf twitching|twitching|muscle twitches}",
        "{twitching|twitches} {since|after} {my vaccine|the jab|vaccination}",
    ],
}
NOISE = [
    "what is the weather {today|tomorrow|in london}", "{tell|give} me a joke",
    "who won the {football|match|game} {yesterday|last night}", "how do i {reset|change} my password",
    "what time is it in {tokyo|new york|paris}", "{recommend|suggest} a good {book|film|restaurant}",
    "how tall is the {eiffel tower|empire state building}", "translate hello into {french|german}",
]
FILLERS = ["", "", "", "hi ", "quick question: ", "hey, ", "hello bot, ", "um ", "so "]
ENDINGS = ["", "", "?", "?", "??", " thanks", " please", ".", " pls"]
NOISE_SHARE = 0.05


def expand(template: str, rng: random.Random) -> str:
    """One wording of a template: each {a|b} replaced by a random choice, spaces tidied."""
    out, rest = [], template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        choices, _, rest = tail.partition("}")
        out += [head, rng.choice(choices.split("|"))]
    out.append(rest)
    return " ".join("".join(out).split())


def typo(text: str, rng: random.Random) -> str:
    """The text with one letter dropped, doubled or swapped with its neighbour (in one word)."""
    words = text.split()
    candidates = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
    if not candidates:
        return text
    i = rng.choice(candidates)
    w, k = words[i], rng.randrange(1, len(words[i]) - 1)
    kind = rng.randrange(3)
    words[i] = w[:k] + w[k + 1:] if kind == 0 else w[:k] + w[k] + w[k:] if kind == 1 else (
        w[:k - 1] + w[k] + w[k - 1] + w[k + 1:])
    return " ".join(words)


def question(need: str, rng: random.Random) -> str:
    """A question for `need` as a user might type it."""
    text = expand(rng.choice(NEEDS[need] if need != "noise" else NOISE), rng)
    if rng.random() < 0.25:
        text = typo(text, rng)
    text = rng.choice(FILLERS) + text + rng.choice(ENDINGS)
    return text.capitalize() if rng.random() < 0.4 else text


def labelled(n: int, seed: int = 0) -> Iterator[tuple[str, str]]:
    """`n` (question, need) pairs; needs are drawn with unequal weights, as in real traffic."""
    rng = random.Random(seed)
    needs = list(NEEDS)
    weights = [1.0 / (rank + 1) for rank in range(len(needs))]  # a few big needs, many small ones
    for _ in range(n):
        need = "noise" if rng.random() < NOISE_SHARE else rng.choices(needs, weights)[0]
        yield question(need, rng), need


def write_log(path: Path, lines: int, *, seed: int = 0, bot: FAQBot | None = None) -> int:
    """Write a log of `lines` unanswered questions to `path`, as `faqbot ask` would; returns
    the number of questions asked to get them (the others were answered and not logged)."""
    bot = bot or FAQBot.from_yaml()
    path.unlink(missing_ok=True)
    asked = 0
    with UnansweredLog.for_bot(bot, path, front_end="batch") as log:
        stream = labelled(10**9, seed)
        while log.written < lines:
            chunk = [text for text, _ in itertools.islice(stream, 4096)]
            asked += len(chunk)
            for text, reply in zip(chunk, bot.ask_many(chunk), strict=True):
                if log.written < lines:
                    log(text, reply)
    return asked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    asked = write_log(args.output, args.lines, seed=args.seed)
    print(f"{args.output}: {args.lines:,} lines logged from {asked:,} questions")


if __name__ == "__main__":
    main()
