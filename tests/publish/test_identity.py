"""Which YouTube identity acts for a channel: its block, its slugged variables, or (the
default channel only) the global settings; never the fleet's for a named channel."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from ytempire.providers.google_api import OAuthClient
from ytempire.publish.identity import IdentityError, env_names, resolve
from ytempire.settings import Settings

GLOBAL = Settings(
    youtube_client_id="global-client",
    youtube_client_secret=SecretStr("global-secret"),
    youtube_refresh_token=SecretStr("global-token"),
    youtube_channel_id="UCglobalchannel000000000",
    youtube_token_uri="https://127.0.0.1:9/token",
)
COSMOS = {
    "YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_CLIENT_ID": "cosmos-client",
    "YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_CLIENT_SECRET": "cosmos-secret",
    "YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_REFRESH_TOKEN": "cosmos-token",
}


def no_blocks(name: str) -> OAuthClient:
    raise AssertionError(f"no block should be loaded, asked for {name!r}")


def test_the_variables_are_named_after_the_slug() -> None:
    assert env_names("cosmos-explained") == tuple(COSMOS)


def test_a_named_channel_uses_its_own_variables_and_never_the_global_identity() -> None:
    found = resolve(
        GLOBAL,
        "cosmos-explained",
        credentials=None,
        expected_channel_id="UCcosmosexplained0000000",
        environ=COSMOS,
        load_block=no_blocks,
    )
    assert found.oauth is not None and found.oauth.client_id == "cosmos-client"
    assert found.oauth.refresh_token.get_secret_value() == "cosmos-token"
    assert found.oauth.token_uri == GLOBAL.youtube_token_uri
    assert found.expected_channel_id == "UCcosmosexplained0000000"
    assert found.source == "YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_*"

    alone = resolve(
        GLOBAL, "money-basics", credentials=None, expected_channel_id=None, environ=COSMOS,
        load_block=no_blocks,
    )  # fmt: skip
    assert alone.oauth is None and alone.expected_channel_id is None
    assert alone.missing is not None and "YTEMPIRE_YOUTUBE_MONEY_BASICS_CLIENT_ID" in alone.missing


def test_the_default_channel_uses_the_global_settings() -> None:
    found = resolve(
        GLOBAL, "default", credentials=None, expected_channel_id=None, environ={},
        load_block=no_blocks,
    )  # fmt: skip
    assert found.oauth is not None and found.oauth.client_id == "global-client"
    assert found.expected_channel_id == "UCglobalchannel000000000"
    unset = GLOBAL.model_copy(update={"youtube_refresh_token": None})
    none = resolve(
        unset, "default", credentials=None, expected_channel_id=None, environ={},
        load_block=no_blocks,
    )  # fmt: skip
    assert none.oauth is None and none.missing is not None


def test_a_named_block_wins_and_is_loaded_by_name() -> None:
    asked: list[str] = []
    client = OAuthClient("block-client", SecretStr("s"), SecretStr("t"))

    def load(name: str) -> OAuthClient:
        asked.append(name)
        return client

    found = resolve(
        GLOBAL, "cosmos-explained", credentials="cosmos-youtube", expected_channel_id=None,
        environ=COSMOS, load_block=load,
    )  # fmt: skip
    assert found.oauth is client and asked == ["cosmos-youtube"]
    assert found.source == "YouTubeCredentials 'cosmos-youtube'"


def test_half_an_identity_is_an_error_naming_what_is_unset() -> None:
    half = {k: v for k, v in COSMOS.items() if not k.endswith("_REFRESH_TOKEN")}
    with pytest.raises(IdentityError) as info:
        resolve(
            GLOBAL, "cosmos-explained", credentials=None, expected_channel_id=None,
            environ=half, load_block=no_blocks,
        )  # fmt: skip
    assert str(info.value) == (
        "channel 'cosmos-explained': YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_REFRESH_TOKEN unset; "
        "the three go together"
    )
    assert "cosmos-secret" not in str(info.value)
