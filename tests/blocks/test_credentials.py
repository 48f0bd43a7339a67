"""Credential blocks become the settings the stages take; secrets stay secret."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from blocks.channel import ChannelProfile
from blocks.credentials import (
    CREDENTIAL_BLOCKS,
    ElevenLabsCredentials,
    GoogleCredentials,
    OpenAICredentials,
    PexelsCredentials,
    YouTubeCredentials,
    settings_with,
)
from ytempire.channels import Channel
from ytempire.resilience.errors import ProviderRejected
from ytempire.settings import Settings
from ytempire.voice import google_tts

SECRET = "sk-THISMUSTNEVERLEAK0123456789"


def test_every_block_field_fills_a_setting_of_the_same_kind() -> None:
    for block in CREDENTIAL_BLOCKS:
        assert set(block.SETTINGS) == set(block.model_fields), block.__name__
        for field, setting in block.SETTINGS.items():
            assert setting in Settings.model_fields, (block.__name__, setting)
            secret = Settings.model_fields[setting].annotation == SecretStr | None
            assert (block.model_fields[field].annotation in (SecretStr, SecretStr | None)) == secret


def test_blocks_win_over_the_environment_and_keep_secrets_secret(tmp_path: Path) -> None:
    base = Settings(workspace=tmp_path, openai_base_url="http://env")
    settings = settings_with(
        base,
        [
            OpenAICredentials(api_key=SECRET),
            ElevenLabsCredentials(api_key="el-" + SECRET),
            GoogleCredentials(service_account_file=tmp_path / "sa.json"),
            YouTubeCredentials(client_id="cid", client_secret=SECRET, refresh_token=SECRET),
            PexelsCredentials(api_key="px-" + SECRET),
        ],
    )
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == SECRET
    assert settings.openai_base_url == "http://env"  # the block left it unset
    assert settings.elevenlabs_api_key == SecretStr("el-" + SECRET)
    assert settings.google_application_credentials == tmp_path / "sa.json"
    assert settings.google_tts_configured
    assert settings.youtube_client_id == "cid"
    assert settings.pexels_api_key == SecretStr("px-" + SECRET)
    assert settings.workspace == tmp_path
    assert SECRET not in repr(settings) and SECRET not in str(settings.model_dump())
    assert base.openai_api_key is None  # the environment's settings are untouched


def test_no_blocks_means_the_environments_settings(tmp_path: Path) -> None:
    base = Settings(workspace=tmp_path)
    assert settings_with(base, []) == base


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: OpenAICredentials(), "set api_key, base_url or both"),
        (lambda: GoogleCredentials(), "exactly one of"),
        (
            lambda: GoogleCredentials(service_account_info="{}", service_account_file=Path("f")),
            "exactly one of",
        ),
        (lambda: YouTubeCredentials(client_id="c"), "go together"),
        (lambda: YouTubeCredentials(), "set the OAuth client"),
    ],
)
def test_incomplete_credentials_are_refused(make: object, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        make()  # type: ignore[operator]


def test_a_google_key_pasted_whole_turns_google_tts_on() -> None:
    settings = settings_with(Settings(), [GoogleCredentials(service_account_info='{"a": 1}')])
    assert settings.google_service_account_json == SecretStr('{"a": 1}')
    assert settings.google_tts_configured


def test_the_channel_profile_block_has_exactly_the_yaml_fields() -> None:
    assert set(ChannelProfile.model_fields) == set(Channel.model_fields)
    block = ChannelProfile(name="tides", niche="oceans", brand_colours=["#102030"])
    assert Channel.model_validate(block.model_dump()) == Channel(
        name="tides", niche="oceans", brand_colours=["#102030"]
    )


def service_account_key() -> str:
    """A well-formed service account key (a fresh RSA key; never valid at Google)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "ytempire-test",
            "private_key_id": "k1",
            "private_key": pem,
            "client_email": "tts@ytempire-test.iam.gserviceaccount.com",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )


def test_the_pasted_key_is_what_google_tts_signs_with() -> None:
    client = google_tts.make_client(credentials_json=service_account_key())
    credentials = client._transport._credentials
    assert credentials.service_account_email == "tts@ytempire-test.iam.gserviceaccount.com"


@pytest.mark.parametrize("key", ['{"private_key": "' + SECRET + '"}', SECRET + "{"])
def test_an_unusable_key_is_refused_in_one_line_without_echoing_it(key: str) -> None:
    with pytest.raises(ProviderRejected) as raised:
        google_tts.make_client(credentials_json=key)
    assert "service account key cannot be used" in str(raised.value)
    assert SECRET not in str(raised.value) and "\n" not in str(raised.value)
