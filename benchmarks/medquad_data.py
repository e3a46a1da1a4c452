"""The MedQuAD data of `bench_medquad.py`: a plain FAQ built from a snapshot, and typed queries.

MedQuAD (github:abachaa/MedQuAD, CC BY 4.0) is one XML file per document:
`<Document id=..><QAPairs><QAPair pid=..><Question ..>..</Question><Answer>..</Answer>`.
Three of its twelve collections ship without answers (MedlinePlus copyright); the pairs with a
non-empty answer become entries `{id, question, answer}`, the answer whitespace-collapsed and
cut to 600 characters. Document ids repeat across collections (every collection numbers its
files from 0000001), so an id carries the collection's number: `medquad-3-0000001-2` is pair 2
of `3_GHR_QA/0000001.xml`. A snapshot is a bare git directory (as fetched) or a checkout.
"""

from __future__ import annotations

import random
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TypedDict, cast

import yaml

ANSWER_CHARS = 600
# A question's stem: leading wh-words, forms of "be" and the fillers of MedQuAD's templates
# ("What is (are) X ?", "What are the symptoms of X ?", "How to diagnose X ?"). Not "do": in
# "What to do for X ?" it is the content, and "do you have information about X" is typed so.
STEM_WORDS = frozenset("what who whom which how when where why is are (are) was were the to".split())
LETTERS = "abcdefghijklmnopqrstuvwxyz"


class Entry(TypedDict):
    id: str
    question: str
    answer: str


class Query(TypedDict):
    text: str  # as a user would type it
    source: str  # the id of the entry it was made from
    question: str  # that entry's question, normalised


class QuerySet(TypedDict):
    warmup: list[str]
    queries: list[Query]


def normalised(question: str) -> str:
    """Lower case, whitespace collapsed: the form in which two questions count as the same."""
    return " ".join(question.lower().split())


def is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and (path / "objects").is_dir()


def snapshot_commit(path: Path) -> str | None:
    """The commit a bare-git snapshot is at (None for a checkout, or when git cannot tell)."""
    if not is_git_dir(path):
        return None
    done = subprocess.run(["git", "--git-dir", str(path), "rev-parse", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def snapshot_files(path: Path) -> Iterator[tuple[str, bytes]]:
    """(relative name, bytes) of every XML file of a snapshot, in name order."""
    if not is_git_dir(path):
        for file in sorted(path.rglob("*.xml"), key=lambda f: f.relative_to(path).as_posix()):
            yield file.relative_to(path).as_posix(), file.read_bytes()
        return
    git = ["git", "--git-dir", str(path)]
    listing = subprocess.run([*git, "ls-tree", "-r", "HEAD", "--name-only"], capture_output=True, text=True, check=True)
    names = [name for name in listing.stdout.splitlines() if name.endswith(".xml")]
    with subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as batch:
        stdin, stdout = cast(IO[bytes], batch.stdin), cast(IO[bytes], batch.stdout)
        for name in names:
            stdin.write(f"HEAD:{name}\n".encode())
            stdin.flush()
            size = int(stdout.readline().split()[2])
            data = stdout.read(size)
            stdout.read(1)  # the newline after each object
            yield name, data
        stdin.close()


def entry_id(name: str, pid: str) -> str:
    """`medquad-<collection number>-<file name>-<pair number>`, only [a-z0-9-]."""
    collection, _, file = name.partition("/")
    raw = f"medquad-{collection.split('_')[0]}-{Path(file).stem}-{pid}".lower()
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", raw))


def entries_of(name: str, data: bytes) -> Iterator[Entry]:
    """The entries of one document: its question-answer pairs whose answer is not empty."""
    for pair in ET.fromstring(data).iter("QAPair"):
        answer = " ".join((pair.findtext("Answer") or "").split())
        question = " ".join((pair.findtext("Question") or "").split())
        if answer and question:
            yield {"id": entry_id(name, pair.get("pid", "")), "question": question, "answer": answer[:ANSWER_CHARS]}


def read_medquad(path: Path) -> list[Entry]:
    """Every entry of the snapshot at `path`; raises ValueError if two get the same id."""
    entries = [entry for name, data in snapshot_files(path) for entry in entries_of(name, data)]
    if len({entry["id"] for entry in entries}) != len(entries):
        raise ValueError(f"{path}: two question-answer pairs get the same id")
    return entries


def copies(entries: list[Entry], times: int) -> list[Entry]:
    """`entries` followed by `times - 1` copies of them, ids suffixed `-c2`, `-c3`, ..."""
    copied = list(entries)
    for n in range(2, times + 1):
        copied += [{**entry, "id": f"{entry['id']}-c{n}"} for entry in entries]
    return copied


def source_id(entry_id: str) -> str:
    """The id of the original entry a copy was made from (itself for an original)."""
    return re.sub(r"-c\d+$", "", entry_id)


def write_faq(entries: list[Entry], path: Path) -> None:
    """Write `entries` as a plain faqbot FAQ: `version: 1`, then `entries:`."""
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # the same output as safe_dump, faster
    with path.open("w", encoding="utf-8") as out:
        yaml.dump({"version": 1, "entries": entries}, out, Dumper=dumper, allow_unicode=True, sort_keys=False)


def without_stem(question: str) -> str:
    """Lower case, no trailing '?', and the leading stem words dropped (at least one word is kept)."""
    words = question.lower().rstrip("? ").split()
    while len(words) > 1 and words[0] in STEM_WORDS:
        words.pop(0)
    return " ".join(words)


def with_typo(text: str, rng: random.Random) -> str:
    """`text` with one letter deleted, doubled, swapped or replaced in a random word of >= 4 letters.

    Text without such a word comes back unchanged.
    """
    words = text.split(" ")
    candidates = [n for n, word in enumerate(words) if sum(c.isalpha() for c in word) >= 4]
    if not candidates:
        return text
    n = rng.choice(candidates)
    word = words[n]
    letters = [i for i, c in enumerate(word) if c.isalpha()]
    pairs = [i for i in letters if i + 1 < len(word) and word[i + 1].isalpha() and word[i + 1] != word[i]]
    kind = rng.choice(("delete", "double", "swap", "replace") if pairs else ("delete", "double", "replace"))
    i = rng.choice(pairs if kind == "swap" else letters)
    if kind == "delete":
        typo = word[:i] + word[i + 1 :]
    elif kind == "double":
        typo = word[:i] + word[i] + word[i:]
    elif kind == "swap":
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    else:
        typo = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
    return " ".join([*words[:n], typo, *words[n + 1 :]])


def query_set(entries: list[Entry], count: int, seed: int, warmup: int = 20) -> QuerySet:
    """`count` entries drawn at random, each question typed as a user would (see the module doc),
    and the questions of `warmup` other entries, as written, to warm a process up with."""
    rng = random.Random(seed)
    chosen = rng.sample(entries, min(count + warmup, len(entries)))
    queries: list[Query] = [
        {"text": with_typo(without_stem(e["question"]), rng), "source": e["id"], "question": normalised(e["question"])}
        for e in chosen[:count]
    ]
    return {"warmup": [e["question"] for e in chosen[count:]], "queries": queries}
