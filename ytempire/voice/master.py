"""Mastering: the raw narration made ready to publish.

1. Leading and trailing silence are cut (the engine's padding), and ``TAIL_S`` of silence is
   left after the last word, so the last syllable and the last subtitle are not cut short.
2. The voice is resampled to 48 kHz stereo.
3. Loudness: a look-ahead limiter, then one linear gain, gives -14 LUFS integrated with the
   true peak at or under -1.5 dBTP. Speech peaks ~20 dB above its loudness, more than -14
   LUFS leaves room for under -1 dBTP, so the limiter must shave the peaks first; how much it
   shaves lowers the loudness, so the gain into the limiter is found in a few passes (each
   measured with FFmpeg's EBU R128 meter), like a two-pass linear ``loudnorm`` after a
   limiter, but without its 192 kHz detour.
4. Music, when a folder is configured: one track (looped, faded in and out) is mixed under
   the voice, ducked by a sidechain compressor while the voice speaks, about
   ``music_below_speech_db`` under it; the mix is limited and normalised again.

FFmpeg does the signal processing (through ``ytempire.media.ffmpeg.run``); the last linear
gain and the 16-bit WAV are written here with numpy, atomically.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import wave
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ytempire.media.ffmpeg import FFmpegError, ffmpeg_exe, run
from ytempire.media.graph import Graph, Output, Stream
from ytempire.quality.audio import (
    LUFS_FLOOR,
    STREAM_BLOCK_FRAMES,
    Loudness,
    discard,
    loudness_meter,
    open_wav,
    read_loudness_log,
    wav_blocks,
)
from ytempire.voice.assemble import FRAME_S, bounds_from_frames, frame_rms
from ytempire.voice.errors import MasteringError
from ytempire.workspace import atomic_path

SAMPLE_RATE = 48_000
CHANNELS = 2
TARGET_LUFS = -14.0
LOUDNESS_TOLERANCE_LU = 1.0
# Where the limiter and gain put the true peak: under the -1 dBTP delivery limit with room
# for a lossy encode's overshoot.
TARGET_TRUE_PEAK_DBTP = -1.5
# Sample-peak ceiling of the limiter; inter-sample peaks at 48 kHz add a few tenths of a dB.
LIMITER_CEILING_DBFS = -2.0
LIMITER_ATTACK_MS = 5.0
LIMITER_RELEASE_MS = 50.0
# How much the loudness rises per dB of gain into the limiter, as first guess (Piper speech:
# 0.5-0.6); later passes use the measured slope.
FIRST_SLOPE = 0.6
MAX_PASSES = 5
# The gain pass aims this far under the target, so the last gain is a small boost.
AIM_UNDER_LU = 0.1
TAIL_S = 0.5

MUSIC_SUFFIXES = frozenset({".mp3", ".wav", ".flac", ".ogg", ".oga", ".opus", ".m4a", ".aac"})
# The bed sits ``music_below_speech_db - DUCK_DEPTH_DB`` under the voice while it pauses and is
# pulled down by about DUCK_DEPTH_DB more while it speaks. The compressor is nearly a switch
# (low threshold, high ratio); its dry/wet mix bounds the depth, so ducking does not pump.
DUCK_DEPTH_DB = 8.0
DUCK_THRESHOLD = 0.01
DUCK_RATIO = 20
DUCK_ATTACK_MS = 20
DUCK_RELEASE_MS = 500
# The wet signal under speech is ~20 dB down; the mix of dry (1 - m) and wet gives the depth.
_WET_UNDER_SPEECH = 0.1
MUSIC_FADE_IN_S = 1.0
MUSIC_FADE_OUT_S = 2.0


def _raw(channels: int) -> dict[str, Any]:
    """Input options of our headerless 48 kHz float scratch files."""
    return {"f": "f32le", "ar": SAMPLE_RATE, "ac": channels}


class Mastered(BaseModel):
    """What mastering wrote and did."""

    path: Path = Field(description="the final master (voice, plus music when mixed)")
    voice_path: Path = Field(description="the mastered voice alone (== path without music)")
    music_path: Path | None = None
    offset_s: float = Field(ge=0, description="seconds cut from the raw audio's start")
    duration_s: float = Field(gt=0)
    loudness_lufs: float
    true_peak_dbtp: float
    passes: int = Field(ge=1, description="limiter passes the voice needed")
    notes: list[str] = Field(default_factory=list, description="what was skipped, and why")


def choose_track(music_dir: Path, key: str) -> Path | None:
    """One audio file of ``music_dir`` (not recursive), the same one for the same ``key``."""
    if not music_dir.is_dir():
        return None
    tracks = sorted(
        p for p in music_dir.iterdir() if p.is_file() and p.suffix.lower() in MUSIC_SUFFIXES
    )
    if not tracks:
        return None
    index = int(hashlib.sha256(key.encode()).hexdigest(), 16) % len(tracks)
    return tracks[index]


def master(
    raw_path: Path,
    destination: Path,
    *,
    work_dir: Path,
    music_dir: Path | None = None,
    music_key: str = "",
    music_below_speech_db: float = 20.0,
) -> Mastered:
    """Master the narration in ``raw_path`` (any rate, mono or stereo WAV) to a 48 kHz stereo
    16-bit WAV at ``destination``; see the module docstring for the steps.

    ``offset_s`` in the result is what to subtract from the raw audio's timings. With music,
    the voice alone is kept as ``work_dir/voice_master.wav``. A music folder without a
    usable track leaves the master without music and says so in ``notes``. Raises
    ``MasteringError`` for audio without sound or a level that cannot be reached, and
    ``FFmpegError`` when FFmpeg fails on the voice.
    """
    bounds, rate, raw_channels = wav_sound_bounds(raw_path)
    if bounds is None:
        raise MasteringError(f"{raw_path.name} has no sound to master")
    start, end = bounds
    pad = round(TAIL_S * rate)
    work_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    track = None
    if music_dir is not None:
        track = choose_track(music_dir, music_key)
        if track is None:
            notes.append(f"music: no audio files in {music_dir}; mastered without music")

    with (
        tempfile.TemporaryDirectory(prefix=".master-", dir=work_dir) as big,
        tempfile.TemporaryDirectory(prefix="ytempire-meter-") as logs,
    ):
        scratch, meters = Path(big), Path(logs)
        # A mono voice stays mono (half the work) until the final write, and is metered as
        # the dual-mono stereo it becomes.
        channels = 1 if raw_channels == 1 else CHANNELS
        resampled = scratch / "voice-48k.f32"
        g, stream = resample_graph(raw_path, start, end, pad)
        measured = _render(g, stream, resampled, meters / "voice.log", channels)
        duration = resampled.stat().st_size / (4 * channels * SAMPLE_RATE)

        voice_path = destination if track is None else work_dir / "voice_master.wav"
        limited, passes = _limit_to_target(resampled, channels, measured, scratch, meters)
        voice = _write_gained(limited.path, channels, voice_path, limited.gain_db, limited.loudness)
        result = Mastered(
            path=voice_path,
            voice_path=voice_path,
            offset_s=start / rate,
            duration_s=duration,
            loudness_lufs=voice.integrated_lufs,
            true_peak_dbtp=voice.true_peak_dbtp,
            passes=passes,
            notes=notes,
        )
        if track is None:
            return result
        try:
            mixed = _mix_music(
                voice_path, track, duration, music_below_speech_db, destination, scratch, meters
            )
        except (FFmpegError, MasteringError) as exc:
            result.notes.append(f"music: could not mix {track.name} ({exc}); mastered without it")
            _copy(voice_path, destination)
            return result.model_copy(update={"path": destination})
        return result.model_copy(
            update={
                "path": destination,
                "music_path": track,
                "loudness_lufs": mixed.integrated_lufs,
                "true_peak_dbtp": mixed.true_peak_dbtp,
            }
        )


def wav_sound_bounds(
    raw_path: Path, *, block_frames: int = STREAM_BLOCK_FRAMES
) -> tuple[tuple[int, int] | None, int, int]:
    """(``assemble.sound_bounds`` of the WAV's channel mean at int16 scale, its rate, its
    channels), read about ``block_frames`` at a time (whole ``FRAME_S`` frames), so memory
    does not grow with the narration. Raises ``ValueError`` for a file that is no WAV."""
    with open_wav(raw_path) as wav:
        rate, channels = wav.getframerate(), wav.getnchannels()
    frame = max(1, round(FRAME_S * rate))
    levels: list[np.ndarray] = []
    peak, length = 0.0, 0
    for block, _ in wav_blocks(raw_path, block_frames=frame * max(1, block_frames // frame)):
        mono = block.mean(axis=1) * 32768
        if mono.size:
            levels.append(frame_rms(mono, rate))
            peak = max(peak, float(np.abs(mono).max()))
        length += len(mono)
    if not length:
        return None, rate, channels
    return bounds_from_frames(np.concatenate(levels), peak, length, rate), rate, channels


class _Limited(BaseModel):
    path: Path
    loudness: Loudness
    gain_db: float


def _limit_to_target(
    source: Path, channels: int, measured: Loudness, scratch: Path, meters: Path
) -> tuple[_Limited, int]:
    """Limit ``source`` (raw 48 kHz float) at a gain that needs only a small linear gain
    afterwards to reach the target loudness under the target true peak."""
    if measured.integrated_lufs <= LUFS_FLOOR:
        raise MasteringError("the narration is silent to the loudness meter")
    aim = TARGET_LUFS - AIM_UNDER_LU
    gain = aim - measured.integrated_lufs
    tried: list[tuple[float, Loudness]] = []
    limited = scratch / "voice-limited.f32"
    for _ in range(MAX_PASSES):
        g, stream = limit_graph(source, channels, gain)
        loudness = _render(g, stream, limited, meters / f"limit-{len(tried)}.log", channels)
        tried.append((gain, loudness))
        final = _final_gain(loudness)
        if loudness.integrated_lufs + final >= TARGET_LUFS - 0.05:
            return _Limited(path=limited, loudness=loudness, gain_db=final), len(tried)
        if len(tried) == 1:
            slope = FIRST_SLOPE
        else:
            (g0, l0), (g1, l1) = tried[-2], tried[-1]
            slope = (l1.integrated_lufs - l0.integrated_lufs) / (g1 - g0) if g1 != g0 else 1.0
            slope = min(max(slope, 0.2), 1.0)
        gain += (aim - loudness.integrated_lufs) / slope
    # Out of passes: the last pass, as close to the target as its peaks allow.
    loudness = tried[-1][1]
    final = _final_gain(loudness)
    if abs(loudness.integrated_lufs + final - TARGET_LUFS) > LOUDNESS_TOLERANCE_LU:
        raise MasteringError(
            f"could not reach {TARGET_LUFS} LUFS under {TARGET_TRUE_PEAK_DBTP} dBTP in "
            f"{MAX_PASSES} passes (last: {loudness.integrated_lufs + final:.1f} LUFS)"
        )
    return _Limited(path=limited, loudness=loudness, gain_db=final), len(tried)


def _final_gain(loudness: Loudness) -> float:
    """The linear gain to the target loudness, less if the true peak would pass its target."""
    return min(
        TARGET_LUFS - loudness.integrated_lufs,
        TARGET_TRUE_PEAK_DBTP - loudness.true_peak_dbtp,
    )


def resample_graph(raw_path: Path, start: int, end: int, pad: int) -> tuple[Graph, Stream]:
    """The raw narration's samples ``start`` to ``end``, ``pad`` samples of silence after
    them, resampled to 48 kHz (step 1 and 2 of the module docstring)."""
    g = Graph()
    stream = g.chain(
        g.file(raw_path, "a"),
        ("atrim", {"start_sample": start, "end_sample": end}),
        ("asetpts", {"expr": "N/SR/TB"}),
        ("apad", {"pad_len": pad}),
        ("aresample", {"osr": SAMPLE_RATE, "resampler": "soxr"}),
    )
    return g, stream


def limit_graph(source: Path, channels: int, gain_db: float) -> tuple[Graph, Stream]:
    """``source`` (raw 48 kHz float with ``channels``) ``gain_db`` louder, then limited."""
    g = Graph()
    gained = g.filter(
        g.file(source, "a", **_raw(channels)), "volume", f"{gain_db:.4f}dB", precision="float"
    )
    return g, _limiter(g, gained)


def bed_graph(track: Path, duration: float) -> tuple[Graph, Stream]:
    """``track`` looped to ``duration`` seconds, 48 kHz stereo, faded in and out."""
    fade_out_at = max(0.0, duration - MUSIC_FADE_OUT_S)
    g = Graph()
    music = g.chain(
        g.file(track, "a", stream_loop=-1, t=f"{duration:.6f}"),
        ("aresample", {"osr": SAMPLE_RATE, "resampler": "soxr"}),
        ("aformat", {"channel_layouts": "stereo"}),
        ("afade", {"t": "in", "d": MUSIC_FADE_IN_S}),
        ("afade", {"t": "out", "st": f"{fade_out_at:.6f}", "d": MUSIC_FADE_OUT_S}),
    )
    return g, music


def mix_graph(
    voice_path: Path, bed: Path, bed_gain_db: float, wet_share: float
) -> tuple[Graph, Stream]:
    """The bed (raw 48 kHz stereo float) ``bed_gain_db`` louder, ducked under the voice by a
    sidechain compressor whose wet share is ``wet_share``, mixed with it and limited."""
    g = Graph()
    voice = g.file(voice_path, "a")
    level = g.filter(
        g.file(bed, "a", **_raw(CHANNELS)), "volume", f"{bed_gain_db:.4f}dB", precision="float"
    )
    ducked = g.join(
        [level, voice],
        "sidechaincompress",
        threshold=DUCK_THRESHOLD,
        ratio=DUCK_RATIO,
        attack=DUCK_ATTACK_MS,
        release=DUCK_RELEASE_MS,
        mix=f"{min(1.0, wet_share):.4f}",
    )
    mixed = g.join([voice, ducked], "amix", inputs=2, duration="first", normalize=0)
    return g, _limiter(g, mixed)


def metered_command(
    g: Graph, stream: Stream, output: Path, log: Path, channels: int = CHANNELS
) -> list[str]:
    """The FFmpeg arguments (after the executable) that run ``g``, writing ``stream`` as raw
    48 kHz float (mono or stereo) to ``output`` and metering it on the way into ``log``
    (mono as dual mono)."""
    layout = "mono" if channels == 1 else "stereo"
    formatted = g.filter(stream, "aformat", sample_fmts="flt", channel_layouts=layout)
    meter = loudness_meter(g, formatted, log, dual_mono=channels == 1)
    return g.command(Output(formatted, str(output), {"f": "f32le"}), discard(meter))


def _limiter(g: Graph, stream: Stream) -> Stream:
    return g.filter(
        stream,
        "alimiter",
        limit=f"{10 ** (LIMITER_CEILING_DBFS / 20):.6f}",
        attack=LIMITER_ATTACK_MS,
        release=LIMITER_RELEASE_MS,
        level="false",
        # Compensates the look-ahead delay: timings stay sample-exact, length unchanged.
        latency="true",
    )


def _render(
    g: Graph, stream: Stream, output: Path, log: Path, channels: int = CHANNELS
) -> Loudness:
    """Run :func:`metered_command`; the loudness it measured."""
    run([ffmpeg_exe(), *metered_command(g, stream, output, log, channels)], timeout=600)
    return read_loudness_log(log)


def _write_gained(
    source: Path, channels: int, destination: Path, gain_db: float, measured: Loudness
) -> Loudness:
    """``source`` (raw float with ``channels``, metered as ``measured``) times ``gain_db``,
    as a 16-bit stereo WAV at ``destination`` (mono in both channels). A linear gain moves
    loudness and true peak by exactly the gain, so the returned figures are the file's."""
    factor = np.float32(10 ** (gain_db / 20))
    with (
        source.open("rb") as raw,
        atomic_path(destination) as tmp,
        wave.open(str(tmp), "wb") as wav,
    ):
        wav.setnchannels(CHANNELS)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        # Block by block (whole frames of ``channels``): memory does not grow with length.
        while (block := np.fromfile(raw, dtype="<f4", count=STREAM_BLOCK_FRAMES * channels)).size:
            pcm = np.clip(np.round(block * factor * 32767), -32768, 32767).astype("<i2")
            if channels == 1:
                pcm = np.repeat(pcm, CHANNELS)
            wav.writeframes(pcm.tobytes())
    return Loudness(
        integrated_lufs=measured.integrated_lufs + gain_db,
        true_peak_dbtp=measured.true_peak_dbtp + gain_db,
        range_lu=measured.range_lu,
    )


