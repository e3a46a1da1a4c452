"""Write a plain FAQ as YAML, CSV or JSONL (`faqbot convert`), in a form `load_faq` reads back.

Only what a plain FAQ holds is written: each entry's id, question, alternatives and answer
(and its subjects, facet, section and related entries in YAML and JSONL), plus the fallback
when the FAQ has its own. A FAQ with knowledge sections (subjects, red flags, languages...)
is edited as YAML, not converted: a table cannot hold them.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from .errors import UsageError
from .knowledge import FAQ, PLAIN_FALLBACK, Entry
from .tables import ALTERNATIVES_SEPARATOR

FORMS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".jsonl": "jsonl"}
_SECTIONS = ("subjects", "facets", "synonyms", "out_of_scope_facets", "languages")


def write_faq(faq: FAQ, output: str | Path, *, force: bool = False) -> None:
    """Write `faq` to `output`, in the form its ending names; atomically (all or nothing).

    Raises `UsageError` for an unknown ending, an existing file without `force`, or a FAQ
    the form cannot hold.
    """
    path = Path(output)
    form = FORMS.get(path.suffix.lower())
    if form is None:
        raise UsageError(f"{path}: unknown ending '{path.suffix}' (use one of: {', '.join(FORMS)})")
    if path.exists() and not force:
        raise UsageError(f"{path} exists; --force replaces it")
    _check_plain(faq)
    text = {"yaml": _yaml, "csv": _csv, "jsonl": _jsonl}[form](faq)
    directory = path.parent if str(path.parent) else Path(".")
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=directory, prefix=f".{path.name}.",
                                     delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def _check_plain(faq: FAQ) -> None:
    held = [name for name in _SECTIONS if getattr(faq, name)]
    held += ["red flags"] if faq.urgent else []
    held += ["small talk"] if faq.smalltalk else []
    held += ["out-of-scope examples"] if faq.out_of_scope_examples else []
    if held:
        raise UsageError(f"{faq.path} has {', '.join(held)}: convert writes plain FAQs only (edit this one as YAML)")


def _entry(entry: Entry) -> dict[str, Any]:
    """An entry's keys that differ from their defaults, in the order of docs/faq-format.md."""
    out: dict[str, Any] = {"id": entry.id}
    if entry.subjects:
        out["subjects"] = list(entry.subjects)
    for key in ("facet", "section"):
        if getattr(entry, key):
            out[key] = getattr(entry, key)
    out["question"] = entry.question
    if entry.alternatives:
        out["alternatives"] = list(entry.alternatives)
    out["answer"] = entry.answer
    if entry.related:
        out["related"] = list(entry.related)
    return out


class _Dumper(yaml.SafeDumper):
    """Long texts as readable blocks: several lines kept as written (``|``)."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _text)


def _yaml(faq: FAQ) -> str:
    document: dict[str, Any] = {"version": 1}
    if faq.fallback != PLAIN_FALLBACK:
        document["fallback"] = faq.fallback
    document["entries"] = [_entry(e) for e in faq.entries]
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


def _csv(faq: FAQ) -> str:
    for entry in faq.entries:
        if entry.subjects or entry.facet or entry.section or entry.related:
            raise UsageError(f"{faq.path}: entry '{entry.id}' has subjects, a facet, a section or related "
                             "entries, which CSV cannot hold (write .yaml or .jsonl)")
        for alternative in entry.alternatives:
            if ALTERNATIVES_SEPARATOR in alternative:
                raise UsageError(f"{faq.path}: entry '{entry.id}': the alternative {alternative!r} holds "
                                 f"'{ALTERNATIVES_SEPARATOR}', which separates alternatives in CSV")
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "question", "alternatives", "answer"])
    for entry in faq.entries:
        writer.writerow([entry.id, entry.question, ALTERNATIVES_SEPARATOR.join(entry.alternatives), entry.answer])
    return out.getvalue()


def _jsonl(faq: FAQ) -> str:
    return "".join(json.dumps(_entry(e), ensure_ascii=False) + "\n" for e in faq.entries)
