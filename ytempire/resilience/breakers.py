"""Circuit breakers per provider (seed §5.2), their state shared through the analytics store.

A breaker is **closed** while its provider works: calls go through. Every call that fails
with an error the breaker counts adds one to its failures, and every call that succeeds sets
them back to zero; at its threshold of failures in a row it **opens**: calls are refused at
once (``CircuitOpen``) and the stage's fallback runs without waiting on a provider that is
down. After its recovery time the next caller claims the single **half-open** trial call:
success closes the breaker, a counted failure opens it again for another recovery time.
While the trial is under way everyone else is still refused.

What counts as a failure: ``api_error`` (429, 5xx, no connection) and ``model_timeout``,
the signs of a provider that is down or overloaded. Not counted: ``rejected`` (a bad key or
prompt), ``invalid_output`` and ``quality_failure`` (the provider answered, badly), and
``cost_exceeded`` (a quota or our budget): the provider is up, and those kinds have their own
strategies (no retry, next engine). A call that ends in one of them counts as an answer: it
closes the breaker like a success.

The state lives in the ``circuit_breakers`` table, so every run and worker sharing the store
shares the breakers; counting is atomic there, and so is claiming the trial (one conditional
``UPDATE``), so two workers never both probe. Time comes from an injectable clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.resilience.errors import CircuitOpen, ErrorKind, ProviderError

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class BreakerLimit:
    """How many failures in a row open the breaker, and how long it then stays open."""

    failures: int
    recovery_s: float

    def __post_init__(self) -> None:
        if self.failures < 1 or self.recovery_s <= 0:
            raise ValueError(f"a breaker needs ≥ 1 failure and a positive recovery time: {self}")


# Seed §5.2 for openai, elevenlabs and dalle. Google TTS and Pexels are not in the seed:
# Google is the voice fallback, so it opens as readily as ElevenLabs; Pexels has a local
# library behind it, so a short outage need not keep it closed for long.
LIMITS: dict[str, BreakerLimit] = {
    "openai": BreakerLimit(failures=5, recovery_s=300),
    "elevenlabs": BreakerLimit(failures=3, recovery_s=180),
    "dalle": BreakerLimit(failures=3, recovery_s=300),
    "google": BreakerLimit(failures=3, recovery_s=180),
    "pexels": BreakerLimit(failures=5, recovery_s=120),
    # Each local model server has its own breaker, ``local:<endpoint>``: a sibling server
    # takes its calls (providers/spread.py), so a failing one is skipped at once, briefly.
    "local": BreakerLimit(failures=2, recovery_s=60),
}
DEFAULT_LIMIT = BreakerLimit(failures=5, recovery_s=300)

COUNTED: frozenset[ErrorKind] = frozenset({ErrorKind.api_error, ErrorKind.model_timeout})


def limits_with(overrides: Mapping[str, tuple[int, float]]) -> dict[str, BreakerLimit]:
    """The table above with ``overrides`` (provider → (failures, recovery seconds)) applied."""
    return LIMITS | {name: BreakerLimit(*pair) for name, pair in overrides.items()}


@dataclass(frozen=True)
class Verdict:
    """Whether a call to a provider may be made now.

    ``refusal`` is None when it may; otherwise the one-line reason. ``trial`` is True when the
    breaker is due to half-open: the call that goes ahead has to claim the trial first.
    """

    refusal: str | None
    trial: bool = False
    until: datetime | None = None


@dataclass(frozen=True)
class Outcome:
    """What one failure did to the breaker: ``opened`` is True when this failure opened (or,
    as the trial, re-opened) it, which is when an alert is due."""

    failures: int
    opened: bool
    until: datetime | None


class Breakers:
    """The providers' circuit breakers over one analytics store."""

    def __init__(
        self,
        store: AnalyticsStore,
        limits: Mapping[str, BreakerLimit] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.store = store
        self.limits = dict(LIMITS if limits is None else limits)
        self.clock = clock or (lambda: datetime.now(UTC))

    def limit(self, provider: str) -> BreakerLimit:
        """The provider's limit; ``family:member`` falls back to its family's (``local``)."""
        family = provider.split(":", 1)[0]
        return self.limits.get(provider) or self.limits.get(family, DEFAULT_LIMIT)

    def _now(self) -> datetime:
        return utc(self.clock())

    def verdict(self, provider: str) -> Verdict:
        """Whether a call may go ahead now; reads the state, changes nothing."""
        row = self.store.breaker(provider)
        if row is None or row.state == "closed":
            return Verdict(None)
        recovery = timedelta(seconds=self.limit(provider).recovery_s)
        now = self._now()
        if row.state == "open":
            until = utc(row.opened_at or row.updated_at) + recovery
            if now < until:
                return Verdict(f"{provider} circuit open until {_hhmmss(until)}", until=until)
            return Verdict(None, trial=True, until=until)
        # Half-open: another caller holds the trial, unless it claimed it a recovery ago.
        stale = utc(row.updated_at) + recovery
        if now < stale:
            return Verdict(f"{provider} circuit half-open, its trial call under way", until=stale)
        return Verdict(None, trial=True, until=stale)

    def admit(self, provider: str) -> bool:
        """Let one call through or raise ``CircuitOpen``; True when the call is the trial."""
        verdict = self.verdict(provider)
        if verdict.refusal is None and verdict.trial:
            recovery = timedelta(seconds=self.limit(provider).recovery_s)
            now = self._now()
            if self.store.claim_breaker_trial(provider, now - recovery, now):
                return True
            verdict = Verdict(f"{provider} circuit half-open, another caller's trial under way")
        if verdict.refusal is not None:
            wait = (verdict.until - self._now()).total_seconds() if verdict.until else None
            raise CircuitOpen(provider, verdict.refusal, retry_after_s=wait)
        return False

    def succeeded(self, provider: str) -> bool:
        """Record an answer: the breaker closes and forgets its failures. True if it changed."""
        return self.store.close_breaker(provider, self._now())

    def failed(self, provider: str, trial: bool = False) -> Outcome:
        """Record a counted failure; at the threshold (or on a failed trial) the breaker opens."""
        limit = self.limit(provider)
        now = self._now()
        until = now + timedelta(seconds=limit.recovery_s)
        if trial:
            self.store.set_breaker_state(provider, "open", now)
            row = self.store.breaker(provider)
            return Outcome(row.failures if row else limit.failures, True, until)
        row = self.store.record_breaker_failure(provider, limit.failures, now)
        # The count is atomic, so exactly one caller sees it reach the threshold.
        opened = row.state == "open" and row.failures == limit.failures
        return Outcome(row.failures, opened, until if row.state == "open" else None)

    def released(self, provider: str) -> None:
        """The trial call ended without telling anything about the provider: hand it back."""
        self.store.release_breaker_trial(provider, self._now())

    @contextmanager
    def guard(
        self, provider: str, on_open: Callable[[Outcome, ProviderError], None] | None = None
    ) -> Iterator[None]:
        """Wrap one call to ``provider``: refused with ``CircuitOpen`` while the breaker is open;
        its failure counted or its answer recorded.

        A counted failure that opens the breaker calls ``on_open`` (to raise an alert) and is
        raised as ``CircuitOpen`` chained to it, so no retry waits on a provider just given up.
        """
        trial = self.admit(provider)
        try:
            yield
        except ProviderError as exc:
            if exc.kind not in COUNTED:
                self.succeeded(provider)
                raise
            outcome = self.failed(provider, trial)
            if not outcome.opened:
                raise
            if on_open is not None:
                on_open(outcome, exc)
            until = outcome.until or self._now()
            # No "; " in the message: stages join their fallback lines with it.
            raise CircuitOpen(
                provider,
                f"{exc.message} ({provider} circuit opened after {outcome.failures} failures "
                f"in a row, open until {_hhmmss(until)})",
                retry_after_s=self.limit(provider).recovery_s,
            ) from exc
        except BaseException:
            if trial:
                self.released(provider)
            raise
        self.succeeded(provider)


def _hhmmss(moment: datetime) -> str:
    return utc(moment).strftime("%H:%M:%SZ")
