"""HTTP endpoint: OpenAI-compatible chat completions and a small JSON API (needs faqbot[server]).

Routes::

    POST /v1/chat/completions  the `messages` list in, a chat completion out ("stream": true → SSE)
    GET  /v1/models            one model, "faqbot" (also GET /v1/models/faqbot)
    POST /v1/ask               {"question", "state"?} → the Reply plus the new conversation state
    GET  /healthz              {"status": "ok"}

Stateless: the conversation travels in each request (the user turns of `messages`, or `state`),
so any number of worker processes serve the same users with no shared store. A bad request
gets a 4xx with an OpenAI-style body, ``{"error": {"message", "type", "param", "code"}}``.
The handlers only translate JSON to and from the library; the bot decides.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import sys
import time
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from .core import FAQBot
from .errors import FAQBotError, InputError
from .reply import Reply
from .unanswered import ReplyLog, UnansweredLog, open_for_cli

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route
except ImportError as exc:  # the optional extra is not installed: run_cli says so in one line
    _MISSING: ImportError | None = exc
else:
    _MISSING = None

MODEL_ID = "faqbot"
ENV_FAQ = "FAQBOT_FAQ"  # FAQ path for app_from_env(), the factory each uvicorn worker calls
ENV_LOG = "FAQBOT_LOG_UNANSWERED"  # --log-unanswered PATH for the workers (each opens it to append)
ENV_REDACT = "FAQBOT_LOG_REDACT"  # "1" with --log-redact
MAX_BODY_BYTES = 1 << 20  # 1 MiB
MAX_MESSAGE_CHARS = 8_000
MAX_HISTORY_TURNS = 20  # user turns replayed per request: bounds the work one request can ask for
_CREATED = int(time.time())
_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy buffering


class RequestError(InputError):
    """A request the API cannot serve as sent; becomes an OpenAI-style 4xx error body."""

    def __init__(self, message: str, *, status: int = 400, param: str | None = None,
                 code: str | None = "invalid_type") -> None:
        super().__init__(message)
        self.message, self.status, self.param, self.code = message, status, param, code


def error_body(message: str, *, kind: str = "invalid_request_error", param: str | None = None,
               code: str | None = None) -> dict[str, Any]:
    """The OpenAI error shape: ``{"error": {"message", "type", "param", "code"}}``."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}


# -- reading requests ----------------------------------------------------------------------


async def read_json(request: Request) -> dict[str, Any]:
    """The body as a JSON object; raises RequestError (413 over MAX_BODY_BYTES, else 400)."""
    too_large = RequestError(f"the request body is over {MAX_BODY_BYTES} bytes", status=413,
                             code="request_too_large")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    body = bytearray()
    async for chunk in request.stream():  # counted as it arrives: chunked bodies have no length
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
    if not isinstance(value, kind):
        raise RequestError(f"'{name}' must be a {_TYPE_NAMES[kind]}", param=name)
    return value


_TYPE_NAMES = {str: "string", bool: "boolean", dict: "object", list: "list"}


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
    return question, state


# -- answering -----------------------------------------------------------------------------


def answer_turns(bot: FAQBot, turns: Sequence[str], log: ReplyLog | None = None) -> Reply:
    """Answer the last turn in the context of the earlier ones (the last MAX_HISTORY_TURNS).

    `log` (--log-unanswered) is called with the last turn and its reply.
    """
    recent = turns[-MAX_HISTORY_TURNS:]
    return bot.conversation_from_history(recent[:-1]).ask(recent[-1], log=log)


def answer_with_state(bot: FAQBot, question: str, state: dict[str, Any] | None,
                      log: ReplyLog | None = None) -> dict[str, Any]:
    """The Reply as a dict, plus the conversation state to send with the next question."""
    conv = bot.conversation(state)
    reply = conv.ask(question, log=log)
    return {**reply.to_dict(), "state": conv.to_dict()}


def completion(reply: Reply) -> dict[str, Any]:
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
        "faqbot": reply.to_dict(),
    }


def completion_chunks(reply: Reply) -> list[dict[str, Any]]:
    """The `chat.completion.chunk` objects of a streamed reply: role, content, stop."""
    head: dict[str, Any] = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk",
                            "created": int(time.time()), "model": MODEL_ID}
    deltas: list[tuple[dict[str, str], str | None]] = [
        ({"role": "assistant", "content": ""}, None), ({"content": reply.text}, None), ({}, "stop")]
    chunks = [{**head, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                    "finish_reason": finish}]} for delta, finish in deltas]
    chunks[0]["faqbot"] = reply.to_dict()
    return chunks


async def _server_sent_events(chunks: list[dict[str, Any]]) -> AsyncIterator[str]:
    for chunk in chunks:
        yield f"data: {json.dumps(chunk, ensure_ascii=False, separators=(',', ':'))}\n\n"
    yield "data: [DONE]\n\n"


# -- the app -------------------------------------------------------------------------------


