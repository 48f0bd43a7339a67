"""What every local provider server in ``tests/servers`` shares.

A provider server is a real threaded HTTP server on a free 127.0.0.1 port, used as a context
manager. It answers from a script of named behaviours (``"ok"``, ``"429"``, ``"500"``,
``"timeout"``, ...; each server lists its own): queued ones first, in order; then, for fault
injection, behaviours drawn at set rates from a seeded generator; else ``default``.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self


def check_rates(rates: Mapping[str, float]) -> None:
    """Refuse rates that cannot be drawn: negative, or summing over 1."""
    if any(rate < 0 for rate in rates.values()) or sum(rates.values()) > 1:
        raise ValueError(f"rates must be ≥ 0 and sum to ≤ 1: {dict(rates)}")


def draw(rates: Sequence[tuple[str, float]], rng: random.Random, default: str) -> str:
    """A behaviour drawn at ``rates`` (``default`` for the rest of the probability)."""
    point = rng.random()
    for behaviour, rate in rates:
        if point < rate:
            return behaviour
        point -= rate
    return default


class ProviderServer:
    """A scripted HTTP server on a free 127.0.0.1 port; start/stop or ``with``."""

    behaviours: ClassVar[frozenset[str]] = frozenset({"ok"})

    def __init__(self, handler: type[BaseHTTPRequestHandler], *, hang_s: float = 10.0) -> None:
        self.default = "ok"
        self.hang_s = hang_s
        # Each answer takes at least this long, so concurrent requests overlap.
        self.latency_s = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self._queue: deque[str] = deque()
        self._rates: list[tuple[str, float]] = []
        self._rng = random.Random(0)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        # A short poll keeps stop() quick: shutdown waits for the loop's next poll.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def address(self) -> str:
        """``http://127.0.0.1:<port>``."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        """The root to give the SDK; servers whose API lives under a prefix override it."""
        return self.address

    def _check(self, behaviours: Any) -> None:
        unknown = set(behaviours) - self.behaviours
        if unknown:
            raise ValueError(f"unknown behaviours: {sorted(unknown)}")

    def queue(self, *behaviours: str) -> None:
        """Answer the next requests with these behaviours, in order."""
        self._check(behaviours)
        with self._lock:
            self._queue.extend(behaviours)

    def fail_at_rates(self, rates: Mapping[str, float], *, seed: int = 0) -> None:
        """Fault injection: answer each unscripted request with a behaviour drawn at ``rates``
        (e.g. ``{"429": 0.1, "500": 0.05}``), the rest with ``default``; reproducible by seed."""
        self._check(rates)
        check_rates(rates)
        with self._lock:
            self._rates = list(rates.items())
            self._rng = random.Random(seed)

    def next_behaviour(self) -> str:
        """The behaviour for the request being answered now."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            return draw(self._rates, self._rng, self.default)

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Count the request in flight (``max_in_flight`` shows the client's concurrency)
        while it takes ``latency_s`` and is answered."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            time.sleep(self.latency_s)
            yield
        finally:
            with self._lock:
                self.in_flight -= 1

    def hang(self) -> bool:
        """Stall as a server that never answers; True when the server stopped meanwhile (then
        the handler should answer nothing)."""
        return self._stopping.wait(self.hang_s)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that keeps test output clean and tolerates clients that gave up."""

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def read_body(self) -> bytes:
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_body(
        self,
        status: int,
        body: bytes,
        headers: Mapping[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        try:
            self.send_response(status)
            for name, value in {"Content-Type": content_type, **(headers or {})}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (its timeout); nothing to tell it

    def send_json(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        self.send_body(status, json.dumps(body).encode(), headers)
