"""The library surface a program embedding faqbot relies on: what `bot` exports, the shape
of a `Reply`, loading errors, and `ask` never raising, always well-formed and repeatable,
from one thread or many."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bot as bot_package
from bot import (
    DISCLAIMER,
    Alternative,
    Conversation,
    EvalFormatError,
    FAQBot,
    FAQBotError,
    FAQFormatError,
    InputError,
    Reply,
)
from bot.reply import KINDS

REPO = Path(__file__).resolve().parent.parent

# The documented public surface (content/FRONTEND.md, bot/errors.py). Changing it is an API
# change: update this list on purpose, never to make the test pass.
PUBLIC = [
    "DISCLAIMER",
    "Alternative",
    "Conversation",
    "EvalFormatError",
    "FAQBot",
    "FAQBotError",
    "FAQFormatError",
    "InputError",
    "Reply",
    "UnansweredLog",
]
REPLY_KEYS = {"kind", "id", "text", "confidence", "alternatives", "reason", "lang"}

PROPERTY = settings(max_examples=200, deadline=None, derandomize=True)

# Anything a user, a pasted log or a broken client can send: lone surrogates, control and
# format characters, emoji, right-to-left marks, CJK, combining marks.
ODD_CHARACTERS = st.sampled_from(
    ["\ud800", "\udfff", "\x00", "\x1b", "\x7f", "\u200b", "\u202e", "\ufeff", "🙂", "👍", "\U0001f3fd", "镁", "\u0301"]
)
ANY_TEXT = st.text(alphabet=st.one_of(st.characters(), ODD_CHARACTERS), max_size=200)
WORDS = st.lists(
    st.sampled_from(
        ["magnesium", "potassium", "foods", "signs", "calf", "twitch", "chest", "pain", "no",
         "hi", "thanks", "dose", "what", "why", "?", "🙂", "\ud800", "\x1b[0m", "mg", "b12"]
    ),
    max_size=12,
).map(" ".join)


# -- the exported surface ----------------------------------------------------------------------


def test_all_is_exactly_the_documented_surface() -> None:
    assert sorted(bot_package.__all__) == sorted(PUBLIC)
    assert len(set(bot_package.__all__)) == len(bot_package.__all__)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_is_importable(name: str) -> None:
    assert getattr(bot_package, name) is not None


def test_star_import_gives_the_public_names_only() -> None:
    namespace: dict[str, object] = {}
    exec("from bot import *", namespace)
    assert sorted(k for k in namespace if k != "__builtins__") == sorted(PUBLIC)


@pytest.mark.parametrize("error", [FAQFormatError, InputError, EvalFormatError])
def test_every_error_derives_from_the_one_root(error: type[Exception]) -> None:
    assert issubclass(error, FAQBotError)


def test_import_bot_does_not_pull_in_front_ends() -> None:
    code = (
        "import sys, bot; "
        "print(sorted(m for m in ('prompt_toolkit', 'starlette', 'uvicorn', 'bot.server', "
        "'bot.terminal', 'bot.cli') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


SCORING_STACK = ("numpy", "scipy", "rapidfuzz", "sklearn", "bot.core", "bot.retrieve")


def _loaded_after(code: str) -> list[str]:
    """Which modules of the scoring stack a fresh interpreter has loaded after `code`."""
    probe = f"{code}; import sys; print([m for m in {SCORING_STACK!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_import_bot_loads_the_scoring_stack_only_when_it_is_used() -> None:
    assert _loaded_after("import bot; bot.Reply, bot.FAQBotError, bot.InputError") == []
    assert {"numpy", "rapidfuzz", "bot.core"} <= set(_loaded_after("import bot; bot.FAQBot"))
    assert _loaded_after("from bot import DISCLAIMER") == []  # a front-end can show it at once


def test_a_cached_bot_answers_one_question_without_scipy(tmp_path: Path) -> None:
    # importing SciPy is a sixth of a cold start: with the models cached, one question needs none of it
    env = {**os.environ, "FAQBOT_CACHE_DIR": str(tmp_path)}
    code = ("import sys; from bot import FAQBot; bot = FAQBot.from_file(); "
            "bot.ask('why do my calves twitch at night?'); bot.ask('magnesum foods'); "
            "print('scipy' in sys.modules, 'sklearn' in sys.modules)")
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    again = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split() == ["True", "True"]  # the first start fits the models
    assert again.stdout.split() == ["False", "False"]


def test_an_english_question_never_loads_the_language_detector() -> None:
    # its model takes about half a second to load: plain English starts without it
    code = ("import sys; from bot import FAQBot; bot = FAQBot.from_yaml(); "
            "bot.ask('which foods have magnesium?'); print(['py3langid' in sys.modules]); "
            "bot.ask('¿qué alimentos tienen magnesio?'); print(['py3langid' in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["[False]", "[True]"]


def test_the_lazy_names_are_the_real_ones() -> None:
    from bot.conversation import Conversation as Real
    from bot.messages import DISCLAIMER as TEXT

    assert bot_package.Conversation is Real and bot_package.DISCLAIMER is TEXT
    assert set(PUBLIC) <= set(dir(bot_package))
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        bot_package.nothing  # noqa: B018


def test_disclaimer_is_in_the_faqbot_docstring() -> None:
    docstring = " ".join((FAQBot.__doc__ or "").split())
    assert " ".join(DISCLAIMER.split()) in docstring


# -- Reply -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replies(bot: FAQBot) -> list[Reply]:
    """One reply of each kind the bundled FAQ gives without a clarification."""
    return bot.ask_many(
        ["which foods are rich in magnesium?", "what's the weather tomorrow", "chest pain", "hello",
         "which brand of magnesium is best"]
    )


def test_reply_is_frozen(replies: list[Reply]) -> None:
    reply = replies[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.kind = "fallback"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.confidence = 0.0  # type: ignore[misc]


def test_reply_is_slotted(replies: list[Reply]) -> None:
    assert "__slots__" in vars(Reply)
    assert not hasattr(replies[0], "__dict__")
    with pytest.raises((AttributeError, TypeError)):
        replies[0].extra = 1  # type: ignore[attr-defined]


def test_alternatives_are_a_tuple_of_alternatives(replies: list[Reply]) -> None:
    for reply in replies:
        assert isinstance(reply.alternatives, tuple)
        assert all(isinstance(a, Alternative) for a in reply.alternatives)
    answered = replies[0]
    assert answered.kind == "answer"
    assert answered.alternatives, "an answer lists its runners-up"
    scores = [a.score for a in answered.alternatives]
    assert scores == sorted(scores, reverse=True)


def test_to_dict_round_trips_through_json(replies: list[Reply]) -> None:
    assert {r.kind for r in replies} == {"answer", "fallback", "urgent", "smalltalk"}
    for reply in replies:
        data = reply.to_dict()
        assert set(data) == REPLY_KEYS
        assert json.loads(json.dumps(data)) == data
        assert data["kind"] == reply.kind
        assert data["id"] == reply.id
        assert data["text"] == reply.text
        assert data["confidence"] == pytest.approx(reply.confidence, abs=1e-4)
        assert data["alternatives"] == [[a.id, a.question, a.score] for a in reply.alternatives]
        assert data["reason"] == reply.reason


def test_to_dict_carries_the_reason_of_a_fallback(replies: list[Reply]) -> None:
    reason = replies[-1].to_dict()["reason"]
    assert reason is not None
    assert reason["reason"] == "unanswered-facet"


# -- loading -----------------------------------------------------------------------------------


def test_from_yaml_loads_the_bundled_faq_from_any_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    faq = FAQBot.from_yaml()
    assert Path(faq.faq.path).is_file()
    assert faq.ask("which foods are rich in magnesium?").id == "magnesium-foods"


def test_from_yaml_on_a_broken_file_says_where(tiny_faq_path: Path) -> None:
    text = tiny_faq_path.read_text(encoding="utf-8")
    broken = text.replace("answer: Bananas and sweet potatoes.", 'answer: ""')
    assert broken != text
    tiny_faq_path.write_text(broken, encoding="utf-8")
    line = broken.splitlines().index('    answer: ""') + 1

    with pytest.raises(FAQFormatError) as caught:
        FAQBot.from_yaml(tiny_faq_path)

    error = caught.value
    assert isinstance(error, FAQBotError)
    assert str(error).startswith(f"{tiny_faq_path}:{line}: ")
    assert (error.path, error.line) == (str(tiny_faq_path), line)
    assert "\n" not in str(error)


def test_from_yaml_on_a_missing_file_raises_a_format_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(FAQFormatError) as caught:
        FAQBot.from_yaml(missing)
    assert str(caught.value).startswith(str(missing))


# -- ask: never raises, well-formed, repeatable ---------------------------------------------------


def _well_formed(reply: Reply) -> None:
    assert isinstance(reply, Reply)
    assert reply.kind in KINDS
    assert 0.0 <= reply.confidence <= 1.0
    assert isinstance(reply.text, str) and reply.text
    assert isinstance(reply.alternatives, tuple)
    if reply.kind == "answer":
        assert reply.id is not None


@PROPERTY
@given(text=st.one_of(st.text(), ANY_TEXT))
def test_ask_never_raises_on_any_text(bot: FAQBot, text: str) -> None:
    _well_formed(bot.ask(text))


@PROPERTY
@given(text=WORDS)
def test_ask_is_well_formed_on_word_salad(bot: FAQBot, text: str) -> None:
    _well_formed(bot.ask(text))


@PROPERTY
@given(text=st.one_of(ANY_TEXT, WORDS))
def test_same_question_same_reply(bot: FAQBot, text: str) -> None:
    assert bot.ask(text) == bot.ask(text)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "a " * 500_000, "🙂🙂", "\x1b[31mred", "\ud800", "\x00\n\t\r"],
    ids=["empty", "blank", "1MB", "emoji", "ansi", "lone-surrogate", "controls"],
)
def test_ask_falls_back_on_input_with_no_question(bot: FAQBot, text: str) -> None:
    reply = bot.ask(text)
    _well_formed(reply)
    assert reply.kind == "fallback"
    assert reply.text == bot.faq.fallback


OTHER_SCRIPTS = ["什么是镁", "Почему у меня дергается икра?",  # noqa: RUF001 - Cyrillic on purpose
                 "ふくらはぎがぴくぴくする", "لماذا ترتعش ساقي"]


@pytest.mark.parametrize("text", OTHER_SCRIPTS)
def test_a_question_in_another_script_is_told_which_languages_faqbot_speaks(bot: FAQBot, text: str) -> None:
    reply = bot.ask(text)
    _well_formed(reply)
    assert reply.kind == "fallback"
    assert reply.reason is not None and reply.reason["reason"] == "unsupported-language"
    assert "English" in reply.text and "doctor" in reply.text


def test_a_lone_surrogate_does_not_hide_the_question(bot: FAQBot) -> None:
    assert bot.ask("which foods are rich in \ud800 magnesium?").id == "magnesium-foods"


MIXED = [
    "which foods are rich in magnesium?",
    "",
    "hello",
    "I have chest pain",
    "what's the weather tomorrow",
    "potasium foods",
    "which foods are rich in magnesium?",
    "\ud800",
    "thanks!",
    "how many IU of vitamin D should I take a day",
]


def test_ask_many_equals_asking_one_by_one(bot: FAQBot) -> None:
    assert bot.ask_many(MIXED) == [bot.ask(q) for q in MIXED]
    assert bot.ask_many([]) == []


def test_iter_answers_streams_the_same_replies(bot: FAQBot) -> None:
    assert list(bot.iter_answers(iter(MIXED))) == bot.ask_many(MIXED)


def test_threads_get_the_same_replies_as_one_thread(bot: FAQBot) -> None:
    questions = [f"{q} {n % 7}" if n % 3 else q for n, q in enumerate(MIXED * 20)]
    assert len(questions) == 200
    sequential = [bot.ask(q) for q in questions]
    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = list(pool.map(bot.ask, questions))
    assert concurrent == sequential


def test_conversation_is_exported_and_made_by_the_bot(bot: FAQBot) -> None:
    assert isinstance(bot.conversation(), Conversation)


@pytest.mark.parametrize("one", ["which foods have magnesium?", b"magnesium foods", ""])
def test_ask_many_refuses_a_single_string(tiny_bot: FAQBot, one: str) -> None:
    with pytest.raises(TypeError, match=r"not one string: use ask\(text\)"):
        tiny_bot.ask_many(one)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tiny_bot.iter_answers(one)  # type: ignore[arg-type]
    assert tiny_bot.ask_many((one,) if isinstance(one, str) else ["x"])  # a tuple is a sequence


# -- immutable, as documented -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["faq", "index", "decider", "_entries", "something_new"])
def test_a_bot_cannot_be_changed_after_construction(tiny_bot: FAQBot, name: str) -> None:
    before = tiny_bot.ask("which foods are rich in magnesium?")
    with pytest.raises(AttributeError, match="immutable"):
        setattr(tiny_bot, name, None)
    if hasattr(tiny_bot, name):
        with pytest.raises(AttributeError, match="immutable"):
            delattr(tiny_bot, name)
    assert tiny_bot.ask("which foods are rich in magnesium?") == before


def test_a_bots_lookup_tables_are_read_only(tiny_bot: FAQBot) -> None:
    with pytest.raises(TypeError):
        tiny_bot._entries["x"] = tiny_bot.faq.entries[0]  # type: ignore[index]
    with pytest.raises(TypeError):
        tiny_bot._by_subject_facet[("magnesium", "foods")] = "potassium-foods"  # type: ignore[index]
    with pytest.raises(TypeError):
        tiny_bot.faq.subjects["x"] = tiny_bot.faq.subjects["magnesium"]  # type: ignore[index]
    assert tiny_bot.entry_for("magnesium", "foods") == "magnesium-foods"


# -- conversation state is checked as the server checks it --------------------------------------


def test_a_conversation_resumes_from_its_state(tiny_bot: FAQBot) -> None:
    conv = tiny_bot.conversation()
    conv.ask("why does low magnesium cause twitching")
    state = json.loads(json.dumps(conv.to_dict()))
    assert tiny_bot.conversation(state).ask("what foods have it?").id == "magnesium-foods"
    assert tiny_bot.conversation({"last": "gone-since", "choices": ["gone"]}).to_dict() == {
        "last": None, "choices": [], "topic": None, "urgent": None}  # ids the FAQ no longer has are forgotten


@pytest.mark.parametrize(("state", "message"), [
    ("magnesium-role", "must be a dict"),
    (["magnesium-role"], "must be a dict"),
    ({"last": 3}, "'last' must be a string or None, not int"),
    ({"last": ["magnesium-role"]}, "'last' must be a string or None"),
    ({"choices": "magnesium-role"}, "'choices' must be a list of strings"),
    ({"choices": [1, 2]}, "'choices' must be a list of strings"),
    ({"topic": ["magnesium"]}, "'topic' must be a string or None"),
    ({"urgent": "chest-pain"}, "'urgent' must be None or a dict of strings"),
])
def test_a_malformed_state_is_an_input_error(tiny_bot: FAQBot, state: object, message: str) -> None:
    with pytest.raises(InputError, match=message):
        tiny_bot.conversation(state)  # type: ignore[arg-type]
