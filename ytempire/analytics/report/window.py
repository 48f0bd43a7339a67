"""The report's window: ``7d``, ``24h``, ``30m``, ``2w`` or an ISO date, until now."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from ytempire.analytics import views
from ytempire.analytics.store import utc

_SPAN = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[mhdw])\s*$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def since_window(text: str, now: datetime | None = None) -> views.Window:
    """The window from ``text`` until now: ``7d``, ``24h``, ``30m``, ``2w`` or an ISO date.

    Raises ValueError with a message fit for a one-line error.
    """
    now = utc(now or datetime.now(UTC))
    match = _SPAN.match(text)
    if match:
        span = timedelta(**{_UNITS[match["unit"]]: float(match["n"])})
        if span <= timedelta(0):
            raise ValueError(f"must be a positive span like 7d or 24h, got {text!r}")
        return views.Window(now - span, now)
    try:
        since = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"must be a span like 7d, 24h, 30m, 2w or an ISO date, got {text!r}"
        ) from None
    if utc(since) >= now:
        raise ValueError(f"must be in the past, got {text!r}")
    return views.Window(since, now)
