"""Budgets: what a video may cost, and what a provider may be paid per UTC day.

Checked twice around every paid call:

- **before**, with the worst case of what the engine may still spend (``WorstCase``:
  attempts × calls per attempt × one call's bound, e.g. a script model's 4 attempts × 6 calls
  × its token budget at its price; characters × a voice's price; a picture's list price × its
  attempts): an engine that could take the video over its budget, or its provider over its
  daily budget (``over``), is refused with ``OverBudget`` (a ``cost_exceeded`` error: no
  retry, the next engine at once), the reason saying how the worst case was reached;
- **after**, with what the call really cost (recorded from the provider's usage): crossing
  the per-video alert line ($0.45 by default), the video budget ($0.50) or a provider's daily
  budget is reported (``Crossing``) for an alert. What was spent is spent: the output is kept.

Spend so far comes from the store: a video's from its cost ledger across all its runs
(``ytempire.analytics.ledger``: retries, rejected drafts, repair calls, compute and what
earlier runs paid all count), a provider's from today's ``ai_model_performance`` rows (the
``api_cost_by_provider`` view). Providers are the ones who bill (``views.provider_of``):
DALL·E images are OpenAI's spend.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ytempire.analytics import views
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.settings import Settings


@dataclass(frozen=True)
class Budgets:
    """The limits: per video (with the alert line under it) and per provider per UTC day."""

    video_usd: float = 0.50
    video_alert_usd: float = 0.45
    provider_daily_usd: float = 100.0
    provider_budgets_usd: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Budgets:
        return cls(
            video_usd=settings.video_budget_usd,
            video_alert_usd=settings.alert_cost_per_video_usd,
            provider_daily_usd=settings.provider_daily_budget_usd,
            provider_budgets_usd=dict(settings.provider_budgets_usd),
        )

    def daily_for(self, provider: str) -> float:
        return self.provider_budgets_usd.get(provider, self.provider_daily_usd)


@dataclass(frozen=True)
class Crossing:
    """A line a video or a provider went over: ``rule`` is the alert it raises."""

    rule: str  # "cost_per_video" (the alert line) or "cost_exceeded" (a budget)
    subject: str
    value: float
    threshold: float
    message: str


@dataclass(frozen=True)
class WorstCase:
    """The most an engine may still spend in a stage: ``attempts`` × ``calls`` per attempt ×
    ``per_call_usd`` (one call's bound)."""

    per_call_usd: float
    calls: int = 1
    attempts: int = 1

    @property
    def usd(self) -> float:
        return self.per_call_usd * self.calls * self.attempts

    def describe(self) -> str:
        """How the figure was reached, e.g. "worst case $0.96 = 4 attempts × 6 calls × $0.04"."""
        if self.calls == 1 and self.attempts == 1:
            return f"estimated ${self.usd:.4f}"
        return (
            f"worst case ${self.usd:.4f} = {_count(self.attempts, 'attempt')} × "
            f"{_count(self.calls, 'call')} × ${self.per_call_usd:.4f}"
        )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def video_spent(store: AnalyticsStore, video_id: str) -> float:
    """What the video has cost so far: its ledger across all its runs."""
    return float(Ledger(store).video_total(video_id))


def spent_by_provider(store: AnalyticsStore, window: views.Window) -> dict[str, float]:
    """What each provider billed in ``window`` (the ``api_cost_by_provider`` view summed)."""
    spent: dict[str, float] = {}
    for row in views.api_cost_by_provider(store, window):
        spent[row.provider] = spent.get(row.provider, 0.0) + row.cost_usd
    return spent


def provider_spent_today(
    store: AnalyticsStore, provider: str, now: datetime | None = None
) -> float:
    """What ``provider`` has billed since the last midnight UTC (up to ``now``)."""
    now = utc(now or datetime.now(UTC))
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = views.Window(midnight, now + timedelta(microseconds=1))
    return spent_by_provider(store, today).get(provider, 0.0)


def speech_estimate_usd(characters: int, price_per_1k_chars: float) -> float:
    """What speaking ``characters`` costs at a voice's price (before the call)."""
    return characters * price_per_1k_chars / 1000


def over(
    budgets: Budgets,
    video_id: str,
    provider: str,
    estimate: WorstCase | float,
    *,
    video_spent_usd: float,
    provider_spent_usd: float,
) -> Crossing | None:
    """The budget the worst case ``estimate`` (a plain float: one call) would break (the
    video's first, then ``provider``'s day), or None; a free call breaks none."""
    worst = estimate if isinstance(estimate, WorstCase) else WorstCase(estimate)
    if worst.usd <= 0:
        return None
    video_after = video_spent_usd + worst.usd
    if video_after > budgets.video_usd:
        left = max(budgets.video_usd - video_spent_usd, 0.0)
        return Crossing(
            "cost_exceeded",
            video_id,
            round(video_after, 4),
            budgets.video_usd,
            f"{worst.describe()} over the ${left:.4f} left of the video's "
            f"${budgets.video_usd:.2f} budget",
        )
    daily = budgets.daily_for(provider)
    day_after = provider_spent_usd + worst.usd
    if day_after > daily:
        return Crossing(
            "cost_exceeded",
            provider,
            round(day_after, 4),
            daily,
            f"{worst.describe()} would take {provider}'s spend today to "
            f"${day_after:.4f}, over its ${daily:.2f} daily budget",
        )
    return None


def crossings(
    budgets: Budgets,
    video_id: str,
    provider: str,
    *,
    video_before_usd: float,
    video_after_usd: float,
    provider_after_usd: float,
    provider_before_usd: float,
) -> list[Crossing]:
    """The lines the actual cost of a call crossed (each reported once: when crossed)."""
    found = []
    if video_before_usd <= budgets.video_alert_usd < video_after_usd:
        found.append(
            Crossing(
                "cost_per_video",
                video_id,
                round(video_after_usd, 4),
                budgets.video_alert_usd,
                f"video {video_id} has cost ${video_after_usd:.4f}, over the "
                f"${budgets.video_alert_usd:.2f} alert line",
            )
        )
    if video_before_usd <= budgets.video_usd < video_after_usd:
        found.append(
            Crossing(
                "cost_exceeded",
                video_id,
                round(video_after_usd, 4),
                budgets.video_usd,
                f"video {video_id} has cost ${video_after_usd:.4f}, over its "
                f"${budgets.video_usd:.2f} budget",
            )
        )
    daily = budgets.daily_for(provider)
    if provider_before_usd <= daily < provider_after_usd:
        found.append(
            Crossing(
                "cost_exceeded",
                provider,
                round(provider_after_usd, 4),
                daily,
                f"{provider} has billed ${provider_after_usd:.4f} today (UTC), over its "
                f"${daily:.2f} daily budget",
            )
        )
    return found
