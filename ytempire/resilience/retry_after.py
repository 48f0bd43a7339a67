"""How long a server asks us to wait: the ``Retry-After`` of every provider, read in one place.

A server says it in a header, as seconds (``Retry-After: 7``), as an HTTP date
(``Retry-After: Wed, 21 Oct 2037 07:28:00 GMT``) or, for OpenAI, in milliseconds
(``retry-after-ms: 1500``, which wins when both are there). The headers arrive in whatever
the SDK keeps them in: ``httpx.Headers`` (httpx, openai, elevenlabs' ``ApiError.headers``),
requests' case-insensitive dict, an ``httplib2.Response`` (googleapiclient's
``HttpError.resp``) or a plain dict: :func:`seconds` reads any mapping, case-insensitively,
and :func:`of_error` finds the headers on an SDK's exception.

How long we are willing to wait is policy, not parsing: ``retry_delay`` in
``ytempire.resilience.errors`` honours a wait up to a cap (``YTEMPIRE_RETRY_AFTER_CAP_S``) and
treats the engine as unavailable for this call beyond it.
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

# The default longest wait honoured before the next engine is tried instead.
DEFAULT_CAP_S = 60.0


def seconds(headers: Mapping[str, Any] | None, *, now: datetime | None = None) -> float | None:
    """Seconds ``headers`` ask us to wait; None when they do not say or cannot be read.
    Never negative (a date in the past is 0)."""
    if not headers:
        return None
    lowered = {str(k).lower(): str(v).strip() for k, v in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return _non_negative(float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    try:
        return _non_negative(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return _non_negative((when - (now or datetime.now(UTC))).total_seconds())


def of_error(exc: BaseException, *, now: datetime | None = None) -> float | None:
    """The wait an SDK's error carries in its response headers (see the module), or None."""
    return seconds(headers_of(exc), now=now)


def headers_of(exc: BaseException) -> Mapping[str, Any] | None:
    """The response headers an SDK's exception holds: ``exc.response.headers`` (httpx,
    openai, requests), ``exc.headers`` (elevenlabs), ``exc.resp`` (googleapiclient)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if isinstance(headers, Mapping):
        return headers
    headers = getattr(exc, "headers", None)
    if isinstance(headers, Mapping):
        return headers
    resp = getattr(exc, "resp", None)
    return resp if isinstance(resp, Mapping) else None


def _non_negative(value: float) -> float | None:
    return max(0.0, value) if math.isfinite(value) else None
