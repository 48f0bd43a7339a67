"""Circuit breakers and budgets around a stage's paid calls, and the alerts they raise.

Two places, two jobs:

- ``guarded(provider, settings)`` wraps the provider call inside a task, once per attempt:
  an open breaker refuses it (``CircuitOpen``, not retried), a failure is counted, and the
  failure that opens the breaker raises the ``circuit_open`` alert.
- ``Gate`` works at the stage, before each engine is tried: an open breaker, a budget the
  engine's worst case would break (``budgets.WorstCase``: attempts × calls × one call), or a
  missing price (``Unpriced``) skips the engine without starting its task (``first_success``
  notes it as "skipped"), an exceeded budget raising the ``cost_exceeded`` alert; after the
  stage, what the video has really cost (its ledger, across runs) is checked against the
  same lines (``settle``).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from prefect.states import State

from tasks.alerts import raise_alert
from ytempire.analytics.alerts import Alert
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.views import provider_of
from ytempire.models import Stage, StageOutput
from ytempire.resilience import budgets
from ytempire.resilience.breakers import Breakers, Outcome, limits_with
from ytempire.resilience.errors import CircuitOpen, OverBudget, ProviderError
from ytempire.settings import Settings

T = TypeVar("T", bound=StageOutput)


def breakers_for(settings: Settings) -> Breakers:
    """The breakers in the settings' store, with the settings' overrides of their limits."""
    return Breakers(AnalyticsStore(settings.analytics_url), limits_with(settings.circuit_breakers))


@contextmanager
def guarded(provider: str, settings: Settings) -> Iterator[None]:
    """One attempt at a paid call to ``provider`` through its circuit breaker (see module)."""
    breakers = breakers_for(settings)

    def opened(outcome: Outcome, cause: ProviderError) -> None:
        limit = breakers.limit(provider)
        until = f" until {outcome.until:%H:%M:%SZ}" if outcome.until else ""
        raise_alert(
            Alert(
                "circuit_open",
                provider,
                outcome.failures,
                limit.failures,
                "high",
                f"{provider} circuit opened after {outcome.failures} failures in a row "
                f"(last: {cause.message}); calls go to the fallback{until}",
            ),
            breakers.store,
        )

    with breakers.guard(provider, on_open=opened):
        yield


class Gate:
    """The checks one stage of one run makes before and after its paid calls."""

    def __init__(self, settings: Settings, run_id: uuid.UUID, video_id: str, stage: str) -> None:
        self.store = AnalyticsStore(settings.analytics_url)
        self.breakers = breakers_for(settings)
        self.budgets = budgets.Budgets.from_settings(settings)
        self.run_id = run_id
        self.video_id = video_id
        self.stage = stage
        # Every run of the video counts: what a crashed run paid is spent all the same.
        self.spent_before = budgets.video_spent(self.store, video_id)
        self.reserved = 0.0

    def admit(
        self,
        breaker: str,
        model: str,
        estimate: budgets.WorstCase | float,
        *,
        reserve: bool = False,
    ) -> None:
        """Raise ``CircuitOpen`` if ``breaker`` is open, or ``OverBudget`` (with its alert) if
        the worst case ``estimate`` breaks a budget; ``model`` (the name calls are recorded
        under) says who bills. ``reserve`` counts the worst case as spent by this stage (for
        calls that run at the same time as the next one admitted)."""
        verdict = self.breakers.verdict(breaker)
        if verdict.refusal is not None:
            raise CircuitOpen(breaker, verdict.refusal)
        payer = provider_of(model)
        line = budgets.over(
            self.budgets,
            self.video_id,
            payer,
            estimate,
            # Read again: an engine tried before this one in the stage may have paid since.
            video_spent_usd=budgets.video_spent(self.store, self.video_id) + self.reserved,
            provider_spent_usd=budgets.provider_spent_today(self.store, payer),
        )
        if line is not None:
            self._alert(line)
            raise OverBudget(payer, line.message)
        if reserve:
            self.reserved += estimate.usd if isinstance(estimate, budgets.WorstCase) else estimate

    def candidate(
        self,
        name: str,
        breaker: str,
        estimate: Callable[[], budgets.WorstCase | float],
        attempt: Callable[[], State[Any]],
    ) -> tuple[str, Callable[[], State[Any]]]:
        """A ``first_success`` candidate admitted (or skipped) just before it runs; ``name``
        is the engine's (a model, ``elevenlabs``...), which says who bills for it.
        ``estimate`` may raise ``Unpriced``: the engine is skipped as ``unpriced``."""

        def admitted() -> State[Any]:
            self.admit(breaker, name, estimate())
            return attempt()

        return name, admitted

    def settle(self, output: T) -> T:
        """After the calls: alert for every line the video's actual cost (its ledger) crossed;
        return ``output``."""
        video_after = budgets.video_spent(self.store, self.video_id)
        spent = Ledger(self.store).run_stage_total(self.run_id, Stage(self.stage))
        if video_after <= self.spent_before or spent <= 0:
            return output
        payer = provider_of(output.engine)
        day_after = budgets.provider_spent_today(self.store, payer)
        crossed = budgets.crossings(
            self.budgets,
            self.video_id,
            payer,
            video_before_usd=self.spent_before,
            video_after_usd=video_after,
            provider_before_usd=day_after - float(spent),
            provider_after_usd=day_after,
        )
        for line in crossed:
            self._alert(line)
        return output

    def _alert(self, line: budgets.Crossing) -> None:
        raise_alert(
            Alert(line.rule, line.subject, line.value, line.threshold, "high", line.message),
            self.store,
            video_id=self.video_id,
            stage=self.stage,
        )
