"""What each priced model and engine costs, how fast and how good a chat model is, and which
chat models a job may use.

Prices are data, not code: ``ytempire/data/prices.toml`` (shipped with the package) holds
every priced chat model, image model, voice engine and footage API with the day its price
was read and where; an operator's ``YTEMPIRE_PRICES_FILE`` in the same format overrides an
entry of the same name and adds new ones. Latency and quality rank chat models (the seed's
§3.1 figures where given, our rough estimates otherwise); they promise nothing.

A name with no price is never called for money: ``spec_for`` and the price lookups raise
``Unpriced`` (kind ``unpriced``: no retry, the next engine). A model on a *local*
OpenAI-compatible server is free, not unpriced (``Pricing.is_local``): with
``OPENAI_BASE_URL`` set and no ``OPENAI_API_KEY``, every chat and image model is local;
with a key, only the names listed in ``YTEMPIRE_LOCAL_MODELS`` and those served by a ``local``
endpoint (``ytempire.providers.endpoints``) are. Local calls cost $0 per token plus the
compute they measurably used, and are recorded under their own names. A cloud endpoint's own
``prices`` price the names it lists.

Recorded cost always comes from what the provider reports (``cost_usd`` with
``response.usage``, characters billed, pictures returned); ``estimate_tokens`` exists only
to decide before a call whether a model fits a budget.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ytempire.providers import endpoints
from ytempire.resilience.errors import Unpriced
from ytempire.settings import DATA_DIR, Settings

SHIPPED_PRICES = DATA_DIR / "prices.toml"
SECTIONS = ("chat", "image", "speech", "footage")


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
    priced_on: date | None = Field(default=None, description="the day the price was read")
    source: str | None = None
    local: bool = Field(default=False, description="on a local server: no per-token bill")


class Price(BaseModel):
    """A price per unit of one image model, voice engine or footage API."""

    model_config = ConfigDict(frozen=True)

    name: str
    usd: dict[str, float] = Field(description="USD per unit; images: by 'quality size'")
    unit: str = Field(description="what one unit is: image, 1k characters, request")
    priced_on: date
    source: str


class PriceTable(BaseModel):
    """Every price, by section and name."""

    model_config = ConfigDict(frozen=True)

    chat: dict[str, ModelSpec]
    image: dict[str, Price]
    speech: dict[str, Price]
    footage: dict[str, Price]


class PricesError(ValueError):
    """A price file that cannot be read: the message names the file and the entry."""


def _chat(name: str, entry: dict[str, Any], known: dict[str, dict[str, Any]]) -> ModelSpec:
    if "same_as" in entry:
        target = known.get(entry["same_as"])
        if target is None or "same_as" in target:
            raise ValueError(f"same_as names no priced entry: {entry['same_as']!r}")
        entry = {**target, **{k: v for k, v in entry.items() if k != "same_as"}}
    return ModelSpec(
        name=name,
        input_per_1k=entry["input_per_1m"] / 1000,
        output_per_1k=entry["output_per_1m"] / 1000,
        latency_ms=entry["latency_ms"],
        quality=entry["quality"],
        max_output_tokens=entry.get("max_output_tokens"),
        priced_on=entry["priced_on"],
        source=entry["source"],
    )


def _price(section: str, name: str, entry: dict[str, Any]) -> Price:
    dated = {"name": name, "priced_on": entry["priced_on"], "source": entry["source"]}
    if section == "image":
        return Price(usd=dict(entry["per_image"]), unit="image", **dated)
    if section == "speech":
        if "per_1m_chars" in entry:
            return Price(usd={"": entry["per_1m_chars"] / 1000}, unit="1k characters", **dated)
        return Price(usd={"": entry["per_1k_chars"]}, unit="1k characters", **dated)
    return Price(usd={"": entry["per_request"]}, unit="request", **dated)


def read_table(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """The raw entries of a price file by section; raises ``PricesError`` naming the file."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise PricesError(f"price file {path}: {exc}") from None
    unknown = set(raw) - set(SECTIONS)
    if unknown:
        raise PricesError(
            f"price file {path}: unknown section(s) {sorted(unknown)}; use {list(SECTIONS)}"
        )
    return {section: dict(raw.get(section, {})) for section in SECTIONS}


