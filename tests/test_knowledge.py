"""`load_faq`: a valid FAQ loads into frozen objects; every kind of broken or hostile file
raises `FAQFormatError` as ``path:line: message``.

Each case starts from `MINIMAL` (a small valid FAQ) and changes one thing.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml

from bot import yamlnodes
from bot.errors import FAQFormatError
from bot.knowledge import FAQ, Concept, Entry, SmallTalk, Thresholds, Urgent, load_faq, plain_model
from bot.model import RANKING

MINIMAL = """\
version: 1
fallback: Sorry, I cannot answer that.
urgent:
  message: Please get help now.
  red_flags: [chest pain]
  negations: [no, not]
smalltalk:
  - id: greeting
    patterns: [hi, hello]
    reply: Hello!
subjects:
  magnesium:
    label: magnesium
    words: [magnesium, mg]
  potassium:
    label: potassium
    words: [potassium]
facets:
  foods:
    label: foods
    words: [food, eat]
  role:
    label: how it causes twitching
    words: []
    default: true
synonyms:
  calf: [calves, lower leg]
out_of_scope:
  facets:
    dose:
      label: doses
      words: [dose, dosage]
  examples:
    - what is the atomic weight of potassium
thresholds:
  answer: 0.5
  clarify: 0.3
  margin: 0.1
  calibration:
    bias: -1.5
    top: 4
entries:
  - id: magnesium-foods
    subjects: [magnesium]
    facet: foods
    section: Magnesium
    question: Which foods are rich in magnesium?
    alternatives:
      - what should i eat for magnesium
      - magnesium foods
    answer: |
      Leafy greens, nuts and seeds.
    related: [potassium-role]
  - id: potassium-role
    subjects: [potassium]
    facet: role
    section: Potassium
    question: How does low potassium cause twitching?
    alternatives:
      - why does potassium matter for muscles
    answer: It carries nerve signals.
"""


def write(tmp_path: Path, text: str | bytes, name: str = "faq.yaml") -> Path:
    """Write a FAQ file into `tmp_path` and return its path."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def mutate(old: str, new: str, text: str = MINIMAL) -> str:
    """`text` with its one occurrence of `old` replaced by `new`."""
    assert text.count(old) == 1, f"{old!r} must occur exactly once"
    return text.replace(old, new)


def line_of(text: str, fragment: str, start: int = 0) -> int:
    """The 1-based line on which `fragment` first occurs in `text` (from `start`)."""
    index = text.index(fragment, start)
    return text.count("\n", 0, index) + 1


