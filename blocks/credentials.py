"""Credential blocks: each provider's keys as a Prefect block, kept by the server, never logged.

Register the types with ``prefect block register -m blocks.credentials``; save a document of
each type you use under one name (``default`` unless ``YTEMPIRE_CREDENTIALS_BLOCK`` says
otherwise). Flows turn the ones they find into the :class:`~ytempire.settings.Settings` the
stages take (:func:`settings_from_blocks`): a block's value wins over the environment's, and
with no server or no blocks the environment's settings are used as they are. The core never
sees a block, only the settings.
"""

from __future__ import annotations

import os
from abc import ABC
from pathlib import Path
from typing import Any, ClassVar

from prefect.blocks.core import Block
from pydantic import Field, SecretStr, model_validator

from blocks.endpoints import settings_with_endpoints
from blocks.saved import load_saved
from ytempire.providers.google_api import OAuthClient
from ytempire.publish import identity
from ytempire.publish.identity import ChannelIdentity, IdentityError
from ytempire.settings import Settings


class CredentialsBlock(Block, ABC):
    """A provider's credentials; ``SETTINGS`` maps each field to the setting it fills.

    An interface (ABC): ``prefect block register`` registers its subclasses, not it."""

    SETTINGS: ClassVar[dict[str, str]] = {}

    def settings_update(self) -> dict[str, Any]:
        """The settings this block fills: every field that holds a value."""
        return {
            setting: getattr(self, field)
            for field, setting in self.SETTINGS.items()
            if getattr(self, field) is not None
        }


class OpenAICredentials(CredentialsBlock):
    """OpenAI, or any OpenAI-compatible server (vLLM, Ollama, llama.cpp) by base URL: the
    script writer and the DALL·E 3 thumbnails."""

    _block_type_name = "ytempire OpenAI"
    _block_type_slug = "ytempire-openai"
    SETTINGS: ClassVar[dict[str, str]] = {
        "api_key": "openai_api_key",
        "base_url": "openai_base_url",
    }

    api_key: SecretStr | None = Field(default=None, description="sk-…; none for a local server")
    base_url: str | None = Field(default=None, description="an OpenAI-compatible API root")

    @model_validator(mode="after")
    def _something(self) -> OpenAICredentials:
        if self.api_key is None and self.base_url is None:
            raise ValueError("set api_key, base_url or both")
        return self


class ElevenLabsCredentials(CredentialsBlock):
    """ElevenLabs text to speech (the first voice engine)."""

    _block_type_name = "ytempire ElevenLabs"
    _block_type_slug = "ytempire-elevenlabs"
    SETTINGS: ClassVar[dict[str, str]] = {"api_key": "elevenlabs_api_key"}

    api_key: SecretStr


class GoogleCredentials(CredentialsBlock):
    """A Google Cloud service account (Cloud Text-to-Speech): its JSON key, or a path to it
    on the machines that run the flows."""

    _block_type_name = "ytempire Google"
    _block_type_slug = "ytempire-google"
    SETTINGS: ClassVar[dict[str, str]] = {
        "service_account_info": "google_service_account_json",
        "service_account_file": "google_application_credentials",
    }

    service_account_info: SecretStr | None = Field(
        default=None, description="the service account's JSON key, pasted whole"
    )
    service_account_file: Path | None = Field(
        default=None, description="or the path of that JSON file on the workers"
    )

    @model_validator(mode="after")
    def _one_source(self) -> GoogleCredentials:
        if (self.service_account_info is None) == (self.service_account_file is None):
            raise ValueError("set exactly one of service_account_info and service_account_file")
        return self


