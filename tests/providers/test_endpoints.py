"""Endpoints: configured separately, checked against what the server lists in /v1/models."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire import redact
from ytempire.providers import endpoints
from ytempire.providers.catalog import Pricing
from ytempire.providers.endpoints import Endpoint, EndpointError
from ytempire.settings import Settings

CANARY = "canary-endpoint-key-5f1c9e"


def test_an_unserved_name_is_refused_in_one_line(openai_server: OpenAICompatibleServer) -> None:
    openai_server.models = ["gemma-3-270m-it"]
    local = Endpoint(
        name="llama", base_url=openai_server.url, kind="local", models=["gpt-3.5-turbo"]
    )
    with pytest.raises(EndpointError) as refused:
        endpoints.check_served(local)
    message = str(refused.value)
    assert "\n" not in message
    assert "'llama' does not serve model 'gpt-3.5-turbo'" in message
    assert "gemma-3-270m-it" in message
    assert [r.path for r in openai_server.requests] == ["/v1/models"]


def test_an_endpoint_without_models_serves_what_it_lists(
    openai_server: OpenAICompatibleServer,
) -> None:
    openai_server.models = ["smollm2-135m", "gemma-3-270m-it"]
    local = Endpoint(name="llama", base_url=openai_server.url, kind="local")
    assert endpoints.check_served(local).models == ["smollm2-135m", "gemma-3-270m-it"]


def test_a_served_name_passes_and_the_key_is_sent(openai_server: OpenAICompatibleServer) -> None:
    cloud = Endpoint(name="proxy", base_url=openai_server.url, api_key=CANARY, models=["gpt-4o"])
    assert endpoints.check_served(cloud) == cloud
    assert openai_server.requests[-1].authorization == f"Bearer {CANARY}"


def test_an_unreachable_endpoint_is_one_line_without_its_key() -> None:
    gone = Endpoint(name="gone", base_url="http://127.0.0.1:9/v1", api_key=CANARY)
    with pytest.raises(EndpointError) as refused:
        endpoints.served_models(gone, timeout_s=2)
    assert "'gone'" in str(refused.value) and CANARY not in str(refused.value)


def test_openai_base_url_alone_is_a_chat_endpoint_only(tmp_path: Path) -> None:
    local = Settings(workspace=tmp_path, openai_base_url="http://127.0.0.1:8080/v1")
    assert [(e.name, e.kind, e.capability) for e in endpoints.configured(local)] == [
        ("openai", "local", "chat")
    ]
    # The cloud defaults are not names a local server is assumed to serve.
    assert endpoints.configured(local)[0].models == []
    cloud = Settings(workspace=tmp_path, openai_api_key="sk-" + "a" * 40)
    assert [(e.capability, e.models) for e in endpoints.configured(cloud)] == [
        ("chat", ["gpt-4-turbo", "gpt-3.5-turbo"]),
        ("image", ["dall-e-3"]),
    ]


def test_endpoints_from_a_toml_file_and_register(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.toml"
    path.write_text(
        '[endpoints.gpu-box]\nbase_url = "http://10.0.0.5:8000/v1"\nkind = "local"\n'
        'models = ["qwen2.5-7b-instruct"]\n'
        f'api_key = "{CANARY}"\n',
        encoding="utf-8",
    )
    settings = Settings(workspace=tmp_path, endpoints_file=path)
    (box,) = endpoints.configured(settings)
    assert box.kind == "local" and box.models == ["qwen2.5-7b-instruct"]
    started = Endpoint(name="llama-1", base_url="http://127.0.0.1:8081/v1", kind="local")
    registered = endpoints.register(settings, started)
    assert [e.name for e in endpoints.configured(registered)] == ["llama-1", "gpu-box"]
    assert redact.redact(f"key {CANARY}") == "key ***"


def test_a_bad_endpoints_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "endpoints.toml"
    path.write_text('[endpoints.box]\nkind = "local"\nprices = {}\n', encoding="utf-8")
    with pytest.raises(EndpointError, match=r"\[endpoints.box\]: .*needs its base_url") as bad:
        endpoints.configured(Settings(workspace=tmp_path, endpoints_file=path))
    assert "\n" not in str(bad.value)


def test_endpoint_keys_in_settings_are_masked_by_value(tmp_path: Path) -> None:
    Settings(
        workspace=tmp_path,
        endpoints=[Endpoint(name="box", base_url="http://127.0.0.1:1/v1", api_key=CANARY)],
    )
    assert CANARY not in redact.redact(f"the server said: bad key {CANARY}")


def test_no_image_request_goes_to_a_chat_only_endpoint(tmp_path: Path) -> None:
    local_chat = Settings(workspace=tmp_path, openai_base_url="http://127.0.0.1:8080/v1")
    assert not local_chat.images_configured
    assert endpoints.for_images(local_chat, "dall-e-3") is None
    # An image endpoint configured beside it is the one asked, whatever the chat server is.
    images = Endpoint(
        name="images", base_url="http://127.0.0.1:8090/v1", api_key=CANARY, capability="image"
    )
    both = endpoints.register(local_chat, images)
    assert both.images_configured
    assert endpoints.for_images(both, "dall-e-3") == images
    # The cloud pair keeps serving both, as before.
    cloud = Settings(workspace=tmp_path, openai_api_key="sk-" + "b" * 40)
    assert cloud.images_configured


def test_a_local_server_is_never_asked_for_the_cloud_defaults(
    openai_server: OpenAICompatibleServer, tmp_path: Path
) -> None:
    # OPENAI_BASE_URL alone: a local server that answers to any name. The script models were
    # left at their defaults (gpt-4-turbo, gpt-3.5-turbo): it is asked what it serves instead.
    openai_server.models = ["gemma-3-270m-it"]
    settings = Settings(workspace=tmp_path, openai_base_url=openai_server.url)
    resolved, unreachable = endpoints.resolve_chat(settings, timeout_s=5)
    assert unreachable == [] and endpoints.chat_models(resolved) == ["gemma-3-270m-it"]
    assert Pricing(resolved).chat("gemma-3-270m-it").local
    # Named explicitly, an unserved name is refused rather than answered by the wrong model.
    named = Settings(
        workspace=tmp_path, openai_base_url=openai_server.url, script_fallback_model="gpt-4o"
    )
    with pytest.raises(EndpointError, match="does not serve model 'gpt-4o'"):
        endpoints.resolve_chat(named, timeout_s=5)
