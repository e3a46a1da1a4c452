"""What makes `faqbot serve` safe to expose: the API key, the rate limit, CORS, security headers.

`ServerOptions` holds the settings, parsed from the command line and checked once. The
checks raise `RequestError` (401, 429), which the server turns into OpenAI-style bodies.
No web framework here either: `server.py` wires these into the app.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import math
import re
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from typing import Any

from .errors import InputError
from .http_api import RequestError

ENV_API_KEY = "FAQBOT_API_KEY"
WINDOW = 60.0  # seconds: the rate limit counts requests per minute
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(?:minute|min|m)\s*$")
_ORIGIN = re.compile(r"^https?://[^/?#\s]+$")

# The page and everything the server sends: scripts, styles and fetches from this server only,
# nothing inline, nothing from a CDN. Any site may frame the chat page (the widget is an
# iframe of it), which is safe because the page has nothing to click a user into.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors *"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


@dataclass(frozen=True, slots=True)
class ServerOptions:
    """How the server protects itself; the defaults are a server for this machine only.

    `api_key`: required as a Bearer token on /v1/* when set. `cors_origins`: the origins whose
    scripts may call the API. `rate_limit`: requests per minute per client address (None: no
    limit). `page`: serve the chat page, the widget and the demo.
    """

    api_key: str | None = None
    cors_origins: tuple[str, ...] = ()
    rate_limit: int | None = None
    page: bool = True

    def to_json(self) -> str:
        """The options as JSON, for worker processes (`from_json` reads them back)."""
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> ServerOptions:
        """Options written by `to_json`."""
        data: dict[str, Any] = json.loads(text)
        return cls(api_key=data["api_key"], cors_origins=tuple(data["cors_origins"]),
                   rate_limit=data["rate_limit"], page=bool(data["page"]))


def parse_rate_limit(text: str) -> int:
    """`N/minute` (or `N/min`) → N; raises InputError for anything else or N < 1."""
    match = _RATE.match(text)
    if not match or int(match[1]) < 1:
        raise InputError(f"--rate-limit must look like 60/minute (a whole number of requests of "
                         f"at least 1), not {text!r}")
    return int(match[1])


def parse_origin(text: str) -> str:
    """An origin as browsers send it (`https://example.org`, `http://localhost:3000`) or `*`.

    Raises InputError for a path, a missing scheme or anything else a browser never sends.
    """
    origin = text.strip().rstrip("/")
    if origin != "*" and not _ORIGIN.match(origin):
        raise InputError(f"--cors-origin must be an origin such as https://example.org (scheme "
                         f"and host, no path), not {text!r}")
    return origin.lower()


def _bearer(authorization: str) -> str | None:
    scheme, _, token = authorization.strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def key_matches(expected: str, authorization: str) -> bool:
    """Whether an `Authorization` header carries `Bearer EXPECTED` (compared in constant time)."""
    token = _bearer(authorization)
    return token is not None and hmac.compare_digest(token.encode(), expected.encode())


def key_error(authorization: str) -> RequestError:
    """The 401 for a request whose `Authorization` header lacks the key (or has another)."""
    message = ("incorrect API key provided" if _bearer(authorization) else
               "missing API key: send the header 'Authorization: Bearer KEY'")
    return RequestError(message, status=401, code="invalid_api_key",
                        headers={"WWW-Authenticate": "Bearer"})


def client_key(host: str | None) -> str:
    """The address a client is counted under: IPv4 as is, IPv6 by its /64 (one household)."""
    if not host:
        return "unknown"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass
class RateLimiter:
    """At most `limit` requests in any `WINDOW` seconds per client (a sliding log of times).

    Memory is bounded by `limit` times per client seen in the last minute; clients idle for a
    minute are forgotten. Safe to call from several threads.
    """

    limit: int
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _next_sweep: float = 0.0

    def check(self, client: str) -> None:
        """Count one request of `client`; raises a 429 RequestError when it is over the limit."""
        now = self.clock()
        with self._lock:
            if now >= self._next_sweep:
                self._sweep(now)
            times = self._seen.setdefault(client, deque(maxlen=self.limit))
            if len(times) == self.limit and now - times[0] < WINDOW:
                wait = max(1, math.ceil(times[0] + WINDOW - now))
                raise RequestError(
                    f"rate limit reached: at most {self.limit} requests per minute from one "
                    f"address; try again in {wait} s", status=429, kind="requests",
                    code="rate_limit_exceeded", headers={"Retry-After": str(wait)})
            times.append(now)

    def _sweep(self, now: float) -> None:
        self._seen = {k: v for k, v in self._seen.items() if v and now - v[-1] < WINDOW}
        self._next_sweep = now + WINDOW


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response (streams included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)
