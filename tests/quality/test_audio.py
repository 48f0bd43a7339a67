"""Speech metrics on synthetic WAVs whose answers are known."""

from __future__ import annotations

import math
import wave
from pathlib import Path

import numpy as np
import pytest

from ytempire.quality.audio import (
    DBFS_FLOOR,
    LUFS_FLOOR,
    measure_loudness,
    measure_speech,
    read_wav,
    window_levels,
)

RATE = 16_000  # 50 ms windows are exactly 800 samples


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE, width: int = 2) -> Path:
    """Write float samples in [-1, 1], shaped (frames,) or (frames, channels), as PCM."""
    frames = samples[:, None] if samples.ndim == 1 else samples
    if width == 1:
        data = np.round(frames * 127 + 128).astype(np.uint8).tobytes()
    elif width == 2:
        data = np.round(frames * 32767).astype("<i2").tobytes()
    elif width == 3:
        ints = np.round(frames * (2**23 - 1)).astype("<i4").reshape(-1, 1).view(np.uint8)
        data = ints.reshape(-1, 4)[:, :3].tobytes()
    else:
        data = np.round(frames * (2**31 - 1)).astype("<i4").tobytes()
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(frames.shape[1])
        wav.setsampwidth(width)
        wav.setframerate(rate)
        wav.writeframes(data)
    return path


def tone(seconds: float, amplitude: float, hz: float = 440.0) -> np.ndarray:
    t = np.arange(round(seconds * RATE)) / RATE
    return amplitude * np.sin(2 * np.pi * hz * t)


def test_half_tone_half_silence(tmp_path: Path) -> None:
    # 3 s of a -6 dBFS tone, then 1 s of digital silence and 0.5 s of -60 dBFS noise-like hum.
    samples = np.concatenate([tone(3.0, 0.5), np.zeros(RATE), tone(0.5, 0.001, 50.0)])
    m = measure_speech(write_wav(tmp_path / "a.wav", samples), word_count=9)
    assert m.duration_s == pytest.approx(4.5)
    assert m.words_per_minute == pytest.approx(9 / 4.5 * 60)
    assert m.silence_ratio == pytest.approx(1.5 / 4.5)
    assert m.longest_silence_s == pytest.approx(1.5)
    assert m.peak_dbfs == pytest.approx(20 * math.log10(0.5), abs=0.01)
    tone_power = 0.5**2 / 2 * 3.0 / 4.5 + 0.001**2 / 2 * 0.5 / 4.5
    assert m.rms_dbfs == pytest.approx(10 * math.log10(tone_power), abs=0.01)
    # 10th percentile of 90 windows: inside the 20 silent windows, so the floor.
    assert m.noise_floor_dbfs == pytest.approx(DBFS_FLOOR)
    assert m.clipping_ratio == 0.0


def test_noise_floor_is_the_quiet_parts_level(tmp_path: Path) -> None:
    # 20% of the file is a -70 dBFS (RMS) hum: the 10th percentile sits in it.
    amplitude = 10 ** (-70 / 20) * math.sqrt(2)
    samples = np.concatenate([tone(1.0, amplitude, 100.0), tone(4.0, 0.3)])
    m = measure_speech(write_wav(tmp_path / "b.wav", samples), word_count=10)
    assert m.noise_floor_dbfs == pytest.approx(-70, abs=0.5)
    assert m.silence_ratio == pytest.approx(0.2)
    assert m.longest_silence_s == pytest.approx(1.0)


def test_clipping_ratio_counts_full_scale_samples(tmp_path: Path) -> None:
    clipped = np.clip(tone(1.0, 2.0), -1.0, 1.0)
    samples = np.concatenate([clipped, tone(1.0, 0.5)])
    m = measure_speech(write_wav(tmp_path / "c.wav", samples), word_count=1)
    expected = np.mean(np.abs(np.round(samples * 32767)) >= 32767)
    assert m.clipping_ratio == pytest.approx(expected)
    assert 0.2 < m.clipping_ratio < 0.5
    assert m.peak_dbfs == pytest.approx(0.0, abs=0.001)


