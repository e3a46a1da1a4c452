"""The HTTP endpoint: OpenAI-compatible chat completions, /v1/ask, errors, and the serve command.

Most tests call the app in-process (starlette's TestClient); one module-scoped server runs
uvicorn on a free port of 127.0.0.1 for the official `openai` client, and one test starts
`faqbot serve --workers 2` as a subprocess.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Protocol

import httpx
import openai
import pytest
import uvicorn
from conftest import REPO, TINY_FAQ
from hypothesis import given, settings
from hypothesis import strategies as st
from openai.types.chat import ChatCompletionMessageParam
from starlette.testclient import TestClient

from bot import DISCLAIMER, FAQBot
from bot.cli import main
from bot.http_api import MAX_BODY_BYTES, MAX_MESSAGE_CHARS
from bot.server import ENV_FAQ, ENV_OPTIONS, app_from_env, create_app

CHAT = "/v1/chat/completions"
ASK = "/v1/ask"


@pytest.fixture(scope="module")
def tiny_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("faq") / "tiny.yaml"
    path.write_text(TINY_FAQ, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def tiny(tiny_path: Path) -> FAQBot:
    return FAQBot.from_yaml(tiny_path)


@pytest.fixture(scope="module")
def client(tiny: FAQBot) -> Iterator[TestClient]:
    with TestClient(create_app(tiny)) as test_client:
        yield test_client


def messages(*turns: str) -> list[dict[str, Any]]:
    """User turns with an assistant turn between each, as a chat frontend sends them."""
    out: list[dict[str, Any]] = []
    for turn in turns:
        out += [{"role": "user", "content": turn}, {"role": "assistant", "content": "(earlier)"}]
    return out[:-1]


def library_reply(bot: FAQBot, *turns: str) -> dict[str, Any]:
    """The library's reply, as the "faqbot" field carries it (a first turn adds the disclaimer)."""
    reply = bot.conversation_from_history(turns[:-1]).ask(turns[-1]).to_dict()
    return {**reply, "disclaimer": DISCLAIMER} if len(turns) == 1 else reply


def sse_data(text: str) -> list[str]:
    """The data of each server-sent event; fails on any other kind of line."""
    lines = [line for line in text.split("\n") if line]
    assert all(line.startswith("data: ") for line in lines), lines
    return [line.removeprefix("data: ") for line in lines]


# -- chat completions ----------------------------------------------------------------------


def test_chat_completion_is_standard_and_carries_the_reply(client: TestClient,
                                                           tiny: FAQBot) -> None:
    request = {"model": "faqbot", "messages": messages("what foods have magnesium")}
    response = client.post(CHAT, json=request)
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "chat.completion"
    assert body["id"].startswith("chatcmpl-") and isinstance(body["created"], int)
    assert body["model"] == "faqbot"
    [choice] = body["choices"]
    assert choice["index"] == 0 and choice["finish_reason"] == "stop"
    assert choice["message"]["role"] == "assistant"
    expected = library_reply(tiny, "what foods have magnesium")
    assert choice["message"]["content"] == expected["text"]
    assert body["faqbot"] == expected
    assert body["faqbot"]["kind"] == "answer" and body["faqbot"]["id"] == "magnesium-foods"
    assert 0.0 <= body["faqbot"]["confidence"] <= 1.0


@pytest.mark.parametrize(("turns", "expected_id"), [
    (["what foods have magnesium", "and potassium?"], "potassium-foods"),
    (["why does magnesium matter", "what foods have it?"], "magnesium-foods"),
    (["which foods are rich in potassium", "hello", "and magnesium?"], "magnesium-foods"),
])
def test_follow_ups_use_the_earlier_user_turns(client: TestClient, tiny: FAQBot, turns: list[str],
                                               expected_id: str) -> None:
    body = client.post(CHAT, json={"messages": messages(*turns)}).json()
    assert body["faqbot"] == library_reply(tiny, *turns)
    assert body["faqbot"]["id"] == expected_id


