"""The one place that runs FFmpeg.

Everything else builds argument lists (filtergraphs with ``ytempire.media.graph``) and hands
them to :func:`run`, so how FFmpeg is found, how quiet it is, and how its failures read are
decided here once.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from pathlib import Path

import imageio_ffmpeg

# Inserted right after the executable, so a caller's own -loglevel (later on the line) wins.
QUIET_ARGS = ("-hide_banner", "-nostdin", "-nostats", "-loglevel", "error")

# FFmpeg's closing lines repeat an error already reported above them; skip them when looking
# for the line that says what actually went wrong.
_BOILERPLATE = re.compile(
    r"^(Conversion failed!"
    r"|Exiting normally"
    r"|Task finished with error code"
    r"|Terminating thread with return code"
    r"|Error (opening|closing) (input|output) files?\b"
    r"|Error while (filtering|decoding|processing|closing)"
    r"|Error processing packet in decoder"
    r"|Nothing was written into output file"
    r"|Could not open encoder before EOF"
    r"|Error sending frames to consumers"
    r")"
)
# "[vist#0:0/png @ 0x55d0c1a2] [dec:png @ 0x55d0c1b3] message" -> "message"
_CONTEXT_PREFIX = re.compile(r"^(\[[^\]]*\]\s*)+")
_MAX_DETAIL = 300
# Flags a command may end with after the output file (``-y`` from ``Graph.command``).
_VALUELESS_FLAGS = frozenset({"-y", "-n", "-xerror", "-hide_banner", "-nostdin", "-nostats"})


class FFmpegError(RuntimeError):
    """FFmpeg exited with an error or ran too long; the message is one line."""


def ffmpeg_exe() -> str:
    """Path of the FFmpeg executable shipped with ``imageio-ffmpeg``."""
    exe: str = imageio_ffmpeg.get_ffmpeg_exe()
    return exe


def run(args: Sequence[str], *, timeout: float | None = None, cwd: Path | None = None) -> None:
    """Run a compiled FFmpeg command line (``args[0]`` is the executable) to completion.

    FFmpeg runs quietly with no stdin. Raises :class:`FFmpegError` with a one-line message
    (what was being written, the exit status, and FFmpeg's most telling error line) if it
    exits non-zero, cannot be started, or runs past ``timeout`` seconds (it is then killed).
    ``cwd`` is the folder FFmpeg runs in (relative names in a filtergraph resolve there).
    """
    if not args:
        raise ValueError("empty FFmpeg command")
    command = [args[0], *QUIET_ARGS, *args[1:]]
    target = _target(command)
    try:
        result = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=timeout,
            check=False,
            cwd=cwd,
        )
    except subprocess.TimeoutExpired as exc:
        detail = last_error_line(_decode(exc.stderr))
        raise FFmpegError(
            f"ffmpeg timed out after {timeout:g}s {target}" + (f": {detail}" if detail else "")
        ) from None
    except OSError as exc:
        raise FFmpegError(f"ffmpeg could not start ({args[0]}): {exc.strerror or exc}") from exc
    if result.returncode != 0:
        detail = last_error_line(_decode(result.stderr)) or "no error message"
        raise FFmpegError(f"ffmpeg failed (exit {result.returncode}) {target}: {detail}")


def last_error_line(stderr: str) -> str:
    """The last line of FFmpeg's stderr that says something specific, without log prefixes.

    Generic closing lines ("Conversion failed!", "Error opening output files") are skipped
    unless nothing else is there. Returns "" for empty stderr; the result is at most
    300 characters.
    """
    lines = [_CONTEXT_PREFIX.sub("", line).strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    specific = [line for line in lines if not _BOILERPLATE.match(line)]
    line = (specific or lines)[-1]
    return line if len(line) <= _MAX_DETAIL else line[: _MAX_DETAIL - 1] + "…"


def _target(command: Sequence[str]) -> str:
    """Words naming what a command writes: FFmpeg's output is its last non-flag argument."""
    rest = list(command[1:])
    while rest and rest[-1] in _VALUELESS_FLAGS:
        rest.pop()
    if not rest or rest[-1].startswith("-"):
        return "running FFmpeg"
    return f"writing {rest[-1]}"


def _decode(stderr: bytes | str | None) -> str:
    if stderr is None:
        return ""
    if isinstance(stderr, bytes):
        return stderr.decode("utf-8", errors="replace")
    return stderr