def build_table(entries: dict[str, dict[str, dict[str, Any]]], path: Path) -> PriceTable:
    """The typed table of raw entries; raises ``PricesError`` naming the first bad entry."""
    built: dict[str, dict[str, Any]] = {section: {} for section in SECTIONS}
    for section in SECTIONS:
        for name, entry in entries[section].items():
            try:
                if section == "chat":
                    built[section][name] = _chat(name, entry, entries["chat"])
                else:
                    built[section][name] = _price(section, name, entry)
            except (KeyError, TypeError, ValueError, ValidationError) as exc:
                why = f"missing {exc}" if isinstance(exc, KeyError) else str(exc).splitlines()[0]
                raise PricesError(f"price file {path}: [{section}.{name!r}]: {why}") from None
    return PriceTable(**built)


@lru_cache(maxsize=8)
def load_prices(override: Path | None = None) -> PriceTable:
    """The shipped table, with ``override``'s entries replacing and extending it."""
    entries = read_table(SHIPPED_PRICES)
    if override is not None:
        for section, found in read_table(override).items():
            entries[section].update(found)
    return build_table(entries, override or SHIPPED_PRICES)


# The shipped chat prices (per 1k tokens), by name.
PRICES: dict[str, ModelSpec] = dict(load_prices().chat)

# Local models the catalogue does not know are ranked with these figures.
UNKNOWN_LATENCY_MS = 2000
UNKNOWN_QUALITY = 0.7

# A dated snapshot of a family: "-0613", "-2024-08-06".
_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{4})$")


def unpriced_message(what: str) -> str:
    """Why ``what`` is not called: one line that says where prices are added."""
    return f"no price for {what} in the price table (add it with YTEMPIRE_PRICES_FILE)"


def priced_spec(name: str, table: PriceTable | None = None) -> ModelSpec | None:
    """The priced entry for ``name`` (or its dated snapshot's family), or None."""
    chat = (table or load_prices()).chat
    if name in chat:
        return chat[name]
    match = _SNAPSHOT.match(name)
    if match and match["family"] in chat:
        return chat[match["family"]].model_copy(update={"name": name})
    return None


def spec_for(name: str, table: PriceTable | None = None) -> ModelSpec:
    """The priced entry for ``name`` (or its snapshot's family); ``Unpriced`` if none.

    A model on a local server is free, not unpriced: ask ``Pricing.chat`` (which knows the
    settings) rather than this, which knows only the table.
    """
    spec = priced_spec(name, table)
    if spec is None:
        raise Unpriced("openai", unpriced_message(name))
    return spec


def local_spec(name: str, table: PriceTable | None = None) -> ModelSpec:
    """``name`` on a local server: $0 per token, its latency and quality from the table when
    it knows the name, rough defaults otherwise."""
    known = priced_spec(name, table)
    if known is not None:
        return known.model_copy(
            update={"input_per_1k": 0.0, "output_per_1k": 0.0, "local": True, "source": None}
        )
    return ModelSpec(
        name=name,
        input_per_1k=0.0,
        output_per_1k=0.0,
        latency_ms=UNKNOWN_LATENCY_MS,
        quality=UNKNOWN_QUALITY,
        local=True,
    )


def google_tier(voice: str) -> str:
    """The price tier of a Google voice name: en-US-Neural2-D → Neural2,
    en-US-Chirp3-HD-Achernar → Chirp3-HD (the parts between the locale and the voice)."""
    parts = voice.split("-")
    return "-".join(parts[2:-1]) if len(parts) > 3 else voice


