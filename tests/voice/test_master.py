"""Mastering real Piper speech: trimmed, 48 kHz stereo, -14 LUFS, true peak under -1 dBTP,
and a music bed ducked about 20 dB under the voice."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest
from piper import PiperVoice

from ytempire.media.ffmpeg import ffmpeg_exe
from ytempire.models import VoiceProfile
from ytempire.quality.audio import measure_loudness, read_wav
from ytempire.voice import master as mastering
from ytempire.voice.chunks import Chunk
from ytempire.voice.errors import MasteringError
from ytempire.voice.master import choose_track, master
from ytempire.voice.piper_engine import PiperEngine

pytestmark = pytest.mark.slow

SENTENCES = [
    "Black holes are not quite black, because they glow very faintly at the edge.",
    "Over a very long time that glow carries away all of their mass.",
    "In the end, even the largest of them will simply fade away.",
]
# The music bed's chord sits above 11.6 kHz, where Piper's 22 kHz voice has nothing, so the
# bed can be measured in the mix on its own.
BED_HZ = (12_500, 13_700, 15_100)
SPLIT_HZ = 11_600


def write_wav(path: Path, samples: np.ndarray, rate: int) -> Path:
    frames = samples if samples.ndim == 2 else samples[:, None]
    with wave.open(str(path), "wb") as file:
        file.setnchannels(frames.shape[1])
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(np.round(frames * 32767).astype("<i2").tobytes())
    return path


def write_music(path: Path, seconds: float, rate: int = 44_100) -> Path:
    """A synthesised stereo bed (no copyrighted audio): a high chord, slowly swelling."""
    t = np.arange(round(seconds * rate)) / rate
    chord = sum(np.sin(2 * np.pi * f * t + k) for k, f in enumerate(BED_HZ)) / len(BED_HZ)
    chord *= 0.5 * (1 + 0.2 * np.sin(2 * np.pi * 0.25 * t))
    return write_wav(path, np.stack([chord, 0.9 * chord], axis=1), rate)


def ebur128_summary(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from FFmpeg's own printed summary (not our log)."""
    result = subprocess.run(
        [ffmpeg_exe(), "-nostats", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = result.stderr.rsplit("Summary:", 1)[1]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


def band(samples: np.ndarray, rate: int, high: bool) -> np.ndarray:
    spectrum = np.fft.rfft(samples, axis=0)
    freqs = np.fft.rfftfreq(len(samples), 1 / rate)
    spectrum[(freqs < SPLIT_HZ) if high else (freqs >= SPLIT_HZ)] = 0
    return np.fft.irfft(spectrum, n=len(samples), axis=0)


@pytest.fixture(scope="module")
def piper_raw(piper_voice: PiperVoice, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Piper speech with 0.7 s of leading and 1.2 s of trailing near-silence (as engines
    pad), and a 3 s pause in the middle."""
    engine = PiperEngine(VoiceProfile.professional_male)
    rate = 22_050
    first = engine.synthesize_chunk(Chunk(index=0, block=0, sentences=SENTENCES[:2])).samples
    second = engine.synthesize_chunk(Chunk(index=1, block=1, sentences=SENTENCES[2:])).samples
    rng = np.random.default_rng(0)

    def hush(seconds: float) -> np.ndarray:
        return rng.normal(0, 10 ** (-80 / 20), round(seconds * rate))

    speech = np.concatenate([hush(0.7), first / 32768, hush(3.0), second / 32768, hush(1.2)])
    return write_wav(tmp_path_factory.mktemp("raw") / "voice_raw.wav", speech, rate)


@pytest.fixture(scope="module")
def mastered(
    piper_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[mastering.Mastered, Path]:
    folder = tmp_path_factory.mktemp("plain")
    return master(piper_raw, folder / "narration.wav", work_dir=folder / "work"), folder


def test_master_is_48k_stereo_16_bit(mastered: tuple[mastering.Mastered, Path]) -> None:
    result, folder = mastered
    with wave.open(str(result.path), "rb") as file:
        assert (file.getframerate(), file.getnchannels(), file.getsampwidth()) == (48000, 2, 2)
        assert result.duration_s == pytest.approx(file.getnframes() / 48000, abs=1e-6)
    assert result.voice_path == result.path and result.music_path is None
    assert result.notes == []
    # Only the master and the (empty of scratch) work folder are left.
    assert sorted(p.name for p in folder.iterdir()) == ["narration.wav", "work"]
    assert list((folder / "work").iterdir()) == []


def test_master_reaches_minus_14_lufs_under_minus_1_dbtp(
    mastered: tuple[mastering.Mastered, Path],
) -> None:
    result, _ = mastered
    integrated, peak = ebur128_summary(result.path)
    assert integrated == pytest.approx(-14.0, abs=0.2)
    assert peak <= -1.0
    # What mastering reports is what the file measures.
    assert result.loudness_lufs == pytest.approx(integrated, abs=0.1)
    assert result.true_peak_dbtp == pytest.approx(peak, abs=0.1)
    assert 1 <= result.passes <= mastering.MAX_PASSES
    samples, _ = read_wav(result.path)
    assert np.abs(samples).max() < 10 ** (-1.0 / 20)


def test_silence_is_trimmed_and_a_short_tail_kept(
    mastered: tuple[mastering.Mastered, Path], piper_raw: Path
) -> None:
    result, _ = mastered
    raw, raw_rate = read_wav(piper_raw)
    # The padding goes (give or take Piper's own 10 ms before its first sound).
    assert 0.69 <= result.offset_s <= 0.72
    samples, rate = read_wav(result.path)
    level = np.abs(samples[:, 0])
    loud = np.flatnonzero(level > 10 ** (-50 / 20))
    # Sound starts within 20 ms of the start, and ends TAIL_S (plus the kept decay) before
    # the end: the engine's 0.7 s and 1.2 s of padding are gone.
    assert loud[0] / rate < 0.02
    tail = len(samples) / rate - loud[-1] / rate
    assert mastering.TAIL_S <= tail <= mastering.TAIL_S + 0.06
    raw_sound = len(raw) / raw_rate - 0.7 - 1.2
    assert result.duration_s == pytest.approx(raw_sound + mastering.TAIL_S, abs=0.06)
    # The inner 3 s pause is the voice's own and stays.
    assert result.duration_s > 3.0 + 5


def test_the_limiter_does_not_shift_the_audio(
    mastered: tuple[mastering.Mastered, Path], piper_raw: Path
) -> None:
    """The master lines up with the raw audio (less the trimmed offset) to within half a
    millisecond: the limiter's 5 ms look-ahead is compensated."""
    result, _ = mastered
    raw, raw_rate = read_wav(piper_raw)
    out, rate = read_wav(result.path)
    # Two seconds of speech from 6 s into the master, taken from the raw audio at 48 kHz.
    times = result.offset_s + 6.0 + np.arange(2 * rate) / rate
    reference = np.interp(times, np.arange(len(raw)) / raw_rate, raw[:, 0])
    start = round(6.0 * rate)
    lags = np.arange(-480, 481, 4)
    scores = [
        float(np.dot(reference, out[start + lag : start + lag + 2 * rate, 0])) for lag in lags
    ]
    best = int(lags[int(np.argmax(scores))])
    assert abs(best) <= 24, f"the master is {best / rate * 1000:.1f} ms off"


def test_silent_audio_cannot_be_mastered(tmp_path: Path) -> None:
    raw = write_wav(tmp_path / "raw.wav", np.zeros(22050), 22050)
    with pytest.raises(MasteringError, match="no sound"):
        master(raw, tmp_path / "n.wav", work_dir=tmp_path / "work")
    assert not (tmp_path / "n.wav").exists()


def test_choose_track_is_stable_per_key(tmp_path: Path) -> None:
    for name in ("b.mp3", "a.wav", "c.flac", "notes.txt"):
        (tmp_path / name).write_bytes(b"")
    picks = {choose_track(tmp_path, f"video-{i}") for i in range(40)}
    assert picks == {tmp_path / "a.wav", tmp_path / "b.mp3", tmp_path / "c.flac"}
    assert choose_track(tmp_path, "x") == choose_track(tmp_path, "x")
    assert choose_track(tmp_path / "missing", "x") is None


@pytest.fixture(scope="module")
def with_music(
    piper_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[mastering.Mastered, Path]:
    folder = tmp_path_factory.mktemp("music")
    music_dir = folder / "music"
    music_dir.mkdir()
    # Shorter than the voice: it must loop.
    write_music(music_dir / "bed.wav", seconds=6.0)
    result = master(
        piper_raw,
        folder / "narration.wav",
        work_dir=folder / "work",
        music_dir=music_dir,
        music_key="video",
        music_below_speech_db=20,
    )
    return result, folder


def test_music_mix_is_at_target_loudness(with_music: tuple[mastering.Mastered, Path]) -> None:
    result, folder = with_music
    assert result.music_path == folder / "music" / "bed.wav"
    assert result.voice_path == folder / "work" / "voice_master.wav"
    integrated, peak = ebur128_summary(result.path)
    assert integrated == pytest.approx(-14.0, abs=0.2)
    assert peak <= -1.0
    voice_integrated, _ = ebur128_summary(result.voice_path)
    assert voice_integrated == pytest.approx(-14.0, abs=0.2)
    with wave.open(str(result.path), "rb") as file:
        assert file.getnframes() / 48000 == pytest.approx(result.duration_s, abs=1e-6)


def test_music_is_ducked_about_20_db_under_speech(
    with_music: tuple[mastering.Mastered, Path], tmp_path: Path
) -> None:
    result, _ = with_music
    samples, rate = read_wav(result.path)
    bed = measure_loudness(
        write_wav(tmp_path / "bed.wav", band(samples, rate, True), rate), momentary=True
    )
    voice = measure_loudness(
        write_wav(tmp_path / "voice.wav", band(samples, rate, False), rate), momentary=True
    )
    voice_levels = np.array([m for _, m in voice.momentary])
    bed_levels = np.array([m for _, m in bed.momentary])
    times = np.array([t for t, _ in voice.momentary])
    speaking = voice_levels > voice.integrated_lufs - 6
    under = float(np.median(bed_levels[speaking]))
    assert voice.integrated_lufs - under == pytest.approx(20, abs=3)
    # In the 3 s pause (its middle second, after the compressor's release) the bed rises by
    # about the ducking depth.
    gap = (
        (voice_levels < voice.integrated_lufs - 30) & (times > 2) & (times < result.duration_s - 2)
    )
    assert gap.sum() >= 8, "the 3 s pause should show as quiet voice readings"
    risen = float(np.median(bed_levels[gap])) - under
    assert risen == pytest.approx(mastering.DUCK_DEPTH_DB, abs=3)
    # The 6 s track loops: the bed is still there near the end, before its fade-out.
    late = (times > result.duration_s - 4) & (times < result.duration_s - 2.5)
    assert bed_levels[late].min() > voice.integrated_lufs - 30


def test_an_empty_music_folder_means_no_music_and_a_note(piper_raw: Path, tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    result = master(
        piper_raw, tmp_path / "n.wav", work_dir=tmp_path / "work", music_dir=tmp_path / "music"
    )
    assert result.music_path is None and result.voice_path == result.path
    assert result.notes and "no audio files" in result.notes[0]


def test_an_unreadable_track_means_no_music_and_a_note(piper_raw: Path, tmp_path: Path) -> None:
    (tmp_path / "music").mkdir()
    (tmp_path / "music" / "broken.mp3").write_bytes(b"not audio at all" * 100)
    result = master(
        piper_raw, tmp_path / "n.wav", work_dir=tmp_path / "work", music_dir=tmp_path / "music"
    )
    assert result.music_path is None
    assert "could not mix broken.mp3" in result.notes[0]
    integrated, _ = ebur128_summary(result.path)
    assert integrated == pytest.approx(-14.0, abs=0.2)
