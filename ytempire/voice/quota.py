"""Daily character quotas per TTS provider, counted from the calls the store recorded.

Every request to a paid engine is an ``ai_model_performance`` row (operation
``voice_synthesis``, model ``<provider>:<model or voice>``, ``tokens_used`` = characters
billed), so today's use is a sum over those rows since midnight UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import ModelPerformance

OPERATION = "voice_synthesis"


def characters_used_today(store: AnalyticsStore, provider: str, now: datetime | None = None) -> int:
    """Characters billed by ``provider`` since the last midnight UTC (before ``now``)."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    query = select(ModelPerformance.tokens_used, ModelPerformance.timestamp).where(
        ModelPerformance.operation == OPERATION,
        ModelPerformance.model_name.like(f"{provider}:%"),
        # A day's margin in SQL (databases differ on time zones); exact below.
        ModelPerformance.timestamp >= midnight - timedelta(days=1),
    )
    with store.session() as session:
        rows = session.execute(query).all()
    return sum(
        int(used)
        for used, when in rows
        if (when if when.tzinfo else when.replace(tzinfo=UTC)) >= midnight
    )
