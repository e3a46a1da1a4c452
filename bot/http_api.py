"""The HTTP API's wire format: reading requests, shaping replies, OpenAI-style errors.

Pure translation between JSON and the library, with no web framework: `server.py` routes
requests here, and every check raises `RequestError`, which becomes a 4xx with the OpenAI
error body ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import Any

from .core import FAQBot
from .errors import InputError
from .messages import DISCLAIMER
from .reply import Reply
from .slash import explain
from .state import urgent_shaped
from .unanswered import ReplyLog

MODEL_ID = "faqbot"
MAX_BODY_BYTES = 1 << 20  # 1 MiB
MAX_MESSAGE_CHARS = 8_000
MAX_HISTORY_TURNS = 20  # user turns replayed per request: bounds the work one request can ask for
CREATED = int(time.time())


class RequestError(InputError):
    """A request the API cannot serve as sent; becomes an OpenAI-style 4xx error body.

    `kind` is the body's "type"; `headers` go on the response (Retry-After, WWW-Authenticate).
    """

    def __init__(self, message: str, *, status: int = 400, param: str | None = None,
                 code: str | None = "invalid_type", kind: str = "invalid_request_error",
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.param, self.code = message, status, param, code
        self.kind, self.headers = kind, dict(headers or {})

    def body(self) -> dict[str, Any]:
        """The JSON body of the error response."""
        return error_body(self.message, kind=self.kind, param=self.param, code=self.code)


def error_body(message: str, *, kind: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    """The OpenAI error shape: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


# -- reading requests ----------------------------------------------------------------------


async def read_json(declared: str, chunks: AsyncIterable[bytes]) -> dict[str, Any]:
    """The body (its Content-Length header, its chunks) as a JSON object.

    Raises RequestError: 413 over MAX_BODY_BYTES, 400 for anything but a JSON object.
    """
    too_large = RequestError(f"the request body is over {MAX_BODY_BYTES} bytes", status=413,
                             code="request_too_large")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in chunks:  # counted as it arrives: chunked bodies have no length
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise too_large
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, absurd nesting
        raise RequestError("the request body is not valid JSON", code="invalid_json") from None
    if not isinstance(data, dict):
        raise RequestError("the request body must be a JSON object")
    return data


def _optional(body: dict[str, Any], name: str, kind: type, default: Any) -> Any:
    value = body.get(name)
    if value is None:
        return default
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        article = "an" if _TYPE_NAMES[kind][0] in "aeiou" else "a"
        raise RequestError(f"'{name}' must be {article} {_TYPE_NAMES[kind]}", param=name)
    return value


_TYPE_NAMES = {str: "string", bool: "boolean", dict: "object", list: "list", int: "integer"}


def _unsupported(name: str, why: str) -> RequestError:
    return RequestError(f"'{name}' is not supported: {why}", param=name, code="unsupported_value")


def check_options(body: dict[str, Any]) -> bool:
    """Check the chat completion options; returns `stream`.

    Options faqbot cannot honour are refused with a 400 rather than silently ignored: `n`
    other than 1, `logprobs`, forced tool calls, JSON response formats, audio. The sampling
    options (`temperature`, `max_tokens`, `seed`, …) mean nothing to a bot that never
    generates, and are ignored. A `model` other than "faqbot" gets a 404, as from OpenAI.
    """
    model = _optional(body, "model", str, MODEL_ID)
    if model != MODEL_ID:
        raise RequestError(f"the model '{model}' does not exist: this server has one model, "
                           f"'{MODEL_ID}'", status=404, param="model", code="model_not_found")
    stream = bool(_optional(body, "stream", bool, False))
    _optional(body, "stream_options", dict, None)
    n = _optional(body, "n", int, 1)
    if n != 1:
        raise _unsupported("n", f"faqbot gives one curated reply per question, so n must be 1, "
                                f"not {n}")
    if _optional(body, "logprobs", bool, False):
        raise _unsupported("logprobs", "faqbot's replies are written in advance, not sampled")
    if _optional(body, "top_logprobs", int, 0):
        raise _unsupported("top_logprobs", "faqbot's replies are written in advance, not sampled")
    for name in ("tool_choice", "function_call"):
        choice = body.get(name)
        if choice not in (None, "none", "auto"):
            raise _unsupported(name, "faqbot never calls tools, so it can only be 'none' or 'auto'")
    answer_format = _optional(body, "response_format", dict, {"type": "text"})
    if answer_format.get("type") != "text":
        raise _unsupported("response_format", "faqbot answers in plain text, so the type can "
                                              "only be 'text'")
    modalities = _optional(body, "modalities", list, ["text"])
    if modalities != ["text"]:
        raise _unsupported("modalities", "faqbot answers in text only, so it can only be ['text']")
    if body.get("audio") is not None:
        raise _unsupported("audio", "faqbot answers in text only")
    return stream


