from __future__ import annotations

import pickle
import random

import pytest

from ytempire.errors import StageFailed
from ytempire.resilience.errors import (
    CostExceeded,
    ErrorKind,
    InvalidOutput,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    kind_of,
    retry_delay,
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
