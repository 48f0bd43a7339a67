"""Speech metrics read in blocks equal the whole-array ones, in memory that does not grow."""

from __future__ import annotations

import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest

from ytempire.quality.audio import (
    CLIP_LEVEL,
    NOISE_PERCENTILE,
    SILENCE_DBFS,
    WINDOW_S,
    measure_speech,
    read_wav,
    scan_levels,
    to_dbfs,
    wav_blocks,
    window_levels,
)
from ytempire.quality.clarity import speech_clarity

from .test_audio import write_wav

RATE = 22_050  # Piper's rate: 50 ms windows are 1102.5 samples, rounded to 1102


def narration(seconds: float = 9.3, channels: int = 2) -> np.ndarray:
    """Speech-like bursts over a little noise, pauses between them, one burst clipped."""
    rng = np.random.default_rng(7)
    t = np.arange(round(seconds * RATE)) / RATE
    voice = 0.4 * np.sin(2 * np.pi * 180 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
    voice[round(2 * RATE) : round(2.2 * RATE)] = 1.0  # clipped
    samples = voice + rng.normal(0, 0.002, len(t))
    return np.clip(np.stack([samples * (1 - 0.1 * c) for c in range(channels)], axis=1), -1, 1)


@pytest.mark.parametrize("block_windows", [1, 7, 400])
def test_streamed_levels_equal_the_in_memory_ones(tmp_path: Path, block_windows: int) -> None:
    wav = write_wav(tmp_path / "voice.wav", narration(), rate=RATE)
    samples, rate = read_wav(wav)

    scan = scan_levels(wav, block_windows=block_windows)

    # Windows are cut from the same samples: levels equal exactly.
    np.testing.assert_array_equal(scan.levels, window_levels(samples, rate))
    assert scan.frames == len(samples) and scan.rate == rate
    assert scan.peak == float(np.abs(samples).max())
    assert scan.clipped == int(np.count_nonzero(np.abs(samples) >= CLIP_LEVEL)) > 0
    # Summed block by block: equal to float rounding.
    assert scan.mean_square == pytest.approx(float(np.mean(samples**2)), rel=1e-12)


def test_streamed_speech_metrics_equal_the_in_memory_ones(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", narration(channels=1), rate=RATE)
    samples, rate = read_wav(wav)
    levels = window_levels(samples, rate)
    silent = levels < SILENCE_DBFS

    metrics = measure_speech(wav, 20)

    tolerance = 1e-9  # dB, and shares: rounding of sums only
    assert metrics.duration_s == len(samples) / rate
    assert metrics.silence_ratio == pytest.approx(float(np.mean(silent)), abs=tolerance)
    assert metrics.peak_dbfs == pytest.approx(float(to_dbfs(np.abs(samples).max())), abs=tolerance)
    assert metrics.rms_dbfs == pytest.approx(
        float(to_dbfs(np.sqrt(np.mean(samples**2)))), abs=tolerance
    )
    assert metrics.noise_floor_dbfs == pytest.approx(
        float(np.percentile(levels, NOISE_PERCENTILE)), abs=tolerance
    )
    assert metrics.clipping_ratio == pytest.approx(
        float(np.mean(np.abs(samples) >= CLIP_LEVEL)), abs=tolerance
    )
    assert 0 < metrics.longest_silence_s < metrics.duration_s
    assert 0 < speech_clarity(wav) <= 1


def test_blocks_cover_the_file_in_order(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", narration(seconds=1.01), rate=RATE)
    whole, _ = read_wav(wav)

    blocks = [block for block, _ in wav_blocks(wav, block_frames=1000)]

    assert [len(b) for b in blocks[:-1]] == [1000] * (len(blocks) - 1)
    np.testing.assert_array_equal(np.concatenate(blocks), whole)


def test_a_truncated_file_is_refused_when_streamed(tmp_path: Path) -> None:
    wav = write_wav(tmp_path / "voice.wav", narration(seconds=1.0), rate=RATE)
    data = wav.read_bytes()
    wav.write_bytes(data[: len(data) // 2])

    with pytest.raises(ValueError, match="truncated WAV file"):
        scan_levels(wav, block_windows=3)


def test_memory_does_not_grow_with_the_length(tmp_path: Path) -> None:
    """Two minutes of 48 kHz stereo are 92 MB as whole float arrays; a scan holds a block."""
    path = tmp_path / "long.wav"
    second = (narration(seconds=1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(48_000)
        for _ in range(120 * 48_000 // len(second)):
            out.writeframes(second.tobytes())
    tracemalloc.start()
    try:
        scan = scan_levels(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert scan.duration_s > 100
    assert len(scan.levels) == pytest.approx(scan.duration_s / WINDOW_S, abs=1)
    assert peak < 30e6, f"{peak / 1e6:.0f} MB traced"