def _checked_text(text: str, param: str) -> str:
    if len(text) > MAX_MESSAGE_CHARS:
        raise RequestError(f"'{param}' is over {MAX_MESSAGE_CHARS} characters ({len(text)})",
                           param=param, code="message_too_long")
    return text


def message_text(content: Any, param: str) -> str:
    """The text of a message: a string, or the text parts of an OpenAI list of content parts."""
    if isinstance(content, str):
        return _checked_text(content, param)
    if not isinstance(content, list):
        raise RequestError(f"'{param}' must be a string or a list of content parts", param=param)
    texts = []
    for i, part in enumerate(content):
        where = f"{param}[{i}]"
        if not isinstance(part, dict) or not isinstance(part.get("type"), str):
            raise RequestError(f"'{where}' must be an object with a 'type'", param=where)
        if part["type"] == "text":
            if not isinstance(part.get("text"), str):
                raise RequestError(f"'{where}.text' must be a string", param=f"{where}.text")
            texts.append(part["text"])
        # other parts (images, audio, files) carry nothing a text FAQ can answer: skipped
    return _checked_text("\n".join(texts), param)


def user_turns(messages: Any) -> list[str]:
    """The texts of the user messages, in order; raises RequestError when there are none."""
    if messages is None:
        raise RequestError("'messages' is required", param="messages",
                           code="missing_required_parameter")
    if not isinstance(messages, list):
        raise RequestError("'messages' must be a list", param="messages")
    turns = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise RequestError(f"'messages[{i}]' must be an object with a string 'role'",
                               param=f"messages[{i}]")
        if message["role"] == "user":  # system, assistant and tool turns carry no user context
            turns.append(message_text(message.get("content"), f"messages[{i}].content"))
    if not turns:
        raise RequestError("'messages' has no user message to answer", param="messages",
                           code="no_user_message")
    if not turns[-1].strip():
        raise RequestError("the last user message has no text", param="messages",
                           code="empty_message")
    return turns


def question_and_state(body: dict[str, Any]) -> tuple[str, dict[str, Any] | None]:
    """The `question` and the validated `state` of a /v1/ask body."""
    question = body.get("question")
    if not isinstance(question, str):
        missing = question is None
        raise RequestError("'question' is required" if missing else "'question' must be a string",
                           param="question",
                           code="missing_required_parameter" if missing else "invalid_type")
    if not _checked_text(question, "question").strip():
        raise RequestError("'question' is empty", param="question", code="empty_message")
    state = _optional(body, "state", dict, None)
    if state is not None:
        last, choices = state.get("last"), state.get("choices", [])
        if last is not None and not isinstance(last, str):
            raise RequestError("'state.last' must be a string or null", param="state.last")
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise RequestError("'state.choices' must be a list of strings", param="state.choices")
        if state.get("topic") is not None and not isinstance(state.get("topic"), str):
            raise RequestError("'state.topic' must be a string or null", param="state.topic")
        if not urgent_shaped(state.get("urgent")):
            raise RequestError("'state.urgent' must be null or an object of strings", param="state.urgent")
    return question, state


