"""Load test for `faqbot serve`: a fixed number of requests from concurrent clients, loopback only.

    python benchmarks/load_server.py [--requests 2000] [--clients 16] [--workers 1] [--faq PATH]
    python benchmarks/load_server.py --url http://127.0.0.1:8000   # a server already running

Starts `python -m bot serve` on a free port of 127.0.0.1 (unless --url names a running one,
which must be a loopback address), waits for /healthz, sends a short warm-up, then the timed
requests: a fixed mix of plain, multi-turn and streamed chat completions and /v1/ask calls.
Prints requests/s, p50/p99 latency and the error count; exits 1 when any request failed.
Stops by itself: a fixed request count, a timeout on every request.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

REPO = Path(__file__).resolve().parent.parent
TIMEOUT = 30.0  # seconds, per request
WARM_UP = 32  # requests sent (and not timed) before the run

_Q = ["which foods have magnesium?", "why do my calves twitch at night?", "and potassium?",
      "how much magnesium should I take?", "hello", "is cramping in my legs serious?"]


def _chat(*turns: str, stream: bool = False) -> dict[str, Any]:
    messages: list[dict[str, Any]] = []
    for turn in turns:
        messages += [{"role": "user", "content": turn}, {"role": "assistant", "content": "..."}]
    return {"model": "faqbot", "messages": messages[:-1], "stream": stream}


def requests_mix() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(kind, path, body) forever: one plain, one multi-turn, one streamed chat, one /v1/ask."""
    i = 0
    while True:
        q = _Q[i % len(_Q)]
        yield "chat", "/v1/chat/completions", _chat(q)
        yield "chat-3-turns", "/v1/chat/completions", _chat(_Q[0], q, _Q[2])
        yield "chat-stream", "/v1/chat/completions", _chat(q, stream=True)
        yield "ask", "/v1/ask", {"question": q, "state": {"last": None, "choices": []}}
        i += 1


async def _one(client: httpx.AsyncClient, path: str, body: dict[str, Any]) -> bool:
    """Send one request; True when it succeeded (200, and a stream that ends with [DONE])."""
    if not body.get("stream"):
        response = await client.post(path, json=body)
        return response.status_code == 200 and "error" not in response.json()
    async with client.stream("POST", path, json=body) as response:
        lines = [line async for line in response.aiter_lines() if line]
    return response.status_code == 200 and lines[-1:] == ["data: [DONE]"]


async def run_load(base_url: str, total: int, clients: int) -> dict[str, Any]:
    """Send `total` requests from `clients` concurrent connections; latencies in seconds."""
    mix = requests_mix()
    plan = [next(mix) for _ in range(total + WARM_UP)]
    warm, timed = plan[:WARM_UP], plan[WARM_UP:]
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    queue = iter(timed)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for kind, path, body in queue:  # a shared iterator: each request is sent once
            start = time.perf_counter()
            try:
                ok = await _one(client, path, body)
            except httpx.HTTPError as exc:
                ok, kind = False, f"{kind}: {type(exc).__name__}"
            if ok:
                latencies.setdefault(kind, []).append(time.perf_counter() - start)
            else:
                errors.append(kind)

    pool = [httpx.AsyncClient(base_url=base_url, timeout=TIMEOUT) for _ in range(clients)]
    try:
        for i, (_, path, body) in enumerate(warm):
            await _one(pool[i % clients], path, body)
        start = time.perf_counter()
        await asyncio.gather(*(client_loop(c) for c in pool))
        elapsed = time.perf_counter() - start
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return {"elapsed": elapsed, "latencies": latencies, "errors": errors}


def _ms(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1] * 1000


def report(result: dict[str, Any], total: int, clients: int, label: str) -> list[str]:
    """The lines to print: totals first, then one line per kind of request."""
    every = [x for xs in result["latencies"].values() for x in xs]
    lines = [f"faqbot load test: {total} requests, {clients} clients, {label}"]
    if every:
        lines.append(f"  all: {total / result['elapsed']:.0f} requests/s,"
                     f" p50 {_ms(every, 0.5):.1f} ms, p99 {_ms(every, 0.99):.1f} ms,"
                     f" errors {len(result['errors'])}, {result['elapsed']:.2f} s")
    for kind, xs in sorted(result["latencies"].items()):
        lines.append(f"  {kind:<13} n={len(xs):<5} p50 {_ms(xs, 0.5):6.1f} ms"
                     f"  p99 {_ms(xs, 0.99):6.1f} ms")
    if result["errors"]:
        lines.append(f"  errors: {sorted(set(result['errors']))}")
    return lines


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_healthy(base_url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer /healthz within 60 s")


def _is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--requests", type=int, default=2000, help="timed requests (default 2000)")
    add("--clients", type=int, default=16, help="concurrent clients (default 16)")
    add("--workers", type=int, default=1, help="server worker processes (default 1)")
    add("--faq", help="FAQ file for the server (default: the bundled faq.yaml)")
    add("--url", help="a running server to use instead (loopback only)")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1:
        parser.error("--requests and --clients must be at least 1")
    if args.url:
        if not _is_loopback_url(args.url):
            parser.error("--url must be a loopback address such as http://127.0.0.1:8000")
        result = asyncio.run(run_load(args.url.rstrip("/"), args.requests, args.clients))
        print("\n".join(report(result, args.requests, args.clients, args.url)))
        return 1 if result["errors"] else 0

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--workers", str(args.workers)] + (["--faq", args.faq] if args.faq else [])
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        try:
            _wait_healthy(base_url, server, log)
            result = asyncio.run(run_load(base_url, args.requests, args.clients))
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    label = f"server: {args.workers} worker(s), {base_url}, python {sys.version.split()[0]}"
    print("\n".join(report(result, args.requests, args.clients, label)))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
