"""`faqbot serve`: the HTTP app (OpenAI-compatible chat completions, a JSON API, the chat page).

Routes::

    POST /v1/chat/completions  the `messages` list in, a chat completion out ("stream": true → SSE)
    GET  /v1/models            one model, "faqbot" (also GET /v1/models/faqbot)
    POST /v1/ask               {"question", "state"?} → the Reply plus the new conversation state
    GET  /                     the chat page; /widget.js the site widget, /demo a sample page
    POST /chat/ask             what /v1/ask does, for the page: open even when an API key is set
    GET  /healthz              {"status": "ok"}

Stateless: the conversation travels in each request (the user turns of `messages`, or `state`),
so any number of worker processes serve the same users with no shared store. The wire format
is `http_api.py`; the key, the rate limit, CORS and the headers are `http_guard.py`. The
handlers only translate: the bot decides.
"""

from __future__ import annotations

import argparse
import html
import ipaddress
import os
import re
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from .core import FAQBot
from .errors import FAQBotError, InputError
from .http_api import (
    MODEL_ID,
    RequestError,
    answer_turns,
    answer_with_state,
    check_options,
    completion,
    completion_chunks,
    disclaimer_of,
    error_body,
    model_object,
    question_and_state,
    read_json,
    requested_language,
    server_sent_events,
    user_turns,
)
from .http_guard import (
    ENV_API_KEY,
    ASGIApp,
    RateLimiter,
    SecurityHeaders,
    ServerOptions,
    client_key,
    key_error,
    key_matches,
    parse_origin,
    parse_rate_limit,
)
from .unanswered import ReplyLog, UnansweredLog, open_for_cli

try:
    import uvicorn
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.routing import BaseRoute, Mount, Route
    from starlette.staticfiles import StaticFiles
except ImportError as exc:  # the optional extra is not installed: run_cli says so in one line
    _MISSING: ImportError | None = exc
else:
    _MISSING = None

ENV_FAQ = "FAQBOT_FAQ"  # FAQ path for app_from_env(), the factory each uvicorn worker calls
ENV_LOG = "FAQBOT_LOG_UNANSWERED"  # --log-unanswered PATH for the workers (each opens it to append)
ENV_REDACT = "FAQBOT_LOG_REDACT"  # "1" with --log-redact
ENV_OPTIONS = "FAQBOT_SERVER_OPTIONS"  # ServerOptions as JSON, for the same factory
STATIC = Path(__file__).resolve().parent / "static"  # the page, shipped inside the wheel
_SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}  # no proxy buffering

Handler = Callable[["Request"], Awaitable["Response"]]


class _Endpoints:
    """The route handlers, bound to one bot and its options."""

    def __init__(self, bot: FAQBot, options: ServerOptions, log: ReplyLog | None = None) -> None:
        self.bot, self.options, self.log = bot, options, log
        self.limiter = RateLimiter(options.rate_limit) if options.rate_limit else None

    def guarded(self, handler: Handler, *, public: bool = False) -> Handler:
        """`handler` behind the rate limit and, unless `public`, the API key.

        A request with the right key is never rate-limited (it is a trusted frontend, often
        speaking for many users from one address); every other one is, wrong keys included,
        so that guessing is slow.
        """

        async def guard(request: Request) -> Response:
            address = client_key(request.client.host if request.client else None)
            key, authorization = self.options.api_key, request.headers.get("authorization", "")
            if not public and key is not None:
                if key_matches(key, authorization):
                    return await handler(request)
                self._count(address)  # wrong and missing keys count too: guessing stays slow
                raise key_error(authorization)
            self._count(address)
            return await handler(request)

        return guard

    def _count(self, address: str) -> None:
        if self.limiter is not None:
            self.limiter.check(address)

    async def chat_completions(self, request: Request) -> Response:
        body = await _body(request)
        turns = user_turns(body.get("messages"))
        stream = check_options(body)
        # in a thread: a long history of long messages must not stall the event loop
        reply = await run_in_threadpool(answer_turns, self.bot, turns, self.log)
        first = len(turns) == 1
        if stream:
            return StreamingResponse(server_sent_events(completion_chunks(reply, first, disclaimer_of(self.bot))),
                                     media_type="text/event-stream", headers=_SSE_HEADERS)
        return JSONResponse(completion(reply, first, disclaimer_of(self.bot)))

    async def ask(self, request: Request) -> Response:
        body = await _body(request)
        question, state = question_and_state(body)
        lang = requested_language(body, self.bot)
        return JSONResponse(await run_in_threadpool(answer_with_state, self.bot, question, state, self.log, lang))

    async def models(self, request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [model_object(disclaimer_of(self.bot))]})

    async def model(self, request: Request) -> Response:
        name = request.path_params["name"]
        if name != MODEL_ID:
            return JSONResponse(error_body(f"the model '{name}' does not exist", param="model",
                                           code="model_not_found"), status_code=404)
        return JSONResponse(model_object(disclaimer_of(self.bot)))

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})