class Pricing:
    """The price table as the settings see it: their override file, and which chat and image
    models run on a local server (free)."""

    def __init__(self, settings: Settings) -> None:
        self.table = load_prices(settings.prices_file)
        self.local_server = bool(settings.openai_base_url) and not settings.openai_api_key
        chat = endpoints.of_capability(settings, "chat")
        self.local_models = frozenset(settings.local_models) | {
            name for e in chat if e.kind == "local" for name in e.models
        }
        self.endpoint_prices = {name: price for e in chat for name, price in e.prices.items()}

    def is_local(self, model: str) -> bool:
        """Whether ``model`` runs on a local OpenAI-compatible server: every model when the
        base URL is set without an API key, else the names in ``YTEMPIRE_LOCAL_MODELS`` and
        those of ``local`` endpoints."""
        return self.local_server or model in self.local_models

    def chat(self, name: str) -> ModelSpec:
        """The chat model's spec: free when local, else its price; ``Unpriced`` if it has none."""
        if self.is_local(name):
            return local_spec(name, self.table)
        if name in self.endpoint_prices:
            price = self.endpoint_prices[name]
            known = priced_spec(name, self.table)
            return ModelSpec(
                name=name,
                input_per_1k=price.input_per_1m / 1000,
                output_per_1k=price.output_per_1m / 1000,
                latency_ms=known.latency_ms if known else UNKNOWN_LATENCY_MS,
                quality=known.quality if known else UNKNOWN_QUALITY,
                max_output_tokens=known.max_output_tokens if known else None,
            )
        return spec_for(name, self.table)

    def image_usd(self, model: str, quality: str, size: str) -> float:
        """One picture's price; 0 when local; ``Unpriced`` when the table has none."""
        if self.is_local(model):
            return 0.0
        return image_usd(model, quality, size, self.table)

    def speech_per_1k(self, engine: str) -> float:
        """USD per 1,000 characters of a voice engine (``elevenlabs:<model>``,
        ``google:<voice name>``); ``Unpriced`` when the table has none."""
        return speech_per_1k(engine, self.table)


def image_usd(model: str, quality: str, size: str, table: PriceTable | None = None) -> float:
    """List price of one ``quality`` picture of ``size`` from ``model``; ``Unpriced`` if none."""
    price = (table or load_prices()).image.get(model)
    key = f"{quality} {size}"
    if price is None or key not in price.usd:
        raise Unpriced("dalle", unpriced_message(f"{model} ({quality}, {size})"))
    return price.usd[key]


def speech_per_1k(engine: str, table: PriceTable | None = None) -> float:
    """USD per 1,000 characters of ``engine`` (``elevenlabs:<model>`` or
    ``google:<voice or tier>``); ``Unpriced`` when the table has none."""
    speech = (table or load_prices()).speech
    provider, _, what = engine.partition(":")
    names = [engine]
    if provider == "google":
        tier = google_tier(what).lower()
        names += [n for n in speech if n.lower() == f"google:{tier}"]
    for name in names:
        if name in speech:
            return speech[name].usd[""]
    raise Unpriced(provider, unpriced_message(engine))


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
    lookup: Callable[[str], ModelSpec] = spec_for,
) -> list[ModelSpec]:
    """The models from ``names`` that meet every constraint, in the given order.

    The order is the fallback order (primary first) and is never changed; a name given
    twice is kept once; a name ``lookup`` cannot price (``Unpriced``) is left out. The cost
    check uses the estimated token counts, so pass what one attempt may use (for instance
    the prompt's estimate and the completion cap).
    """
    chosen, _ = route(names, constraints, lambda _: (est_input_tokens, est_output_tokens), lookup)
    return chosen


def route(
    names: list[str],
    constraints: Constraints,
    budget: Callable[[ModelSpec], tuple[int, int]],
    lookup: Callable[[str], ModelSpec] = spec_for,
) -> tuple[list[ModelSpec], list[str]]:
    """The models to try in order, and one line for each model ruled out and why.

    ``budget(spec)`` gives the (prompt, completion) token estimate of one attempt on that
    model, since completion caps differ between models. ``lookup`` prices a name
    (``Pricing.chat`` knows local models); a name it cannot price is ruled out with kind
    ``unpriced``: no price, no call.
    """
    chosen: list[ModelSpec] = []
    skipped: list[str] = []
    for name in dict.fromkeys(names):
        try:
            spec = lookup(name)
        except Unpriced as exc:
            skipped.append(f"{name} skipped: {exc.message} [{exc.kind}]")
            continue
        reasons = violations(spec, constraints, *budget(spec))
        if reasons:
            skipped.append(f"{spec.name} skipped: {', '.join(reasons)}")
        else:
            chosen.append(spec)
    return chosen, skipped
