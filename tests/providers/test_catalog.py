"""The price table (data shipped with the package, overridable) and the chat catalogue."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from ytempire.providers.catalog import (
    PRICES,
    SHIPPED_PRICES,
    Constraints,
    ModelSpec,
    Price,
    PricesError,
    Pricing,
    cost_usd,
    estimate_tokens,
    google_tier,
    image_usd,
    load_prices,
    local_spec,
    route,
    select_models,
    spec_for,
    speech_per_1k,
)
from ytempire.resilience.errors import ErrorKind, Unpriced
from ytempire.settings import Settings

CHAT_MODELS = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-4.1-mini",
    "gpt-4.1-nano",
    "gpt-4-turbo",
    "gpt-4-turbo-preview",
    "gpt-4",
    "gpt-3.5-turbo",
]


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


def test_every_priced_thing_has_a_date_and_a_source() -> None:
    table = load_prices()
    assert set(CHAT_MODELS) <= set(table.chat)
    assert {"dall-e-3", "gpt-image-1"} <= set(table.image)
    assert "elevenlabs:eleven_multilingual_v2" in table.speech
    for tier in ("Standard", "WaveNet", "Neural2", "Studio"):
        assert f"google:{tier}" in table.speech
    assert table.footage["pexels"].usd[""] == 0.0
    dated: list[ModelSpec | Price] = [
        *table.chat.values(),
        *table.image.values(),
        *table.speech.values(),
    ]
    for entry in dated:
        assert isinstance(entry.priced_on, date) and entry.source, entry.name


def test_current_models_have_their_list_prices() -> None:
    # OpenAI lists per 1M tokens; the table keeps per 1k.
    assert (PRICES["gpt-4o-mini"].input_per_1k, PRICES["gpt-4o-mini"].output_per_1k) == (
        pytest.approx(0.00015),
        pytest.approx(0.0006),
    )
    assert PRICES["gpt-4.1"].output_per_1k == pytest.approx(0.008)
    assert image_usd("gpt-image-1", "medium", "1024x1024") == 0.042
    assert image_usd("dall-e-3", "standard", "1792x1024") == 0.08
    # Google bills per 1M characters by tier; Neural2 is the seed's $0.016 per 1k.
    assert speech_per_1k("google:en-US-Neural2-D") == pytest.approx(0.016)
    assert speech_per_1k("google:en-US-Wavenet-A") == pytest.approx(0.016)
    assert speech_per_1k("google:en-US-Standard-B") == pytest.approx(0.004)
    assert speech_per_1k("google:en-US-Studio-O") == pytest.approx(0.16)
    assert speech_per_1k("elevenlabs:eleven_multilingual_v2") == 0.15
    assert google_tier("en-US-Chirp3-HD-Achernar") == "Chirp3-HD"


@pytest.mark.parametrize("name", ["llama3", "gpt-5-ultra", "mistral-7b-instruct"])
def test_a_name_without_a_price_is_unpriced_never_free(name: str) -> None:
    with pytest.raises(Unpriced, match=f"no price for {name}") as raised:
        spec_for(name)
    assert raised.value.kind is ErrorKind.unpriced and raised.value.before_call
    with pytest.raises(Unpriced):
        image_usd("sdxl-turbo", "standard", "1024x1024")
    with pytest.raises(Unpriced):
        speech_per_1k("elevenlabs:eleven_unknown_v9")


def test_local_models_are_free_and_keep_their_name() -> None:
    spec = local_spec("llama3")
    assert (spec.name, spec.input_per_1k, spec.output_per_1k, spec.local) == (
        "llama3",
        0.0,
        0.0,
        True,
    )
    assert (spec.latency_ms, spec.quality) == (2000, 0.7)
    # A known name served locally keeps its ranking figures, not its price.
    known = local_spec("gpt-4o-mini")
    assert (known.quality, known.input_per_1k) == (PRICES["gpt-4o-mini"].quality, 0.0)


def test_which_models_are_local_is_said_by_the_settings_not_guessed_from_the_name() -> None:
    local_server = Pricing(Settings(openai_base_url="http://127.0.0.1:9/v1"))
    assert local_server.chat("llama3").local and local_server.chat("gpt-4o").output_per_1k == 0
    assert local_server.image_usd("sdxl-turbo", "standard", "1024x1024") == 0.0

    # With a key the endpoint is a paid one: only the listed names are local.
    cloud = Pricing(
        Settings(
            openai_base_url="https://llm.example.com/v1",
            openai_api_key="sk-test",
            local_models=["llama3"],
        )
    )
    assert cloud.chat("llama3").local
    assert cloud.chat("gpt-4o").output_per_1k == PRICES["gpt-4o"].output_per_1k
    with pytest.raises(Unpriced):
        cloud.chat("mistral-7b-instruct")
    with pytest.raises(Unpriced):
        Pricing(Settings(openai_api_key="sk-test")).chat("llama3")


def test_an_operators_price_file_overrides_and_extends_the_shipped_one(tmp_path: Path) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(
        """
