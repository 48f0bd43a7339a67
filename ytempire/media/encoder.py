"""Which H.264 encoder renders, decided by trying it, and how each one is driven.

A GPU in the machine says nothing about NVENC (data-centre GPUs such as the H100 have none),
and an FFmpeg build that lists ``h264_nvenc`` may still fail to open it. So the choice is a
one-frame trial encode, made once per process and cached.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from ytempire.media.ffmpeg import FFmpegError, ffmpeg_exe, run
from ytempire.media.h264 import SPLICEABLE_X264_PARAMS

TRIAL_TIMEOUT_S = 30.0
AUTO = "auto"


@dataclass(frozen=True)
class EncoderSpec:
    """How to drive one encoder: its options, and whether its streams take skip frames."""

    name: str
    spliceable: bool

    def args(self, *, crf: int, preset: str, threads: int = 0) -> list[str]:
        """Encoder arguments for one part: H.264 High, yuv420p, the given quality."""
        if self.name == "libx264":
            params = {**SPLICEABLE_X264_PARAMS, "threads": str(threads) if threads else "auto"}
            return [
                "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
                "-profile:v", "high", "-pix_fmt", "yuv420p",
                "-x264-params", ":".join(f"{k}={v}" for k, v in params.items()),
            ]  # fmt: skip
        # NVENC's streams (CABAC, its own reference structure) take no skip frames: every
        # frame is encoded, which the GPU does far faster than real time.
        return [
            "-c:v", "h264_nvenc", "-preset", "p4", "-rc", "vbr", "-cq", str(crf + 1),
            "-b:v", "0", "-profile:v", "high", "-pix_fmt", "yuv420p", "-bf", "0",
            # Forced key frames (one per shot) as IDR pictures, which readers can seek to.
            "-forced-idr", "1",
        ]  # fmt: skip


ENCODERS = {
    "libx264": EncoderSpec("libx264", spliceable=True),
    "h264_nvenc": EncoderSpec("h264_nvenc", spliceable=False),
}


def spec(name: str) -> EncoderSpec:
    """The spec of a known encoder; ValueError naming the known ones otherwise."""
    try:
        return ENCODERS[name]
    except KeyError:
        known = ", ".join(sorted(ENCODERS))
        raise ValueError(f"no render settings for encoder {name!r} (known: {known})") from None


@functools.cache
def works(encoder: str) -> bool:
    """Whether ``encoder`` really encodes here: one 1280x720 frame to nowhere. Cached."""
    try:
        run(
            [
                ffmpeg_exe(),
                "-f", "lavfi", "-i", "color=c=black:s=1280x720:r=30",
                "-frames:v", "1", "-c:v", encoder, "-f", "null", "-",
            ],
            timeout=TRIAL_TIMEOUT_S,
        )  # fmt: skip
    except FFmpegError:
        return False
    return True


def pick(preference: str = AUTO) -> EncoderSpec:
    """The encoder to render with: ``preference`` if it names one, else ``h264_nvenc`` when a
    trial encode succeeds, else ``libx264``."""
    if preference != AUTO:
        return spec(preference)
    return ENCODERS["h264_nvenc"] if works("h264_nvenc") else ENCODERS["libx264"]
