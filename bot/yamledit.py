"""Add phrasings to entries of a FAQ file by editing its text, so comments and layout stay.

`add_alternatives(text, additions)` finds each entry's `alternatives:` list from the YAML
parser's positions and inserts the new phrasings after its last item: a new `- item` line
in a block list (same indentation), `, item` before the `]` of a flow list, or a new
`alternatives:` list after the `question:` of an entry that has none (plain FAQs). Nothing
else in the file changes. The caller validates the result (`load_faq`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import yaml

from .errors import FAQBotError

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(slots=True)
class _Node:
    """A YAML node with where it starts and ends in the text (character offsets)."""

    kind: str  # "scalar", "seq" or "map"
    start: int
    end: int
    column: int
    end_column: int = 0
    flow: bool = False
    value: str = ""
    items: list[_Node] = field(default_factory=list)  # a map: key, value, key, value...
    close: int = 0  # where the closing "]" or "}" of a flow collection is


class EditError(FAQBotError):
    """The FAQ text cannot be edited as asked (no such entry, an unusual layout)."""


def add_alternatives(text: str, additions: Mapping[int, Sequence[str]], ids: Sequence[str] = ()) -> str:
    """`text` with phrasings added to entries, given by their position in `entries` (0-based).

    `ids` (the entries' ids, in order) name entries in errors. Raises EditError when an
    entry is not found or its layout cannot take the new lines; YAML errors propagate.
    """
    root = _compose(text)
    entries = _get(root, "entries") if root is not None else None
    if entries is None or entries.kind != "seq":
        raise EditError("the FAQ file has no 'entries' list")
    newline = "\r\n" if "\r\n" in text else "\n"
    edits: list[tuple[int, str]] = []
    for position, phrasings in additions.items():
        name = ids[position] if position < len(ids) else f"entry {position + 1}"
        if not phrasings:
            continue
        if not 0 <= position < len(entries.items) or entries.items[position].kind != "map":
            raise EditError(f"entry '{name}' is not in the FAQ file")
        edits.append(_insertion(text, entries.items[position], list(phrasings), newline, name))
    for at, insert in sorted(edits, reverse=True):  # from the end, so earlier offsets hold
        text = text[:at] + insert + text[at:]
    return text


def render(phrase: str, *, flow: bool = False) -> str:
    """`phrase` as one line of YAML that reads back as itself: plain when it can be, quoted
    when it must be (in a flow list `[...]` when `flow`, where commas and brackets count)."""
    if flow:
        dumped: str = yaml.safe_dump([phrase], default_flow_style=True, allow_unicode=True, width=math.inf)
        return dumped.strip()[1:-1]
    dumped = yaml.safe_dump(phrase, allow_unicode=True, width=math.inf)
    return dumped.removesuffix("\n").removesuffix("\n...").strip()


def _insertion(text: str, entry: _Node, phrasings: list[str], newline: str, name: str) -> tuple[int, str]:
    """Where to insert, and what, to add `phrasings` to the entry mapping `entry`."""
    scalars = [render(p) for p in phrasings]
    flow_scalars = [render(p, flow=True) for p in phrasings]
    found = _get(entry, "alternatives")
    if found is not None and found.kind == "seq" and found.flow:
        return _in_flow(text, found, ", ".join(flow_scalars))
    if found is not None and found.kind == "seq" and found.items:
        first, last = found.items[0], found.items[-1]
        dash = " " * found.column + "-" + " " * max(first.column - found.column - 1, 1)
        return _after_line(text, last, newline, [dash + s for s in scalars])
    if entry.flow:
        if found is not None:
            raise EditError(f"entry '{name}': its 'alternatives' is not a list the review can add to")
        before = text[:entry.close].rstrip()
        lead = "" if before.endswith(("{", ",")) else ", "
        return entry.close, f"{lead}alternatives: [{', '.join(flow_scalars)}]"
    if found is not None:  # `alternatives:` with nothing, or an empty flow list handled above
        raise EditError(f"entry '{name}': its 'alternatives' is not a list the review can add to")
    question = _get(entry, "question")
    if question is None:
        raise EditError(f"entry '{name}' has no 'question'")
    key_column = _key_column(entry, "question")
    indent = " " * key_column
    lines = [indent + "alternatives:"] + [f"{indent}  - {s}" for s in scalars]
    return _after_line(text, question, newline, lines)


def _in_flow(text: str, seq: _Node, items: str) -> tuple[int, str]:
    """Insert `items` at the end of a flow list: after its last item (and comma), or before
    the "]" when a comment comes between."""
    if not seq.items:
        return seq.close, items
    end = seq.items[-1].end
    between = text[end:seq.close]
    comma = "," in between.split("#", 1)[0]
    if "#" in between:
        return seq.close, ("" if comma else ", ") + items
    return end + len(between.rstrip()), (" " if comma else ", ") + items


def _after_line(text: str, node: _Node, newline: str, lines: list[str]) -> tuple[int, str]:
    """Insert whole `lines` at the start of the line after the one `node` ends on."""
    block = "".join(line + newline for line in lines)
    if node.end_column == 0 and node.end > node.start:  # a block scalar ends at a line start
        return node.end, block
    end = text.find("\n", node.end)
    if end < 0:  # the last line of a file with no final newline
        return len(text), newline + block.removesuffix(newline)
    return end + 1, block


def _get(node: _Node, key: str) -> _Node | None:
    if node.kind != "map":
        return None
    for k, v in zip(node.items[::2], node.items[1::2], strict=True):
        if k.kind == "scalar" and k.value == key:
            return v
    return None


def _key_column(node: _Node, key: str) -> int:
    for k in node.items[::2]:
        if k.kind == "scalar" and k.value == key:
            return k.column
    return node.column


def _compose(text: str) -> _Node | None:
    """The document's node tree with offsets (the FAQ was validated, so it is plain YAML)."""
    stack: list[_Node] = []
    root: _Node | None = None
    for event in yaml.parse(text, Loader=_LOADER):
        start, end = event.start_mark, event.end_mark
        if start is None or end is None:  # the parser marks every node event
            continue
        if isinstance(event, yaml.ScalarEvent):
            node = _Node("scalar", start.index, end.index, start.column, end.column, value=event.value)
        elif isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            kind = "seq" if isinstance(event, yaml.SequenceStartEvent) else "map"
            stack.append(_Node(kind, start.index, end.index, start.column, flow=bool(event.flow_style)))
            continue
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            node = stack.pop()
            node.close, node.end, node.end_column = start.index, end.index, end.column
        else:
            continue
        if stack:
            stack[-1].items.append(node)
        else:
            root = node
    return root
