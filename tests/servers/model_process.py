"""The OpenAI-compatible test server as a process of its own, standing in for a model server.

``python -m tests.servers.model_process --port P --models NAME [--ignore-term]`` serves
``OpenAICompatibleServer``'s answers on 127.0.0.1:P until it is signalled, writing an access
log line per request to stderr as llama.cpp's server does (the idle clock reads it). With
``--ignore-term`` it ignores SIGTERM, as a server stuck in a long request may, so only
SIGKILL ends it.
"""

from __future__ import annotations

import argparse
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.servers.openai_compatible import OpenAICompatibleServer, _handler_for


def command(port: int, models: list[str], *, ignore_term: bool = False) -> list[str]:
    """The argv that runs this module."""
    argv = [sys.executable, "-m", "tests.servers.model_process", "--port", str(port)]
    argv += ["--models", *models]
    return argv + (["--ignore-term"] if ignore_term else [])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--models", nargs="+", required=True)
    parser.add_argument("--ignore-term", action="store_true")
    args = parser.parse_args()
    if args.ignore_term:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)

    scripted = OpenAICompatibleServer()
    scripted.models = list(args.models)
    quiet = _handler_for(scripted)

    class Logged(quiet):  # type: ignore[valid-type,misc]
        def log_message(self, format: str, *fields: Any) -> None:
            BaseHTTPRequestHandler.log_message(self, format, *fields)
            sys.stderr.flush()

    ThreadingHTTPServer(("127.0.0.1", args.port), Logged).serve_forever(poll_interval=0.05)


if __name__ == "__main__":
    main()
