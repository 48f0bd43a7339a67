"""Model endpoints: where chat and image models are served, by whom, and at what price.

An endpoint is one OpenAI-compatible API root: a name, its base URL, its key (``SecretStr``),
its kind (``cloud``: billed per token from the price table or its own ``prices``; ``local``:
$0 per token plus the compute it measurably used), its capability (``chat`` or ``image``) and
the model names it serves. Chat and image endpoints are configured separately, so a chat-only
(local) server never receives an image request.

Where endpoints come from (:func:`configured`):

- ``YTEMPIRE_ENDPOINTS``: a JSON list of endpoint objects;
- ``YTEMPIRE_ENDPOINTS_FILE``: a TOML file of ``[endpoints.<name>]`` tables (the same fields);
- the ``OpenAIEndpoint`` block (``blocks/endpoints.py``), put into the settings by flows;
- ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` alone keep their meaning: an implicit ``openai``
  chat endpoint (``local`` when the base URL has no key) serving the script models, and, only
  when it is the cloud (a key, no other base URL), the image endpoint too.

The API, small on purpose (the ``local-llm`` deployment registers the servers it starts with
:func:`register`)::

    Endpoint(name=..., base_url=..., kind="local", models=["gemma-3-270m"])
    configured(settings) -> list[Endpoint]          # every endpoint, explicit ones first
    for_model(settings, "chat", name) -> Endpoint   # the endpoint serving ``name``
    register(settings, endpoint) -> Settings        # settings with one more endpoint
    served_models(endpoint, timeout_s) -> list[str] # what GET /v1/models lists
    check_served(endpoint, timeout_s) -> Endpoint   # refuses a configured name not served

``check_served`` fills an endpoint configured without models with the names it serves and
raises :class:`EndpointError` (one line) for a configured name it does not serve: local
servers answer to any model name, so without this check the cloud default ``gpt-3.5-turbo``
would be answered by a local model and recorded as GPT-3.5.
"""

from __future__ import annotations

import time
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from ytempire import redact

if TYPE_CHECKING:
    from ytempire.settings import Settings

Kind = Literal["cloud", "local"]
Capability = Literal["chat", "image"]
# How a request carries a JSON schema: OpenAI's ``json_schema`` response format, or
# ``json_object`` with a ``schema`` beside it (llama-cpp-python's server).
SchemaForm = Literal["json_schema", "json_object"]
# The name of the endpoint OPENAI_BASE_URL / OPENAI_API_KEY describe.
IMPLICIT = "openai"
# The structured-output probe: a tiny schema-constrained answer, also timed for speed.
PROBE_TOKENS = 16
PROBE_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
# Timeouts from measured speed leave this much room over the expected time.
SPEED_HEADROOM = 1.5


class EndpointError(ValueError):
    """A misconfigured or unreachable endpoint; the message is one line naming it."""


class TokenPrice(BaseModel):
    """A cloud model's price on an endpoint that the price table does not list."""

    model_config = ConfigDict(frozen=True)

    input_per_1m: float = Field(ge=0, description="USD per 1,000,000 prompt tokens")
    output_per_1m: float = Field(ge=0, description="USD per 1,000,000 completion tokens")


class Endpoint(BaseModel):
    """One OpenAI-compatible API root and the models it serves."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    base_url: str | None = Field(
        default=None, description="the API root (…/v1); None: the SDK's default (api.openai.com)"
    )
    api_key: SecretStr | None = Field(default=None, description="none for a local server")
    kind: Kind = "cloud"
    capability: Capability = "chat"
    models: list[str] = Field(
        default_factory=list,
        description="the names it serves, in the order the script stage tries them; empty: "
        "whatever GET /v1/models lists",
    )
    prices: dict[str, TokenPrice] = Field(
        default_factory=dict,
        description="cloud only: its prices per model, over the price table's",
    )
    structured_output: bool | None = Field(
        default=None,
        description="whether it honours a JSON schema in response_format; None: probe once",
    )
    schema_form: SchemaForm = Field(
        default="json_schema",
        description="how it takes the schema: json_schema (OpenAI, vLLM, Ollama) or "
        "json_object with a schema (llama-cpp-python's server)",
    )
    tokens_per_s: float | None = Field(
        default=None, gt=0, description="measured completion speed; sets the script timeout"
    )
    max_output_tokens: int | None = Field(
        default=None, gt=0, description="the server's completion cap (a small local context)"
    )
    compute_usd_per_hour: float | None = Field(
        default=None, ge=0, description="local only: what its machine costs; None: CPU rate"
    )

    @model_validator(mode="after")
    def _coherent(self) -> Endpoint:
        if self.kind == "local" and self.prices:
            raise ValueError(f"endpoint {self.name!r}: a local endpoint has no token prices")
        if self.kind == "local" and not self.base_url:
            raise ValueError(f"endpoint {self.name!r}: a local endpoint needs its base_url")
        return self

    @property
    def key(self) -> str | None:
        """The API key in clear, for the SDK client only."""
        return self.api_key.get_secret_value() if self.api_key else None

    def serves(self, model: str) -> bool:
        """Whether ``model`` is one of the names this endpoint was configured with."""
        return model in self.models


def read_file(path: Path) -> list[Endpoint]:
    """The endpoints of a TOML file of ``[endpoints.<name>]`` tables; one-line error."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise EndpointError(f"endpoints file {path}: {exc}") from None
    tables = raw.get("endpoints", {})
    if not isinstance(tables, dict) or set(raw) - {"endpoints"}:
        raise EndpointError(f"endpoints file {path}: only [endpoints.<name>] tables belong here")
    found = []
    for name, table in tables.items():
        try:
            found.append(Endpoint(name=name, **table))
        except ValidationError as exc:
            error = exc.errors()[0]
            why = f"{'.'.join(map(str, error['loc'])) or 'value'}: {error['msg']}"
            raise EndpointError(f"endpoints file {path}: [endpoints.{name}]: {why}") from None
        except TypeError as exc:
            raise EndpointError(f"endpoints file {path}: [endpoints.{name}]: {exc}") from None
    # Keys read here are secrets the settings never saw: mask them by value too.
    redact.remember(e.key for e in found)
    return found


