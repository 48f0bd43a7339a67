"""The provider servers' fault injection: behaviours drawn at set rates, reproducible by seed."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer

RATES = {"429": 0.1, "500": 0.1, "timeout": 0.05, "garbage": 0.05}


def draws(server: OpenAICompatibleServer, n: int) -> list[str]:
    return [server.next_behaviour() for _ in range(n)]


def test_rates_are_honoured_within_tolerance() -> None:
    server = OpenAICompatibleServer()
    server.fail_at_rates(RATES, seed=11)
    counts = Counter(draws(server, 20_000))
    for behaviour, rate in RATES.items():
        # ±3 standard deviations of a binomial count: fails by chance about 1 in 370 seeds,
        # and never for this fixed seed.
        sigma = (20_000 * rate * (1 - rate)) ** 0.5
        assert abs(counts[behaviour] - 20_000 * rate) < 3 * sigma, (behaviour, counts)
    assert counts["ok"] == 20_000 - sum(counts[b] for b in RATES)


def test_the_same_seed_gives_the_same_faults_and_another_seed_others() -> None:
    first, second, other = (OpenAICompatibleServer() for _ in range(3))
    first.fail_at_rates(RATES, seed=3)
    second.fail_at_rates(RATES, seed=3)
    other.fail_at_rates(RATES, seed=4)
    assert draws(first, 500) == draws(second, 500)
    first.fail_at_rates(RATES, seed=3)  # setting the rates again restarts the sequence
    assert draws(first, 500) != draws(other, 500)


def test_queued_behaviours_come_before_the_drawn_ones() -> None:
    server = OpenAICompatibleServer()
    server.fail_at_rates({"500": 1.0})
    server.queue("ok", "429")
    assert draws(server, 3) == ["ok", "429", "500"]


@pytest.mark.parametrize(
    "rates", [{"500": 0.7, "429": 0.4}, {"500": -0.1}, {"teapot": 0.1}], ids=str
)
def test_impossible_rates_and_unknown_behaviours_are_refused(rates: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        OpenAICompatibleServer().fail_at_rates(rates)


def test_a_running_server_answers_at_the_rates() -> None:
    with OpenAICompatibleServer() as server:
        server.fail_at_rates({"429": 0.2, "500": 0.2}, seed=5)
        reference = OpenAICompatibleServer()
        reference.fail_at_rates({"429": 0.2, "500": 0.2}, seed=5)
        expected = Counter({"429": 429, "500": 500, "ok": 200}[b] for b in draws(reference, 60))
        body = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}
        with httpx.Client(base_url=server.url) as client:
            got = Counter(
                client.post("/chat/completions", json=body).status_code for _ in range(60)
            )
    assert got == expected
