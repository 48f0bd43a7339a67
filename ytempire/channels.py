"""Channel profiles: who each channel is for and how its videos look and sound.

Offline the profiles come from a YAML file (``channels.yaml`` at the repository root by
default, setting ``channels_file``); with a Prefect server, ``ChannelProfile`` blocks
(``blocks/channel.py``) carry the same fields and win. Either way they end up as
:class:`Channel`, validated here, and a bad entry is one line naming the file, the channel
and the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
    model_validator,
)

from ytempire.language import check_tag, language
from ytempire.models import (
    CLONING_NEEDS_CONSENT,
    END_SCREEN_S,
    HEX_COLOUR,
    MAX_BRAND_COLOURS,
    MAX_PROFILE_CHARS,
    SLUG_PATTERN,
    YOUTUBE_CHANNEL_ID,
    Aspect,
    CaptionStyleName,
    ClonedVoice,
    ContentType,
    StylePresetName,
    VideoJob,
    VoiceConsent,
    VoiceProfile,
    end_screen_length,
)
from ytempire.translations import jobs_in_languages


class ChannelsError(ValueError):
    """The channel profiles cannot be read; the message is one line naming what is wrong."""


class Channel(BaseModel):
    """One faceless channel's profile: the same fields as the ``ChannelProfile`` block."""

    name: str = Field(pattern=SLUG_PATTERN, max_length=64, description="the channel's slug")
    niche: str = Field(min_length=1, max_length=100, description="what the channel covers")
    content_type: ContentType = ContentType.educational
    style: str = Field(
        default="", max_length=MAX_PROFILE_CHARS, description="visual and editing style"
    )
    tone: str = Field(
        default="", max_length=MAX_PROFILE_CHARS, description="how the narration sounds"
    )
    audience: str = Field(
        default="", max_length=MAX_PROFILE_CHARS, description="who the videos are for"
    )
    voice: VoiceProfile = VoiceProfile.professional_male
    language: str = Field(default="en", description="BCP-47 tag: en, es, pt-BR, ja, …")
    languages: list[str] = Field(
        default_factory=list,
        description="make each video in all of these (the first from the topic, the others "
        "translated from it); unset: in ``language`` only",
    )
    language_channels: dict[str, str] = Field(
        default_factory=dict,
        description="the channel that publishes a language's videos (language → channel "
        "slug); a language left out is published here",
    )
    accent: str | None = Field(
        default=None, description="the voices' accent, a locale of the language (en-GB, es-MX)"
    )
    speakers: dict[str, VoiceProfile] = Field(
        default_factory=dict,
        max_length=2,
        description="a dialogue's two speakers, name → voice profile; unset: one narrator",
    )
    # Its own voice, cloned on ElevenLabs once and reused (docs/voice.md).
    voice_samples: list[Path] = Field(
        default_factory=list, description="recordings of its narrator's voice, to clone"
    )
    voice_consent: VoiceConsent | None = Field(
        default=None, description="the narrator's consent: statement, given_by, given_on"
    )
    cloned_voice: ClonedVoice | None = Field(
        default=None, description="the clone made from voice_samples (written by the pipeline)"
    )
    region: str | None = Field(
        default=None,
        pattern=r"^[A-Z]{2}$",
        description="the country its trends come from (YouTube's regionCode); unset: the "
        "language's region, else YTEMPIRE_YOUTUBE_REGION",
    )
    brand_colours: list[Annotated[str, StringConstraints(pattern=HEX_COLOUR)]] = Field(
        default_factory=list,
        max_length=MAX_BRAND_COLOURS,
        description="#RRGGBB: background, accent, text, second background, muted text",
    )
    privacy: Literal["public", "unlisted", "private"] = "private"
    videos_per_day: int = Field(default=1, ge=0, le=50)
    minutes: float = Field(default=1.0, gt=0, le=60, description="target length of a video")
    aspect: Aspect = Aspect.landscape
    youtube_credentials: str | None = Field(
        default=None,
        min_length=1,
        description="the YouTubeCredentials block that uploads for this channel; unset: the "
        "YTEMPIRE_YOUTUBE_<SLUG>_* variables (docs/publishing.md)",
    )
    youtube_channel_id: str | None = Field(
        default=None,
        pattern=YOUTUBE_CHANNEL_ID,
        description="the YouTube channel (UC…) its credentials must act for",
    )
    critical_checks: list[str] | None = Field(
        default=None,
        description="quality checks whose failure holds an upload (check or item.check); "
        "unset: those the suites mark critical",
    )
    publish_template_scripts: bool = Field(
        default=False,
        description="publish videos whose script the offline template writer wrote "
        "(held for an operator by default)",
    )
    footage_library_first: bool = Field(
        default=False, description="footage from the asset library first, then Pexels"
    )
    # How its videos look (docs/branding.md).
    style_preset: StylePresetName | None = Field(
        default=None,
        description="calm-explainer, fast-cuts or data-story: pacing and caption style; "
        "unset: the house look",
    )
    caption_style: CaptionStyleName = Field(
        default="clean",
        description="word-by-word captions: clean, bold-pop or karaoke (docs/captions.md)",
    )
    max_pause_s: float = Field(
        default=0.2, gt=0, le=3, description="pauses in the narration longer than this are cut"
    )
    heading_font: str | None = Field(
        default=None, min_length=1, max_length=100, description="font file for headings"
    )
    body_font: str | None = Field(
        default=None, min_length=1, max_length=100, description="font file for body text"
    )
    logo: Path | None = Field(
        default=None, description="PNG with transparency, shown as a corner watermark"
    )
    logo_opacity: float = Field(default=0.6, gt=0, le=1, description="the watermark's opacity")
    intro: bool = Field(default=False, description="open on a card with the name and logo")
    end_screen_s: float = Field(
        default=0.0,
        ge=0,
        le=END_SCREEN_S[1],
        description="an end screen for YouTube's end-screen elements, 5-20 s; 0: none",
    )

    @field_validator("end_screen_s")
    @classmethod
    def _end_screen(cls, value: float) -> float:
        return end_screen_length(value)

    @field_validator("language", "accent")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        return None if value is None else check_tag(value)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(check_tag(tag) for tag in value))

    @field_validator("language_channels")
    @classmethod
    def _language_channels(cls, value: dict[str, str]) -> dict[str, str]:
        for slug in value.values():
            if not re.fullmatch(SLUG_PATTERN, slug):
                raise ValueError(f"{slug!r} is not a channel slug")
        return {check_tag(tag): slug for tag, slug in value.items()}

    @model_validator(mode="after")
    def _languages_agree(self) -> Channel:
        spoken = self.spoken_languages
        if self.accent is not None and language(self.accent).code != language(spoken[0]).code:
            raise ValueError(f"accent {self.accent!r} is not an accent of {spoken[0]!r}")
        stray = [tag for tag in self.language_channels if tag not in spoken]
        if stray:
            raise ValueError(f"language_channels names {', '.join(stray)}, not in languages")
        if self.voice_samples and self.voice_consent is None:
            raise ValueError(CLONING_NEEDS_CONSENT)
        return self

    @property
    def spoken_languages(self) -> list[str]:
        """The languages its videos are made in, the first one first."""
        return self.languages or [self.language]

    def job(self, video_id: str, topic: str) -> VideoJob:
        """The video job for one of this channel's videos on ``topic``; style, tone,
        audience and brand colours the profile leaves empty keep the job's defaults."""
        given = {
            "style": self.style,
            "tone": self.tone,
            "audience": self.audience,
            "brand_colours": tuple(self.brand_colours),
        }
        return VideoJob(
            video_id=video_id,
            topic=topic,
            minutes=self.minutes,
            content_type=self.content_type,
            voice=self.voice,
            language=self.spoken_languages[0],
            accent=self.accent,
            speakers=tuple(self.speakers.items()),
            voice_samples=tuple(self.voice_samples),
            voice_consent=self.voice_consent,
            cloned_voice=self.cloned_voice,
            channel=self.name,
            niche=self.niche,
            aspect=self.aspect,
            privacy=self.privacy,
            youtube_credentials=self.youtube_credentials,
            youtube_channel_id=self.youtube_channel_id,
            critical_checks=None if self.critical_checks is None else tuple(self.critical_checks),
            publish_template_scripts=self.publish_template_scripts,
            footage_library_first=self.footage_library_first,
            style_preset=self.style_preset,
            caption_style=self.caption_style,
            max_pause_s=self.max_pause_s,
            heading_font=self.heading_font,
            body_font=self.body_font,
            logo=self.logo,
            logo_opacity=self.logo_opacity,
            intro=self.intro,
            end_screen_s=self.end_screen_s,
            **{field: value for field, value in given.items() if value},
        )

    def jobs(self, video_id: str, topic: str, profiles: Mapping[str, Channel]) -> list[VideoJob]:
        """Its video on ``topic`` in each of its languages, linked (``ytempire.translations``)."""
        return jobs_in_languages(
            self.job(video_id, topic), self.spoken_languages, self.publishers(profiles)
        )

    def publishers(self, profiles: Mapping[str, Channel]) -> dict[str, dict[str, Any]]:
        """Who publishes each language ``language_channels`` names: that channel's name and,
        when ``profiles`` has it, its YouTube identity and privacy."""
        return {
            tag: {"channel": slug}
            if slug not in profiles
            else {
                "channel": slug,
                "youtube_credentials": profiles[slug].youtube_credentials,
                "youtube_channel_id": profiles[slug].youtube_channel_id,
                "privacy": profiles[slug].privacy,
            }
            for tag, slug in self.language_channels.items()
        }