def requested_language(body: dict[str, Any], bot: FAQBot) -> str | None:
    """The optional `lang` of a /v1/ask body: "en" or a language of the FAQ (else 400)."""
    lang: str | None = _optional(body, "lang", str, None)
    if lang is not None and lang != "en" and lang not in bot.faq.languages:
        known = ", ".join(["en", *bot.faq.languages])
        raise RequestError(f"'lang' must be one of the FAQ's languages ({known}), not {lang!r}",
                           param="lang", code="unsupported_value")
    return lang


# -- answering -----------------------------------------------------------------------------


def answer_turns(bot: FAQBot, turns: Sequence[str], log: ReplyLog | None = None) -> Reply:
    """Answer the last turn in the context of the earlier ones (the last MAX_HISTORY_TURNS).

    `log` (--log-unanswered) is called with the last turn and its reply.
    """
    recent = turns[-MAX_HISTORY_TURNS:]
    return bot.conversation_from_history(recent[:-1]).ask(recent[-1], log=log)


def answer_with_state(bot: FAQBot, question: str, state: dict[str, Any] | None,
                      log: ReplyLog | None = None, lang: str | None = None) -> dict[str, Any]:
    """The Reply as a dict, plus `why` and the conversation state to send with the next question.

    A question sent with no state starts a conversation: its reply also carries `disclaimer`
    (the FAQ's, or null when it has none).
    """
    conv = bot.conversation(state)
    reply = conv.ask(question, lang=lang, log=log)
    out = {**reply.to_dict(), "why": why(bot, reply), "state": conv.to_dict()}
    return out if state is not None else {**out, "disclaimer": disclaimer_of(bot)}


def why(bot: FAQBot, reply: Reply) -> list[list[str]]:
    """Why `reply` was chosen, as `[label, text]` rows: the terminal chat's /why, in plain text."""
    return [[para.lead.strip(), para.text] for para in explain(bot, reply)]


def disclaimer_of(bot: FAQBot) -> str | None:
    """The FAQ's disclaimer to show users (the bundled FAQ's: `DISCLAIMER`), or None."""
    return bot.faq.disclaimer or None


def model_object(disclaimer: str | None = DISCLAIMER) -> dict[str, Any]:
    """The one model, as /v1/models lists it, with the FAQ's disclaimer to show users."""
    return {"id": MODEL_ID, "object": "model", "created": CREATED, "owned_by": "faqbot",
            "disclaimer": disclaimer}


def faqbot_field(reply: Reply, first: bool, disclaimer: str | None = DISCLAIMER) -> dict[str, Any]:
    """The "faqbot" extra of a completion: the Reply, and the disclaimer on a first turn."""
    return {**reply.to_dict(), "disclaimer": disclaimer} if first else reply.to_dict()


def completion(reply: Reply, first: bool = False, disclaimer: str | None = DISCLAIMER) -> dict[str, Any]:
    """A standard `chat.completion` object, with the Reply itself under "faqbot"."""
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": MODEL_ID,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply.text, "refusal": None},
            "logprobs": None,
            "finish_reason": "stop",
        }],
        "faqbot": faqbot_field(reply, first, disclaimer),
    }


def completion_chunks(reply: Reply, first: bool = False,
                      disclaimer: str | None = DISCLAIMER) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects of a streamed reply: role, content, stop."""
    head: dict[str, Any] = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk",
                            "created": int(time.time()), "model": MODEL_ID}
    deltas: list[tuple[dict[str, str], str | None]] = [
        ({"role": "assistant", "content": ""}, None), ({"content": reply.text}, None), ({}, "stop")]
    chunks = [{**head, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                    "finish_reason": finish}]} for delta, finish in deltas]
    chunks[0]["faqbot"] = faqbot_field(reply, first, disclaimer)
    return chunks


async def server_sent_events(chunks: list[dict[str, Any]]) -> AsyncIterator[str]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False, separators=(',', ':'))}\n\n"
    yield "data: [DONE]\n\n"


