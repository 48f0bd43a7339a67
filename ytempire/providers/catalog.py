"""What each chat model costs, how fast and how good it is, and which ones a job may use.

Prices are the vendors' list prices in USD per 1,000 tokens as of writing (the seed's
figures where it gives them: §2.1 for gpt-4, §3.1 for gpt-4-turbo and gpt-3.5-turbo); check
them against the vendor's price page when they matter. Latency and quality are the seed's
§3.1 figures where given and our own rough estimates otherwise: they rank models, they do
not promise anything.

Recorded cost always comes from the token counts the provider reports (``cost_usd`` with
``response.usage``); ``estimate_tokens`` exists only to decide before a call whether a model
fits a budget.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field


class ModelSpec(BaseModel):
    """One chat model: its price per 1,000 tokens, typical latency and relative quality."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    input_per_1k: float = Field(ge=0, description="USD per 1,000 prompt tokens")
    output_per_1k: float = Field(ge=0, description="USD per 1,000 completion tokens")
    latency_ms: int = Field(gt=0, description="typical time to a full answer")
    quality: float = Field(ge=0, le=1)
    max_output_tokens: int | None = Field(
        default=None, gt=0, description="the model's own cap on completion tokens, when known"
    )


# List prices per 1k tokens as of writing (USD). Latency/quality without a seed figure are
# our estimates. Snapshot names (gpt-4o-2024-08-06, gpt-4-0613) resolve to their family.
PRICES: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in [
        ModelSpec(
            name="gpt-4",
            input_per_1k=0.03,
            output_per_1k=0.06,
            latency_ms=4000,
            quality=0.95,
            max_output_tokens=4096,
        ),
        ModelSpec(
            name="gpt-4-turbo",
            input_per_1k=0.01,
            output_per_1k=0.03,
            latency_ms=2000,
            quality=0.95,
            max_output_tokens=4096,
        ),
        ModelSpec(
            name="gpt-4o",
            input_per_1k=0.0025,
            output_per_1k=0.01,
            latency_ms=1500,
            quality=0.95,
            max_output_tokens=16384,
        ),
        ModelSpec(
            name="gpt-4o-mini",
            input_per_1k=0.00015,
            output_per_1k=0.0006,
            latency_ms=1000,
            quality=0.85,
            max_output_tokens=16384,
        ),
        ModelSpec(
            name="gpt-3.5-turbo",
            input_per_1k=0.0005,
            output_per_1k=0.0015,
            latency_ms=800,
            quality=0.80,
            max_output_tokens=4096,
        ),
    ]
}
# Preview names of gpt-4-turbo: priced as gpt-4-turbo, not as gpt-4 (which their
# snapshot suffix would otherwise resolve to).
PRICES.update(
    {
        alias: PRICES["gpt-4-turbo"].model_copy(update={"name": alias})
        for alias in ("gpt-4-turbo-preview", "gpt-4-1106-preview", "gpt-4-0125-preview")
    }
)

# Models we do not know are assumed to be local (vLLM, Ollama, llama.cpp): no per-token bill.
UNKNOWN_LATENCY_MS = 2000
UNKNOWN_QUALITY = 0.7

# A dated snapshot of a family: "-0613", "-2024-08-06".
_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{4})$")


def spec_for(name: str) -> ModelSpec:
    """The catalogue entry for ``name`` (or its snapshot's family); unknown names cost 0.

    Unknown names are taken to be models on a local OpenAI-compatible server: cost 0,
    latency 2000 ms, quality 0.7. A paid model missing from ``PRICES`` would therefore pass
    every budget check; add it to the table.
    """
    if name in PRICES:
        return PRICES[name]
    match = _SNAPSHOT.match(name)
    if match and match["family"] in PRICES:
        return PRICES[match["family"]].model_copy(update={"name": name})
    return ModelSpec(
        name=name,
        input_per_1k=0.0,
        output_per_1k=0.0,
        latency_ms=UNKNOWN_LATENCY_MS,
        quality=UNKNOWN_QUALITY,
    )


class Constraints(BaseModel):
    """Limits a model must meet to be tried; a limit left unset does not filter."""

    max_cost_usd: float | None = Field(default=None, ge=0)
    max_latency_ms: float | None = Field(default=None, gt=0)
    min_quality: float | None = Field(default=None, ge=0, le=1)


def estimate_tokens(text: str) -> int:
    """An upper-bound guess of the tokens in ``text``: its UTF-8 bytes / 4, rounded up.

    OpenAI's tokenizers average a little over 4 characters per token on English prose, so
    this slightly over-counts there; counting bytes rather than characters keeps the guess
    high for non-Latin scripts too. Use it only for pre-call budget checks, never to record
    what a call cost.
    """
    return math.ceil(len(text.encode("utf-8")) / 4)


def cost_usd(spec: ModelSpec, input_tokens: int, output_tokens: int) -> float:
    """What ``input_tokens`` prompt and ``output_tokens`` completion tokens cost on ``spec``."""
    return input_tokens / 1000 * spec.input_per_1k + output_tokens / 1000 * spec.output_per_1k


def violations(
    spec: ModelSpec, constraints: Constraints, est_input_tokens: int, est_output_tokens: int
) -> list[str]:
    """Why ``spec`` may not be tried under ``constraints``, one short phrase each (none: ok)."""
    found = []
    cost = cost_usd(spec, est_input_tokens, est_output_tokens)
    if constraints.max_cost_usd is not None and cost > constraints.max_cost_usd:
        found.append(f"estimated ${cost:.4f} over the ${constraints.max_cost_usd:.4f} limit")
    if constraints.max_latency_ms is not None and spec.latency_ms > constraints.max_latency_ms:
        found.append(f"latency {spec.latency_ms} ms over {constraints.max_latency_ms:.0f} ms")
    if constraints.min_quality is not None and spec.quality < constraints.min_quality:
        found.append(f"quality {spec.quality} under {constraints.min_quality}")
    return found


def select_models(
    names: list[str],
    constraints: Constraints,
    est_input_tokens: int,
    est_output_tokens: int,
) -> list[ModelSpec]:
    """The models from ``names`` that meet every constraint, in the given order.

    The order is the fallback order (primary first) and is never changed; a name given
    twice is kept once. The cost check uses the estimated token counts, so pass what one
    attempt may use (for instance the prompt's estimate and the completion cap).
    """
    return [
        spec
        for spec in map(spec_for, dict.fromkeys(names))
        if not violations(spec, constraints, est_input_tokens, est_output_tokens)
    ]


def route(
    names: list[str], constraints: Constraints, budget: Callable[[ModelSpec], tuple[int, int]]
) -> tuple[list[ModelSpec], list[str]]:
    """The models to try in order, and one line for each model ruled out and why.

    ``budget(spec)`` gives the (prompt, completion) token estimate of one attempt on that
    model, since completion caps differ between models.
    """
    chosen: list[ModelSpec] = []
    skipped: list[str] = []
    for spec in map(spec_for, dict.fromkeys(names)):
        reasons = violations(spec, constraints, *budget(spec))
        if reasons:
            skipped.append(f"{spec.name} skipped: {', '.join(reasons)}")
        else:
            chosen.append(spec)
    return chosen, skipped