def field_error(exc: ValidationError) -> str:
    """The first validation error as ``field: message`` (the same words VideoJob uses)."""
    error = exc.errors()[0]
    field = ".".join(str(part) for part in error["loc"]) or "profile"
    return f"{field}: {error['msg']}"


def load_channels(path: Path) -> list[Channel]:
    """The channels in the YAML file at ``path``, in file order.

    The file maps each channel's name to its profile (the name may be left out of the
    profile). Raises ChannelsError naming the file, the channel and the field.
    """
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ChannelsError(
            f"{path}: no channels file (set YTEMPIRE_CHANNELS_FILE to one)"
        ) from None
    except (OSError, yaml.YAMLError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ChannelsError(f"{path}: cannot be read: {reason}") from None
    if not isinstance(data, dict) or not data:
        raise ChannelsError(f"{path}: expected a mapping of channel name to profile")
    channels = []
    for name, profile in data.items():
        if not isinstance(profile, dict):
            raise ChannelsError(f"{path}: channel {name!r}: expected a mapping of fields")
        if "name" in profile and profile["name"] != name:
            raise ChannelsError(
                f"{path}: channel {name!r}: name: {profile['name']!r} differs from its key"
            )
        try:
            channels.append(Channel.model_validate({**profile, "name": str(name)}))
        except ValidationError as exc:
            raise ChannelsError(f"{path}: channel {name!r}: {field_error(exc)}") from None
    return channels


def choose(channels: list[Channel], names: list[str] | None, source: str) -> list[Channel]:
    """The channels named in ``names`` (all when None), or ChannelsError naming the unknown."""
    if names is None:
        return channels
    known = {c.name: c for c in channels}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ChannelsError(
            f"{source}: no channel {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(known) or 'none'}"
        )
    return [known[n] for n in dict.fromkeys(names)]