class _Endpoints:
    """The route handlers, bound to one bot."""

    def __init__(self, bot: FAQBot, log: ReplyLog | None) -> None:
        self.bot = bot
        self.log = log

    async def chat_completions(self, request: Request) -> Response:
        body = await read_json(request)
        turns = user_turns(body.get("messages"))
        _optional(body, "model", str, MODEL_ID)  # any name is accepted: there is one model
        stream = _optional(body, "stream", bool, False)
        # in a thread: a long history of long messages must not stall the event loop
        reply = await run_in_threadpool(answer_turns, self.bot, turns, self.log)
        if stream:
            return StreamingResponse(_server_sent_events(completion_chunks(reply)),
                                     media_type="text/event-stream", headers=_SSE_HEADERS)
        return JSONResponse(completion(reply))

    async def ask(self, request: Request) -> Response:
        question, state = question_and_state(await read_json(request))
        return JSONResponse(await run_in_threadpool(answer_with_state, self.bot, question, state, self.log))

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [_model()]})

    async def model(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name != MODEL_ID:
            return JSONResponse(error_body(f"the model '{name}' does not exist", param="model",
                                           code="model_not_found"), status_code=404)
        return JSONResponse(_model())

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})


def _model() -> dict[str, Any]:
    return {"id": MODEL_ID, "object": "model", "created": _CREATED, "owned_by": "faqbot"}


async def _client_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestError):
        return JSONResponse(error_body(exc.message, param=exc.param, code=exc.code), exc.status)
    if not isinstance(exc, HTTPException):  # registered for RequestError and HTTPException only
        raise exc
    message = {404: f"no route {request.method} {request.url.path}",
               405: f"{request.method} is not allowed on {request.url.path}"}.get(exc.status_code,
                                                                                  exc.detail)
    return JSONResponse(error_body(message, code=f"http_{exc.status_code}"), exc.status_code,
                        headers=exc.headers)


async def _server_error(request: Request, exc: Exception) -> Response:
    # a bug, never bad input: uvicorn logs the traceback, the client gets no details
    return JSONResponse(error_body("internal server error", kind="server_error"), 500)


def _require_extra() -> None:
    if _MISSING is not None:
        missing = (_MISSING.name or "starlette or uvicorn").split(".")[0]
        raise FAQBotError(f"the HTTP server needs the faqbot[server] extra ({missing} is not "
                          "installed): pip install 'faqbot[server]'")


def create_app(bot: FAQBot, *, log: ReplyLog | None = None) -> Starlette:
    """The ASGI app serving `bot` (built once; shared by every request).

    `log`, e.g. an `UnansweredLog`, is called with each question and its reply. Raises
    FAQBotError when the faqbot[server] extra is not installed.
    """
    _require_extra()
    api = _Endpoints(bot, log)
    routes = [
        Route("/v1/chat/completions", api.chat_completions, methods=["POST"]),
        Route("/v1/models", api.models, methods=["GET"]),
        Route("/v1/models/{name:path}", api.model, methods=["GET"]),
        Route("/v1/ask", api.ask, methods=["POST"]),
        Route("/healthz", api.healthz, methods=["GET"]),
    ]
    handlers = {RequestError: _client_error, HTTPException: _client_error, Exception: _server_error}
    return Starlette(routes=routes, exception_handlers=handlers)


def app_from_env() -> Starlette:
    """App factory for uvicorn workers: the FAQ path comes from the FAQBOT_FAQ variable, the
    unanswered-questions log from FAQBOT_LOG_UNANSWERED (and FAQBOT_LOG_REDACT)."""
    bot = FAQBot.from_yaml(os.environ.get(ENV_FAQ) or None)
    path = os.environ.get(ENV_LOG) or None
    redact = os.environ.get(ENV_REDACT) == "1"
    log = UnansweredLog.for_bot(bot, path, front_end="serve", redact=redact) if path else None
    return create_app(bot, log=log)


# -- the command ---------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run_cli(args: argparse.Namespace) -> int:
    """`faqbot serve`: load the FAQ, then serve until Ctrl-C. Raises FAQBotError on bad setup."""
    _require_extra()
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, not {args.port}")
    bot = FAQBot.from_yaml(args.faq)  # fail here, with file:line, rather than in every worker
    log = open_for_cli(bot.faq, args.log_unanswered, redact=args.log_redact, front_end="serve")
    host = f"[{args.host}]" if ":" in args.host else args.host
    print(f"faqbot: {len(bot.faq.entries)} entries; OpenAI-compatible base URL "
          f"http://{host}:{args.port}/v1, model \"{MODEL_ID}\"", file=sys.stderr)
    if not _is_loopback(args.host):
        print(f"faqbot: warning: listening on {args.host} with no authentication: anyone who can "
              "reach this address can use it", file=sys.stderr)
    options: dict[str, Any] = {"host": args.host, "port": args.port, "lifespan": "off",
                               "ws": "none"}  # no lifespan events, no websockets: plain HTTP
    try:
        if args.workers == 1:
            uvicorn.run(create_app(bot, log=log), **options)
        else:
            os.environ[ENV_FAQ] = str(Path(args.faq).resolve()) if args.faq else ""
            if log is not None:  # each worker appends to it with its own file descriptor
                log.close()
                os.environ[ENV_LOG], os.environ[ENV_REDACT] = str(log.path.resolve()), "1" if log.redact else ""
            uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=args.workers, **options)
    except SystemExit as exc:  # uvicorn logs why it could not start (e.g. port in use), exits 3
        if exc.code:
            return 1
        raise
    return 0