def drop_top(key: str, text: str = MINIMAL) -> str:
    """`text` without the top-level key `key` and its block."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    end = next(
        (i for i in range(start + 1, len(lines)) if not lines[i].startswith((" ", "-"))),
        len(lines),
    )
    return "".join(lines[:start] + lines[end:])


def expect_error(path: Path, line: int | None, phrase: str) -> FAQFormatError:
    """Load `path`, expecting ``path:line: ...phrase...``; returns the error."""
    with pytest.raises(FAQFormatError) as info:
        load_faq(path)
    error = info.value
    prefix = f"{path}:{line}: " if line is not None else f"{path}: "
    assert str(error).startswith(prefix), str(error)
    assert phrase in error.message, str(error)
    assert (error.path, error.line) == (str(path), line)
    assert "\n" not in str(error)
    return error


def expect_mutation_error(
    tmp_path: Path, old: str, new: str, at: str, phrase: str, first: str = ""
) -> FAQFormatError:
    """Replace `old` by `new` in MINIMAL and expect an error on the line of `at`.

    `at` is looked for from where `new` starts; ``{first}`` in `phrase` becomes the line
    of `first` (looked for from the top).
    """
    text = mutate(old, new)
    line = line_of(text, at, MINIMAL.index(old))
    if first:
        phrase = phrase.replace("{first}", str(line_of(text, first)))
    return expect_error(write(tmp_path, text), line, phrase)


# --- a valid file ---------------------------------------------------------------------------


def test_minimal_faq_loads_into_frozen_objects(tmp_path: Path) -> None:
    faq = load_faq(write(tmp_path, MINIMAL))
    assert isinstance(faq, FAQ)
    assert faq.path == str(tmp_path / "faq.yaml")
    assert faq.fallback == "Sorry, I cannot answer that."
    assert faq.entries[0] == Entry(
        id="magnesium-foods",
        subjects=("magnesium",),
        facet="foods",
        section="Magnesium",
        question="Which foods are rich in magnesium?",
        alternatives=("what should i eat for magnesium", "magnesium foods"),
        answer="Leafy greens, nuts and seeds.",
        related=("potassium-role",),
        line=line_of(MINIMAL, "- id: magnesium-foods"),
    )
    assert faq.entry("potassium-role").phrasings == (
        "How does low potassium cause twitching?",
        "why does potassium matter for muscles",
    )
    assert faq.subjects["magnesium"] == Concept("magnesium", "magnesium", ("magnesium", "mg"))
    assert faq.facets["role"] == Concept("role", "how it causes twitching", (), default=True)
    assert faq.synonyms == {"calf": ("calves", "lower leg")}
    assert faq.out_of_scope_facets == {"dose": Concept("dose", "doses", ("dose", "dosage"))}
    assert faq.out_of_scope_examples == ("what is the atomic weight of potassium",)
    # `no` is the word "no" here, not YAML 1.1's false
    assert faq.urgent == Urgent("Please get help now.", {"chest pain": ("chest pain",)}, ("no", "not"))
    assert faq.smalltalk == (SmallTalk("greeting", ("hi", "hello"), "Hello!"),)
    assert faq.thresholds == Thresholds(answer=0.5, clarify=0.3, margin=0.1)
    # the weights a FAQ gives, and the plain FAQs' model for the rest
    assert faq.calibration == {**plain_model()[1], "bias": -1.5, "top": 4.0}
    assert faq.ranking == plain_model()[2]


def test_loaded_faq_cannot_be_changed(tmp_path: Path) -> None:
    faq = load_faq(write(tmp_path, MINIMAL))
    with pytest.raises(dataclasses.FrozenInstanceError):
        faq.fallback = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        faq.entries[0].answer = "changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        faq.thresholds.answer = 0.9  # type: ignore[misc]
    with pytest.raises(TypeError):
        faq.subjects["calcium"] = faq.subjects["magnesium"]  # type: ignore[index]
    with pytest.raises(TypeError):
        faq.calibration["bias"] = 0.0  # type: ignore[index]


def test_loaded_faq_pickles(tmp_path: Path) -> None:
    faq = load_faq(write(tmp_path, MINIMAL))
    copy = pickle.loads(pickle.dumps(faq))
    assert copy == faq
    with pytest.raises(TypeError):
        copy.synonyms["calf"] = ()  # type: ignore[index]


def test_byte_order_mark_and_windows_line_ends_are_fine(tmp_path: Path) -> None:
    data = ("\ufeff" + MINIMAL).replace("\n", "\r\n").encode("utf-8")
    assert load_faq(write(tmp_path, data)).entries[1].line == line_of(MINIMAL, "- id: potassium")
    broken = data.replace(b"    answer: It", b"    anwser: It")
    expect_error(write(tmp_path, broken), line_of(MINIMAL, "answer: It"), "unknown key 'anwser'")


def test_optional_sections_may_be_left_out(tmp_path: Path) -> None:
    text = MINIMAL
    for key in ("urgent", "smalltalk", "synonyms", "out_of_scope", "thresholds"):
        text = drop_top(key, text)
    faq = load_faq(write(tmp_path, text))
    assert (faq.urgent, faq.smalltalk, faq.synonyms, faq.out_of_scope_facets) == (None, (), {}, {})
    # no model of its own: the plain FAQs' thresholds and weights
    assert (faq.thresholds, faq.calibration, faq.ranking) == plain_model()


def test_pure_python_parser_gives_the_same_faq(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, MINIMAL)
    fast = load_faq(path)
    monkeypatch.setattr(yamlnodes, "_LOADER", yaml.SafeLoader)
    assert load_faq(path) == fast


# --- the file itself ------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    expect_error(tmp_path / "nope.yaml", None, "file not found")


def test_directory(tmp_path: Path) -> None:
    expect_error(tmp_path, None, "is a directory")


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, MINIMAL)

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)
    expect_error(path, None, "cannot read file: Permission denied")


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads all")
def test_unreadable_file_for_real(tmp_path: Path) -> None:
    path = write(tmp_path, MINIMAL)
    path.chmod(0)
    expect_error(path, None, "cannot read file")


def test_invalid_utf8_names_the_line_of_the_first_bad_byte(tmp_path: Path) -> None:
    data = mutate("Sorry, I cannot", "Sorry, I c\xe2nnot").encode("latin-1")
    expect_error(write(tmp_path, data), 2, "not valid UTF-8 (byte 0xe2)")


def test_control_character(tmp_path: Path) -> None:
    expect_error(write(tmp_path, mutate("reply: Hello!", "reply: Hel\x07lo!")), 10, "U+0007")


@pytest.mark.parametrize(("written", "code"), [
    (r'"\e]0;pwned\a"', "U+001B (written \\e)"),   # sets the terminal's title
    (r'"red \x1b[31m"', "U+001B (written \\x1b)"),
    (r'"csi \u009b31m"', "U+009B (written \\u009b)"),  # the one-character C1 form of ESC [
    (r'"over\rwrite"', "U+000D (written \\r)"),
    (r'"bell \a"', "U+0007 (written \\a)"),
    (r'"del \x7f"', "U+007F (written \\x7f)"),
    (r'"nel \N"', "U+0085 (written \\N)"),
])
def test_an_escape_for_a_control_character_is_refused_with_its_line(
        tmp_path: Path, written: str, code: str) -> None:
    text = mutate("    answer: It carries nerve signals.", f"    answer: {written}")
    expect_error(write(tmp_path, text), line_of(text, written), f"control character {code}")


@pytest.mark.parametrize("where", ["    label: magnesium", "    reply: Hello!"])
def test_no_text_field_may_hold_a_control_character(tmp_path: Path, where: str) -> None:
    key = where.split(":")[0]
    text = mutate(where, f'{key}: "x \\e[2J"')
    expect_error(write(tmp_path, text), line_of(text, "\\e[2J"), "U+001B")


def test_a_control_escape_on_a_later_line_of_a_quoted_text_is_found_there(tmp_path: Path) -> None:
    text = mutate("    answer: It carries nerve signals.",
                  '    answer: "It carries\n      nerve \\e[5m signals."')
    expect_error(write(tmp_path, text), line_of(text, "\\e[5m"), "U+001B")


@pytest.mark.parametrize("written", [r'"a\ttab and a\nnewline"', r'"a backslash: \\e"', r"'single \e'",
                                     '"non-breaking\\_space"'])
def test_tabs_newlines_and_escaped_backslashes_are_text(tmp_path: Path, written: str) -> None:
    load_faq(write(tmp_path, mutate("    answer: It carries nerve signals.", f"    answer: {written}")))


def test_file_over_5_mb_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, MINIMAL + "#" * (5 * 1024 * 1024))

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed a file over the limit")

    monkeypatch.setattr(yaml, "parse", fail)
    expect_error(path, None, "the limit is 5 MB")


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n", "~\n", "null\n"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    expect_error(write(tmp_path, text), 1, "the file is empty")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("- version\n- 1\n", 1),
        ("just some text\n", 1),
        ("# faq\n42\n", 2),
    ],
)
def test_document_that_is_not_a_mapping(tmp_path: Path, text: str, line: int) -> None:
    expect_error(write(tmp_path, text), line, "the file must be a mapping")


def test_multiple_documents(tmp_path: Path) -> None:
    text = MINIMAL + "---\nversion: 1\n"
    expect_error(write(tmp_path, text), line_of(text, "---"), "more than one YAML document")


@pytest.mark.parametrize(
    ("old", "new", "at"),
    [
        ("    facet: foods\n", "    facet: foods: really\n", "facet: foods: really"),
        ("    patterns: [hi, hello]", "    patterns: [hi, hello", "    reply: Hello!"),
        ("      - magnesium foods\n", "      - magnesium foods\n     bad indent\n", "bad indent"),
        ("  margin: 0.1", '  margin: "0.1', "margin:"),  # unclosed: the line where it starts
        ("    answer: It carries", "\tanswer: It carries", "\tanswer"),
    ],
)
def test_yaml_syntax_error(tmp_path: Path, old: str, new: str, at: str) -> None:
    expect_mutation_error(tmp_path, old, new, at, "invalid YAML: ")


# --- keys and types -------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["version", "entries"])
def test_missing_required_top_level_key(tmp_path: Path, key: str) -> None:
    expect_error(write(tmp_path, drop_top(key)), 1, f"missing required key '{key}'")


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        ("fallback: Sorry, I cannot answer that.", "fallback: '  '", "'fallback' is empty"),
        ("    answer: It carries nerve signals.", "    answer:", "'answer' is empty"),
        ("    answer: It carries nerve signals.", '    answer: ""', "'answer' is empty"),
        ("    section: Potassium", "    section: ' '", "entry 'potassium-role': 'section' is empty"),
        ("    subjects: [potassium]", "    subjects: []", "'subjects' is empty"),
        ("  red_flags: [chest pain]", "  red_flags:", "urgent: 'red_flags' is empty"),
        ("    label: doses", "    label:", "out_of_scope facet 'dose': 'label' is empty"),
        ("    label: potassium", "    label: null", "subject 'potassium': 'label' is empty"),
    ],
)
def test_empty_required_value(tmp_path: Path, old: str, new: str, phrase: str) -> None:
    at = new.strip().split(":")[0]
    expect_mutation_error(tmp_path, old, new, at, phrase)


@pytest.mark.parametrize(
    ("key", "value", "phrase"),
    [
        ("entries", "[]", "'entries' is empty"),
        ("entries", "3", "'entries' must be a list of mappings, not '3'"),
        ("subjects", "[magnesium, potassium]", "'subjects' must be a mapping, not a list"),
        ("fallback", "[sorry]", "'fallback' must be a string, not a list"),
        ("out_of_scope", "[dose]", "'out_of_scope' must be a mapping, not a list"),
        ("synonyms", "calf", "'synonyms' must be a mapping, not 'calf'"),
        ("smalltalk", "{hi: hello}", "'smalltalk' must be a list of mappings, not a mapping"),
    ],
)
def test_top_level_value(tmp_path: Path, key: str, value: str, phrase: str) -> None:
    text = drop_top(key) + f"{key}: {value}\n"
    expect_error(write(tmp_path, text), line_of(text, f"\n{key}:") + 1, phrase)


def test_missing_required_entry_key(tmp_path: Path) -> None:
    text = mutate("    answer: It carries nerve signals.\n", "")
    line = line_of(text, "- id: potassium-role")
    phrase = "entry 'potassium-role': missing required key 'answer'"
    expect_error(write(tmp_path, text), line, phrase)


def test_entry_without_id_is_named_by_number_and_gets_one_from_its_question(tmp_path: Path) -> None:
    text = mutate("  - id: potassium-role\n    subjects", "  - subjects").replace(
        "related: [potassium-role]", "related: [how-does-low-potassium-cause-twitching]")
    faq = load_faq(write(tmp_path, text))
    assert faq.entries[1].id == "how-does-low-potassium-cause-twitching"  # from its question
    broken = text.replace("    answer: It carries nerve signals.\n", "")
    expect_error(write(tmp_path, broken), line_of(broken, "  - subjects"), "entry 2: missing required key 'answer'")


@pytest.mark.parametrize(
    ("old", "new", "at", "phrase"),
    [
        ("    alternatives:\n      - what should i eat for magnesium\n      - magnesium foods\n",
         "    alternatives: magnesium foods\n", "alternatives:",
         "entry 'magnesium-foods': 'alternatives' must be a list of strings, "
         "not 'magnesium foods'"),
        ("      - magnesium foods", "      - {magnesium: foods}", "{",
         "entry 'magnesium-foods': 'alternatives' must be a list of strings; item 2 is a mapping"),
        ("      - magnesium foods", "      - [magnesium, foods]", "[",
         "'alternatives' must be a list of strings; item 2 is a list"),
        ("      - magnesium foods", "      -", "-",
         "'alternatives' must be a list of strings; item 2 is empty"),
        ("      - magnesium foods", "      - ''", "-", "item 2 is empty"),
        ("    question: How does low potassium cause twitching?",
         "    question: [How does low potassium cause twitching?]", "question",
         "entry 'potassium-role': 'question' must be a string, not a list"),
        ("    facet: role", "    facet: {role: 1}", "facet",
         "'facet' must be a string, not a mapping"),
        ("    related: [potassium-role]", "    related: potassium-role", "related",
         "'related' must be a list of strings, not 'potassium-role'"),
        ("  - id: greeting\n    patterns: [hi, hello]\n    reply: Hello!", "  - hello", "hello",
         "smalltalk 1: must be a mapping, not 'hello'"),
        ("  potassium:\n    label: potassium\n    words: [potassium]",
         "  potassium: potassium", "potassium",
         "subject 'potassium': must be a mapping, not 'potassium'"),
        ("    words: [potassium]", "    words: potassium", "words",
         "subject 'potassium': 'words' must be a list of strings, not 'potassium'"),
        ("  calf: [calves, lower leg]", "  calf: calves", "calf",
         "synonyms: 'calf' must be a list of strings, not 'calves'"),
        ("    default: true", "    default: maybe", "default",
         "facet 'role': 'default' must be true or false, not 'maybe'"),
        ("  answer: 0.5", "  answer: high", "answer",
         "thresholds: 'answer' must be a number between 0 and 1, not 'high'"),
        ("  answer: 0.5", "  answer: 1.5", "answer", "'answer' must be a number between 0 and 1"),
        ("  margin: 0.1", "  margin: -0.1", "margin", "'margin' must be a number between 0 and 1"),
        ("  margin: 0.1", "  margin: .nan", "margin", "'margin' must be a number between 0 and 1"),
        ("  clarify: 0.3", "  clarify: true", "clarify", "'clarify' must be a number"),
        ("  clarify: 0.3", "  clarify: 0.7", "clarify",
         "thresholds: 'clarify' must not exceed 'answer' (0.7 > 0.5)"),
        ("    bias: -1.5", "    bias: big", "bias",
         "thresholds: calibration: 'bias' must be a number, not 'big'"),
        ("    bias: -1.5", "    bias: .inf", "bias", "'bias' must be a number"),
        ("    bias: -1.5", '    bias: !!int ""', "bias", "'bias' must be a number, not empty"),
        ("    bias: -1.5", "    bias: !!float abc", "bias", "'bias' must be a number, not 'abc'"),
        ("    default: true", "    default: !!bool maybe", "default", "must be true or false"),
        ("  calibration:\n    bias: -1.5\n    top: 4\n", "  calibration: [1, 2]\n", "calibration",
         "thresholds: 'calibration' must be a mapping, not a list"),
        ("  calibration:\n", "  ranking:\n    intnet: 2\n  calibration:\n", "intnet",
         "thresholds: ranking: unknown weight 'intnet' (did you mean 'intent'?)"),
        ("  calibration:\n", "  ranking:\n    word: -1\n  calibration:\n", "word: -1",
         "thresholds: ranking: 'word' must be a number"),
    ],
)
def test_wrong_type(tmp_path: Path, old: str, new: str, at: str, phrase: str) -> None:
    expect_mutation_error(tmp_path, old, new, at, phrase)


@pytest.mark.parametrize(
    ("old", "new", "phrase"),
    [
        ("    answer: It carries", "    anwser: It carries",
         "entry 'potassium-role': unknown key 'anwser' (did you mean 'answer'?)"),
        ("  - id: potassium-role\n", "  - ID: potassium-role\n",
         "entry 2: unknown key 'ID' (did you mean 'id'?)"),
        ("synonyms:", "synonym:", "unknown key 'synonym' (did you mean 'synonyms'?)"),
        ("    label: potassium", "    lable: potassium",
         "subject 'potassium': unknown key 'lable' (did you mean 'label'?)"),
        ("  margin: 0.1", "  margn: 0.1",
         "thresholds: unknown key 'margn' (did you mean 'margin'?)"),
        ("  negations: [no, not]", "  negation: [no, not]", "urgent: unknown key 'negation'"),
        ("    reply: Hello!", "    replies: Hello!", "smalltalk 'greeting': unknown key 'replies'"),
        ("  examples:", "  example:", "out_of_scope: unknown key 'example'"),
        ("      label: doses", "      default: true\n      label: doses",
         "out_of_scope facet 'dose': unknown key 'default'"),
        ("    section: Potassium", "    colour: red\n    section: Potassium",
         "unknown key 'colour' (expected one of: question, answer, id, subjects, facet, section"),
    ],
)
def test_unknown_key(tmp_path: Path, old: str, new: str, phrase: str) -> None:
    expect_mutation_error(tmp_path, old, new, new.strip().split(":")[0], phrase)


@pytest.mark.parametrize("value", ["2", "0", "1.0", "'1'", "one", "[1]", "true"])
def test_unsupported_version(tmp_path: Path, value: str) -> None:
    text = mutate("version: 1", f"version: {value}")
    expect_error(write(tmp_path, text), 1, "(only 1 is supported)")


def test_version_is_checked_before_anything_else(tmp_path: Path) -> None:
    text = mutate("version: 1", "version: 2\nfuture_key: true")
    expect_error(write(tmp_path, text), 1, "unsupported version '2' (only 1 is supported)")


# --- duplicates and references ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "key", "at", "first"),
    [
        ("version: 1\n", "version: 1\nversion:  1\n", "version", "version:  1", "version: 1"),
        ("    facet: role\n", "    facet: role\n    facet: foods\n", "facet", "facet: foods",
         "facet: role"),
        ("  potassium:\n", "  magnesium:\n", "magnesium", "magnesium:", "magnesium:"),
        ("    top: 4", "    bias: 4", "bias", "bias: 4", "bias"),
        ("  red_flags: [chest pain]", "  red_flags: [chest pain]\n  red_flags: []", "red_flags",
         "red_flags: []", "red_flags"),
        ("    reply: Hello!", "    reply: Hello!\n    reply: Hi!", "reply", "reply: Hi!", "reply"),
        ("  calf: [calves, lower leg]", "  calf: [calves]\n  'calf': [lower leg]", "calf",
         "'calf'", "calf"),
    ],
)
def test_duplicate_yaml_key(
    tmp_path: Path, old: str, new: str, key: str, at: str, first: str
) -> None:
    phrase = f"duplicate key '{key}' (first at line {{first}})"
    expect_mutation_error(tmp_path, old, new, at, phrase, first=first)


def test_duplicate_entry_id(tmp_path: Path) -> None:
    expect_mutation_error(
        tmp_path, "  - id: potassium-role", "  - id: magnesium-foods", "- id",
        "entry 'magnesium-foods': duplicate id 'magnesium-foods' (first at line {first})",
        first="- id: magnesium-foods",
    )


@pytest.mark.parametrize(
    "bad_id", ["Magnesium-Foods", "magnesium_foods", "-magnesium", "magnesium--foods", "mg foods"]
)
def test_malformed_id(tmp_path: Path, bad_id: str) -> None:
    expect_mutation_error(
        tmp_path, "  - id: potassium-role", f"  - id: {bad_id}", "- id",
        f"entry '{bad_id}': id '{bad_id}' must be lowercase letters and digits joined by dashes",
    )


def test_duplicate_smalltalk_id(tmp_path: Path) -> None:
    expect_mutation_error(
        tmp_path,
        "    reply: Hello!\n",
        "    reply: Hello!\n  - id: greeting\n    patterns: [hey]\n    reply: Hey!\n",
        "- id",
        "smalltalk 'greeting': duplicate id 'greeting' (first at line {first})",
        first="- id: greeting",
    )


@pytest.mark.parametrize(
    ("old", "new", "phrase", "first"),
    [
        # the same phrasing under two ids, compared after normalisation: an imported FAQ's
        # repeat is a warning (the first entry answers), not an error
        ("      - why does potassium matter for muscles", "      - Magnesium   FOODS!",
         "entry 'potassium-role': phrasing 'Magnesium   FOODS!' is also under entry "
         "'magnesium-foods' (line {first})", "- magnesium foods"),
        ("    question: How does low potassium cause twitching?",
         "    question: what should I eat for magnesium?",
         "entry 'potassium-role': phrasing 'what should I eat for magnesium?' is also under entry "
         "'magnesium-foods' (line {first})", "- what should i eat"),
    ],
)
def test_same_phrasing_under_two_entries_is_a_warning(
    tmp_path: Path, old: str, new: str, phrase: str, first: str
) -> None:
    text = mutate(old, new)
    faq = load_faq(write(tmp_path, text))
    line = line_of(text, new.strip())
    expected = f"{tmp_path / 'faq.yaml'}:{line}: {phrase.format(first=line_of(text, first))}"
    assert [w for w in faq.warnings if "is also under" in w] == [expected + "; faqbot answers such a question "
                                                                  "with the first entry"]


@pytest.mark.parametrize(
    ("old", "new", "phrase", "first"),
    [
        # a repeat within one entry
        ("      - magnesium foods", "      - which foods are RICH in magnesium",
         "entry 'magnesium-foods': phrasing 'which foods are RICH in magnesium' is repeated "
         "(first at line {first})", "question: Which foods"),
        ("      - why does potassium matter for muscles",
         "      - why does potassium matter for muscles\n"
         "      - Why does potassium matter for muscles?",
         "is repeated (first at line {first})", "- why does potassium"),
        ("      - magnesium foods", "      - '?!'", "phrasing '?!' has no letters or digits", ""),
    ],
)
def test_same_phrasing_twice(tmp_path: Path, old: str, new: str, phrase: str, first: str) -> None:
    at = new.splitlines()[-1].strip()
    expect_mutation_error(tmp_path, old, new, at, phrase, first=first)


def test_out_of_scope_example_that_is_an_entry_phrasing(tmp_path: Path) -> None:
    expect_mutation_error(
        tmp_path, "    - what is the atomic weight of potassium",
        "    - Why does potassium matter for muscles?", "- Why",
        "out_of_scope examples: phrasing 'Why does potassium matter for muscles?' is also under "
        "entry 'potassium-role' (line {first})", first="- why does potassium",
    )


@pytest.mark.parametrize(
    ("old", "new", "at", "phrase"),
    [
        ("    related: [potassium-role]", "    related: [potasium-role]", "related",
         "entry 'magnesium-foods': 'related' names unknown entry 'potasium-role' "
         "(did you mean 'potassium-role'?)"),
        ("    related: [potassium-role]", "    related: [magnesium-foods]", "related",
         "entry 'magnesium-foods': 'related' names the entry itself"),
        ("    subjects: [magnesium]", "    subjects: [magnesum]", "subjects",
         "entry 'magnesium-foods': subject 'magnesum' is not declared under 'subjects' "
         "(did you mean 'magnesium'?)"),
        ("    subjects: [magnesium]", "    subjects: [magnesium, magnesium]", "subjects",
         "entry 'magnesium-foods': subject 'magnesium' is listed twice"),
        ("    facet: role", "    facet: roles", "facet",
         "entry 'potassium-role': facet 'roles' is not declared under 'facets' "
         "(did you mean 'role'?)"),
        ("  potassium:\n", "  calcium:\n    label: calcium\n    words: [calcium]\n  potassium:\n",
         "calcium:", "subject 'calcium' has no entry"),
    ],
)
def test_references(tmp_path: Path, old: str, new: str, at: str, phrase: str) -> None:
    expect_mutation_error(tmp_path, old, new, at, phrase)


@pytest.mark.parametrize(
    ("old", "new", "phrase", "first"),
    [
        ("    words: [potassium]", "    words: [potassium, MG]",
         "subject 'potassium': word 'MG' is also under subject 'magnesium' (line {first})",
         "words: [magnesium, mg]"),
        ("    words: [food, eat]", "    words: [food, eat, magnesium]",
         "facet 'foods': word 'magnesium' is also under subject 'magnesium' (line {first})",
         "words: [magnesium, mg]"),
        ("  calf: [calves, lower leg]", "  calf: [calves, lower leg, Eating]",
         "synonym 'calf': word 'Eating' is also under facet 'foods' (line {first})",
         "words: [food, eat]"),
        ("  calf: [calves, lower leg]", "  food: [grub]",
         "synonym 'food': word 'food' is also under facet 'foods' (line {first})",
         "words: [food, eat]"),
        ("      words: [dose, dosage]", "      words: [dose, dosage, foods]",
         "out_of_scope facet 'dose': word 'foods' is also under facet 'foods' (line {first})",
         "words: [food, eat]"),
        ("      words: [dose, dosage]", "      words: [dose, Lower-Legs]",
         "out_of_scope facet 'dose': word 'Lower-Legs' is also under synonym 'calf' (line {first})",
         "calf: [calves"),
        ("    words: [potassium]", "    words: [potassium, '...']",
         "subject 'potassium': word '...' has no letters or digits", ""),
        ("  negations: [no, not]", "  negations: [no, not, Chest pains]",
         "urgent: 'negations': phrase 'Chest pains' is also under red flag 'chest pain' (line {first})",
         "red_flags:"),
        ("    reply: Hello!\n",
         "    reply: Hello!\n  - id: bye\n    patterns: [Hello!]\n    reply: Bye!\n",
         "smalltalk 'bye': pattern 'Hello!' is also under smalltalk 'greeting' (line {first})",
         "patterns: [hi, hello]"),
    ],
)
def test_word_under_two_concepts(
    tmp_path: Path, old: str, new: str, phrase: str, first: str
) -> None:
    at = "patterns" if "bye" in new else new.strip().split(":")[0]
    expect_mutation_error(tmp_path, old, new, at, phrase, first=first)


def test_word_forms_within_one_concept_are_fine(tmp_path: Path) -> None:
    text = mutate("  calf: [calves, lower leg]", "  twitch: [twitching, twitches, Twitch]")
    assert load_faq(write(tmp_path, text)).synonyms["twitch"] == ("twitching", "twitches", "Twitch")


def test_two_default_facets(tmp_path: Path) -> None:
    text = mutate("    words: [food, eat]", "    words: [food, eat]\n    default: yes")
    first = line_of(text, "default: yes")
    expect_error(
        write(tmp_path, text),
        line_of(text, "default: true"),
        f"facets 'foods' (line {first}) and 'role' both have default: true; only one may",
    )


@pytest.mark.parametrize(
    ("old", "new", "at", "phrase"),
    [
        ("  facets:\n    dose:\n      label: doses\n      words: [dose, dosage]\n",
         "  facets: [dose]\n", "facets", "out_of_scope: 'facets' must be a mapping, not a list"),
        ("    dose:\n      label: doses\n", "    dose:\n", "dose",
         "out_of_scope facet 'dose': missing required key 'label'"),
        ("      words: [dose, dosage]", "      words: dose", "words",
         "out_of_scope facet 'dose': 'words' must be a list of strings, not 'dose'"),
        ("    dose:\n      label: doses\n      words: [dose, dosage]\n", "    dose:\n",
         "dose", "out_of_scope facet 'dose': must be a mapping, not empty"),
        ("  examples:\n    - what is the atomic weight of potassium", "  examples: atomic weight",
         "examples", "out_of_scope: 'examples' must be a list of strings, not 'atomic weight'"),
        ("    - what is the atomic weight of potassium", "    - {atomic: weight}", "-",
         "out_of_scope: 'examples' must be a list of strings; item 1 is a mapping"),
    ],
)
def test_out_of_scope_malformed(tmp_path: Path, old: str, new: str, at: str, phrase: str) -> None:
    expect_mutation_error(tmp_path, old, new, at, phrase)


# --- hostile YAML ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!!python/object/apply:os.system ['touch MARKER']", "python/object/apply:os.system"),
        ("!!python/name:os.system", "python/name:os.system"),
        ("!!python/object:builtins.dict {}", "python/object:builtins.dict"),
        ("!mytag hello", "'!mytag'"),
        ("!!binary aGVsbG8=", "'tag:yaml.org,2002:binary'"),
        ("!!set {a, b}", "'tag:yaml.org,2002:set'"),
        ("!!timestamp 2024-01-01", "'tag:yaml.org,2002:timestamp'"),
        ("!!seq {a: b}", "'tag:yaml.org,2002:seq'"),
        ("!!str [a, b]", "'tag:yaml.org,2002:str'"),
        ("! hello", "'!'"),
    ],
)
def test_tags_are_rejected_not_constructed(tmp_path: Path, value: str, tag: str) -> None:
    marker = tmp_path / "pwned"
    value = value.replace("MARKER", str(marker))
    error = expect_mutation_error(
        tmp_path, "    section: Potassium", f"    section: {value}", "section", "is not supported"
    )
    assert tag in error.message
    assert not marker.exists()


def test_core_tags_are_allowed(tmp_path: Path) -> None:
    text = mutate("    section: Potassium", "    section: !!str 2024")
    assert load_faq(write(tmp_path, text)).entry("potassium-role").section == "2024"


BILLION_LAUGHS = """\
version: 1
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    started = time.perf_counter()
    expect_error(write(tmp_path, BILLION_LAUGHS), 2, "anchors and aliases are not supported")
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("old", "new", "at"),
    [
        ("    section: Potassium", "    section: *nowhere", "section"),
        ("  potassium:\n", "  potassium: &p\n", "potassium"),
        ("    words: [potassium]", "    words: [potassium]\n    <<: *base", "<<"),
    ],
)
def test_anchors_and_aliases_are_rejected(tmp_path: Path, old: str, new: str, at: str) -> None:
    expect_mutation_error(tmp_path, old, new, at, "anchors and aliases are not supported")