async def _body(request: Request) -> dict[str, Any]:
    return await read_json(request.headers.get("content-length", ""), request.stream())


if _MISSING is None:

    class _Static(StaticFiles):
        """The page's files, revalidated on each load: an upgrade never mixes old and new files."""

        def file_response(self, *args: Any, **kwargs: Any) -> Response:
            response = super().file_response(*args, **kwargs)
            response.headers["Cache-Control"] = "no-cache"
            return response


def _page(name: str) -> Handler:
    path = STATIC / name

    async def page(request: Request) -> Response:
        return FileResponse(path, headers={"Cache-Control": "no-cache"})

    return page


_DISCLAIMER_PARAGRAPH = re.compile(r'\s*<p class="disclaimer" id="disclaimer">.*?</p>', re.S)
_DISCLAIMER_TEXT = re.compile(r'(<span id="disclaimer-text">).*?(</span>)', re.S)


def index_html(disclaimer: str) -> str:
    """The chat page with the FAQ's disclaimer, or without the disclaimer line if it has none."""
    page = (STATIC / "index.html").read_text(encoding="utf-8")
    if not disclaimer:
        return _DISCLAIMER_PARAGRAPH.sub("", page, count=1)
    return _DISCLAIMER_TEXT.sub(lambda m: m[1] + html.escape(disclaimer) + m[2], page, count=1)


def _index_page(disclaimer: str) -> Handler:
    body = index_html(disclaimer)

    async def page(request: Request) -> Response:
        return HTMLResponse(body, headers={"Cache-Control": "no-cache"})

    return page


async def _client_error(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RequestError):
        return JSONResponse(exc.body(), exc.status, headers=exc.headers)
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
        from .extras import install_hint

        raise FAQBotError(f"the HTTP server needs the faqbot[server] extra ({missing} is not "
                          f"installed): {install_hint('server')}")


def create_app(bot: FAQBot, options: ServerOptions | None = None, *, log: ReplyLog | None = None) -> ASGIApp:
    """The ASGI app serving `bot` (built once; shared by every request).

    `log`, e.g. an `UnansweredLog`, is called with each question and its reply. Raises
    FAQBotError when the faqbot[server] extra is not installed.
    """
    _require_extra()
    options = options or ServerOptions()
    api = _Endpoints(bot, options, log)
    routes: list[BaseRoute] = [
        Route("/v1/chat/completions", api.guarded(api.chat_completions), methods=["POST"]),
        Route("/v1/models", api.guarded(api.models), methods=["GET"]),
        Route("/v1/models/{name:path}", api.guarded(api.model), methods=["GET"]),
        Route("/v1/ask", api.guarded(api.ask), methods=["POST"]),
        Route("/healthz", api.healthz, methods=["GET"]),
    ]
    if options.page:
        routes += [
            Route("/", _index_page(bot.faq.disclaimer), methods=["GET"]),
            Route("/demo", _page("demo.html"), methods=["GET"]),
            Route("/widget.js", _page("widget.js"), methods=["GET"]),
            Route("/chat/ask", api.guarded(api.ask, public=True), methods=["POST"]),
            Mount("/static", _Static(directory=STATIC), name="static"),
        ]
    middleware = []
    if options.cors_origins:  # none by default: other sites' scripts cannot read the replies
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(options.cors_origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["Authorization", "Content-Type"], max_age=600))
    handlers = {RequestError: _client_error, HTTPException: _client_error, Exception: _server_error}
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers)
    return SecurityHeaders(app)  # outermost, so that even a 500 carries the headers


