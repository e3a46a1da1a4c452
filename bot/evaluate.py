"""Score a bot on labelled question and dialogue files (the `faqbot eval` format).

Questions: one JSON object a line, ``{"q": ..., "expect": [ids] | ["fallback"|"urgent"|"smalltalk"], "tag": ...}``.
Dialogues: ``{"name": ..., "turns": [{"say": ..., "expect": [...]}, ...]}``.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .core import FAQBot
from .errors import EvalFormatError
from .reply import Reply

SPECIAL = ("fallback", "urgent", "smalltalk")


@dataclass(frozen=True, slots=True)
class Item:
    """One labelled question (or one dialogue turn)."""

    question: str
    expect: tuple[str, ...]
    tag: str
    source: str

    @property
    def in_scope(self) -> bool:
        return self.expect[0] not in SPECIAL


@dataclass(frozen=True, slots=True)
class Dialogue:
    name: str
    turns: tuple[Item, ...]


def is_right(item: Item, reply: Reply) -> bool:
    """An in-scope item is right only when answered with an accepted id."""
    if item.in_scope:
        return reply.kind == "answer" and reply.id in item.expect
    return reply.kind == item.expect[0]


def read_labelled(path: str | Path) -> tuple[list[Item], list[Dialogue]]:
    """Read one .jsonl file of questions and/or dialogues; raises EvalFormatError."""
    items: list[Item] = []
    dialogues: list[Dialogue] = []
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFormatError(path, None, f"cannot read: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if "turns" in obj:
                turns = tuple(_item(t["say"], t["expect"], obj.get("name", ""), str(path)) for t in obj["turns"])
                dialogues.append(Dialogue(str(obj.get("name", f"line {number}")), turns))
            else:
                items.append(_item(obj["q"], obj["expect"], obj.get("tag", "untagged"), str(path)))
        except KeyError as exc:
            raise EvalFormatError(path, number, "not a labelled question or dialogue "
                                  f"(no {exc}: a question has 'q' and 'expect', a dialogue 'turns')") from None
        except (json.JSONDecodeError, TypeError, ValueError) as exc:
            raise EvalFormatError(path, number, f"not a labelled question or dialogue ({exc})") from None
    return items, dialogues


def _item(q: Any, expect: Any, tag: Any, source: str) -> Item:
    if not isinstance(q, str) or not isinstance(expect, list) or not expect:
        raise ValueError("'q'/'say' must be a string and 'expect' a non-empty list")
    if any(e in SPECIAL for e in expect) and len(expect) != 1:
        raise ValueError(f"{expect[0]!r} must be the only label")
    return Item(q, tuple(str(e) for e in expect), str(tag), source)


@dataclass
class Report:
    """Every figure `faqbot eval` prints."""

    items: list[tuple[Item, Reply]] = field(default_factory=list)
    dialogue_turns: list[tuple[Item, Reply]] = field(default_factory=list)
    dialogues_right: int = 0
    dialogues: int = 0

    def rate(self, pairs: Sequence[tuple[Item, Reply]]) -> float:
        return sum(is_right(i, r) for i, r in pairs) / len(pairs) if pairs else float("nan")

    @property
    def in_scope(self) -> list[tuple[Item, Reply]]:
        return [(i, r) for i, r in self.items if i.in_scope]

    @property
    def fallback_items(self) -> list[tuple[Item, Reply]]:
        return [(i, r) for i, r in self.items if i.expect[0] == "fallback"]

    def false_accept_rate(self, pairs: Sequence[tuple[Item, Reply]] | None = None) -> float:
        pairs = self.fallback_items if pairs is None else pairs
        return sum(r.kind in ("answer", "clarify") for _, r in pairs) / len(pairs) if pairs else float("nan")

    def clarify_rate(self) -> float:
        pairs = self.in_scope
        return sum(r.kind == "clarify" for _, r in pairs) / len(pairs) if pairs else float("nan")

    def calibration_error(self, bins: int = 10) -> float:
        """Expected calibration error of `confidence` over answered in-scope and fallback items."""
        answered = [(i, r) for i, r in self.items if r.kind == "answer"]
        if not answered:
            return float("nan")
        buckets: dict[int, list[tuple[float, bool]]] = defaultdict(list)
        for item, reply in answered:
            buckets[min(int(reply.confidence * bins), bins - 1)].append((reply.confidence, is_right(item, reply)))
        total = len(answered)
        return sum(
            len(b) / total * abs(sum(c for c, _ in b) / len(b) - sum(ok for _, ok in b) / len(b))
            for b in buckets.values()
        )

    def by_tag(self) -> dict[str, tuple[int, int]]:
        right: Counter[str] = Counter()
        total: Counter[str] = Counter()
        for item, reply in self.items:
            total[item.tag] += 1
            right[item.tag] += is_right(item, reply)
        return {t: (right[t], total[t]) for t in sorted(total)}

    def lines(self, show_wrong: int = 50) -> list[str]:
        out: list[str] = []
        if self.items:
            out += [
                f"questions: {len(self.items)}",
                f"end-to-end accuracy: {self.rate(self.items):.1%}",
                f"in-scope accuracy (answered with an accepted id): {self.rate(self.in_scope):.1%}"
                f" of {len(self.in_scope)}",
                f"false accepts (fallback items answered or clarified): {self.false_accept_rate():.1%}"
                f" of {len(self.fallback_items)}",
                f"clarification rate on in-scope items: {self.clarify_rate():.1%}",
                f"calibration error (ECE of confidence on answers): {self.calibration_error():.3f}",
                "per tag (right / total, false accepts on fallback tags):",
            ]
            for tag, (right, total) in self.by_tag().items():
                pairs = [(i, r) for i, r in self.fallback_items if i.tag == tag]
                fa = f"  false accepts {self.false_accept_rate(pairs):.1%}" if pairs else ""
                out.append(f"  {tag:<22} {right:>4} / {total:<4} {right / total:6.1%}{fa}")
        if self.dialogues:
            out += [
                f"dialogue turns accuracy: {self.rate(self.dialogue_turns):.1%} of {len(self.dialogue_turns)}",
                f"whole dialogues right: {self.dialogues_right} / {self.dialogues}",
            ]
        wrong = [(i, r) for i, r in [*self.items, *self.dialogue_turns] if not is_right(i, r)]
        if wrong and show_wrong:
            out.append(f"wrong ({len(wrong)}):")
            for item, reply in wrong[:show_wrong]:
                got = reply.id if reply.kind == "answer" else reply.kind
                expected = "|".join(item.expect)
                out.append(f"  [{item.tag}] {item.question!r}: expected {expected}, got {got} ({reply.confidence:.2f})")
        return out


@dataclass(frozen=True, slots=True)
class SweepRow:
    """The figures at one answer threshold."""

    threshold: float
    in_scope_right: float
    false_accepts: float
    answered: float


def sweep(report: Report, thresholds: Sequence[float]) -> list[SweepRow]:
    """How in-scope accuracy and false accepts move with the answer threshold.

    Replays each question's decision at every threshold: a question that reached the
    confidence model is answered with its best entry when its confidence is at least the
    threshold (clarifications are left out); urgent, small talk and out-of-scope facets
    do not depend on the threshold.
    """
    rows = []
    scored = []
    for item, reply in report.items:
        top = reply.id if reply.kind == "answer" else (reply.alternatives[0].id if reply.alternatives else None)
        reached = reply.kind in ("answer", "clarify") or (
            reply.kind == "fallback" and (reply.reason or {}).get("reason") in ("low-confidence", "unknown-words")
        )
        scored.append((item, top, reply.confidence if reached else -1.0))
    in_scope = [s for s in scored if s[0].in_scope]
    fallback = [s for s in scored if s[0].expect == ("fallback",)]
    for t in thresholds:
        right = sum(1 for item, top, c in in_scope if c >= t and top in item.expect)
        accepted = sum(1 for _, _, c in fallback if c >= t)
        answered = sum(1 for _, _, c in scored if c >= t)
        rows.append(SweepRow(
            t, right / max(1, len(in_scope)), accepted / max(1, len(fallback)), answered / max(1, len(scored))
        ))
    return rows


def reliability(report: Report, bins: int = 10) -> list[tuple[float, float, int]]:
    """(mean confidence, accuracy, count) of answered items per confidence bin."""
    buckets: dict[int, list[tuple[float, bool]]] = defaultdict(list)
    for item, reply in report.items:
        if reply.kind == "answer":
            buckets[min(int(reply.confidence * bins), bins - 1)].append((reply.confidence, is_right(item, reply)))
    return [
        (sum(c for c, _ in b) / len(b), sum(ok for _, ok in b) / len(b), len(b))
        for _, b in sorted(buckets.items())
    ]


def evaluate(bot: FAQBot, items: Sequence[Item], dialogues: Sequence[Dialogue] = ()) -> Report:
    """Run every item (statelessly) and every dialogue (in one conversation each)."""
    report = Report()
    report.items = list(zip(items, bot.ask_many([i.question for i in items]), strict=True))
    for dialogue in dialogues:
        conv = bot.conversation()
        turns = [(t, conv.ask(t.question)) for t in dialogue.turns]
        report.dialogue_turns += turns
        report.dialogues += 1
        report.dialogues_right += all(is_right(t, r) for t, r in turns)
    return report
