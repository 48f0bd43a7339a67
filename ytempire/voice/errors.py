"""What goes wrong in the voice stage, and how provider messages are made fit to show.

Engines translate their SDK's exceptions into ``ytempire.resilience.errors``; the helpers here
turn a provider's error body and headers into the one-line, secret-free message and the
Retry-After those exceptions carry.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ytempire.errors import redact

MAX_MESSAGE_CHARS = 300


class NarrationError(ValueError):
    """The script cannot be narrated: a block has nothing to say, or no speech came back.
    Retrying the same engine cannot help (it is a ValueError: see ``tasks/policy.py``)."""


class MasteringError(RuntimeError):
    """The narration could not be brought to the delivery loudness and peak level."""


def clean(text: str, secret: str = "") -> str:
    """``text`` on one line, without ``secret`` or anything else that looks like a credential,
    at most ``MAX_MESSAGE_CHARS`` long."""
    line = " ".join(str(text).split())
    if secret and len(secret) >= 4:
        line = line.replace(secret, "***")
    line = redact(line)
    return line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 1] + "…"


def retry_after_s(headers: Mapping[str, Any], *, now: datetime | None = None) -> float | None:
    """Seconds a server asks us to wait (``retry-after``, as seconds or an HTTP date); None
    when absent or unreadable; never negative."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None
