"""The ``ChannelProfile`` block: a channel's profile kept by the Prefect server.

Register with ``prefect block register -m blocks.channel`` and save one document per channel
(its document name is usually the channel's name). The fields are exactly those of
``channels.yaml`` (``ytempire.channels.Channel``); when the server has any ChannelProfile,
the daily batch reads the profiles from the server instead of the file.
"""

from __future__ import annotations

from prefect.blocks.core import Block
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import BlockDocumentUpdate
from prefect.exceptions import PrefectHTTPStatusError
from pydantic import ValidationError

from ytempire.channels import Channel, ChannelsError, field_error, load_channels
from ytempire.models import ClonedVoice
from ytempire.settings import Settings

SOURCE = "ChannelProfile blocks"


class ChannelProfile(Block, Channel):
    """A faceless channel: niche, style, tone, audience, voice profile, language (or several
    languages, with the channel that publishes each), accent, a dialogue's speakers, trends
    region, brand colours, privacy and videos per day, and its YouTube identity: the name of its
    ``YouTubeCredentials`` block and the YouTube channel id it expects; and its look: style
    preset, heading and body fonts, logo and its opacity, intro card, end screen length."""

    _block_type_name = "ytempire Channel Profile"
    _block_type_slug = "ytempire-channel-profile"


def load_profiles() -> list[Channel]:
    """Every ChannelProfile document on the Prefect API, by channel name; none when the type
    was never registered. A document that does not validate raises ChannelsError naming it."""
    with get_client(sync_client=True) as client:
        try:
            documents = client.read_block_documents_by_type(ChannelProfile.get_block_type_slug())
        except PrefectHTTPStatusError as exc:
            if exc.response.status_code == 404:  # the type was never registered
                return []
            raise
    profiles = []
    for document in documents:
        try:
            profiles.append(Channel.model_validate(document.data))
        except ValidationError as exc:
            raise ChannelsError(f"{SOURCE}: block {document.name!r}: {field_error(exc)}") from None
    return sorted(profiles, key=lambda c: c.name)


def channel_profiles(settings: Settings) -> tuple[list[Channel], str]:
    """The channels and where they came from: the server's ChannelProfile blocks when it has
    any, else the settings' channels file."""
    profiles = load_profiles()
    if profiles:
        return profiles, SOURCE
    return load_channels(settings.channels_file), str(settings.channels_file)


def remember_cloned_voice(channel: str, voice: ClonedVoice) -> bool:
    """Keep ``voice`` as ``channel``'s ``cloned_voice`` in its ChannelProfile document, so
    its next videos (on any worker) reuse it; False when the server keeps no profile of it.
    Only that field of the document changes (a PATCH merged into its data)."""
    with get_client(sync_client=True) as client:
        try:
            documents = client.read_block_documents_by_type(ChannelProfile.get_block_type_slug())
        except PrefectHTTPStatusError as exc:
            if exc.response.status_code == 404:  # the type was never registered
                return False
            raise
        for document in documents:
            if (document.data or {}).get("name") == channel:
                client.update_block_document(
                    document.id,
                    BlockDocumentUpdate(data={"cloned_voice": voice.model_dump(mode="json")}),
                )
                return True
    return False
