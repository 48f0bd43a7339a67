"""Circuit breakers: closed → open at the threshold → half-open after the recovery time (one
trial) → closed or open again; shared through the store by instances and processes, on
SQLite and PostgreSQL, with a clock the tests move."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ytempire.analytics.store import AnalyticsStore
from ytempire.resilience.breakers import LIMITS, BreakerLimit, Breakers, Outcome, limits_with
from ytempire.resilience.errors import (
    CircuitOpen,
    ErrorKind,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    kind_of,
    retry_delay,
)
from ytempire.settings import Settings

REPO = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breakers(store: AnalyticsStore, clock: Clock) -> Breakers:
    return Breakers(store, clock=clock)


def fail(breakers: Breakers, provider: str, times: int) -> list[Outcome]:
    return [breakers.failed(provider) for _ in range(times)]


def test_the_seed_thresholds_are_the_table() -> None:
    assert LIMITS["openai"] == BreakerLimit(5, 300)
    assert LIMITS["elevenlabs"] == BreakerLimit(3, 180)
    assert LIMITS["dalle"] == BreakerLimit(3, 300)


def test_opens_at_its_threshold_and_refuses_until_the_recovery_time(
    breakers: Breakers, clock: Clock
) -> None:
    outcomes = fail(breakers, "openai", 4)
    assert [o.opened for o in outcomes] == [False] * 4
    assert breakers.admit("openai") is False  # still closed: calls go through
    fifth = breakers.failed("openai")
    assert fifth.opened and fifth.failures == 5 and fifth.until == T0 + timedelta(seconds=300)
    assert breakers.failed("openai").opened is False  # the alert is due once
    clock.advance(299)
    with pytest.raises(CircuitOpen) as refused:
        breakers.admit("openai")
    assert str(refused.value) == "openai: openai circuit open until 12:05:00Z"
    assert refused.value.retry_after_s == pytest.approx(1)
    assert kind_of(refused.value) is ErrorKind.circuit_open
    assert retry_delay(refused.value, 1) is None  # the fallback, never a retry


def test_other_providers_keep_their_own_breakers(breakers: Breakers) -> None:
    fail(breakers, "elevenlabs", 3)
    with pytest.raises(CircuitOpen):
        breakers.admit("elevenlabs")
    assert breakers.admit("google") is False
    assert breakers.admit("openai") is False


def test_a_success_resets_the_count_so_only_failures_in_a_row_open_it(
    breakers: Breakers,
) -> None:
    fail(breakers, "dalle", 2)
    assert breakers.succeeded("dalle") is True
    assert breakers.succeeded("dalle") is False  # nothing left to forget: no write
    assert [o.opened for o in fail(breakers, "dalle", 3)] == [False, False, True]


def test_half_opens_after_the_recovery_time_for_one_trial_only(
    store: AnalyticsStore, store_url: str, clock: Clock
) -> None:
    first = Breakers(store, clock=clock)
    # Another worker: its own store object over the same database.
    second = Breakers(AnalyticsStore(store_url), clock=clock)
    fail(first, "dalle", 3)
    clock.advance(300)
    assert second.verdict("dalle").trial
    assert second.admit("dalle") is True  # the trial call
    with pytest.raises(CircuitOpen, match="trial"):
        first.admit("dalle")
    assert store.breaker("dalle").state == "half_open"  # type: ignore[union-attr]


def test_a_successful_trial_closes_the_breaker(breakers: Breakers, clock: Clock) -> None:
    fail(breakers, "elevenlabs", 3)
    clock.advance(180)
    assert breakers.admit("elevenlabs") is True
    breakers.succeeded("elevenlabs")
    row = breakers.store.breaker("elevenlabs")
    assert (row.state, row.failures, row.opened_at) == ("closed", 0, None)  # type: ignore[union-attr]
    assert breakers.admit("elevenlabs") is False


def test_a_failed_trial_opens_it_again_for_another_recovery_time(
    breakers: Breakers, clock: Clock
) -> None:
    fail(breakers, "elevenlabs", 3)
    clock.advance(200)
    assert breakers.admit("elevenlabs") is True
    outcome = breakers.failed("elevenlabs", trial=True)
    assert outcome.opened and outcome.until == clock.now + timedelta(seconds=180)
    clock.advance(179)
    with pytest.raises(CircuitOpen, match="open until"):
        breakers.admit("elevenlabs")
    clock.advance(1)
    assert breakers.admit("elevenlabs") is True


def test_a_trial_whose_caller_vanished_is_claimed_again_a_recovery_later(
    breakers: Breakers, clock: Clock
) -> None:
    fail(breakers, "dalle", 3)
    clock.advance(300)
    assert breakers.admit("dalle") is True
    clock.advance(299)
    with pytest.raises(CircuitOpen):
        breakers.admit("dalle")
    clock.advance(1)
    assert breakers.admit("dalle") is True


def test_the_guard_counts_only_outages_and_opens_with_an_alert(breakers: Breakers) -> None:
    opened: list[tuple[Outcome, ProviderError]] = []

    def call(error: ProviderError | None) -> None:
        with breakers.guard("dalle", on_open=lambda o, e: opened.append((o, e))):
            if error is not None:
                raise error

    with pytest.raises(ProviderUnavailable):
        call(ProviderUnavailable("dalle", "HTTP 500"))
    with pytest.raises(ProviderTimeout):
        call(ProviderTimeout("dalle", "no answer"))
    # The provider answered: neither counts, and the answer resets the count.
    with pytest.raises(InvalidOutput):
        call(InvalidOutput("dalle", "not a picture"))
    with pytest.raises(ProviderRejected):
        call(ProviderRejected("dalle", "content_policy_violation"))
    assert breakers.store.breaker("dalle").failures == 0  # type: ignore[union-attr]
    for _ in range(2):
        with pytest.raises(ProviderUnavailable):
            call(ProviderUnavailable("dalle", "HTTP 429"))
    with pytest.raises(CircuitOpen) as third:
        call(ProviderUnavailable("dalle", "HTTP 503"))
    # The failure that opened it comes out as the open circuit: no retry waits on it.
    assert "HTTP 503" in str(third.value) and "circuit opened after 3 failures" in str(third.value)
    assert "; " not in str(third.value)  # stages join fallback lines with "; "
    assert isinstance(third.value.__cause__, ProviderUnavailable)
    assert [(o.failures, e.message) for o, e in opened] == [(3, "HTTP 503")]
    with pytest.raises(CircuitOpen):
        call(None)  # refused before the call: the body never runs


def test_a_trial_that_ends_in_our_own_error_is_handed_back(
    breakers: Breakers, clock: Clock
) -> None:
    fail(breakers, "openai", 5)
    clock.advance(300)
    with pytest.raises(KeyError), breakers.guard("openai"):
        raise KeyError("a bug of ours, not the provider's")
    row = breakers.store.breaker("openai")
    assert row.state == "open"  # type: ignore[union-attr]
    assert breakers.admit("openai") is True  # due at once: the next caller makes the trial


def test_concurrent_workers_claim_the_trial_once(
    store: AnalyticsStore, store_url: str, clock: Clock
) -> None:
    fail(Breakers(store, clock=clock), "openai", 5)
    clock.advance(301)
    start = threading.Barrier(8)
    claimed: list[bool] = []

    def claim() -> None:
        breakers = Breakers(AnalyticsStore(store_url), clock=clock)
        start.wait()
        try:
            claimed.append(breakers.admit("openai"))
        except CircuitOpen:
            claimed.append(False)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(claimed) == [False] * 7 + [True]


# A child process: claim the openai trial at the time given; print what happened. It imports
# only the store and the breakers, so it starts fast.
CLAIM = """
import sys
from datetime import datetime
from ytempire.analytics.store import AnalyticsStore
from ytempire.resilience.breakers import Breakers
from ytempire.resilience.errors import CircuitOpen
breakers = Breakers(AnalyticsStore(sys.argv[1]), clock=lambda: datetime.fromisoformat(sys.argv[2]))
try:
    print("trial" if breakers.admit("openai") else "closed")
except CircuitOpen as refused:
    print(f"refused: {refused.message}")
"""


def test_processes_share_the_breaker_through_the_database(
    store: AnalyticsStore, store_url: str
) -> None:
    fail(Breakers(store, clock=lambda: T0), "openai", 5)
    later = (T0 + timedelta(seconds=301)).isoformat()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CLAIM, store_url, later],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    answers = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 3, answers
    outs = sorted(out.strip() for out, _ in answers)
    assert outs[-1] == "trial" and outs.count("trial") == 1
    assert all("half-open" in out and "under way" in out for out in outs[:-1])
    # And this process sees what they did.
    assert store.breaker("openai").state == "half_open"  # type: ignore[union-attr]


def test_limits_are_overridden_by_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YTEMPIRE_CIRCUIT_BREAKERS", '{"openai": [2, 30], "pexels": [9, 60]}')
    limits = limits_with(Settings().circuit_breakers)
    assert limits["openai"] == BreakerLimit(2, 30)
    assert limits["pexels"] == BreakerLimit(9, 60)
    assert limits["dalle"] == LIMITS["dalle"]
    with pytest.raises(ValueError, match="positive"):
        limits_with({"openai": (0, 30)})