def test_partial_last_window_counts(tmp_path: Path) -> None:
    # 1 s of tone then 25 ms of silence: 20 full windows and one half window.
    samples = np.concatenate([tone(1.0, 0.5), np.zeros(RATE // 40)])
    levels = window_levels(read_wav(write_wav(tmp_path / "d.wav", samples))[0], RATE)
    assert len(levels) == 21 and levels[-1] == DBFS_FLOOR
    assert measure_speech(tmp_path / "d.wav", 1).silence_ratio == pytest.approx(1 / 21)


def test_silent_file(tmp_path: Path) -> None:
    m = measure_speech(write_wav(tmp_path / "e.wav", np.zeros(RATE)), word_count=0)
    assert (m.silence_ratio, m.peak_dbfs, m.rms_dbfs) == (1.0, DBFS_FLOOR, DBFS_FLOOR)
    assert m.longest_silence_s == pytest.approx(1.0)
    assert m.words_per_minute == 0.0


def test_empty_file(tmp_path: Path) -> None:
    m = measure_speech(write_wav(tmp_path / "f.wav", np.zeros(0)), word_count=5)
    assert m.duration_s == 0.0 and m.silence_ratio == 1.0


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_sample_widths_and_channels(tmp_path: Path, width: int) -> None:
    left, right = tone(1.0, 0.5), tone(1.0, 0.25)
    path = write_wav(tmp_path / "g.wav", np.stack([left, right], axis=1), width=width)
    samples, rate = read_wav(path)
    assert samples.shape == (RATE, 2) and rate == RATE
    assert np.abs(samples[:, 0] - left).max() < 0.01
    m = measure_speech(path, word_count=2)
    assert m.peak_dbfs == pytest.approx(20 * math.log10(0.5), abs=0.1)
    assert m.rms_dbfs == pytest.approx(10 * math.log10((0.5**2 + 0.25**2) / 4), abs=0.1)


def test_metrics_are_json_finite(tmp_path: Path) -> None:
    m = measure_speech(write_wav(tmp_path / "h.wav", np.zeros(RATE)), word_count=1)
    assert "inf" not in m.model_dump_json().lower()


def sine(seconds: float, dbfs: float, hz: float, rate: int, phase: float = 0.0) -> np.ndarray:
    t = np.arange(round(seconds * rate)) / rate
    return 10 ** (dbfs / 20) * np.sin(2 * np.pi * hz * t + phase)


def test_loudness_of_the_ebu_reference_tone(tmp_path: Path) -> None:
    # EBU Tech 3341, case 1: a stereo 1 kHz sine at -23 dBFS reads -23 LUFS.
    tone = sine(20.0, -23.0, 1000, 48_000)
    stereo = write_wav(tmp_path / "s.wav", np.stack([tone, tone], axis=1), 48_000)
    loudness = measure_loudness(stereo)
    assert loudness.integrated_lufs == pytest.approx(-23.0, abs=0.1)
    assert loudness.true_peak_dbtp == pytest.approx(-23.0, abs=0.1)
    assert loudness.range_lu == pytest.approx(0.0, abs=0.1)
    # BS.1770 counts a mono file's one channel: 3 dB quieter.
    mono = measure_loudness(write_wav(tmp_path / "m.wav", tone, 48_000))
    assert mono.integrated_lufs == pytest.approx(-26.0, abs=0.1)


def test_true_peak_sees_between_samples(tmp_path: Path) -> None:
    # A quarter-rate sine sampled 45 degrees off its crests: every sample is 3 dB under the
    # wave's real peak, which the 4x oversampled true peak finds.
    tone = sine(5.0, -6.0, 12_000, 48_000, phase=np.pi / 4)
    path = write_wav(tmp_path / "t.wav", np.stack([tone, tone], axis=1), 48_000, width=3)
    m = measure_speech(path, word_count=1)
    assert m.peak_dbfs == pytest.approx(-9.0, abs=0.1)
    assert m.true_peak_dbtp is not None
    # BS.1770's interpolator reads a little high this close to Nyquist/2 (about +0.6 dB).
    assert -6.1 <= m.true_peak_dbtp <= -5.2
    assert m.true_peak_dbtp - m.peak_dbfs >= 2.5


def test_silence_reads_as_the_floors(tmp_path: Path) -> None:
    loudness = measure_loudness(write_wav(tmp_path / "z.wav", np.zeros(48_000), 48_000))
    assert loudness.integrated_lufs == LUFS_FLOOR
    assert loudness.true_peak_dbtp == DBFS_FLOOR


def test_momentary_readings_follow_the_level(tmp_path: Path) -> None:
    rate = 48_000
    quiet, loud = sine(2.0, -40.0, 1000, rate), sine(2.0, -20.0, 1000, rate)
    path = write_wav(tmp_path / "q.wav", np.concatenate([quiet, loud]), rate)
    loudness = measure_loudness(path, momentary=True)
    times = [t for t, _ in loudness.momentary]
    assert len(times) == pytest.approx(40, abs=2)
    at = dict(loudness.momentary)
    assert at[min(times, key=lambda t: abs(t - 1.5))] == pytest.approx(-43.0, abs=0.3)
    assert at[min(times, key=lambda t: abs(t - 3.5))] == pytest.approx(-23.0, abs=0.3)


def test_speech_metrics_measure_loudness_on_the_delivered_mix(tmp_path: Path) -> None:
    voice = write_wav(tmp_path / "v.wav", np.concatenate([tone(2.0, 0.1), np.zeros(RATE)]))
    mix = write_wav(tmp_path / "x.wav", tone(3.0, 0.5))
    m = measure_speech(voice, word_count=6, delivered_path=mix)
    # Pace and silence are the voice's; loudness and peak are the mix's.
    assert m.silence_ratio == pytest.approx(1 / 3)
    assert m.peak_dbfs == pytest.approx(20 * math.log10(0.1), abs=0.01)
    assert m.true_peak_dbtp == pytest.approx(20 * math.log10(0.5), abs=0.1)
    assert m.integrated_loudness_lufs == measure_loudness(mix).integrated_lufs
    alone = measure_speech(voice, word_count=6)
    assert alone.integrated_loudness_lufs == measure_loudness(voice).integrated_lufs
    assert alone.integrated_loudness_lufs != m.integrated_loudness_lufs
