"""Mastering reads and writes the narration in blocks: the same cuts and samples as whole."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from ytempire.quality.audio import Loudness, read_wav
from ytempire.voice.assemble import sound_bounds
from ytempire.voice.master import SAMPLE_RATE, _write_gained, wav_sound_bounds

RATE = 22_050


def write_pcm(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    frames = samples[:, None] if samples.ndim == 1 else samples
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(frames.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(np.round(frames * 32767).astype("<i2").tobytes())
    return path


def speech(channels: int) -> np.ndarray:
    """0.7 s of silence, 1.3 s of a tone with a quiet tail, 0.9 s of silence."""
    t = np.arange(round(1.3 * RATE)) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 200 * t) * np.linspace(1, 0.001, len(t))
    mono = np.concatenate([np.zeros(round(0.7 * RATE)), tone, np.zeros(round(0.9 * RATE))])
    return np.stack([mono * (1 - 0.3 * c) for c in range(channels)], axis=1)


@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("block_frames", [1, 1000, 1 << 19])
def test_streamed_bounds_equal_the_in_memory_ones(
    tmp_path: Path, channels: int, block_frames: int
) -> None:
    wav = write_pcm(tmp_path / "raw.wav", speech(channels))
    samples, rate = read_wav(wav)

    bounds, got_rate, got_channels = wav_sound_bounds(wav, block_frames=block_frames)

    expected = sound_bounds(samples.mean(axis=1) * 32768, rate)
    assert expected is not None and expected[0] > 0.6 * RATE
    assert bounds == expected
    assert (got_rate, got_channels) == (RATE, channels)


def test_silence_and_empty_have_no_bounds(tmp_path: Path) -> None:
    assert wav_sound_bounds(write_pcm(tmp_path / "a.wav", np.zeros(5000)))[0] is None
    assert wav_sound_bounds(write_pcm(tmp_path / "b.wav", np.zeros(0)))[0] is None


@pytest.mark.parametrize("channels", [1, 2])
def test_gain_written_in_blocks_is_the_whole_gain(tmp_path: Path, channels: int) -> None:
    rng = np.random.default_rng(3)
    raw = rng.uniform(-0.5, 0.5, (1_300_001, channels)).astype("<f4")  # > 2 blocks of frames
    source = tmp_path / "voice.f32"
    raw.tofile(source)
    measured = Loudness(integrated_lufs=-20.0, true_peak_dbtp=-6.0, range_lu=3.0)

    result = _write_gained(source, channels, tmp_path / "out.wav", 3.0, measured)

    with wave.open(str(tmp_path / "out.wav"), "rb") as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, SAMPLE_RATE)
        got = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").reshape(-1, 2)
    scaled = np.clip(np.round(raw * np.float32(10 ** (3 / 20)) * 32767), -32768, 32767)
    expected = np.repeat(scaled, 2, axis=1) if channels == 1 else scaled
    np.testing.assert_array_equal(got, expected.astype("<i2"))
    assert result.integrated_lufs == pytest.approx(-17.0)