def app_from_env() -> ASGIApp:
    """App factory for uvicorn workers: the FAQ path, the options and the unanswered-questions
    log (FAQBOT_LOG_UNANSWERED, FAQBOT_LOG_REDACT) come from the environment."""
    options = os.environ.get(ENV_OPTIONS)
    bot = FAQBot.from_yaml(os.environ.get(ENV_FAQ) or None)
    path = os.environ.get(ENV_LOG) or None
    redact = os.environ.get(ENV_REDACT) == "1"
    log = UnansweredLog.for_bot(bot, path, front_end="serve", redact=redact) if path else None
    return create_app(bot, ServerOptions.from_json(options) if options else None, log=log)


# -- the command ---------------------------------------------------------------------------


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def server_options(args: argparse.Namespace) -> ServerOptions:
    """The ServerOptions of `faqbot serve`'s arguments; raises InputError for bad values."""
    key = args.api_key if args.api_key is not None else os.environ.get(ENV_API_KEY)
    if key is not None and (not key.strip() or key != key.strip()):
        raise InputError("the API key (--api-key or FAQBOT_API_KEY) must be non-empty, "
                         "with no spaces around it")
    return ServerOptions(
        api_key=key,
        cors_origins=tuple(dict.fromkeys(parse_origin(o) for o in args.cors_origin or ())),
        rate_limit=parse_rate_limit(args.rate_limit) if args.rate_limit else None,
        page=not args.no_page,
    )


def _warnings(host: str, options: ServerOptions) -> list[str]:
    """What to tell the operator about a server others can reach."""
    if _is_loopback(host):
        return []
    if options.api_key is None:
        return [f"warning: listening on {host} with no API key: anyone who can reach this "
                "address can use it (see --api-key)"]
    if options.page and options.rate_limit is None:
        return [f"warning: the chat page's /chat/ask needs no key and has no rate limit: anyone "
                f"who can reach {host} can use it as much as they like (see --rate-limit, "
                "--no-page)"]
    return []


def run_cli(args: argparse.Namespace) -> int:
    """`faqbot serve`: load the FAQ, then serve until Ctrl-C. Raises FAQBotError on bad setup."""
    _require_extra()
    if args.workers < 1:
        raise InputError(f"--workers must be at least 1, not {args.workers}")
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port must be between 0 and 65535, not {args.port}")
    options = server_options(args)
    bot = FAQBot.from_yaml(args.faq)  # fail here, with file:line, rather than in every worker
    log = open_for_cli(bot.faq, args.log_unanswered, redact=args.log_redact, front_end="serve")
    host = f"[{args.host}]" if ":" in args.host else args.host
    page = f"; chat page http://{host}:{args.port}/" if options.page else ""
    print(f"faqbot: {len(bot.faq.entries)} entries; OpenAI-compatible base URL "
          f"http://{host}:{args.port}/v1, model \"{MODEL_ID}\"{page}", file=sys.stderr)
    for warning in _warnings(args.host, options):
        print(f"faqbot: {warning}", file=sys.stderr)
    uvicorn_options: dict[str, Any] = {"host": args.host, "port": args.port, "lifespan": "off",
                                       "ws": "none"}  # no lifespan events, no websockets
    try:
        if args.workers == 1:
            uvicorn.run(create_app(bot, options, log=log), **uvicorn_options)
        else:
            os.environ[ENV_FAQ] = str(Path(args.faq).resolve()) if args.faq else ""
            if log is not None:  # each worker appends to it with its own file descriptor
                log.close()
                os.environ[ENV_LOG], os.environ[ENV_REDACT] = str(log.path.resolve()), "1" if log.redact else ""
            os.environ[ENV_OPTIONS] = options.to_json()
            uvicorn.run(f"{__name__}:app_from_env", factory=True, workers=args.workers,
                        **uvicorn_options)
    except SystemExit as exc:  # uvicorn logs why it could not start (e.g. port in use), exits 3
        if exc.code:
            return 1
        raise
    return 0