def implicit(settings: Settings) -> list[Endpoint]:
    """The endpoints ``OPENAI_BASE_URL`` / ``OPENAI_API_KEY`` describe, as they always did.

    Chat: one ``openai`` endpoint, ``local`` when a base URL has no key. Its models are the
    script models the settings name; on a local server only the ones set explicitly (the
    cloud defaults are not names it serves): with none, whatever it lists (``check_served``).
    Images: only when the endpoint is not local; a local server is a chat server.
    """
    if not (settings.openai_api_key or settings.openai_base_url):
        return []
    local = bool(settings.openai_base_url) and not settings.openai_api_key
    fields = ("script_primary_model", "script_fallback_model")
    models = [
        getattr(settings, field)
        for field in fields
        if not local or field in settings.model_fields_set
    ]
    chat = Endpoint(
        name=IMPLICIT,
        base_url=settings.openai_base_url,
        api_key=settings.openai_api_key,
        kind="local" if local else "cloud",
        models=[m for m in models if m],
    )
    if local or not settings.thumbnail_image_model:
        return [chat]
    image = chat.model_copy(
        update={
            "name": f"{IMPLICIT}-images",
            "capability": "image",
            "models": [settings.thumbnail_image_model],
        }
    )
    return [chat, image]


def configured(settings: Settings) -> list[Endpoint]:
    """Every endpoint: ``YTEMPIRE_ENDPOINTS``, then the file's, then the implicit ones."""
    explicit = list(settings.endpoints)
    if settings.endpoints_file is not None:
        explicit += read_file(settings.endpoints_file)
    names = [e.name for e in explicit]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise EndpointError(f"endpoint names configured twice: {', '.join(twice)}")
    return explicit + [e for e in implicit(settings) if e.name not in names]


def of_capability(settings: Settings, capability: Capability) -> list[Endpoint]:
    """The endpoints that serve ``capability`` (``chat`` or ``image``), in configured order."""
    return [e for e in configured(settings) if e.capability == capability]


def for_model(settings: Settings, capability: Capability, model: str) -> Endpoint | None:
    """The first ``capability`` endpoint that lists ``model``; None when none does."""
    return next((e for e in of_capability(settings, capability) if e.serves(model)), None)


def for_images(settings: Settings, model: str) -> Endpoint | None:
    """The image endpoint that serves ``model`` (or the first that lists no models); None:
    no endpoint makes pictures, so none is asked."""
    found = of_capability(settings, "image")
    return next((e for e in found if e.serves(model)), None) or next(
        (e for e in found if not e.models), None
    )


def chat_models(settings: Settings) -> list[str]:
    """Every chat model the script stage may try, in order: each chat endpoint's names."""
    names = [name for e in of_capability(settings, "chat") for name in e.models]
    return list(dict.fromkeys(names))


def register(settings: Settings, endpoint: Endpoint) -> Settings:
    """``settings`` with ``endpoint`` added (replacing one of the same name): how a started
    local server (the ``local-llm`` deployment) becomes an engine of the stages."""
    kept = [e for e in settings.endpoints if e.name != endpoint.name]
    redact.remember([endpoint.key])
    return settings.model_copy(update={"endpoints": [*kept, endpoint]})


