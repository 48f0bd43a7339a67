"""Errors that cross layers, and how they are shown: always one line, never a secret."""

from __future__ import annotations

from ytempire.models import Stage
from ytempire.redact import line, redact

__all__ = ["StageFailed", "one_line", "redact"]


def one_line(exc: BaseException, limit: int = 300) -> str:
    """The exception as one redacted line: its type when the message is empty."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return line(lines[0] if lines else type(exc).__name__, limit=limit)


class StageFailed(RuntimeError):
    """A pipeline stage failed; the message names the stage and the cause, on one line."""

    def __init__(self, stage: str, cause: str) -> None:
        super().__init__(stage, cause)
        self.stage = Stage(stage)
        self.cause = cause

    def __str__(self) -> str:
        return f"stage '{self.stage.value}' failed: {self.cause}"
