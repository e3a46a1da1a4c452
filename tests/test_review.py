"""`faqbot review LOG`: questions grouped by need, the suggestion rules, the three formats,
--min-size and --since, and clear errors.

Mechanics use tests/data/review_faq.yaml, a small FAQ whose answer threshold is so high
that the bot falls back on nearly everything (so logged questions stay unanswered when
reviewed); the clustering of real needs uses the bundled FAQ."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot import FAQBot, UnansweredLog
from bot.cli import main
from bot.review import NEAR, ONE_ENTRY, review, suggest
from bot.unanswered import read_log

REVIEW_FAQ = Path(__file__).resolve().parent / "data" / "review_faq.yaml"

# Questions of four needs, written for this test (not used to choose the clustering's settings).
FOUR_NEEDS = {
    "restless-legs": [
        "is my calf twitching restless legs syndrome",
        "restless legs or just twitching?",
        "how do i know if i have restless leg syndrome",
        "can restless legs make my calves jump at night",
        "Restless legs syndrome and muscle twitches",
        "difference between restless legs and fasciculations",
    ],
    "massage-gun": [
        "should i use a massage gun on my twitching calf",
        "massage gun for calf twitches",
        "does a massage gun help muscle twitching",
        "is percussion massage ok for twitchy calves",
        "can i use my theragun on a twitching muscle",
        "Massage gun twitching calf good or bad?",
    ],
    "calcium-dose": [
        "how much calcium should i take a day",
        "calcium dosage for adults",
        "how many mg of calcium per day",
        "what is the right dose of calcium for cramps",
        "daily calcium dose?",
        "how much calcium is too much",
    ],
    "pregnancy": [
        "is calf twitching normal in pregnancy",
        "my calves twitch since i got pregnant",
        "calf twitching while pregnant at night",
        "i'm 30 weeks pregnant and my calf keeps twitching",
        "pregnant and twitchy calves, should i worry",
        "calf muscle twitching during pregnancy",
    ],
}

# For the review FAQ: need → questions, and the suggestion each need's cluster must get.
NEEDS = {
    "greens": (["magnesium in leafy greens", "which greens give magnesium", "magnesium rich meals"],
               "add as phrasing of magnesium-foods"),
    "potassium": (["bananas potassium", "potassium in sweet potatoes", "sweet potatoes or bananas for potassium"],
                  "add as phrasing of potassium-foods"),
    "dose": (["magnesium dose per day", "how much magnesium dosage", "magnesium milligrams daily"],
             "out of scope as designed"),
    "stretch": (["how do i stretch my legs", "stretching for tight legs", "leg stretches before bed"],
                "candidate new entry"),
    # logged as fallbacks before these became red flags: the bot now sends them to urgent care
    "red-flag": (["chest pain and twitching", "i fainted and my calf twitches", "chest pain when walking"],
                 "out of scope as designed"),
}


def log_line(text: str, *, kind: str = "fallback", reason: dict[str, str] | None = None,
             time: str = "2025-05-01T09:30:12Z") -> str:
    return json.dumps({"time": time, "text": text, "kind": kind, "id": None,
                       "reason": reason or {"reason": "low-confidence"}, "confidence": 0.0,
                       "alternatives": [], "lang": None, "front_end": "ask"}) + "\n"


def write_log(path: Path, bot: FAQBot, questions: Iterable[str]) -> None:
    """Log `questions` as the bot logs them (each turn it does not answer well)."""
    with UnansweredLog.for_bot(bot, path, front_end="batch") as log:
        for text in questions:
            log(text, bot.ask(text))


@pytest.fixture(scope="module")
def review_bot() -> FAQBot:
    return FAQBot.from_yaml(REVIEW_FAQ)


@pytest.fixture
def review_log(tmp_path: Path, review_bot: FAQBot) -> Path:
    path = tmp_path / "unanswered.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        for questions, _ in NEEDS.values():
            for text in questions:
                reply = review_bot.ask(text)
                reason = dict(reply.reason) if reply.reason else None  # red flags: as an older log had them
                stream.write(log_line(text, reason=reason))
    return path


def _need(text: str) -> str:
    return next(need for need, (questions, _) in NEEDS.items() if text in questions)


# -- grouping ---------------------------------------------------------------------------------


def test_four_needs_make_four_clusters(bot: FAQBot, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    write_log(path, bot, [q for questions in FOUR_NEEDS.values() for q in questions])
    entries = read_log(path).entries
    need_of = {q: need for need, questions in FOUR_NEEDS.items() for q in questions}
    logged_needs = {need_of[e.text] for e in entries}
    assert len(logged_needs) == 4 and len(entries) >= 20  # the bundled FAQ answers few of them
    clusters = review(bot, entries)
    assert sorted(sorted({need_of[m] for m in c.members}) for c in clusters) == sorted([n] for n in logged_needs)
    assert sum(c.size for c in clusters) == len(entries)


def test_clusters_come_biggest_first_with_every_member(review_bot: FAQBot, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    texts = ["bananas potassium"] * 5 + ["magnesium dose per day", "how much magnesium dosage"] + ["leg stretches"]
    path.write_text("".join(log_line(t) for t in texts), encoding="utf-8")
    clusters = review(review_bot, read_log(path).entries)
    assert [c.size for c in clusters] == [5, 2, 1]
    assert sorted(m for c in clusters for m in c.members) == sorted(texts)


def test_representatives_are_three_different_members(review_bot: FAQBot, tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    texts = ["magnesium dose per day", "Magnesium dose per day?", "magnesium dose per day!!",
             "how much magnesium dosage", "magnesium milligrams daily", "magnesium dosage daily"]
    path.write_text("".join(log_line(t, reason={"reason": "unanswered-facet", "facet": "doses or amounts"})
                            for t in texts), encoding="utf-8")
    [cluster] = review(review_bot, read_log(path).entries)
    assert len(cluster.representatives) == 3
    assert len({t.lower().strip("?!") for t in cluster.representatives}) == 3  # not one question thrice
    assert set(cluster.representatives) <= set(cluster.members)
    assert cluster.members[0] == cluster.representatives[0]


# -- suggestions ------------------------------------------------------------------------------


@pytest.mark.parametrize(("out_of_scope", "ranked", "expected"), [
    (0.5, [("a", 0.9), ("b", 0.1)], "out of scope as designed"),  # half out of scope is enough
    (1.0, [], "out of scope as designed"),
    (0.49, [("a", 0.9), ("b", 0.1)], "add as phrasing of a"),
    (0.0, [("a", NEAR), ("b", NEAR - ONE_ENTRY)], "add as phrasing of a"),
    (0.0, [("a", NEAR)], "add as phrasing of a"),
    (0.0, [("a", NEAR - 0.01), ("b", 0.0)], "candidate new entry"),  # far from every entry
    (0.0, [("a", 0.8), ("b", 0.8 - ONE_ENTRY + 0.01)], "candidate new entry"),  # as near to two entries
    (0.0, [], "candidate new entry"),
])
def test_suggestion_rules(out_of_scope: float, ranked: list[tuple[str, float]], expected: str) -> None:
    assert suggest(out_of_scope, ranked) == expected


def test_each_need_gets_the_suggestion_the_rules_give(review_bot: FAQBot, review_log: Path) -> None:
    clusters = review(review_bot, read_log(review_log).entries)
    found = {}
    for cluster in clusters:
        [need] = {_need(m) for m in cluster.members}
        found[need] = cluster.suggestion
    assert found == {need: suggestion for need, (_, suggestion) in NEEDS.items()}


def test_a_cluster_names_its_nearest_entry_and_reasons(review_bot: FAQBot, review_log: Path) -> None:
    clusters = {_need(c.members[0]): c for c in review(review_bot, read_log(review_log).entries)}
    dose, greens, flags = clusters["dose"], clusters["greens"], clusters["red-flag"]
    assert dose.reasons == {"doses or amounts of magnesium": 3}
    assert greens.nearest is not None and greens.nearest.id == "magnesium-foods"
    assert greens.nearest.question == "Which foods are rich in magnesium?"
    assert NEAR <= greens.nearest.score <= 1
    assert sum(greens.reasons.values()) == 3
    assert (flags.urgent_now, flags.asked, flags.nearest) == (3, 3, None)


# -- the command ------------------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_has_exactly_the_documented_shape(review_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", str(review_log), "--faq", str(REVIEW_FAQ), "--format", "json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["clusters"]
    for cluster in data["clusters"]:
        assert list(cluster) == ["size", "members", "nearest", "reasons", "suggestion"]
        assert cluster["size"] == len(cluster["members"]) == sum(cluster["reasons"].values())
        assert list(cluster["nearest"]) == ["id", "score"]
    assert sorted(m for c in data["clusters"] for m in c["members"]) == sorted(
        q for questions, _ in NEEDS.values() for q in questions)
    sizes = [c["size"] for c in data["clusters"]]
    assert sizes == sorted(sizes, reverse=True)


def test_the_table_shows_each_cluster(review_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "review", str(review_log), "--faq", str(REVIEW_FAQ))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == f"{review_log}: 15 unanswered questions on 2025-05-01 in 5 clusters"
    assert lines[1] == ""
    assert sum(line.startswith(tuple(f"{n:2}. 3 questions: " for n in range(1, 6))) for line in lines) == 5
    block = out.split("\n\n")[1:]
    greens = next(b for b in block if "magnesium in leafy greens" in b)
    assert greens.splitlines()[0].endswith("add as phrasing of magnesium-foods")
    assert '    nearest:   magnesium-foods (' in greens and ') "Which foods are rich in magnesium?"' in greens
    assert "    asked as:  \"" in greens and "    reasons:   " in greens


def test_markdown_is_a_table(review_log: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "review", str(review_log), "--faq", str(REVIEW_FAQ), "--format", "md")
    lines = out.splitlines()
    assert code == 0 and lines[0] == f"# Unanswered questions: {review_log}"
    assert lines[4] == "| # | questions | suggestion | nearest entry | asked as | reasons |"
    assert len([line for line in lines if line.startswith("| ") and line[2].isdigit()]) == 5
    assert "| add as phrasing of magnesium-foods | `magnesium-foods` (" in out


def test_markdown_and_table_escape_what_users_typed(review_bot: FAQBot, tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(log_line("a | pipe <b>bold</b> \x1b[31mred") * 2, encoding="utf-8")
    _, md, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "md")
    assert "a \\| pipe &lt;b&gt;bold&lt;/b&gt; \ufffd[31mred" in md
    _, table, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ))
    assert "\x1b" not in table and '"a | pipe <b>bold</b> \ufffd[31mred"' in table


def test_min_size_hides_small_clusters(review_bot: FAQBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("".join(log_line(t) for t in ["bananas potassium"] * 3 + ["leg stretches"]), encoding="utf-8")
    code, out, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "json", "--min-size", "2")
    assert code == 0 and [c["members"] for c in json.loads(out)["clusters"]] == [["bananas potassium"] * 3]
    _, out, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "json", "--min-size", "1")
    assert len(json.loads(out)["clusters"]) == 2
    _, out, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--min-size", "2")
    assert out.splitlines()[0].endswith("in 2 clusters; 1 cluster under --min-size 2 not shown")


def test_the_header_gives_the_time_span(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(log_line("bananas potassium", time="2025-04-30T23:59:59Z")
                    + log_line("bananas potassium", time="2025-05-02T08:00:00Z"), encoding="utf-8")
    _, out, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ))
    assert out.splitlines()[0] == f"{path}: 2 unanswered questions from 2025-04-30 to 2025-05-02 in 1 cluster"


def test_since_reviews_the_later_questions_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(log_line("bananas potassium", time="2025-04-30T23:59:59Z") * 2
                    + log_line("leg stretches", time="2025-05-01T00:00:00Z") * 2, encoding="utf-8")
    code, out, _ = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "json",
                       "--since", "2025-05-01")
    assert code == 0 and [c["members"] for c in json.loads(out)["clusters"]] == [["leg stretches"] * 2]


def test_an_empty_log_has_no_clusters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text("")
    assert run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "json") == (
        0, '{"clusters": []}\n', "")
    assert run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ)) == (
        0, f"{path}: 0 unanswered questions in 0 clusters\n\n", "")


def test_lines_that_are_not_entries_are_skipped_with_a_warning(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    path.write_text(log_line("bananas potassium") * 2 + '{"text": "cut sho\n', encoding="utf-8")
    code, out, err = run(capsys, "review", str(path), "--faq", str(REVIEW_FAQ), "--format", "json")
    assert code == 0 and len(json.loads(out)["clusters"]) == 1
    assert err == (f"faqbot: warning: {path}: 1 line not written by --log-unanswered skipped "
                   "(the first is line 3)\n")


@pytest.mark.parametrize(("argv", "error"), [
    (["{missing}"], "faqbot: {missing}: No such file or directory\n"),
    (["{notes}"], "faqbot: {notes}:1: not an unanswered-questions log (expected JSON lines written by "
                  "--log-unanswered)\n"),
    (["{log}", "--min-size", "0"], "faqbot: --min-size must be 1 or more, not 0\n"),
    (["{log}", "--faq", "{missing}"], "faqbot: {missing}: file not found\n"),
])
def test_bad_input_is_one_clear_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str],
                                     error: str) -> None:
    names = {"missing": str(tmp_path / "missing.jsonl"), "notes": str(tmp_path / "notes.txt"),
             "log": str(tmp_path / "log.jsonl")}
    (tmp_path / "notes.txt").write_text("just notes\n")
    (tmp_path / "log.jsonl").write_text(log_line("bananas potassium"))
    code, out, err = run(capsys, "review", *[a.format(**names) for a in argv])
    assert (code, out, err) == (1, "", error.format(**names))


def test_a_bad_since_date_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["review", str(tmp_path / "log.jsonl"), "--since", "yesterday"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.splitlines()[-1].endswith("argument --since: not a date: 'yesterday' (use YYYY-MM-DD or "
                                         "YYYY-MM-DDTHH:MM)")


def test_review_reads_a_log_written_by_the_real_front_end(tmp_path: Path, tiny_faq_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "log.jsonl"
    for question in ["how much magnesium dosage", "magnesium dose per day please", "which foods have magnesium"]:
        assert main(["ask", "--faq", str(tiny_faq_path), "--log-unanswered", str(path), question]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "review", str(path), "--faq", str(tiny_faq_path), "--format", "json")
    data: dict[str, Any] = json.loads(out)
    assert code == 0 and [c["suggestion"] for c in data["clusters"]] == ["out of scope as designed"]
    assert data["clusters"][0]["reasons"] == {"doses or amounts of magnesium": 2}
