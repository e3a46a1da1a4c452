"""A server you can expose: the API key, CORS, the rate limit and the security headers.

The app is called in-process (starlette's TestClient, whose client address is "testclient");
the rate limiter's arithmetic is checked with a fake clock.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest
import uvicorn
from conftest import TINY_FAQ
from openai.types.chat import ChatCompletionMessageParam
from starlette.testclient import TestClient

from bot import FAQBot
from bot.cli import main
from bot.http_api import RequestError
from bot.http_guard import (
    CONTENT_SECURITY_POLICY,
    WINDOW,
    RateLimiter,
    ServerOptions,
    client_key,
    parse_origin,
    parse_rate_limit,
)
from bot.server import app_from_env, create_app

CHAT = "/v1/chat/completions"
ASK = "/v1/ask"
KEY = "sk-test-1234"
HELLO = {"messages": [{"role": "user", "content": "hello"}]}
QUESTION = {"question": "what foods have magnesium"}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> FAQBot:
    path = tmp_path_factory.mktemp("faq") / "tiny.yaml"
    path.write_text(TINY_FAQ, encoding="utf-8")
    return FAQBot.from_yaml(path)


def app_client(bot: FAQBot, **options: Any) -> TestClient:
    return TestClient(create_app(bot, ServerOptions(**options)), raise_server_exceptions=False)


@pytest.fixture(scope="module")
def keyed(tiny: FAQBot) -> Iterator[TestClient]:
    with app_client(tiny, api_key=KEY) as client:
        yield client


def openai_error(response: Any, status: int, code: str, kind: str = "invalid_request_error") -> None:
    assert response.status_code == status, response.text
    assert response.json() == {"error": {"message": response.json()["error"]["message"],
                                         "type": kind, "param": None, "code": code}}
    assert response.json()["error"]["message"]


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, dict[str, Any]]]:
    """uvicorn.run replaced by a recorder; the variables serve sets are restored afterwards."""
    calls: list[tuple[Any, dict[str, Any]]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append((app, kw)))
    for name in ("FAQBOT_FAQ", "FAQBOT_SERVER_OPTIONS", "FAQBOT_API_KEY"):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return calls


# -- the API key ---------------------------------------------------------------------------

PROTECTED = [("POST", CHAT, HELLO), ("POST", ASK, QUESTION), ("GET", "/v1/models", None),
             ("GET", "/v1/models/faqbot", None)]


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("authorization", [None, "", "Bearer", "Bearer ", f"Basic {KEY}",
                                           "Bearer sk-wrong", f"Bearer {KEY}x", KEY])
def test_without_the_key_the_api_answers_401(keyed: TestClient, method: str, path: str,
                                             body: Any, authorization: str | None) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = keyed.request(method, path, json=body, headers=headers)
    openai_error(response, 401, "invalid_api_key")
    assert response.headers["www-authenticate"] == "Bearer"
    wrong = (authorization or "").startswith("Bearer ") and authorization.strip() != "Bearer"
    assert response.json()["error"]["message"] == (
        "incorrect API key provided" if wrong else
        "missing API key: send the header 'Authorization: Bearer KEY'")


@pytest.mark.parametrize(("method", "path", "body"), PROTECTED)
@pytest.mark.parametrize("authorization", [f"Bearer {KEY}", f"bearer {KEY}", f"Bearer  {KEY} "])
def test_with_the_key_the_api_answers(keyed: TestClient, method: str, path: str, body: Any,
                                      authorization: str) -> None:
    response = keyed.request(method, path, json=body, headers={"Authorization": authorization})
    assert response.status_code == 200, response.text
    assert "error" not in response.json()


def test_a_key_is_checked_before_the_body(keyed: TestClient) -> None:
    openai_error(keyed.post(CHAT, content=b"{"), 401, "invalid_api_key")


def test_health_the_page_and_its_endpoint_stay_open_with_a_key(keyed: TestClient) -> None:
    assert keyed.get("/healthz").json() == {"status": "ok"}
    assert keyed.get("/").status_code == 200
    assert keyed.get("/widget.js").status_code == 200
    reply = keyed.post("/chat/ask", json=QUESTION).json()
    assert reply["id"] == "magnesium-foods"


def test_no_page_serves_the_api_only(tiny: FAQBot) -> None:
    with app_client(tiny, api_key=KEY, page=False) as client:
        for path in ("/", "/demo", "/widget.js", "/static/chat.js"):
            assert client.get(path).status_code == 404
        assert client.post("/chat/ask", json=QUESTION).status_code == 404
        assert client.get("/healthz").status_code == 200


# -- CORS ----------------------------------------------------------------------------------

SITE = "https://clinic.example"


def test_no_origin_gets_cors_headers_by_default(tiny: FAQBot) -> None:
    with app_client(tiny) as client:
        response = client.post(ASK, json=QUESTION, headers={"Origin": SITE})
        assert response.status_code == 200
        assert "access-control-allow-origin" not in response.headers
        preflight = client.options(ASK, headers={"Origin": SITE,
                                                 "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in preflight.headers


def test_only_the_allowed_origins_get_cors_headers(tiny: FAQBot) -> None:
    with app_client(tiny, cors_origins=(SITE, "http://localhost:3000"), api_key=KEY) as client:
        auth = {"Authorization": f"Bearer {KEY}"}
        allowed = client.post(ASK, json=QUESTION, headers={"Origin": SITE, **auth})
        assert allowed.headers["access-control-allow-origin"] == SITE
        other = client.post(ASK, json=QUESTION, headers={"Origin": "https://evil.example", **auth})
        assert other.status_code == 200  # CORS is the browser's check: it hides the reply
        assert "access-control-allow-origin" not in other.headers
        preflight = client.options(CHAT, headers={
            "Origin": SITE, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == SITE
        assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
        refused = client.options(CHAT, headers={"Origin": "https://evil.example",
                                                "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in refused.headers
        # the browser can read an error too, so a page can say what went wrong
        unauthorised = client.post(ASK, json=QUESTION, headers={"Origin": SITE})
        assert unauthorised.status_code == 401
        assert unauthorised.headers["access-control-allow-origin"] == SITE


@pytest.mark.parametrize(("text", "origin"), [
    ("https://example.org", "https://example.org"),
    ("https://Example.org/", "https://example.org"),
    ("http://localhost:3000", "http://localhost:3000"),
    ("http://[::1]:8080", "http://[::1]:8080"),
    ("*", "*"),
])
def test_origins_are_read_as_browsers_send_them(text: str, origin: str) -> None:
    assert parse_origin(text) == origin


@pytest.mark.parametrize("text", ["example.org", "https://example.org/chat", "ftp://example.org",
                                  "https://", "https://example.org?x=1", ""])
def test_a_bad_origin_is_a_one_line_error(recorded: list[Any], capsys: pytest.CaptureFixture[str],
                                          text: str) -> None:
    assert main(["serve", f"--cors-origin={text}"]) == 1
    assert recorded == []
    err = capsys.readouterr().err
    assert err == (f"faqbot: --cors-origin must be an origin such as https://example.org (scheme "
                   f"and host, no path), not {text!r}\n")


# -- the rate limit ------------------------------------------------------------------------


def test_over_the_limit_gets_a_429_with_retry_after(tiny: FAQBot) -> None:
    with app_client(tiny, rate_limit=3) as client:
        for request in ((CHAT, HELLO), (ASK, QUESTION), ("/chat/ask", QUESTION)):
            assert client.post(request[0], json=request[1]).status_code == 200
        response = client.post(ASK, json=QUESTION)
        openai_error(response, 429, "rate_limit_exceeded", kind="requests")
        assert 1 <= int(response.headers["retry-after"]) <= WINDOW
        assert f"try again in {response.headers['retry-after']} s" in response.json()["error"]["message"]
        # health checks and the page's files are never limited
        assert client.get("/healthz").status_code == 200
        assert client.get("/").status_code == 200
        assert client.get("/static/chat.js").status_code == 200


def test_requests_with_the_key_are_not_limited_and_wrong_keys_are(tiny: FAQBot) -> None:
    with app_client(tiny, rate_limit=2, api_key=KEY) as client:
        for _ in range(5):
            assert client.post(ASK, json=QUESTION,
                               headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        for _ in range(2):
            assert client.post(ASK, json=QUESTION,
                               headers={"Authorization": "Bearer guess"}).status_code == 401
        assert client.post(ASK, json=QUESTION,
                           headers={"Authorization": "Bearer guess"}).status_code == 429
        assert client.post("/chat/ask", json=QUESTION).status_code == 429  # the same address


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_limit_is_per_address_over_any_minute() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock=clock)
    for seconds in (0, 10, 20):
        clock.now = 1000.0 + seconds
        limiter.check("10.0.0.1")
    with pytest.raises(RequestError) as caught:
        limiter.check("10.0.0.1")
    assert caught.value.status == 429
    assert caught.value.headers == {"Retry-After": "40"}  # the first request leaves the window
    limiter.check("10.0.0.2")  # another address has its own count
    clock.now = 1000.0 + WINDOW  # a minute after the first request: one more is allowed
    limiter.check("10.0.0.1")
    with pytest.raises(RequestError) as caught:
        limiter.check("10.0.0.1")
    assert caught.value.headers == {"Retry-After": "10"}


def test_refused_requests_do_not_extend_the_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock=clock)
    limiter.check("a")
    for _ in range(100):
        with pytest.raises(RequestError):
            limiter.check("a")
    clock.now += WINDOW
    limiter.check("a")


def test_idle_clients_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(5, clock=clock)
    for n in range(1000):
        limiter.check(f"10.0.{n // 256}.{n % 256}")
    clock.now += WINDOW + 1
    limiter.check("10.9.9.9")
    assert len(limiter._seen) == 1


@pytest.mark.parametrize(("host", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff::1", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("testclient", "testclient"),
    (None, "unknown"),
])
def test_clients_are_counted_by_address_and_ipv6_by_its_64(host: str | None, key: str) -> None:
    assert client_key(host) == key


@pytest.mark.parametrize(("text", "limit"), [("60/minute", 60), ("5/min", 5), (" 1 / minute ", 1)])
def test_rate_limits_are_read(text: str, limit: int) -> None:
    assert parse_rate_limit(text) == limit


@pytest.mark.parametrize("text", ["0/minute", "60", "60/hour", "x/minute", "-1/minute", "1.5/minute"])
def test_a_bad_rate_limit_is_a_one_line_error(recorded: list[Any], capsys: pytest.CaptureFixture[str],
                                              text: str) -> None:
    assert main(["serve", f"--rate-limit={text}"]) == 1
    assert recorded == []
    assert capsys.readouterr().err == (
        f"faqbot: --rate-limit must look like 60/minute (a whole number of requests of at least "
        f"1), not {text!r}\n")


# -- the serve command's options -------------------------------------------------------------


def test_the_key_comes_from_the_environment_or_the_option(
        recorded: list[Any], tiny_faq_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAQBOT_API_KEY", "from-env")
    assert main(["serve", "--faq", str(tiny_faq_path)]) == 0
    assert main(["serve", "--faq", str(tiny_faq_path), "--api-key", "from-option"]) == 0
    for (app, _), key in zip(recorded, ["from-env", "from-option"], strict=True):
        client = TestClient(app)
        assert client.get("/v1/models").status_code == 401
        assert client.get("/v1/models", headers={"Authorization": f"Bearer {key}"}).status_code == 200


@pytest.mark.parametrize("key", ["", " ", " padded"])
def test_an_empty_or_padded_key_is_refused(recorded: list[Any], capsys: pytest.CaptureFixture[str],
                                           key: str) -> None:
    assert main(["serve", "--api-key", key]) == 1
    assert capsys.readouterr().err == ("faqbot: the API key (--api-key or FAQBOT_API_KEY) must be "
                                       "non-empty, with no spaces around it\n")
    assert recorded == []


def test_workers_get_the_options_through_the_environment(
        recorded: list[Any], tiny_faq_path: Path) -> None:
    argv = ["serve", "--faq", str(tiny_faq_path), "--workers", "2", "--api-key", KEY,
            "--cors-origin", SITE, "--cors-origin", SITE + "/", "--rate-limit", "7/minute", "--no-page"]
    assert main(argv) == 0
    assert ServerOptions.from_json(os.environ["FAQBOT_SERVER_OPTIONS"]) == ServerOptions(
        api_key=KEY, cors_origins=(SITE,), rate_limit=7, page=False)
    client = TestClient(app_from_env())
    assert client.get("/v1/models").status_code == 401
    assert client.get("/").status_code == 404


@pytest.mark.parametrize(("argv", "warning"), [
    (["--host", "0.0.0.0"], "no API key"),
    (["--host", "0.0.0.0", "--api-key", KEY], "/chat/ask needs no key and has no rate limit"),
    (["--host", "0.0.0.0", "--api-key", KEY, "--rate-limit", "30/minute"], None),
    (["--host", "0.0.0.0", "--api-key", KEY, "--no-page"], None),
    (["--host", "127.0.0.1"], None),
])
def test_serve_warns_about_what_others_can_reach(
        recorded: list[Any], capsys: pytest.CaptureFixture[str], tiny_faq_path: Path,
        argv: list[str], warning: str | None) -> None:
    assert main(["serve", "--faq", str(tiny_faq_path), *argv]) == 0
    err = capsys.readouterr().err
    if warning is None:
        assert "warning" not in err
    else:
        assert warning in err.splitlines()[1]


# -- security headers ------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(tiny: FAQBot,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with app_client(tiny) as client:
        responses = [client.get("/"), client.get("/demo"), client.get("/widget.js"),
                     client.get("/static/chat.css"), client.post(ASK, json=QUESTION),
                     client.post(CHAT, json={**HELLO, "stream": True}), client.get("/nope"),
                     client.post(ASK, content=b"{")]
        monkeypatch.setattr(FAQBot, "conversation", lambda *a: 1 / 0)  # a bot itself is frozen
        responses.append(client.post(ASK, json=QUESTION))
    assert [r.status_code for r in responses] == [200] * 6 + [404, 400, 500]
    for response in responses:
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"


def test_the_policy_allows_no_inline_script_and_nothing_from_elsewhere() -> None:
    directives = dict(d.strip().split(" ", 1) for d in CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["default-src"] == "'none'"
    assert "unsafe" not in CONTENT_SECURITY_POLICY


def test_the_page_files_are_served_fresh_and_only_from_the_static_folder(tiny: FAQBot) -> None:
    with app_client(tiny) as client:
        for path, kind in [("/", "text/html"), ("/demo", "text/html"), ("/widget.js", "text/javascript"),
                           ("/static/chat.js", "text/javascript"), ("/static/chat.css", "text/css")]:
            response = client.get(path)
            assert response.status_code == 200
            assert response.headers["content-type"].startswith(kind)
            assert response.headers["cache-control"] == "no-cache"
        etag = client.get("/static/chat.js").headers["etag"]
        assert client.get("/static/chat.js", headers={"If-None-Match": etag}).status_code == 304
        for path in ("/static/../server.py", "/static/%2e%2e/server.py", "/static/../../faq.yaml"):
            assert client.get(path).status_code == 404


# -- the official openai client, on a real socket ---------------------------------------------


@pytest.fixture
def keyed_url(tiny: FAQBot) -> Iterator[str]:
    """uvicorn on a free port of 127.0.0.1 with a key and a limit of 3 requests a minute."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(tiny, ServerOptions(api_key=KEY, rate_limit=3))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", ws="none", log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
    server.should_exit = True
    thread.join(10)
    sock.close()


def test_the_openai_client_sees_the_key_and_the_limit(keyed_url: str) -> None:
    question: list[ChatCompletionMessageParam] = [{"role": "user", "content": "hello"}]
    with openai.OpenAI(base_url=keyed_url, api_key=KEY, max_retries=0, timeout=10) as api:
        for _ in range(5):  # the right key is never limited
            assert api.chat.completions.create(model="faqbot", messages=question).choices
    with openai.OpenAI(base_url=keyed_url, api_key="sk-wrong", max_retries=0, timeout=10) as api:
        for _ in range(3):
            with pytest.raises(openai.AuthenticationError) as caught:
                api.models.list()
            assert caught.value.code == "invalid_api_key"
        with pytest.raises(openai.RateLimitError) as limited:
            api.models.list()
        assert limited.value.code == "rate_limit_exceeded"
        assert int(limited.value.response.headers["retry-after"]) >= 1
