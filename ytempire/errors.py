"""Errors that cross layers, and how they are shown: always one line, never a secret."""

from __future__ import annotations

import re

from ytempire.models import Stage

# Credentials that could ride along in a provider's or driver's message.
_SECRET_PATTERNS = [
    re.compile(r"(?i)\b(sk|key|token|bearer)[-_ ]?[A-Za-z0-9_\-]{12,}"),
    re.compile(r"(?i)(://[^:/@\s]+:)[^@\s]+@"),
    re.compile(
        r"(?i)(\b(?:api[_-]?key|key|access_token|token|password|secret)\s*[=:]\s*)[^\s&\"']+"
    ),
]


def redact(text: str) -> str:
    """``text`` with anything that looks like a credential replaced by ``***``."""
    text = _SECRET_PATTERNS[0].sub("***", text)
    text = _SECRET_PATTERNS[1].sub(r"\1***@", text)
    return _SECRET_PATTERNS[2].sub(r"\1***", text)


def one_line(exc: BaseException, limit: int = 300) -> str:
    """The exception as one redacted line: its type when the message is empty."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    message = lines[0] if lines else type(exc).__name__
    message = redact(message)
    return message if len(message) <= limit else message[: limit - 1] + "…"


class StageFailed(RuntimeError):
    """A pipeline stage failed; the message names the stage and the cause, on one line."""

    def __init__(self, stage: str, cause: str) -> None:
        super().__init__(stage, cause)
        self.stage = Stage(stage)
        self.cause = cause

    def __str__(self) -> str:
        return f"stage '{self.stage.value}' failed: {self.cause}"