class YouTubeCredentials(CredentialsBlock):
    """YouTube: the OAuth client and refresh token that upload to the channel, and the Data
    API key that reads trends."""

    _block_type_name = "ytempire YouTube"
    _block_type_slug = "ytempire-youtube"
    SETTINGS: ClassVar[dict[str, str]] = {
        "client_id": "youtube_client_id",
        "client_secret": "youtube_client_secret",
        "refresh_token": "youtube_refresh_token",
        "api_key": "youtube_api_key",
    }

    client_id: str | None = Field(default=None, description="OAuth client id (not secret)")
    client_secret: SecretStr | None = None
    refresh_token: SecretStr | None = Field(
        default=None, description="granted youtube.force-ssl and yt-analytics.readonly"
    )
    api_key: SecretStr | None = Field(default=None, description="Data API key, for trends")

    @model_validator(mode="after")
    def _whole_client(self) -> YouTubeCredentials:
        oauth = (self.client_id, self.client_secret, self.refresh_token)
        if any(v is not None for v in oauth) and any(v is None for v in oauth):
            raise ValueError("client_id, client_secret and refresh_token go together")
        if all(v is None for v in oauth) and self.api_key is None:
            raise ValueError("set the OAuth client (to upload), api_key (for trends) or both")
        return self


class PexelsCredentials(CredentialsBlock):
    """Pexels stock footage."""

    _block_type_name = "ytempire Pexels"
    _block_type_slug = "ytempire-pexels"
    SETTINGS: ClassVar[dict[str, str]] = {"api_key": "pexels_api_key"}

    api_key: SecretStr


CREDENTIAL_BLOCKS: tuple[type[CredentialsBlock], ...] = (
    OpenAICredentials,
    ElevenLabsCredentials,
    GoogleCredentials,
    YouTubeCredentials,
    PexelsCredentials,
)


def settings_with(settings: Settings, blocks: list[CredentialsBlock]) -> Settings:
    """``settings`` with every value the credential ``blocks`` hold put in (blocks win)."""
    update: dict[str, Any] = {}
    for block in blocks:
        update |= block.settings_update()
    # Settings is frozen; model_copy makes a new one. The values are already the settings'
    # types (SecretStr, Path, str), so nothing needs validating again.
    return settings.model_copy(update=update)


def load_credentials(name: str) -> list[CredentialsBlock]:
    """The credential blocks saved under ``name`` on the Prefect API; types never registered
    or without such a document are left out."""
    saved = (load_saved(block_type, name) for block_type in CREDENTIAL_BLOCKS)
    return [block for block in saved if block is not None]


def settings_from_blocks(settings: Settings) -> Settings:
    """The settings flows run with: the environment's, with the credential blocks named by
    ``settings.credentials_block`` put in where the Prefect API has them, and the endpoint
    blocks ``settings.endpoint_blocks`` names (``blocks/endpoints.py``)."""
    with_credentials = settings_with(settings, load_credentials(settings.credentials_block))
    return settings_with_endpoints(with_credentials)


def youtube_oauth(name: str, token_uri: str) -> OAuthClient:
    """The OAuth client of the ``YouTubeCredentials`` block saved as ``name`` (a channel
    profile's ``youtube_credentials``); IdentityError, one line, when there is none."""
    block = load_saved(YouTubeCredentials, name)
    if block is None:
        raise IdentityError(f"no YouTubeCredentials block named {name!r}")
    if block.client_id is None or block.client_secret is None or block.refresh_token is None:
        raise IdentityError(f"YouTubeCredentials block {name!r} holds no OAuth client")
    return OAuthClient(block.client_id, block.client_secret, block.refresh_token, token_uri)


def youtube_identity(
    settings: Settings, channel: str, credentials: str | None, expected_channel_id: str | None
) -> ChannelIdentity:
    """Who acts for ``channel`` on YouTube, resolved where the run runs (the worker): its
    block, its ``YTEMPIRE_YOUTUBE_<SLUG>_*`` variables, or (``default`` only) the settings."""
    return identity.resolve(
        settings,
        channel,
        credentials=credentials,
        expected_channel_id=expected_channel_id,
        environ=os.environ,
        load_block=lambda name: youtube_oauth(name, settings.youtube_token_uri),
    )
