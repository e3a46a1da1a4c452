"""Phrasings added to a FAQ file as text: the new items land in the entry's list, and every
other byte of the file (comments, blank lines, quoting, line endings) stays as it was."""

from __future__ import annotations

import difflib

import pytest
import yaml

from bot.yamledit import EditError, add_alternatives, render

HEAD = "version: 1\n# entries follow\nentries:\n"


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` adds to `before`; fails if it removes or changes any."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    assert not [d for d in diff if d.startswith("- ")], "a line was removed or changed"
    return [d[2:] for d in diff if d.startswith("+ ")]


def alternatives(text: str) -> list[list[str]]:
    return [e.get("alternatives") for e in yaml.safe_load(text)["entries"]]


def test_a_block_list_gets_new_items_at_its_end_with_the_same_indent() -> None:
    text = HEAD + ("  - id: a\n    question: A?\n    alternatives:\n      - one   # a comment\n      - two\n"
                   "\n    answer: A.\n  - id: b\n    question: B?\n    alternatives:\n    - three\n    answer: B.\n")
    edited = add_alternatives(text, {0: ["new one", "new: two"], 1: ["four"]})
    assert added_lines(text, edited) == ["      - new one", "      - 'new: two'", "    - four"]
    assert alternatives(edited) == [["one", "two", "new one", "new: two"], ["three", "four"]]


def test_a_flow_list_gets_new_items_before_its_bracket() -> None:
    text = HEAD + "- id: a\n  question: A?\n  alternatives: [one, two]  # keep\n  answer: A.\n"
    edited = add_alternatives(text, {0: ["x, y", "three"]})
    assert "  alternatives: [one, two, 'x, y', three]  # keep\n" in edited
    assert alternatives(edited) == [["one", "two", "x, y", "three"]]


@pytest.mark.parametrize(("flow", "expected"), [("[]", "[new]"), ("[one,]", "[one, new]"),
                                                ("[\n    one,\n  ]", "[\n    one, new\n  ]")])
def test_empty_and_trailing_comma_flow_lists(flow: str, expected: str) -> None:
    text = HEAD + f"- id: a\n  question: A?\n  alternatives: {flow}\n  answer: A.\n"
    edited = add_alternatives(text, {0: ["new"]})
    assert f"  alternatives: {expected}\n" in edited
    assert alternatives(edited)[0][-1] == "new"


def test_a_folded_last_item_and_a_file_with_no_final_newline() -> None:
    text = HEAD + "- id: a\n  question: A?\n  answer: A.\n  alternatives:\n  - >-\n    a long\n    one"
    edited = add_alternatives(text, {0: ["short"]})
    assert edited == text + "\n  - short"
    assert alternatives(edited) == [["a long one", "short"]]


def test_an_entry_without_alternatives_gets_a_list_after_its_question() -> None:
    text = HEAD + "- id: a\n  question: A?   # the question\n  answer: A.\n"
    edited = add_alternatives(text, {0: ["first", "second"]})
    assert added_lines(text, edited) == ["  alternatives:", "    - first", "    - second"]
    assert alternatives(edited) == [["first", "second"]]


def test_a_flow_mapping_entry_gets_a_flow_list() -> None:
    text = HEAD + "- {id: a, question: A?, answer: A.}\n"
    edited = add_alternatives(text, {0: ["new"]})
    assert edited == HEAD + "- {id: a, question: A?, answer: A., alternatives: [new]}\n"


def test_crlf_line_endings_are_kept() -> None:
    text = (HEAD + "- id: a\n  question: A?\n  alternatives:\n  - one\n  answer: A.\n").replace("\n", "\r\n")
    edited = add_alternatives(text, {0: ["two"]})
    assert "  - one\r\n  - two\r\n  answer: A.\r\n" in edited
    assert "\n" not in edited.replace("\r\n", "")


def test_nothing_else_changes_in_the_bundled_faq() -> None:
    from bot.knowledge import bundled_faq_path, load_faq

    path = bundled_faq_path()
    text = path.read_text(encoding="utf-8")
    faq = load_faq(path)
    last = len(faq.entries) - 1
    edited = add_alternatives(text, {0: ["a brand new phrasing"], last: ["another one, with a comma"]})
    assert len(added_lines(text, edited)) == 2
    loaded = yaml.safe_load(edited)["entries"]
    assert loaded[0]["alternatives"] == [*faq.entries[0].alternatives, "a brand new phrasing"]
    assert loaded[last]["alternatives"] == [*faq.entries[last].alternatives, "another one, with a comma"]


@pytest.mark.parametrize("phrase", ["plain words", "a: colon", "- dash", "yes", "100", "null", "#hash", "it's",
                                    '"quoted"', "x, y [z] {w}", "ümlaut café", "  leading space", "ends with ?"])
def test_render_reads_back_as_itself(phrase: str) -> None:
    assert yaml.safe_load("- " + render(phrase)) == [phrase]
    assert yaml.safe_load("[" + render(phrase, flow=True) + "]") == [phrase]


def test_an_unknown_entry_is_an_error() -> None:
    with pytest.raises(EditError, match="entry 'b' is not in the FAQ file"):
        add_alternatives(HEAD + "- id: a\n  question: A?\n  answer: A.\n", {1: ["x"]}, ["a", "b"])
    with pytest.raises(EditError, match="no 'entries' list"):
        add_alternatives("version: 1\n", {0: ["x"]})


def test_a_comment_inside_a_flow_list_stays_a_comment() -> None:
    text = HEAD + "- id: a\n  question: A?\n  alternatives: [\n    one,  # the first\n  ]\n  answer: A.\n"
    edited = add_alternatives(text, {0: ["new"]})
    assert "    one,  # the first\n  new]\n" in edited
    assert alternatives(edited) == [["one", "new"]]