def _flow_lists(depth: int) -> str:
    return "[" * depth + "]" * depth


def _flow_maps(depth: int) -> str:
    return "{a: " * depth + "b" + "}" * depth


def _block_lists(depth: int) -> str:
    return "\n" + "".join("  " * (i + 2) + "-\n" for i in range(depth))


@pytest.mark.parametrize("loader", ["C", "pure Python"])
@pytest.mark.parametrize(
    ("nest", "depth"), [(_flow_lists, 100_000), (_flow_maps, 20_000), (_block_lists, 1000)]
)
def test_deep_nesting_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    loader: str,
    nest: Callable[[int], str],
    depth: int,
) -> None:
    if loader != "C":
        monkeypatch.setattr(yamlnodes, "_LOADER", yaml.SafeLoader)
    text = mutate("    answer: It carries nerve signals.", f"    answer: {nest(depth)}")
    started = time.perf_counter()
    with pytest.raises(FAQFormatError) as info:
        load_faq(write(tmp_path, text))
    assert info.value.line is not None and info.value.line >= line_of(text, "    answer: ")
    # our own limit, or libyaml's ("exceeded maximum nesting depth") when it sees it first
    assert "nesting" in info.value.message
    assert time.perf_counter() - started < 5


def test_too_many_values(tmp_path: Path) -> None:
    limit = yamlnodes.MAX_BYTES // yamlnodes.BYTES_PER_NODE  # values in a file of the default size limit
    many = ", ".join(["x"] * (limit + 1))
    text = mutate("    answer: It carries nerve signals.", f"    answer: [{many}]")
    expect_error(write(tmp_path, text), line_of(text, "answer: ["), f"more than {limit} values")


