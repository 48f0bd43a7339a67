"""Speech-like audio whose every character's time is known: what the TTS test servers say.

Each word is a voiced buzz (a 120 Hz tone with its harmonics, faded in and out), spaces are
short gaps, a sentence end is a longer pause, and the clip starts and ends with silence the
way real engines pad their output. A quiet noise floor (about -75 dBFS) runs throughout, so
"silence" is not digital zero.
"""

from __future__ import annotations

import io
import tempfile
import wave
from pathlib import Path

import numpy as np

from ytempire.media.ffmpeg import ffmpeg_exe, run

CHAR_S = 0.06
SPACE_S = 0.05
SENTENCE_PAUSE_S = 0.3
LEAD_S = 0.2
TAIL_S = 0.3
F0_HZ = 120.0
AMPLITUDE = 0.25
NOISE_DBFS = -75.0
FADE_S = 0.008


def speak(text: str, rate: int, speed: float = 1.0) -> tuple[np.ndarray, list[float], list[float]]:
    """int16 mono samples speaking ``text`` at ``rate``, and each character's start and end.

    A space's span is the gap it stands for; ``speed`` above 1 speaks faster.
    """
    starts: list[float] = []
    ends: list[float] = []
    at = LEAD_S
    for i, char in enumerate(text):
        if char.isspace():
            gap = SPACE_S + (SENTENCE_PAUSE_S if i and text[i - 1] in ".!?" else 0.0)
            length = gap / speed
        else:
            length = CHAR_S / speed
        starts.append(at)
        ends.append(at + length)
        at += length
    total = at + TAIL_S
    n = round(total * rate)
    rng = np.random.default_rng(len(text))
    audio = rng.normal(0.0, 10 ** (NOISE_DBFS / 20), n)
    t = np.arange(n) / rate
    harmonics = [k for k in range(1, 40) if k * F0_HZ < min(rate / 2 - 500, 8000)]
    voice = sum(np.sin(2 * np.pi * k * F0_HZ * t) / k for k in harmonics)
    voice = voice / np.abs(voice).max() * AMPLITUDE
    for first, last in _words(text):
        a, b = round(starts[first] * rate), round(ends[last] * rate)
        envelope = np.ones(b - a)
        fade = min(round(FADE_S * rate), (b - a) // 2)
        if fade:
            ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
            envelope[:fade] *= ramp
            envelope[-fade:] *= ramp[::-1]
        audio[a:b] += voice[a:b] * envelope
    return np.clip(np.round(audio * 32767), -32768, 32767).astype(np.int16), starts, ends


def _words(text: str) -> list[tuple[int, int]]:
    """(first, last) character index of each run of non-space characters."""
    spans, start = [], None
    for i, char in enumerate(text):
        if not char.isspace() and start is None:
            start = i
        elif char.isspace() and start is not None:
            spans.append((start, i - 1))
            start = None
    if start is not None:
        spans.append((start, len(text) - 1))
    return spans


def wav_bytes(samples: np.ndarray, rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.astype("<i2").tobytes())
    return buffer.getvalue()


def mp3_bytes(samples: np.ndarray, rate: int, bitrate: str = "128k") -> bytes:
    """The samples as an MP3 (LAME, through the FFmpeg wheel)."""
    with tempfile.TemporaryDirectory() as tmp:
        source, target = Path(tmp) / "in.wav", Path(tmp) / "out.mp3"
        source.write_bytes(wav_bytes(samples, rate))
        run([ffmpeg_exe(), "-i", str(source), "-c:a", "libmp3lame", "-b:a", bitrate, str(target)])
        return target.read_bytes()
