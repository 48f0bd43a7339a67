"""Model endpoint blocks: a chat or image server (cloud or local) kept by the Prefect server.

Register the type with ``prefect block register -m blocks.endpoints`` (``deployments/setup.py``
does) and save one document per endpoint; name them in ``YTEMPIRE_ENDPOINT_BLOCKS`` (JSON
list). Flows put each into the settings (:func:`settings_with_endpoints`, called by
``blocks.credentials.settings_from_blocks``) as an
:class:`~ytempire.providers.endpoints.Endpoint` of the block's name; the core never sees a
block. The key is a ``SecretStr``: never logged, masked by value in every message.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from pydantic import Field, SecretStr

from blocks.saved import load_saved
from ytempire.providers import endpoints
from ytempire.providers.endpoints import Capability, Endpoint, EndpointError, Kind
from ytempire.settings import Settings


class EndpointBlock(Block):
    """One OpenAI-compatible model endpoint: where it is, its key, what it serves."""

    _block_type_name = "ytempire endpoint"
    _block_type_slug = "ytempire-endpoint"

    base_url: str | None = Field(default=None, description="the API root (…/v1)")
    api_key: SecretStr | None = Field(default=None, description="none for a local server")
    kind: Kind = Field(default="cloud", description="cloud (per token) or local ($0 + compute)")
    capability: Capability = Field(default="chat", description="chat or image")
    models: list[str] = Field(
        default_factory=list, description="names it serves; empty: what /v1/models lists"
    )

    def endpoint(self, name: str) -> Endpoint:
        """The endpoint this block describes, named ``name`` (the block document's name)."""
        fields = self.model_dump(include={"base_url", "kind", "capability", "models"})
        return Endpoint(name=name, api_key=self.api_key, **fields)


def load_endpoint(name: str) -> Endpoint:
    """The endpoint saved as block document ``name``; ``EndpointError`` (one line) if none."""
    block = load_saved(EndpointBlock, name)
    if block is None:
        raise EndpointError(f"no endpoint block named {name!r}")
    return block.endpoint(name)


def settings_with_endpoints(settings: Settings) -> Settings:
    """``settings`` with every endpoint block named in ``endpoint_blocks`` registered."""
    for name in settings.endpoint_blocks:
        settings = endpoints.register(settings, load_endpoint(name))
    return settings