def test_non_text_mapping_key(tmp_path: Path) -> None:
    expect_mutation_error(
        tmp_path, "  calf: [calves, lower leg]", "  ? [calf, calves]\n  : [lower leg]", "?",
        "a mapping key must be plain",
    )


def test_out_of_scope_unless_names_subjects_or_synonyms(tmp_path: Path) -> None:
    text = mutate("      words: [dose, dosage]\n", "      words: [dose, dosage]\n      unless: [magnesium]\n")
    faq = load_faq(write(tmp_path, text))
    assert faq.out_of_scope_facets["dose"].unless == ("magnesium",)


def test_out_of_scope_unless_unknown_name(tmp_path: Path) -> None:
    text = mutate("      words: [dose, dosage]\n", "      words: [dose, dosage]\n      unless: [calves]\n")
    message = "out_of_scope facet 'dose': 'unless' names 'calves', which is not a subject or synonym"
    expect_error(write(tmp_path, text), line_of(text, "    dose:"), message)


# -- every problem in one run ---------------------------------------------------------------

SEVERAL_PROBLEMS = [  # (old, new, the line's fragment, the message), each on its own
    ("    label: magnesium", "    label: magnesium\n    colour: grey", "colour: grey",
     "subject 'magnesium': unknown key 'colour'"),
    ("    reply: Hello!", "    replyy: Hello!", "replyy", "unknown key 'replyy' (did you mean 'reply'?)"),
    ("  - id: potassium-role", "  - id: Potassium_Role", "id: Potassium_Role",
     "id 'Potassium_Role' must be lowercase"),
    ("    related: [potassium-role]", "    related: [potassium-role]", "related: [potassium-role]",
     "'related' names unknown entry 'potassium-role'"),  # true too, once that id is changed
    ("    answer: It carries nerve signals.", '    answer: ""', 'answer: ""', "'answer' is empty"),
]


