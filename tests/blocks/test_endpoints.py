"""The endpoint block: what an operator saves on the server becomes an endpoint of the
settings, its key a secret."""

from __future__ import annotations

from pathlib import Path

from blocks.endpoints import EndpointBlock, settings_with_endpoints
from ytempire.providers import endpoints
from ytempire.settings import Settings

CANARY = "canary-block-key-3e7a91"


def test_a_block_is_an_endpoint_of_its_documents_name() -> None:
    block = EndpointBlock(
        base_url="http://10.0.0.7:8080/v1", api_key=CANARY, kind="local", models=["qwen2.5-3b"]
    )
    endpoint = block.endpoint("gpu-box")
    assert (endpoint.name, endpoint.kind, endpoint.capability, endpoint.models) == (
        "gpu-box",
        "local",
        "chat",
        ["qwen2.5-3b"],
    )
    assert endpoint.key == CANARY and CANARY not in repr(endpoint) + repr(block)


def test_the_endpoint_blocks_fields_are_the_endpoints() -> None:
    # Every block field is an Endpoint field of the same name (the name is the document's).
    assert set(EndpointBlock.model_fields) <= set(endpoints.Endpoint.model_fields)


def test_no_endpoint_blocks_named_leaves_the_settings_as_they_are(tmp_path: Path) -> None:
    settings = Settings(workspace=tmp_path)
    assert settings_with_endpoints(settings) is settings