def served_models(endpoint: Endpoint, timeout_s: float = 10.0) -> list[str]:
    """The model ids ``GET {base_url}/models`` lists; ``EndpointError`` (one line) if it
    cannot be asked or answers something else."""
    base = (endpoint.base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {endpoint.key}"} if endpoint.key else {}
    where = f"endpoint {endpoint.name!r} ({base})"
    try:
        answer = httpx.get(f"{base}/models", headers=headers, timeout=timeout_s)
        answer.raise_for_status()
        data = answer.json()["data"]
        return [str(item["id"]) for item in data]
    except httpx.HTTPError as exc:
        raise EndpointError(
            redact.line(f"{where}: cannot list its models: {exc}", [endpoint.key])
        ) from None
    except (ValueError, KeyError, TypeError):
        raise EndpointError(f"{where}: GET /models did not answer a model list") from None


def check_served(endpoint: Endpoint, timeout_s: float = 10.0) -> Endpoint:
    """``endpoint`` with its models checked against what it serves (or, when it was given
    none, filled with them); ``EndpointError`` naming the first name it does not serve."""
    served = served_models(endpoint, timeout_s)
    if not endpoint.models:
        if not served:
            raise EndpointError(f"endpoint {endpoint.name!r} serves no models")
        return endpoint.model_copy(update={"models": served})
    for name in endpoint.models:
        if name not in served:
            raise EndpointError(
                f"endpoint {endpoint.name!r} does not serve model {name!r} "
                f"(it serves: {', '.join(served) or 'nothing'})"
            )
    return endpoint


def needs_check(endpoint: Endpoint) -> bool:
    """Whether ``endpoint`` is asked what it serves before use: every local endpoint (they
    answer to any name) and every explicit one; the implicit cloud pair keeps its old meaning
    (the cloud refuses an unknown model itself)."""
    return endpoint.kind == "local" or endpoint.name != IMPLICIT


def probe_structured_output(endpoint: Endpoint, model: str, timeout_s: float) -> Endpoint:
    """``endpoint`` with ``structured_output``, ``schema_form`` (and, if unset,
    ``tokens_per_s``) measured by one small schema-constrained request to ``model`` in each
    form in turn: the first 2xx answer names the form it honours; a form refused (4xx, or the
    500 llama-cpp-python's server gives ``json_schema``) moves on to the next; every form
    refused means no structured output. Unreachable or otherwise failing: unchanged."""
    base = (endpoint.base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {endpoint.key}"} if endpoint.key else {}
    for form in get_args(SchemaForm):
        body = {
            "model": model,
            "messages": [{"role": "user", "content": "Answer with a JSON object: ok = true."}],
            "max_tokens": PROBE_TOKENS,
            "temperature": 0,
            "response_format": response_format(PROBE_SCHEMA, form),
        }
        started = time.perf_counter()
        try:
            answer = httpx.post(
                f"{base}/chat/completions", json=body, headers=headers, timeout=timeout_s
            )
        except httpx.HTTPError:
            return endpoint
        seconds = time.perf_counter() - started
        if 400 <= answer.status_code < 500 or answer.status_code == 500:
            continue
        if answer.status_code >= 300:
            return endpoint
        update: dict[str, object] = {"structured_output": True, "schema_form": form}
        try:
            tokens = int(answer.json()["usage"]["completion_tokens"])
        except (ValueError, KeyError, TypeError):
            tokens = 0
        if endpoint.tokens_per_s is None and tokens > 0 and seconds > 0:
            update["tokens_per_s"] = round(tokens / seconds, 1)
        return endpoint.model_copy(update=update)
    return endpoint.model_copy(update={"structured_output": False})


def response_format(
    schema: dict[str, Any] | None, form: SchemaForm = "json_schema"
) -> dict[str, Any]:
    """The request's ``response_format``: the JSON schema when there is one, in ``form``
    (OpenAI's ``json_schema``, or ``json_object`` with a ``schema`` as llama-cpp-python's
    server takes it: it answers 500 to ``json_schema``), else any JSON."""
    if schema is None:
        return {"type": "json_object"}
    if form == "json_object":
        return {"type": "json_object", "schema": schema}
    return {"type": "json_schema", "json_schema": {"name": "answer", "schema": schema}}


def constrained(endpoint: Endpoint) -> SchemaForm | None:
    """The form in which ``endpoint`` takes a JSON schema, or None where it takes none."""
    return endpoint.schema_form if endpoint.structured_output is True else None


def resolve_chat(settings: Settings, timeout_s: float) -> tuple[Settings, list[str]]:
    """The settings with every chat endpoint that needs it checked against ``/v1/models``
    (an unserved configured name raises ``EndpointError``) and, where unknown, probed for
    structured output; plus one line for each endpoint that could not be asked (its models
    are then left out: the next engine writes)."""
    unreachable: list[str] = []
    for endpoint in of_capability(settings, "chat"):
        if not needs_check(endpoint):
            continue
        try:
            checked = check_served(endpoint, timeout_s)
        except EndpointError as exc:
            if "does not serve" in str(exc) or "serves no models" in str(exc):
                raise
            unreachable.append(f"{exc} [unavailable]")
            checked = endpoint.model_copy(update={"models": []})
        else:
            if checked.kind == "local" and checked.structured_output is None:
                checked = probe_structured_output(checked, checked.models[0], timeout_s)
        settings = register(settings, checked)
    return settings, unreachable


def timeout_s(endpoint: Endpoint | None, max_tokens: int, floor_s: float) -> float:
    """How long one call of up to ``max_tokens`` may take on ``endpoint``: ``floor_s``, or
    longer where its measured speed says the answer needs it (with 50% headroom)."""
    if endpoint is None or endpoint.tokens_per_s is None:
        return floor_s
    return max(floor_s, SPEED_HEADROOM * max_tokens / endpoint.tokens_per_s)