def test_one_run_reports_every_problem_in_line_order(tmp_path: Path) -> None:
    text = MINIMAL
    for old, new, _, _ in SEVERAL_PROBLEMS:
        text = mutate(old, new, text)
    error = expect_error(write(tmp_path, text), line_of(text, "colour: grey"), "unknown key 'colour'")
    found = [(problem.line, problem.message) for problem in error.problems]
    expected = [(line_of(text, fragment), message) for _, _, fragment, message in SEVERAL_PROBLEMS]
    assert len(found) == len(expected)
    for (line, message), (want_line, want) in zip(found, sorted(expected), strict=True):
        assert line == want_line and want in message
    assert all(problem.problems == error.problems for problem in error.problems)


def test_a_misspelt_key_is_one_problem_not_two(tmp_path: Path) -> None:
    error = expect_error(write(tmp_path, mutate("    reply: Hello!", "    replyy: Hello!")),
                         line_of(MINIMAL, "reply: Hello!"), "did you mean 'reply'?")
    assert len(error.problems) == 1  # not also "missing required key 'reply'"


def test_a_file_that_is_not_yaml_stops_at_its_one_problem(tmp_path: Path) -> None:
    error = expect_error(write(tmp_path, "version: 1\nentries: [\n"), 3, "invalid YAML")
    assert error.problems == (error,)


