"""A real HTTP server on 127.0.0.1 that receives webhook notifications and keeps them.

Prefect's notification blocks (``CustomWebhookNotificationBlock``) post to
``server.url + "/hooks/<name>"``; every request is recorded (path, headers, JSON body) in
``server.received``, and :meth:`WebhookServer.wait_for` waits (bounded) for them.
Behaviours: ``ok`` (204), ``500``.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from tests.servers.base import ProviderServer, QuietHandler


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: Any  # the JSON posted, or the text where it is not JSON


class WebhookServer(ProviderServer):
    """A webhook receiver on a free 127.0.0.1 port; a context manager."""

    behaviours = frozenset({"ok", "500"})

    def __init__(self) -> None:
        super().__init__(_handler_for(self))
        self.received: list[Received] = []
        self._arrived = threading.Condition()

    def record(self, request: Received) -> None:
        with self._arrived:
            self.received.append(request)
            self._arrived.notify_all()

    def wait_for(self, count: int, timeout_s: float) -> list[Received]:
        """The requests received once there are ``count`` (or all there are at the timeout)."""
        deadline = time.monotonic() + timeout_s
        with self._arrived:
            while len(self.received) < count and (left := deadline - time.monotonic()) > 0:
                self._arrived.wait(left)
            return list(self.received)


def _handler_for(server: WebhookServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            raw = self.read_body()
            try:
                body: Any = json.loads(raw)
            except ValueError:
                body = raw.decode(errors="replace")
            server.record(Received(self.path, dict(self.headers.items()), body))
            with server.answering():
                if server.next_behaviour() == "500":
                    self.send_json(500, {"error": "scripted failure"})
                else:
                    self.send_body(204, b"")

    return Handler
