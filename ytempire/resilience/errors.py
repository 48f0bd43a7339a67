"""Provider failures in one vocabulary, and what the seed (§5.1) says to do about each.

Engines translate their SDK's exceptions into these; the orchestration layer decides retry,
backoff and fallback from the kind alone, so no stage has its own list of exception types.
"""

from __future__ import annotations

import random
from enum import StrEnum
from typing import ClassVar, NamedTuple

from ytempire.resilience.retry_after import DEFAULT_CAP_S as DEFAULT_RETRY_AFTER_CAP_S


class ErrorKind(StrEnum):
    model_timeout = "model_timeout"
    api_error = "api_error"
    quality_failure = "quality_failure"
    cost_exceeded = "cost_exceeded"
    invalid_output = "invalid_output"
    rejected = "rejected"
    circuit_open = "circuit_open"
    unpriced = "unpriced"


class ProviderError(RuntimeError):
    """A provider call failed. ``kind`` decides what happens next; the message is one line."""

    kind: ErrorKind = ErrorKind.api_error
    # True for refusals by our own policy (an open circuit, a budget): nothing was sent.
    before_call: ClassVar[bool] = False

    def __init__(self, provider: str, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(provider, message, retry_after_s)
        self.provider = provider
        self.message = message
        self.retry_after_s = retry_after_s

    def __str__(self) -> str:
        return f"{self.provider}: {self.message}"


class ProviderTimeout(ProviderError):
    kind = ErrorKind.model_timeout


class ProviderUnavailable(ProviderError):
    """Rate limited (429), a server error (5xx) or no connection: worth retrying."""

    kind = ErrorKind.api_error


class InvalidOutput(ProviderError):
    """The provider answered, but not with what was asked (garbage, broken JSON)."""

    kind = ErrorKind.invalid_output


class QualityFailure(ProviderError):
    """The provider's output failed its quality suite even after regenerating with the
    failures as feedback (seed §5.1: twice); the fallback (the template) takes over."""

    kind = ErrorKind.quality_failure


class ProviderRejected(ProviderError):
    """The provider refused the request (401, 403, 400): retrying cannot help."""

    kind = ErrorKind.rejected


class CostExceeded(ProviderError):
    """Out of money: the provider's quota is spent, or (``OverBudget``) ours would be."""

    kind = ErrorKind.cost_exceeded


class OverBudget(CostExceeded):
    """Our budget (per video, or the provider's per day) cannot pay the call's estimate:
    refused before the call (``ytempire.resilience.budgets``)."""

    before_call = True


class CircuitOpen(ProviderError):
    """The provider's circuit breaker is open: the call is refused and the fallback runs at
    once (``ytempire.resilience.breakers``). ``retry_after_s`` is how long it stays open."""

    kind = ErrorKind.circuit_open
    before_call = True


class Unpriced(ProviderError):
    """The model or engine has no price in the price table (``ytempire/data/prices.toml``
    and ``YTEMPIRE_PRICES_FILE``): a paid call we cannot cost is never made; the next
    engine runs at once (``ytempire.providers.catalog``)."""

    kind = ErrorKind.unpriced
    before_call = True


class Strategy(NamedTuple):
    retries: int
    backoff: str  # "exponential", "linear" or "none"
    base_delay_s: float


# Seed §5.1. Quality failures are regenerated with feedback by the writer itself, and
# invalid output is repaired once there; neither is retried blindly. An open circuit is the
# breaker having given up on the provider for a while: the fallback, never a retry.
STRATEGIES: dict[ErrorKind, Strategy] = {
    ErrorKind.model_timeout: Strategy(retries=3, backoff="exponential", base_delay_s=1.0),
    ErrorKind.api_error: Strategy(retries=3, backoff="linear", base_delay_s=1.0),
    ErrorKind.quality_failure: Strategy(retries=0, backoff="none", base_delay_s=0.0),
    ErrorKind.cost_exceeded: Strategy(retries=0, backoff="none", base_delay_s=0.0),
    ErrorKind.invalid_output: Strategy(retries=0, backoff="none", base_delay_s=0.0),
    ErrorKind.rejected: Strategy(retries=0, backoff="none", base_delay_s=0.0),
    ErrorKind.circuit_open: Strategy(retries=0, backoff="none", base_delay_s=0.0),
    # No price, no call: never retried, the next engine at once.
    ErrorKind.unpriced: Strategy(retries=0, backoff="none", base_delay_s=0.0),
}


def provider_error(exc: BaseException) -> ProviderError | None:
    """The provider failure ``exc`` is or was caused by (following ``__cause__``), or None."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ProviderError):
            return seen
        seen = seen.__cause__
    return None


def kind_of(exc: BaseException) -> ErrorKind | None:
    """The error kind of a provider failure (following ``__cause__``), or None for others."""
    found = provider_error(exc)
    return found.kind if found is not None else None


def wait_over_cap(exc: BaseException, cap_s: float) -> float | None:
    """The server's Retry-After when it is longer than ``cap_s`` for an error that would
    otherwise be retried: the engine counts as unavailable for this call. None otherwise."""
    found = provider_error(exc)
    if found is None or not STRATEGIES[found.kind].retries:
        return None
    wait = found.retry_after_s
    return wait if wait is not None and wait > cap_s else None


def retry_delay(
    exc: BaseException,
    attempt: int,
    *,
    scale: float = 1.0,
    rng: random.Random | None = None,
    retry_after_cap_s: float = DEFAULT_RETRY_AFTER_CAP_S,
) -> float | None:
    """Seconds to wait before retry number ``attempt`` (1-based), or None: do not retry.

    Linear backoff for API errors, exponential with full jitter for timeouts; a server's
    Retry-After is honoured when it asks for longer, up to ``retry_after_cap_s``: a server
    that asks for more makes the engine unavailable for this call (None: the next engine
    runs, no sleep). ``scale`` shrinks every wait (tests).
    """
    kind = kind_of(exc)
    if kind is None:
        return None
    strategy = STRATEGIES[kind]
    if attempt > strategy.retries or wait_over_cap(exc, retry_after_cap_s) is not None:
        return None
    if strategy.backoff == "linear":
        delay = strategy.base_delay_s * attempt
    elif strategy.backoff == "exponential":
        ceiling = strategy.base_delay_s * 2 ** (attempt - 1)
        delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    else:
        delay = 0.0
    found = provider_error(exc)
    retry_after = found.retry_after_s if found is not None else None
    if retry_after:
        delay = max(delay, retry_after)
    return delay * scale
