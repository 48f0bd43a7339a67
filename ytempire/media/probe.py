"""Read what a media file really contains, from its container and stream headers.

The FFmpeg wheel ships no ffprobe, so this uses PyAV. Nothing is decoded: every value comes
from metadata, so probing a long video costs milliseconds.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
from av.container import InputContainer

from ytempire.models import MediaInfo

# PyAV reports container durations in FFmpeg's AV_TIME_BASE (microseconds).
_AV_TIME_BASE = 1_000_000


class ProbeError(ValueError):
    """The file is missing, unreadable, or not a video FFmpeg understands."""


def probe(path: Path) -> MediaInfo:
    """Describe the first video stream and first audio stream of ``path``.

    Raises :class:`ProbeError` (one line naming the file) when the file cannot be opened as
    media or has no video stream. Audio fields are None when there is no audio stream.
    """
    try:
        container = av.open(str(path), mode="r")
    except (av.FFmpegError, OSError) as exc:
        raise ProbeError(f"cannot read {path} as media: {_reason(exc)}") from None
    try:
        return _describe(path, container)
    finally:
        container.close()


def _describe(path: Path, container: InputContainer) -> MediaInfo:
    if not container.streams.video:
        kinds = ", ".join(sorted({str(s.type) for s in container.streams})) or "no streams"
        raise ProbeError(f"{path} has no video stream ({container.format.name}: {kinds})")
    video = container.streams.video[0]
    vctx = video.codec_context
    container_s = _container_seconds(container)
    rate = video.average_rate or video.guessed_rate or video.base_rate
    video_duration = _seconds(video.duration, video.time_base)
    audio = container.streams.audio[0] if container.streams.audio else None
    size = path.stat().st_size
    return MediaInfo(
        path=path,
        size_bytes=size,
        duration_s=container_s if container_s is not None else (video_duration or 0.0),
        video_codec=vctx.name,
        video_profile=video.profile,
        pixel_format=vctx.pix_fmt or "",
        width=vctx.width,
        height=vctx.height,
        fps=float(rate) if rate else 0.0,
        video_duration_s=video_duration if video_duration is not None else (container_s or 0.0),
        video_start_s=_seconds(video.start_time, video.time_base, default=0.0) or 0.0,
        bitrate_bps=container.bit_rate or _average_bitrate(size, container_s),
        audio_codec=audio.codec_context.name if audio else None,
        audio_profile=audio.profile if audio else None,
        sample_rate=audio.codec_context.sample_rate if audio else None,
        channels=audio.codec_context.layout.nb_channels if audio else None,
        audio_duration_s=_seconds(audio.duration, audio.time_base, container_s) if audio else None,
        audio_start_s=_seconds(audio.start_time, audio.time_base, 0.0) if audio else None,
        colour=(int(vctx.colorspace), int(vctx.color_primaries), int(vctx.color_trc)),
    )


def _seconds(
    value: int | None, time_base: Fraction | None, default: float | None = None
) -> float | None:
    if value is None or time_base is None:
        return default
    return float(value * time_base)


def _container_seconds(container: InputContainer) -> float | None:
    if container.duration is None:
        return None
    return container.duration / _AV_TIME_BASE


def _average_bitrate(size_bytes: int, seconds: float | None) -> int:
    return round(size_bytes * 8 / seconds) if seconds else 0


def _reason(exc: BaseException) -> str:
    """The error's own words, without the errno and path PyAV repeats."""
    strerror = getattr(exc, "strerror", None)
    if isinstance(strerror, str) and strerror:
        return strerror
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
