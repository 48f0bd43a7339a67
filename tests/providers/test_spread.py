"""Calls spread over local servers: fewest outstanding first, then the fastest measured, then
turns; a failing server skipped through its own breaker for a while, then tried again; with
every server skipped, the call refused (the stage falls back). Breakers in a real SQLite
store, with a clock the tests move."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.resilience.test_breakers import Clock
from ytempire.analytics.store import AnalyticsStore
from ytempire.providers import spread as spread_module
from ytempire.providers.endpoints import Endpoint
from ytempire.providers.spread import Loads, Spread, breaker_name
from ytempire.resilience.breakers import Breakers, limits_with
from ytempire.resilience.errors import CircuitOpen, ProviderRejected, ProviderUnavailable

A, B, C = (
    Endpoint(name=n, base_url=f"http://127.0.0.1:{p}/v1", kind="local", models=["smol"])
    for n, p in (("a", 8001), ("b", 8002), ("c", 8003))
)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breakers(tmp_path: Path, clock: Clock) -> Breakers:
    return Breakers(AnalyticsStore(f"sqlite:///{tmp_path / 'a.db'}"), clock=clock)


def spread(breakers: Breakers, *endpoints: Endpoint) -> Spread:
    return Spread(endpoints or (A, B, C), breakers, Loads())


def picks(over: Spread, n: int) -> list[str]:
    chosen = []
    for _ in range(n):
        with over.pick() as lease:
            chosen.append(lease.endpoint.name)
    return chosen


def test_equal_servers_take_turns(breakers: Breakers) -> None:
    assert picks(spread(breakers), 6) == ["a", "b", "c", "a", "b", "c"]


def test_a_busy_server_gets_no_call_while_another_has_fewer_outstanding(
    breakers: Breakers,
) -> None:
    over = spread(breakers, A, B)
    with ExitStack() as held:
        first = held.enter_context(over.pick()).endpoint.name
        second = held.enter_context(over.pick()).endpoint.name
        third = held.enter_context(over.pick()).endpoint.name
        assert (first, second) == ("a", "b")
        assert third == "a"  # both held one; a's turn again
        assert over.loads.of("a").outstanding == 2
    assert over.loads.of("a").outstanding == over.loads.of("b").outstanding == 0


def test_the_server_measured_fastest_is_preferred_among_the_idle(breakers: Breakers) -> None:
    over = spread(breakers, A, B)
    with over.pick() as lease:
        lease.measured(tokens=100, seconds=10.0)  # a: 10 tokens/s
    with over.pick() as lease:
        lease.measured(tokens=100, seconds=2.0)  # b: 50 tokens/s
    assert picks(over, 3) == ["b", "b", "b"]
    # While b is busy, a still takes the next call.
    with over.pick() as busy:
        assert busy.endpoint.name == "b"
        assert picks(over, 1) == ["a"]


def test_a_failing_server_is_skipped_for_a_while_then_tried_again(
    breakers: Breakers, clock: Clock
) -> None:
    alone = spread(breakers, A)
    for _ in range(2):  # the local limit: 2 failures in a row
        with pytest.raises((ProviderUnavailable, CircuitOpen)), alone.pick():
            raise ProviderUnavailable("local", "a: cannot reach the server")
    over = spread(breakers, A, B)
    assert [e.name for e in over.available()] == ["b"]
    assert picks(over, 3) == ["b", "b", "b"]
    clock.advance(breakers.limit(breaker_name(A)).recovery_s + 1)
    assert [e.name for e in over.available()] == ["a", "b"]
    # The trial call goes to a (picked longest ago) and closes its breaker.
    assert picks(over, 1) == ["a"]
    assert breakers.verdict(breaker_name(A)).refusal is None


def test_an_answer_that_is_not_a_failure_of_the_server_keeps_it_in(breakers: Breakers) -> None:
    over = spread(breakers, A)
    for _ in range(3):
        with pytest.raises(ProviderRejected), over.pick():
            raise ProviderRejected("local", "a: HTTP 400: bad request")
    assert over.available() == [A]


def test_with_every_server_skipped_the_call_is_refused_naming_them(
    breakers: Breakers,
) -> None:
    over = spread(breakers, A, B)
    for endpoint in (A, B):
        for _ in range(2):
            breakers.failed(breaker_name(endpoint))
    refused = pytest.raises(CircuitOpen, match="every server is skipped after failures: a, b")
    with refused, over.pick():
        pass


def test_local_servers_have_their_family_limit_unless_one_is_set(tmp_path: Path) -> None:
    store = AnalyticsStore(f"sqlite:///{tmp_path / 'a.db'}")
    plain = Breakers(store)
    assert plain.limit("local:a").failures == plain.limit("local").failures == 2
    tuned = Breakers(store, limits_with({"local:a": (4, 30)}))
    assert tuned.limit("local:a").failures == 4
    assert tuned.limit("local:b").failures == 2


def test_a_model_on_local_servers_is_spread_and_a_cloud_one_is_called_as_it_is(
    breakers: Breakers,
) -> None:
    cloud = Endpoint(name="openai", models=["smol"])
    loads = Loads()
    chosen = []
    for _ in range(2):
        with spread_module.pick([cloud, A, B], breakers, loads) as lease:
            chosen.append(lease.endpoint.name)
    assert chosen == ["a", "b"]
    with pytest.raises(ProviderUnavailable), spread_module.pick([cloud], breakers, loads) as lease:
        assert lease.endpoint is cloud
        raise ProviderUnavailable("openai", "HTTP 503")
    # No breaker of its own: the openai provider's breaker (tasks/guards.py) counts it.
    assert breakers.store.breaker(breaker_name(cloud)) is None
