from __future__ import annotations

import pytest

from ytempire.providers.catalog import (
    PRICES,
    Constraints,
    ModelSpec,
    cost_usd,
    estimate_tokens,
    select_models,
    spec_for,
)


def test_table_has_the_seed_prices() -> None:
    for name in ("gpt-4", "gpt-4-turbo", "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"):
        assert name in PRICES
    assert (PRICES["gpt-4"].input_per_1k, PRICES["gpt-4"].output_per_1k) == (0.03, 0.06)
    turbo = PRICES["gpt-4-turbo"]
    assert (turbo.input_per_1k, turbo.output_per_1k, turbo.latency_ms) == (0.01, 0.03, 2000)
    assert (turbo.quality, PRICES["gpt-3.5-turbo"].quality) == (0.95, 0.80)


def test_snapshots_resolve_to_their_family_and_keep_their_name() -> None:
    spec = spec_for("gpt-4o-2024-08-06")
    assert spec.name == "gpt-4o-2024-08-06"
    assert spec.input_per_1k == PRICES["gpt-4o"].input_per_1k
    assert spec_for("gpt-4o-mini-2024-07-18").output_per_1k == PRICES["gpt-4o-mini"].output_per_1k
    assert spec_for("gpt-4-0613").input_per_1k == PRICES["gpt-4"].input_per_1k
    assert spec_for("gpt-4-0125-preview").input_per_1k == PRICES["gpt-4-turbo"].input_per_1k


@pytest.mark.parametrize("name", ["llama3", "qwen2.5:7b", "mistral-7b-instruct"])
def test_unknown_models_are_local_and_free(name: str) -> None:
    spec = spec_for(name)
    assert (spec.name, spec.input_per_1k, spec.output_per_1k) == (name, 0.0, 0.0)
    assert (spec.latency_ms, spec.quality) == (2000, 0.7)


def test_cost_is_per_1k_tokens_each_way() -> None:
    assert cost_usd(PRICES["gpt-4"], 1000, 500) == pytest.approx(0.03 + 0.03)
    assert cost_usd(PRICES["gpt-3.5-turbo"], 2000, 1000) == pytest.approx(0.001 + 0.0015)
    assert cost_usd(spec_for("llama3"), 10_000, 10_000) == 0.0


def test_estimate_tokens_rounds_up_and_counts_bytes() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    # Three UTF-8 bytes a character keep the guess high for non-Latin scripts.
    assert estimate_tokens("黑洞蒸发") == 3


def test_select_keeps_order_and_drops_each_violation() -> None:
    names = ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "llama3"]
    all_of_them = select_models(names, Constraints(), 1000, 1000)
    assert [s.name for s in all_of_them] == names

    # 1k in + 1k out: gpt-4 $0.09, gpt-4-turbo $0.04, gpt-3.5 $0.002, llama3 $0.
    cheap = select_models(names, Constraints(max_cost_usd=0.05), 1000, 1000)
    assert [s.name for s in cheap] == ["gpt-4-turbo", "gpt-3.5-turbo", "llama3"]

    fast = select_models(names, Constraints(max_latency_ms=1000), 1000, 1000)
    assert [s.name for s in fast] == ["gpt-3.5-turbo"]

    good = select_models(names, Constraints(min_quality=0.9), 1000, 1000)
    assert [s.name for s in good] == ["gpt-4", "gpt-4-turbo"]

    none = select_models(names, Constraints(max_cost_usd=0.05, min_quality=0.99), 1000, 1000)
    assert none == []


def test_select_is_deterministic_and_drops_duplicates() -> None:
    names = ["gpt-4-turbo", "gpt-3.5-turbo", "gpt-4-turbo"]
    runs = {
        tuple(s.name for s in select_models(names, Constraints(min_quality=0.8), 500, 800))
        for _ in range(50)
    }
    assert runs == {("gpt-4-turbo", "gpt-3.5-turbo")}


def test_model_spec_is_frozen() -> None:
    spec = ModelSpec(name="x", input_per_1k=0, output_per_1k=0, latency_ms=1, quality=0.5)
    with pytest.raises(ValueError):
        spec.name = "y"  # type: ignore[misc]
