"""How a delivery (calm, excited, serious, whisper) is said by each cloud engine.

A script block or a dialogue turn may carry a :class:`ytempire.models.Delivery`; its chunks
keep it (``ytempire.voice.chunks``). ElevenLabs takes it as voice settings (lower stability
and more style sound livelier; higher stability steadier), Google as SSML ``<prosody>``
around the chunk (rate, pitch, volume; a whisper is very soft, slower and de-emphasised).
The table is the one docs/voice.md shows. Offline engines cannot say a delivery: the
narration records it as not honoured (``ytempire.voice.synthesis``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from pydantic import BaseModel, ConfigDict, Field

from ytempire.models import Delivery

# ElevenLabs accepts speeds from 0.7 to 1.2 only.
ELEVENLABS_SPEED = (0.7, 1.2)


class Style(BaseModel):
    """One delivery's settings on each cloud engine."""

    model_config = ConfigDict(frozen=True)

    # ElevenLabs voice settings (0-1); speed is a factor on the voice profile's speed.
    stability: float = Field(ge=0, le=1)
    similarity_boost: float = Field(ge=0, le=1)
    style: float = Field(ge=0, le=1)
    speed: float = Field(gt=0)
    # Google SSML <prosody> attributes; an <emphasis> level inside it, where one is set.
    rate: str
    pitch: str
    volume: str
    emphasis: str | None = None


# No delivery: seed §2.2's voice settings and no prosody.
PLAIN = Style(
    stability=0.75,
    similarity_boost=0.85,
    style=0.0,
    speed=1.0,
    rate="100%",
    pitch="+0st",
    volume="medium",
)

STYLES: Mapping[Delivery, Style] = MappingProxyType(
    {
        Delivery.calm: Style(
            stability=0.85,
            similarity_boost=0.85,
            style=0.0,
            speed=0.92,
            rate="92%",
            pitch="-1st",
            volume="soft",
        ),
        Delivery.excited: Style(
            stability=0.35,
            similarity_boost=0.85,
            style=0.6,
            speed=1.1,
            rate="110%",
            pitch="+2st",
            volume="+2dB",
        ),
        Delivery.serious: Style(
            stability=0.8,
            similarity_boost=0.9,
            style=0.15,
            speed=0.95,
            rate="95%",
            pitch="-2st",
            volume="medium",
        ),
        Delivery.whisper: Style(
            stability=0.6,
            similarity_boost=0.75,
            style=0.3,
            speed=0.9,
            rate="90%",
            pitch="-1st",
            volume="x-soft",
            emphasis="reduced",
        ),
    }
)


def style_of(delivery: Delivery | None) -> Style:
    """The settings of ``delivery``; :data:`PLAIN` for none."""
    return PLAIN if delivery is None else STYLES[delivery]


def elevenlabs_speed(profile_speed: float, delivery: Delivery | None) -> float:
    """The profile's speed times the delivery's factor, within what ElevenLabs accepts."""
    low, high = ELEVENLABS_SPEED
    return round(min(max(profile_speed * style_of(delivery).speed, low), high), 3)


def prosody(inner: str, delivery: Delivery | None) -> str:
    """SSML ``inner`` (no ``<speak>``) wrapped in ``delivery``'s prosody; unchanged for none."""
    if delivery is None:
        return inner
    style = STYLES[delivery]
    if style.emphasis:
        inner = f'<emphasis level="{style.emphasis}">{inner}</emphasis>'
    return (
        f'<prosody rate="{style.rate}" pitch="{style.pitch}" volume="{style.volume}">'
        f"{inner}</prosody>"
    )


# The most bytes a delivery's wrapping adds to a request's SSML (Google's 5,000-byte limit).
PROSODY_BYTES = max(len(prosody("", d).encode()) for d in Delivery)
