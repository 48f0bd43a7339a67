from __future__ import annotations

import pickle
import random

import pytest

from ytempire.errors import StageFailed
from ytempire.resilience.errors import (
    CircuitOpen,
    CostExceeded,
    ErrorKind,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    kind_of,
    retry_delay,
    wait_over_cap,
)


def test_api_errors_back_off_linearly_three_times() -> None:
    exc = ProviderUnavailable("openai", "HTTP 500")
    assert [retry_delay(exc, n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 3.0, None]


def test_timeouts_back_off_exponentially_with_jitter() -> None:
    exc = ProviderTimeout("openai", "timed out")
    rng = random.Random(7)
    delays = [retry_delay(exc, n, rng=rng) for n in (1, 2, 3)]
    for n, delay in enumerate(delays, start=1):
        assert delay is not None
        ceiling = 2 ** (n - 1)
        assert ceiling / 2 <= delay <= ceiling
    assert retry_delay(exc, 4) is None


def test_retry_after_is_honoured_and_scale_shrinks_waits() -> None:
    exc = ProviderUnavailable("openai", "HTTP 429", retry_after_s=5)
    assert retry_delay(exc, 1) == 5
    assert retry_delay(exc, 1, scale=0.01) == pytest.approx(0.05)


@pytest.mark.parametrize(
    "exc",
    [InvalidOutput("o", "not json"), ProviderRejected("o", "401"), CostExceeded("o", "quota")],
)
def test_no_retry_for_output_rejection_or_cost(exc: Exception) -> None:
    assert retry_delay(exc, 1) is None


def test_kind_follows_the_cause_chain_and_ignores_other_errors() -> None:
    try:
        try:
            raise ProviderTimeout("openai", "slow")
        except ProviderTimeout as inner:
            raise StageFailed("script", "slow") from inner
    except StageFailed as outer:
        assert kind_of(outer) is ErrorKind.model_timeout
    assert kind_of(ValueError("x")) is None
    assert retry_delay(ValueError("x"), 1) is None


def test_provider_errors_pickle_with_their_fields() -> None:
    exc = pickle.loads(pickle.dumps(ProviderUnavailable("openai", "HTTP 429", retry_after_s=2)))
    assert (str(exc), exc.retry_after_s, exc.kind) == ("openai: HTTP 429", 2, ErrorKind.api_error)


def test_a_retry_after_past_the_cap_is_not_waited_for() -> None:
    exc = ProviderUnavailable("openai", "HTTP 429", retry_after_s=61)
    assert retry_delay(exc, 1) is None  # default cap: 60 s
    assert wait_over_cap(exc, 60) == 61
    assert retry_delay(exc, 1, retry_after_cap_s=120) == 61
    assert wait_over_cap(exc, 120) is None
    at_cap = ProviderUnavailable("openai", "HTTP 429", retry_after_s=60)
    assert retry_delay(at_cap, 1) == 60


def test_the_cap_reads_the_provider_error_through_the_cause_chain() -> None:
    try:
        try:
            raise ProviderUnavailable("elevenlabs", "HTTP 429", retry_after_s=600)
        except ProviderUnavailable as inner:
            raise StageFailed("voice", "busy") from inner
    except StageFailed as outer:
        assert retry_delay(outer, 1) is None
        assert wait_over_cap(outer, 60) == 600
    # An open circuit is never retried: its wait is not "over the cap", it is the fallback.
    assert wait_over_cap(CircuitOpen("openai", "open", retry_after_s=300), 60) is None