[chat."gpt-4o"]
input_per_1m = 2.00
output_per_1m = 8.00
latency_ms = 1400
quality = 0.95
priced_on = 2026-12-01
source = "our contract"

[chat."gpt-5-mini"]
input_per_1m = 0.25
output_per_1m = 2.00
latency_ms = 900
quality = 0.9
priced_on = 2026-12-01
source = "https://openai.com/api/pricing"

[speech."elevenlabs:eleven_multilingual_v2"]
per_1k_chars = 0.10
priced_on = 2026-12-01
source = "our plan"
"""
    )
    pricing = Pricing(Settings(prices_file=prices, openai_api_key="sk-test"))
    assert pricing.chat("gpt-4o").output_per_1k == pytest.approx(0.008)
    assert pricing.chat("gpt-5-mini-2026-08-07").input_per_1k == pytest.approx(0.00025)
    assert pricing.chat("gpt-4o-mini").input_per_1k == PRICES["gpt-4o-mini"].input_per_1k
    assert pricing.speech_per_1k("elevenlabs:eleven_multilingual_v2") == 0.10
    assert pricing.table.chat["gpt-4o"].priced_on == date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ('[chat."x"]\ninput_per_1m = 1\n', "[chat.'x']: missing"),
        ('[chat."x"]\nsame_as = "nothing"\npriced_on = 2026-01-01\nsource = "s"\n', "same_as"),
        ("[voices]\n", "unknown section"),
        ("not toml at all = = =", "prices.toml"),
    ],
)
def test_a_bad_price_file_is_one_line_naming_it(tmp_path: Path, text: str, named: str) -> None:
    prices = tmp_path / "prices.toml"
    prices.write_text(text)
    with pytest.raises(PricesError) as raised:
        load_prices(prices)
    message = str(raised.value)
    assert str(prices) in message and named in message and "\n" not in message


def test_the_shipped_table_is_in_the_package_data() -> None:
    assert SHIPPED_PRICES.parent.name == "data" and SHIPPED_PRICES.is_file()


def test_cost_is_per_1k_tokens_each_way() -> None:
    assert cost_usd(PRICES["gpt-4"], 1000, 500) == pytest.approx(0.03 + 0.03)
    assert cost_usd(PRICES["gpt-3.5-turbo"], 2000, 1000) == pytest.approx(0.001 + 0.0015)
    assert cost_usd(local_spec("llama3"), 10_000, 10_000) == 0.0


def test_route_skips_an_unpriced_model_with_its_kind_and_keeps_the_next() -> None:
    chosen, skipped = route(["gpt-5-ultra", "gpt-4o-mini"], Constraints(), lambda _: (100, 100))
    assert [s.name for s in chosen] == ["gpt-4o-mini"]
    (line,) = skipped
    assert line.startswith("gpt-5-ultra skipped: no price for gpt-5-ultra")
    assert line.endswith("[unpriced]")


def test_estimate_tokens_rounds_up_and_counts_bytes() -> None:
    assert estimate_tokens("") == 0
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    # Three UTF-8 bytes a character keep the guess high for non-Latin scripts.
    assert estimate_tokens("黑洞蒸发") == 3


def test_select_keeps_order_and_drops_each_violation() -> None:
    names = ["gpt-4", "gpt-4-turbo", "gpt-3.5-turbo", "llama3"]
    pricing = Pricing(Settings(openai_api_key="sk-test", local_models=["llama3"]))

    def select(constraints: Constraints) -> list[str]:
        return [s.name for s in select_models(names, constraints, 1000, 1000, pricing.chat)]

    assert select(Constraints()) == names
    # Without a price and not local, llama3 is left out.
    assert [s.name for s in select_models(names, Constraints(), 1000, 1000)] == names[:3]

    # 1k in + 1k out: gpt-4 $0.09, gpt-4-turbo $0.04, gpt-3.5 $0.002, llama3 (local) $0.
    assert select(Constraints(max_cost_usd=0.05)) == ["gpt-4-turbo", "gpt-3.5-turbo", "llama3"]
    assert select(Constraints(max_latency_ms=1000)) == ["gpt-3.5-turbo"]
    assert select(Constraints(min_quality=0.9)) == ["gpt-4", "gpt-4-turbo"]
    assert select(Constraints(max_cost_usd=0.05, min_quality=0.99)) == []


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
