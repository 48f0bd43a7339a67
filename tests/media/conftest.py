"""Real media for the render tests: three PNG slides and a ~3 s Piper-like narration WAV."""

from __future__ import annotations

import wave
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ytempire.models import Slide, Timeline

SLIDE_COLOURS = [(200, 30, 30), (30, 160, 60), (30, 60, 200)]
NARRATION_S = 3.0
PIPER_RATE = 22_050


@pytest.fixture
def slide_paths(tmp_path: Path) -> list[Path]:
    """Three 1920x1080 slides: a solid colour each, with a yellow disc in the middle."""
    paths = []
    for index, colour in enumerate(SLIDE_COLOURS):
        image = Image.new("RGB", (1920, 1080), colour)
        ImageDraw.Draw(image).ellipse((760, 340, 1160, 740), fill=(250, 220, 40))
        path = tmp_path / "slides" / f"slide-{index}.png"
        path.parent.mkdir(exist_ok=True)
        image.save(path)
        paths.append(path)
    return paths


@pytest.fixture
def narration_wav(tmp_path: Path) -> Path:
    """A 3 s 440 Hz tone as Piper writes speech: 22050 Hz, mono, 16-bit PCM."""
    t = np.arange(round(NARRATION_S * PIPER_RATE)) / PIPER_RATE
    samples = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    path = tmp_path / "narration.wav"
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PIPER_RATE)
        wav.writeframes(samples.tobytes())
    return path


TimelineFactory = Callable[..., Timeline]


@pytest.fixture
def make_timeline(slide_paths: list[Path], narration_wav: Path) -> TimelineFactory:
    """Build a timeline over the three slides (1 s each) and the narration."""

    def make(width: int = 1920, height: int = 1080, images: list[Path] | None = None) -> Timeline:
        images = images or slide_paths
        step = NARRATION_S / len(images)
        slides = [
            Slide(image_path=path, start=i * step, end=(i + 1) * step, kind="section")
            for i, path in enumerate(images)
        ]
        return Timeline(
            engine="test",
            width=width,
            height=height,
            duration_s=NARRATION_S,
            slides=slides,
            audio_path=narration_wav,
        )

    return make