def test_system_and_assistant_messages_do_not_change_the_answer(client: TestClient) -> None:
    plain = client.post(CHAT, json={"messages": messages("what foods have magnesium")}).json()
    noisy = [{"role": "system", "content": "You are a helpful assistant."},
             {"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
             {"role": "assistant", "content": None, "tool_calls": []},
             *messages("what foods have magnesium")]
    assert client.post(CHAT, json={"messages": noisy}).json()["faqbot"] == plain["faqbot"]


def test_content_may_be_a_list_of_parts(client: TestClient) -> None:
    parts = [{"type": "text", "text": "what foods"},
             {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
             {"type": "text", "text": "have magnesium"}]
    body = client.post(CHAT, json={"messages": [{"role": "user", "content": parts}]}).json()
    assert body["faqbot"]["id"] == "magnesium-foods"


def test_options_that_change_nothing_are_accepted(client: TestClient) -> None:
    request = {"model": "faqbot", "messages": messages("hello"), "temperature": 0.2, "top_p": 1,
               "max_tokens": 5, "n": 1, "user": "u-1", "tools": [{"type": "function"}],
               "tool_choice": "auto", "response_format": {"type": "text"}, "modalities": ["text"],
               "logprobs": False, "top_logprobs": 0, "seed": 7, "stop": ["\n"],
               "stream": None, "stream_options": {"include_usage": True}, "metadata": {"a": 1}}
    body = client.post(CHAT, json=request).json()
    assert body["model"] == "faqbot"
    assert body["faqbot"]["kind"] == "smalltalk"


def test_a_missing_model_is_faqbot(client: TestClient) -> None:
    assert client.post(CHAT, json={"messages": messages("hello")}).json()["model"] == "faqbot"


@pytest.mark.parametrize("model", ["gpt-4o", "FAQBOT", "faqbot:latest", ""])
def test_another_model_name_gets_a_404_as_from_openai(client: TestClient, model: str) -> None:
    response = client.post(CHAT, json={"model": model, "messages": messages("hello")})
    assert_error(response, 404, "model", "model_not_found")
    assert "'faqbot'" in response.json()["error"]["message"]


UNSUPPORTED: list[tuple[dict[str, Any], str, str]] = [
    # (options, param, code): options a client relies on that faqbot cannot honour
    ({"n": 2}, "n", "unsupported_value"),
    ({"n": 0}, "n", "unsupported_value"),
    ({"n": -1}, "n", "unsupported_value"),
    ({"n": 1.5}, "n", "invalid_type"),
    ({"n": 1.0}, "n", "invalid_type"),
    ({"n": "1"}, "n", "invalid_type"),
    ({"n": True}, "n", "invalid_type"),
    ({"logprobs": True}, "logprobs", "unsupported_value"),
    ({"logprobs": "yes"}, "logprobs", "invalid_type"),
    ({"top_logprobs": 3}, "top_logprobs", "unsupported_value"),
    ({"tool_choice": "required"}, "tool_choice", "unsupported_value"),
    ({"tool_choice": {"type": "function", "function": {"name": "f"}}}, "tool_choice",
     "unsupported_value"),
    ({"function_call": {"name": "f"}}, "function_call", "unsupported_value"),
    ({"response_format": {"type": "json_object"}}, "response_format", "unsupported_value"),
    ({"response_format": {"type": "json_schema", "json_schema": {}}}, "response_format",
     "unsupported_value"),
    ({"response_format": "text"}, "response_format", "invalid_type"),
    ({"modalities": ["text", "audio"]}, "modalities", "unsupported_value"),
    ({"audio": {"voice": "alloy", "format": "wav"}}, "audio", "unsupported_value"),
    ({"stream_options": "yes"}, "stream_options", "invalid_type"),
]


@pytest.mark.parametrize(("options", "param", "code"), UNSUPPORTED)
def test_options_faqbot_cannot_honour_get_a_400(client: TestClient, options: dict[str, Any],
                                                param: str, code: str) -> None:
    response = client.post(CHAT, json={"messages": messages("hello"), **options})
    assert_error(response, 400, param, code)


def test_long_chats_and_limit_sized_messages_are_answered(client: TestClient) -> None:
    turns = ["what foods have magnesium"] * 100 + ["and potassium?"]
    assert client.post(CHAT, json={"messages": messages(*turns)}).json()["faqbot"]["id"] == (
        "potassium-foods")
    longest = "magnesium " * (MAX_MESSAGE_CHARS // 10)
    assert len(longest) == MAX_MESSAGE_CHARS
    assert client.post(CHAT, json={"messages": messages(longest)}).status_code == 200


def test_a_body_just_under_the_limit_is_accepted(client: TestClient) -> None:
    request = {"messages": [{"role": "system", "content": ""}, *messages("hello")]}
    room = MAX_BODY_BYTES - len(json.dumps(request).encode())
    request["messages"][0]["content"] = "x" * room
    data = json.dumps(request).encode()
    assert len(data) == MAX_BODY_BYTES
    assert client.post(CHAT, content=data).status_code == 200


def test_streamed_completion_is_standard_chunks_ending_with_done(client: TestClient) -> None:
    request = {"messages": messages("what foods have magnesium"), "stream": True}
    response = client.post(CHAT, json=request)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    data = sse_data(response.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert {c["object"] for c in chunks} == {"chat.completion.chunk"}
    assert len({c["id"] for c in chunks}) == 1
    deltas = [c["choices"][0]["delta"] for c in chunks]
    assert deltas[0]["role"] == "assistant"
    plain = client.post(CHAT, json={**request, "stream": False}).json()
    text = plain["choices"][0]["message"]["content"]
    assert "".join(d.get("content", "") for d in deltas) == text
    assert [c["choices"][0]["finish_reason"] for c in chunks][-1] == "stop"
    assert chunks[0]["faqbot"] == plain["faqbot"]


# -- /v1/ask, models, health ---------------------------------------------------------------


def test_ask_returns_the_reply_and_a_state_for_the_next_turn(client: TestClient) -> None:
    first = client.post(ASK, json={"question": "what foods have magnesium"}).json()
    assert first["kind"] == "answer" and first["id"] == "magnesium-foods"
    assert set(first) == {"kind", "id", "text", "confidence", "alternatives", "reason", "lang", "why",
                          "state", "disclaimer"}
    second = client.post(ASK, json={"question": "and potassium?", "state": first["state"]}).json()
    assert second["id"] == "potassium-foods"
    assert {k: second["state"][k] for k in ("last", "choices", "urgent")} == {
        "last": "potassium-foods", "choices": [], "urgent": None}
    assert "disclaimer" not in second


def test_an_urgent_reply_names_its_red_flag(client: TestClient) -> None:
    reply = client.post(ASK, json={"question": "sudden chest pain since this morning"}).json()
    assert reply["kind"] == "urgent"
    assert reply["reason"] == {"reason": "red-flag", "flag": "chest pain", "words": "chest pain"}
    assert "chest pain" in str(reply["why"])


def test_the_state_carries_a_red_flag_to_the_next_turn(client: TestClient) -> None:
    first = client.post(ASK, json={"question": "sudden chest pain since this morning"}).json()
    assert first["state"]["urgent"] == {"flag": "chest pain", "words": "chest pain"}
    again = client.post(ASK, json={"question": "should I just wait and see?", "state": first["state"]}).json()
    assert again["kind"] == "urgent" and again["reason"]["from"] == "earlier message"
    assert "earlier message" in str(again["why"])
    bad = client.post(ASK, json={"question": "hi", "state": {"urgent": "chest pain"}})
    assert bad.status_code == 400 and "state.urgent" in bad.text


def test_the_first_reply_of_a_conversation_carries_the_disclaimer(client: TestClient) -> None:
    assert client.post(ASK, json={"question": "hello"}).json()["disclaimer"] == DISCLAIMER
    assert client.post(ASK, json={"question": "hello", "state": None}).json()["disclaimer"] == (
        DISCLAIMER)
    later = client.post(ASK, json={"question": "hello", "state": {"last": None, "choices": []}})
    assert "disclaimer" not in later.json()
    first = client.post(CHAT, json={"messages": messages("hello")}).json()
    assert first["faqbot"]["disclaimer"] == DISCLAIMER
    streamed = client.post(CHAT, json={"messages": messages("hello"), "stream": True}).text
    assert json.loads(sse_data(streamed)[0])["faqbot"]["disclaimer"] == DISCLAIMER
    follow_up = client.post(CHAT, json={"messages": messages("hello", "and potassium?")}).json()
    assert "disclaimer" not in follow_up["faqbot"]


def test_ask_says_why_in_words(client: TestClient) -> None:
    answer = client.post(ASK, json={"question": "what foods have magnesium"}).json()
    assert answer["why"][:2] == [["reply", f"answer, confidence {answer['confidence']:.2f}"],
                                 ["matched", "Which foods are rich in magnesium? (magnesium-foods)"]]
    fallback = client.post(ASK, json={"question": "what dose of magnesium"}).json()
    assert fallback["kind"] == "fallback"
    assert ["because", "The FAQ does not cover doses or amounts of magnesium; please ask a doctor."
            ] in fallback["why"]
    urgent = client.post(ASK, json={"question": "I have chest pain"}).json()
    assert urgent["kind"] == "urgent" and urgent["why"][-1][0] == "because"


@pytest.mark.parametrize("state", [None, {}, {"last": None}, {"last": "no-such-entry", "x": 1}])
def test_ask_accepts_empty_or_unknown_state(client: TestClient,
                                            state: dict[str, Any] | None) -> None:
    response = client.post(ASK, json={"question": "hello", "state": state})
    assert response.status_code == 200
    assert response.json()["kind"] == "smalltalk"


def test_models_list_one_model_with_the_disclaimer(client: TestClient) -> None:
    body = client.get("/v1/models").json()
    assert body["object"] == "list"
    assert [m["id"] for m in body["data"]] == ["faqbot"]
    assert body["data"][0]["disclaimer"] == DISCLAIMER
    assert client.get("/v1/models/faqbot").json() == body["data"][0]


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}


# -- bad requests --------------------------------------------------------------------------


class _Response(Protocol):  # an httpx or httpx2 response (the TestClient uses httpx2)
    status_code: int

    @property
    def headers(self) -> Mapping[str, str]: ...

    @property
    def text(self) -> str: ...

    def json(self) -> Any: ...


def assert_error(response: _Response, status: int, param: str | None = None,
                 code: str | None = None) -> None:
    """An OpenAI-style error body with this status (and param and code, when given)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert isinstance(error["message"], str) and error["message"]
    assert error["type"] == "invalid_request_error"
    if param is not None:
        assert error["param"] == param
    if code is not None:
        assert error["code"] == code


TOO_LONG = "x" * (MAX_MESSAGE_CHARS + 1)
BAD_REQUESTS: list[tuple[str, Any, str | None, str]] = [
    # (path, body: bytes sent as is or JSON, expected param, expected code); all get a 400
    (CHAT, b"{", None, "invalid_json"),
    (CHAT, b"", None, "invalid_json"),
    (CHAT, b'{"messages": "\xff"}', None, "invalid_json"),
    (CHAT, b"[" * 100_000 + b"]" * 100_000, None, "invalid_json"),
    (CHAT, [], None, "invalid_type"),
    (CHAT, "hello", None, "invalid_type"),
    (CHAT, {}, "messages", "missing_required_parameter"),
    (CHAT, {"messages": "hello"}, "messages", "invalid_type"),
    (CHAT, {"messages": []}, "messages", "no_user_message"),
    (CHAT, {"messages": [{"role": "system", "content": "hi"}]}, "messages", "no_user_message"),
    (CHAT, {"messages": ["hello"]}, "messages[0]", "invalid_type"),
    (CHAT, {"messages": [{"content": "hello"}]}, "messages[0]", "invalid_type"),
    (CHAT, {"messages": [{"role": 1, "content": "hello"}]}, "messages[0]", "invalid_type"),
    (CHAT, {"messages": [{"role": "user"}]}, "messages[0].content", "invalid_type"),
    (CHAT, {"messages": [{"role": "user", "content": 5}]}, "messages[0].content", "invalid_type"),
    (CHAT, {"messages": [{"role": "user", "content": ["hi"]}]}, "messages[0].content[0]",
     "invalid_type"),
    (CHAT, {"messages": [{"role": "user", "content": [{"text": "hi"}]}]}, "messages[0].content[0]",
     "invalid_type"),
    (CHAT, {"messages": [{"role": "user", "content": [{"type": "text", "text": 5}]}]},
     "messages[0].content[0].text", "invalid_type"),
    (CHAT, {"messages": messages("  \n ")}, "messages", "empty_message"),
    (CHAT, {"messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": "data:,"}}]}]}, "messages", "empty_message"),
    (CHAT, {"messages": messages("hello"), "stream": "yes"}, "stream", "invalid_type"),
    (CHAT, {"messages": messages("hello"), "model": 5}, "model", "invalid_type"),
    (CHAT, {"messages": messages(TOO_LONG)}, "messages[0].content", "message_too_long"),
    (CHAT, {"messages": messages(TOO_LONG, "hello")}, "messages[0].content", "message_too_long"),
    (CHAT, {"messages": [{"role": "user", "content": [{"type": "text", "text": "x" * 5000}] * 2}]},
     "messages[0].content", "message_too_long"),
    (ASK, b"{", None, "invalid_json"),
    (ASK, [], None, "invalid_type"),
    (ASK, {}, "question", "missing_required_parameter"),
    (ASK, {"question": 5}, "question", "invalid_type"),
    (ASK, {"question": ["hello"]}, "question", "invalid_type"),
    (ASK, {"question": ""}, "question", "empty_message"),
    (ASK, {"question": " \t"}, "question", "empty_message"),
    (ASK, {"question": TOO_LONG}, "question", "message_too_long"),
    (ASK, {"question": "hello", "state": []}, "state", "invalid_type"),
    (ASK, {"question": "hello", "state": "x"}, "state", "invalid_type"),
    (ASK, {"question": "hello", "state": {"last": 5}}, "state.last", "invalid_type"),
    (ASK, {"question": "hello", "state": {"last": ["a"]}}, "state.last", "invalid_type"),
    (ASK, {"question": "hello", "state": {"choices": "a"}}, "state.choices", "invalid_type"),
    (ASK, {"question": "hello", "state": {"choices": [["a"]]}}, "state.choices", "invalid_type"),
]


@pytest.mark.parametrize(("path", "body", "param", "code"), BAD_REQUESTS)
def test_bad_requests_get_a_400_with_an_openai_error(client: TestClient, path: str, body: Any,
                                                     param: str | None, code: str) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = client.post(path, content=data, headers={"content-type": "application/json"})
    assert_error(response, 400, param, code)


@pytest.mark.parametrize("path", [CHAT, ASK])
def test_a_body_over_the_size_limit_gets_a_413(client: TestClient, path: str) -> None:
    data = b'{"question": "' + b"x" * MAX_BODY_BYTES + b'"}'
    assert_error(client.post(path, content=data), 413, code="request_too_large")

    def chunked() -> Iterator[bytes]:  # no Content-Length: the size is counted as it arrives
        yield b'{"question": "'
        for _ in range(20):
            yield b"x" * 65536
        yield b'"}'

    assert_error(client.post(path, content=chunked()), 413, code="request_too_large")


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/static/nope.js", 404),
    ("POST", "/", 405),
    ("GET", "/v1/nope", 404),
    ("POST", "/v1/completions", 404),
    ("GET", "/v1/models/gpt-4o", 404),
    ("GET", CHAT, 405),
    ("POST", "/healthz", 405),
    ("DELETE", "/v1/models", 405),
])
def test_unknown_routes_and_methods_get_json_errors(client: TestClient, method: str, path: str,
                                                    status: int) -> None:
    assert_error(client.request(method, path), status)


def test_a_bug_is_a_json_500_without_details(tiny_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    broken = FAQBot.from_yaml(tiny_path)

    def fail(*args: Any) -> None:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(FAQBot, "conversation_from_history", fail)  # a bot itself is frozen
    with TestClient(create_app(broken), raise_server_exceptions=False) as test_client:
        response = test_client.post(CHAT, json={"messages": messages("hello")})
    assert response.status_code == 500
    assert response.json() == {"error": {"message": "internal server error", "type": "server_error",
                                         "param": None, "code": None}}


_SCALAR = st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.floats(
    allow_nan=False, allow_infinity=False)
_JSON = st.recursive(
    _SCALAR,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=12,
)
_STATE = st.fixed_dictionaries({}, optional={"last": _JSON, "choices": _JSON})
_PART = st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url", 3]), "text": _JSON})
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["user", "assistant", "system", None, 1])},
    optional={"content": st.text(max_size=40) | st.lists(_PART | _JSON, max_size=3) | _JSON},
)


@settings(max_examples=150, deadline=None)
@given(body=st.one_of(
    _JSON,
    st.fixed_dictionaries({}, optional={"messages": st.lists(_MESSAGE | _JSON, max_size=4),
                                        "stream": _JSON, "model": _JSON, "n": _JSON,
                                        "logprobs": _JSON, "top_logprobs": _JSON,
                                        "tool_choice": _JSON, "response_format": _JSON,
                                        "modalities": _JSON, "audio": _JSON,
                                        "stream_options": _JSON}),
    st.fixed_dictionaries({}, optional={"question": st.text(max_size=40) | _JSON,
                                        "state": _STATE | _JSON}),
))
def test_no_body_gets_a_server_error(client: TestClient, body: Any) -> None:
    for path in (CHAT, ASK):
        response = client.post(path, json=body)
        if response.status_code == 404:  # a model name that is not "faqbot"
            assert_error(response, 404, "model", "model_not_found")
            continue
        assert response.status_code in (200, 400), response.text
        if response.status_code == 400:
            assert_error(response, 400)


# -- the serve command ---------------------------------------------------------------------


def test_import_bot_does_not_import_the_server() -> None:
    code = ("import sys, bot; "
            "print([m for m in ('bot.server', 'starlette', 'uvicorn') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("package", ["starlette", "uvicorn"])
def test_serve_without_the_extra_says_what_to_install(package: str) -> None:
    code = (f"import sys; sys.modules[{package!r}] = None; "
            "from bot.cli import main; raise SystemExit(main(['serve']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 1
    assert out.stdout == ""
    # the command that works for this install (tests/test_extras.py checks it)
    hint = subprocess.run([sys.executable, "-c", "from bot.extras import install_hint as h; print(h('server'))"],
                          cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    assert hint.endswith("[server]'")
    assert out.stderr == (f"faqbot: the HTTP server needs the faqbot[server] extra ({package} is "
                          f"not installed): {hint}\n")


@pytest.fixture
def no_real_server(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """Replace uvicorn.run with a recorder: these tests must never bind a socket."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in (ENV_FAQ, ENV_OPTIONS):  # so that teardown restores the variables serve sets
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


@pytest.mark.parametrize(("argv", "message"), [
    (["--workers", "0"], "faqbot: --workers must be at least 1, not 0\n"),
    (["--port", "70000"], "faqbot: --port must be between 0 and 65535, not 70000\n"),
])
def test_serve_rejects_bad_options(no_real_server: list[Any], capsys: pytest.CaptureFixture[str],
                                   argv: list[str], message: str) -> None:
    assert main(["serve", *argv]) == 1
    assert capsys.readouterr().err == message
    assert no_real_server == []


def test_serve_with_a_broken_faq_fails_before_binding(
        no_real_server: list[Any], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["serve", "--faq", str(tmp_path / "missing.yaml")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("faqbot: ") and err.count("\n") == 1
    assert no_real_server == []


def test_serve_exits_1_when_uvicorn_cannot_start(monkeypatch: pytest.MonkeyPatch,
                                                 tiny_path: Path) -> None:
    def port_in_use(app: Any, **options: Any) -> None:
        raise SystemExit(3)  # what uvicorn does after logging "address already in use"

    monkeypatch.setattr(uvicorn, "run", port_in_use)
    assert main(["serve", "--faq", str(tiny_path)]) == 1


def test_serve_one_worker_serves_the_bot_on_loopback(
        no_real_server: list[Any], capsys: pytest.CaptureFixture[str], tiny_path: Path) -> None:
    assert main(["serve", "--faq", str(tiny_path), "--port", "8123"]) == 0
    [(app, options)] = no_real_server
    assert options["host"] == "127.0.0.1" and options["port"] == 8123
    reply = TestClient(app).post(ASK, json={"question": "mg foods"}).json()
    assert reply["id"] == "magnesium-foods"
    err = capsys.readouterr().err
    assert "http://127.0.0.1:8123/v1" in err and "warning" not in err


def test_serve_workers_build_the_app_from_the_environment(
        no_real_server: list[Any], capsys: pytest.CaptureFixture[str], tiny_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tiny_path.parent)
    assert main(["serve", "--faq", tiny_path.name, "--workers", "3", "--host", "0.0.0.0"]) == 0
    [(app, options)] = no_real_server
    assert app == "bot.server:app_from_env" and options["factory"] is True
    assert options["workers"] == 3
    assert os.environ[ENV_FAQ] == str(tiny_path.resolve())
    with TestClient(app_from_env()) as test_client:
        reply = test_client.post(ASK, json={"question": "mg foods"}).json()
    assert reply["id"] == "magnesium-foods"
    assert "warning: listening on 0.0.0.0 with no API key" in capsys.readouterr().err


# -- a real server on a socket, and the official openai client -----------------------------


@pytest.fixture(scope="module")
def base_url(tiny: FAQBot) -> Iterator[str]:
    """uvicorn serving the tiny bot on a free port of 127.0.0.1, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(tiny), lifespan="off", ws="none", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    sock.close()


@pytest.fixture
def openai_client(base_url: str) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=f"{base_url}/v1", api_key="not-needed", max_retries=0,
                       timeout=10) as api:
        yield api


def faqbot_field(obj: openai.BaseModel) -> Any:
    """The extra "faqbot" field the client keeps on a completion or a chunk."""
    return obj.to_dict()["faqbot"]


def test_openai_client_plain_completion(openai_client: openai.OpenAI) -> None:
    completion = openai_client.chat.completions.create(
        model="faqbot", messages=[{"role": "user", "content": "what foods have magnesium"}])
    assert completion.choices[0].message.content == "Leafy greens, nuts and seeds."
    assert completion.choices[0].finish_reason == "stop"
    assert faqbot_field(completion)["id"] == "magnesium-foods"


def test_openai_client_streamed_completion(openai_client: openai.OpenAI) -> None:
    question: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": [{"type": "text", "text": "what foods have magnesium"}]}]
    chunks = list(openai_client.chat.completions.create(model="faqbot", messages=question,
                                                        stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks)
    assert text == "Leafy greens, nuts and seeds."
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert faqbot_field(chunks[0])["id"] == "magnesium-foods"


def test_openai_client_follow_up_needs_the_earlier_turns(openai_client: openai.OpenAI) -> None:
    history: list[ChatCompletionMessageParam] = [
        {"role": "user", "content": "what foods have magnesium"},
        {"role": "assistant", "content": "Leafy greens, nuts and seeds."},
        {"role": "user", "content": "and potassium?"},
    ]
    completion = openai_client.chat.completions.create(model="faqbot", messages=history)
    assert faqbot_field(completion)["id"] == "potassium-foods"
    assert completion.choices[0].message.content == "Bananas and sweet potatoes."


def test_openai_client_lists_the_model(openai_client: openai.OpenAI) -> None:
    assert [m.id for m in openai_client.models.list()] == ["faqbot"]
    assert openai_client.models.retrieve("faqbot").id == "faqbot"


def test_openai_client_gets_bad_requests_as_errors(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.chat.completions.create(model="faqbot", messages=[
            {"role": "system", "content": "You are helpful."}])
    assert caught.value.code == "no_user_message"
    with pytest.raises(openai.NotFoundError):
        openai_client.models.retrieve("gpt-4o")


def test_real_socket_errors_are_json(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as http:
        assert_error(http.post(CHAT, content=b"x" * (2 * MAX_BODY_BYTES)), 413)
        assert_error(http.post(CHAT, content=b"{"), 400, code="invalid_json")
        assert_error(http.get("/v1/nope"), 404)
        assert http.get("/healthz").json() == {"status": "ok"}


def test_serve_command_with_two_workers(tiny_path: Path) -> None:
    """`faqbot serve --workers 2` as a subprocess: each worker loads the FAQ given by --faq."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "2",
               "--faq", str(tiny_path)]
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert proc.poll() is None, "the server exited"
        request = {"messages": messages("what foods have magnesium", "and potassium?")}
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(6):
                assert http.post(CHAT, json=request).json()["faqbot"]["id"] == "potassium-foods"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the group started above: the supervisor and workers
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
    assert f"http://127.0.0.1:{port}/v1" in err.decode()


def test_ask_takes_the_question_language(bot: FAQBot) -> None:
    with TestClient(create_app(bot)) as client:
        _ask_in_languages(client)


def _ask_in_languages(client: TestClient) -> None:
    spanish = client.post(ASK, json={"question": "which foods are rich in magnesium", "lang": "es"}).json()
    assert (spanish["id"], spanish["lang"]) == ("magnesium-foods", "es")
    detected = client.post(ASK, json={"question": "¿qué alimentos tienen magnesio?"}).json()
    assert (detected["id"], detected["lang"]) == ("magnesium-foods", "es")
    refused = client.post(ASK, json={"question": "hello", "lang": "xx"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "lang"