def test_the_ranking_weights_are_the_faqs(tmp_path: Path) -> None:
    """An entry's score is made with the FAQ's own `ranking:` weights: with every similarity
    weighed 0 but the fuzzy one, it is the fuzzy similarity alone."""
    from bot import FAQBot

    weights = "  ranking:\n" + "".join(f"    {name}: {0.5 if name == 'fuzzy' else 0}\n" for name in RANKING)
    bot = FAQBot(load_faq(write(tmp_path, MINIMAL.replace("  calibration:\n", weights + "  calibration:\n"))))
    assert bot.faq.ranking["fuzzy"] == 0.5 and bot.faq.ranking["word"] == 0.0
    scores = bot.index.score(["which foods have magnesium"])
    combined = bot.decider.score_batch(scores).combined
    assert combined == pytest.approx(np.clip(0.5 * scores.fuzzy, 0.0, 1.0))


def test_an_out_of_scope_facets_signs_are_loaded(tmp_path: Path) -> None:
    text = mutate("      words: [dose, dosage]", "      signs:\n        change: [double, halve]\n"
                  "        amount: [dose, pills]\n      words: [double my dose]")
    facet = load_faq(write(tmp_path, text)).out_of_scope_facets["dose"]
    assert dict(facet.signs) == {"change": ("double", "halve"), "amount": ("dose", "pills")}