def _mix_music(
    voice_path: Path,
    track: Path,
    duration: float,
    below_db: float,
    destination: Path,
    scratch: Path,
    meters: Path,
) -> Loudness:
    """Mix ``track`` under the mastered voice, ducked, limited and normalised, into
    ``destination``; return the mix's loudness."""
    bed = scratch / "music.f32"
    bed_loudness = _render(*bed_graph(track, duration), bed, meters / "music.log")
    if bed_loudness.integrated_lufs <= LUFS_FLOOR:
        raise MasteringError(f"{track.name} is silent")
    bed_gain = TARGET_LUFS - (below_db - DUCK_DEPTH_DB) - bed_loudness.integrated_lufs
    depth = 10 ** (-DUCK_DEPTH_DB / 20)
    wet_share = (1 - depth) / (1 - _WET_UNDER_SPEECH)

    out = scratch / "mix.f32"
    loudness = _render(*mix_graph(voice_path, bed, bed_gain, wet_share), out, meters / "mix.log")
    gain = _final_gain(loudness)
    if abs(loudness.integrated_lufs + gain - TARGET_LUFS) > LOUDNESS_TOLERANCE_LU:
        raise MasteringError(f"the mix reaches only {loudness.integrated_lufs + gain:.1f} LUFS")
    return _write_gained(out, CHANNELS, destination, gain, loudness)


def _copy(source: Path, destination: Path) -> None:
    with atomic_path(destination) as tmp:
        shutil.copyfile(source, tmp)
