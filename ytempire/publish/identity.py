"""Which YouTube identity acts for a channel: its OAuth client and the channel id it expects.

Every channel names its own identity; nothing fleet-wide acts for a named channel. For the
channel ``channel`` (a slug), in this order:

1. the ``YouTubeCredentials`` block the profile names (``youtube_credentials``), loaded by
   the caller (the Prefect layer: the core never sees a block);
2. else, for a named channel, the environment variables with its slug in their names,
   ``YTEMPIRE_YOUTUBE_<SLUG>_CLIENT_ID``, ``_CLIENT_SECRET`` and ``_REFRESH_TOKEN`` (the slug
   upper-cased, dashes as underscores: ``cosmos-explained`` →
   ``YTEMPIRE_YOUTUBE_COSMOS_EXPLAINED_CLIENT_ID``);
3. else, for the ``default`` channel only (an ad hoc ``ytempire video`` without
   ``--channel``), the settings' global ``YTEMPIRE_YOUTUBE_CLIENT_ID`` / ``_CLIENT_SECRET`` /
   ``_REFRESH_TOKEN`` (which the ``default`` credential blocks fill on a server);
4. else none: the video goes to the outbox, and :attr:`ChannelIdentity.missing` says why.

The channel id the identity must act for comes from the profile (``youtube_channel_id``,
carried by the job); the ``default`` channel's from the setting ``youtube_channel_id``.
The uploader checks it with YouTube before it uploads (``youtube.YouTubeUploader``).

Half an identity (some of the three variables set, not all) is an :class:`IdentityError`,
never quietly the outbox: the operator meant to configure it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pydantic import SecretStr

from ytempire.providers.google_api import OAuthClient
from ytempire.publish.youtube import oauth_from
from ytempire.settings import Settings

DEFAULT_CHANNEL = "default"
ENV_PREFIX = "YTEMPIRE_YOUTUBE_"
ENV_PARTS = ("CLIENT_ID", "CLIENT_SECRET", "REFRESH_TOKEN")


class IdentityError(ValueError):
    """A channel's identity is configured wrongly; the message is one line naming what."""


@dataclass(frozen=True)
class ChannelIdentity:
    """Who acts for ``channel`` on YouTube. ``source`` names where the OAuth client came
    from (never a secret); with no client, ``missing`` says why the outbox is used."""

    channel: str
    oauth: OAuthClient | None
    expected_channel_id: str | None
    source: str

    @property
    def missing(self) -> str | None:
        return None if self.oauth is not None else self.source


def env_stem(channel: str) -> str:
    """``YTEMPIRE_YOUTUBE_<SLUG>``: the slug upper-cased, dashes as underscores."""
    return ENV_PREFIX + channel.upper().replace("-", "_")


def env_names(channel: str) -> tuple[str, str, str]:
    """The three environment variables that hold ``channel``'s OAuth client."""
    client_id, secret, token = (f"{env_stem(channel)}_{part}" for part in ENV_PARTS)
    return client_id, secret, token


def from_environment(
    channel: str, environ: Mapping[str, str], token_uri: str
) -> OAuthClient | None:
    """``channel``'s OAuth client from its slugged variables; None when none is set."""
    names = env_names(channel)
    values = [environ.get(name, "").strip() for name in names]
    if not any(values):
        return None
    if not all(values):
        unset = ", ".join(n for n, v in zip(names, values, strict=True) if not v)
        raise IdentityError(f"channel {channel!r}: {unset} unset; the three go together")
    client_id, secret, token = values
    return OAuthClient(client_id, SecretStr(secret), SecretStr(token), token_uri)


def resolve(
    settings: Settings,
    channel: str,
    *,
    credentials: str | None,
    expected_channel_id: str | None,
    environ: Mapping[str, str],
    load_block: Callable[[str], OAuthClient],
) -> ChannelIdentity:
    """The identity that acts for ``channel`` (module docstring for the order).

    ``credentials`` is the name of the profile's ``YouTubeCredentials`` block, loaded with
    ``load_block`` (which raises a one-line error when it cannot). ``environ`` is the
    environment of the process that acts (the worker's).
    """
    expected = expected_channel_id
    if channel == DEFAULT_CHANNEL and expected is None:
        expected = settings.youtube_channel_id
    if credentials:
        oauth: OAuthClient | None = load_block(credentials)
        return ChannelIdentity(channel, oauth, expected, f"YouTubeCredentials {credentials!r}")
    if channel != DEFAULT_CHANNEL:
        oauth = from_environment(channel, environ, settings.youtube_token_uri)
        client_id, secret, token = env_names(channel)
        if oauth is not None:
            return ChannelIdentity(channel, oauth, expected, f"{env_stem(channel)}_*")
        return ChannelIdentity(
            channel,
            None,
            expected,
            f"channel {channel!r} has no YouTube credentials (its profile names no "
            f"youtube_credentials block and {client_id}, {secret}, {token} are unset)",
        )
    oauth = oauth_from(settings)
    if oauth is not None:
        return ChannelIdentity(channel, oauth, expected, "YTEMPIRE_YOUTUBE_* settings")
    return ChannelIdentity(
        channel,
        None,
        expected,
        "no YouTube credentials for the default channel (YTEMPIRE_YOUTUBE_CLIENT_ID, "
        "_CLIENT_SECRET, _REFRESH_TOKEN unset)",
    )