def test_a_count_sign_with_a_minus_stands_for_every_smaller_number(tmp_path: Path) -> None:
    from bot import FAQBot

    text = mutate("      words: [dose, dosage]", "      signs:\n        young: ['15-']\n      words: [15- year old]")
    index = FAQBot(load_faq(write(tmp_path, text))).index
    assert "dose" in index.analyse("magnesium for my 9 year old").out_of_scope
    assert "dose" in index.analyse("magnesium for a 15-year-old").out_of_scope
    assert "dose" not in index.analyse("magnesium for my 16 year old").out_of_scope


def test_a_word_under_two_signs_of_an_out_of_scope_facet(tmp_path: Path) -> None:
    text = mutate("      words: [dose, dosage]", "      signs:\n        change: [double, halve]\n"
                  "        amount: [dose, double]\n      words: [double my dose]")
    expect_error(write(tmp_path, text), line_of(text, "amount:"),
                 "sign 'amount': word 'double' is also under out_of_scope facet 'dose': sign 'change'")


def test_a_subjects_hints_are_loaded_and_must_be_single_words(tmp_path: Path) -> None:
    text = mutate("    words: [potassium]", "    words: [potassium]\n    hints: [bananas]")
    assert load_faq(write(tmp_path, text)).subjects["potassium"].hints == ("bananas",)
    text = mutate("    words: [potassium]", "    words: [potassium]\n    hints: [banana split]")
    expect_error(write(tmp_path, text), line_of(text, "hints:"), "hint 'banana split' must be one word")


def test_an_entry_may_tell_other_facets_too(tmp_path: Path) -> None:
    text = mutate("    facet: foods\n", "    facet: foods\n    also_tells: [role]\n")
    entry = load_faq(write(tmp_path, text)).entry("magnesium-foods")
    assert (entry.facet, entry.also_tells, entry.facets) == ("foods", ("role",), ("foods", "role"))


@pytest.mark.parametrize(("also", "phrase"), [
    ("[roles]", "facet 'roles' is not declared under 'facets'"),
    ("[foods]", "'also_tells' repeats facet 'foods'"),
])
def test_what_an_entry_also_tells_is_a_declared_facet_once(tmp_path: Path, also: str, phrase: str) -> None:
    text = mutate("    facet: foods\n", f"    facet: foods\n    also_tells: {also}\n")
    expect_error(write(tmp_path, text), line_of(text, "also_tells:"), phrase)
