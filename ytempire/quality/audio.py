"""Measurements of spoken audio for the quality stage: pace, silence, levels, clipping,
loudness.

Levels are in dBFS, where 0 dBFS is a full-scale sample; silence is reported as
``DBFS_FLOOR`` rather than minus infinity, so every metric is a finite number. Loudness
(ITU-R BS.1770 / EBU R128: integrated LUFS, true peak in dBTP) is FFmpeg's own ``ebur128``
meter, read back through a metadata log, so mastering and the quality stage measure with the
same reference implementation.
"""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.graph import Graph, Output, Stream

WINDOW_S = 0.05
SILENCE_DBFS = -45.0
NOISE_PERCENTILE = 10
DBFS_FLOOR = -120.0
# A sample at or beyond the largest positive 16-bit value counts as clipped.
CLIP_LEVEL = 32767 / 32768
# What ebur128 reports for silence: its absolute gate.
LUFS_FLOOR = -70.0
# Long files are read this many frames (or windows) at a time, never whole.
STREAM_BLOCK_FRAMES = 1 << 19
STREAM_BLOCK_WINDOWS = 200


class SpeechMetrics(BaseModel):
    """What the quality suite checks about a narration track."""

    duration_s: float = Field(ge=0)
    words_per_minute: float = Field(ge=0)
    silence_ratio: float = Field(
        ge=0, le=1, description=f"share of {WINDOW_S * 1000:.0f} ms windows below {SILENCE_DBFS}"
    )
    peak_dbfs: float
    rms_dbfs: float
    longest_silence_s: float = Field(
        ge=0, description="longest run of silent windows: dead air, not the pauses of speech"
    )
    noise_floor_dbfs: float = Field(
        description=f"{NOISE_PERCENTILE}th-percentile level of the windows"
    )
    clipping_ratio: float = Field(ge=0, le=1, description="share of samples at full scale")
    integrated_loudness_lufs: float | None = Field(
        default=None, description="BS.1770 integrated loudness of the delivered audio"
    )
    true_peak_dbtp: float | None = Field(
        default=None, description="4x oversampled peak of the delivered audio"
    )


class Loudness(BaseModel):
    """What FFmpeg's EBU R128 meter says about a stream."""

    integrated_lufs: float = Field(description=f"gated integrated loudness; {LUFS_FLOOR} if silent")
    true_peak_dbtp: float = Field(
        description=f"highest true peak of any channel; {DBFS_FLOOR} if silent"
    )
    range_lu: float = Field(ge=0, description="loudness range (LRA)")
    momentary: list[tuple[float, float]] = Field(
        default_factory=list, description="(seconds, momentary LUFS over 400 ms), every 100 ms"
    )


def read_wav(wav_path: Path) -> tuple[np.ndarray, int]:
    """The WAV's samples as floats in [-1, 1], shaped (frames, channels), and its rate in Hz.

    Reads uncompressed PCM of 8, 16, 24 or 32 bits. Raises ``ValueError``, one line naming
    the file, for anything else: not a WAV, or a WAV whose data stops before its header says
    (a half-written file must not be measured or mastered as if it were whole). The whole
    file is held in memory (8 bytes a sample): long files are read with :func:`wav_blocks`.
    """
    blocks = list(wav_blocks(wav_path, block_frames=None))
    return np.concatenate([b for b, _ in blocks]), blocks[0][1]


def open_wav(wav_path: Path) -> wave.Wave_read:
    """``wav_path`` opened for reading; ``ValueError``, one line naming it, if it is no WAV."""
    try:
        return wave.open(str(wav_path), "rb")
    except (wave.Error, EOFError) as exc:
        why = str(exc) or "no header"
        raise ValueError(f"{wav_path.name}: not a readable WAV file ({why})") from None


def wav_blocks(
    wav_path: Path, *, block_frames: int | None = STREAM_BLOCK_FRAMES
) -> Iterator[tuple[np.ndarray, int]]:
    """The WAV's samples, as :func:`read_wav` reads them, ``block_frames`` frames at a time
    (the last block shorter; ``None``: one block), each with the rate in Hz. Memory stays
    that of one block whatever the file's length. At least one block comes (empty for an
    empty file); the errors are :func:`read_wav`'s, raised when the damage is reached.
    """
    with open_wav(wav_path) as wav:
        channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
        if width not in (1, 2, 3, 4):
            raise ValueError(f"{wav_path}: unsupported sample width of {width} bytes")
        frames = wav.getnframes()
        step = max(1, frames if block_frames is None else block_frames)
        done = 0
        while True:
            want = min(step, frames - done)
            try:
                raw = wav.readframes(want) if want else b""
            except EOFError:
                raw = b""
            got = len(raw) // (channels * width)
            if got < want:
                raise ValueError(
                    f"{wav_path.name}: truncated WAV file: {done + got} of {frames} frames"
                )
            done += got
            yield _to_float(raw, width).reshape(-1, channels), rate
            if done >= frames:
                return


def _to_float(raw: bytes, width: int) -> np.ndarray:
    """Little-endian PCM of ``width`` bytes a sample as floats in [-1, 1]."""
    if width == 1:
        return (np.frombuffer(raw, dtype=np.uint8).astype(np.float64) - 128) / 128
    if width == 2:
        return np.frombuffer(raw, dtype="<i2") / 32768.0
    if width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        values = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return np.where(values >= 1 << 23, values - (1 << 24), values) / float(1 << 23)
    return np.frombuffer(raw, dtype="<i4") / float(1 << 31)


@dataclass(frozen=True)
class LevelScan:
    """One streaming pass over a WAV: its window levels and whole-file sums."""

    rate: int
    frames: int
    levels: np.ndarray = field(repr=False)  # dBFS of each window, as window_levels gives
    peak: float  # largest sample magnitude, 0..1
    mean_square: float  # over all samples of all channels
    clipped: int  # samples at or beyond CLIP_LEVEL
    samples: int  # frames x channels

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate if self.rate else 0.0


def scan_levels(
    wav_path: Path, *, window_s: float = WINDOW_S, block_windows: int = STREAM_BLOCK_WINDOWS
) -> LevelScan:
    """Window levels, peak, mean square and clipped samples of ``wav_path``, read
    ``block_windows`` windows at a time: what :func:`window_levels` and whole-array numpy
    give, in the memory of one block plus 8 bytes a window. Blocks are whole windows, so
    each window's level comes from the same samples as in memory; the mean square is summed
    block by block (equal to the in-memory one to float rounding). Raises ``ValueError`` as
    :func:`read_wav`.
    """
    with open_wav(wav_path) as wav:
        rate = wav.getframerate()
    size = max(1, round(window_s * rate))
    levels: list[np.ndarray] = []
    peak, squares, clipped, samples, frames = 0.0, 0.0, 0, 0, 0
    for block, _ in wav_blocks(wav_path, block_frames=size * max(1, block_windows)):
        if not block.size:
            continue
        squared = _squares(block)
        levels.append(_power_levels(squared.mean(axis=1), rate, window_s))
        peak = max(peak, float(block.max()), -float(block.min()))
        squares += float(squared.sum())
        del squared
        clipped += int(
            np.count_nonzero(block >= CLIP_LEVEL) + np.count_nonzero(block <= -CLIP_LEVEL)
        )
        samples += block.size
        frames += len(block)
    return LevelScan(
        rate=rate,
        frames=frames,
        levels=np.concatenate(levels) if levels else np.zeros(0),
        peak=peak,
        mean_square=squares / samples if samples else 0.0,
        clipped=clipped,
        samples=samples,
    )


def to_dbfs(level: np.ndarray | float) -> np.ndarray:
    """Linear amplitude (1.0 = full scale) in dBFS, no lower than ``DBFS_FLOOR``."""
    floor = 10 ** (DBFS_FLOOR / 20)
    return 20 * np.log10(np.maximum(np.asarray(level, dtype=np.float64), floor))


def window_levels(samples: np.ndarray, rate: int, window_s: float = WINDOW_S) -> np.ndarray:
    """RMS level in dBFS of each consecutive ``window_s`` window of ``samples`` (shaped
    (frames,) or (frames, channels); all channels together). A final partial window counts
    as a window of its own."""
    return _power_levels(_squares(samples).mean(axis=1), rate, window_s)


def _squares(samples: np.ndarray) -> np.ndarray:
    return (samples[:, None] if samples.ndim == 1 else samples) ** 2


def _power_levels(power: np.ndarray, rate: int, window_s: float) -> np.ndarray:
    """dBFS of each window of per-frame ``power`` (mean square over the channels)."""
    size = max(1, round(window_s * rate))
    whole = len(power) // size
    means = list(power[: whole * size].reshape(whole, size).mean(axis=1))
    if len(power) > whole * size:
        means.append(power[whole * size :].mean())
    return to_dbfs(np.sqrt(np.array(means)))


def _longest_run(flags: np.ndarray) -> int:
    """Length of the longest run of True in ``flags``."""
    padded = np.concatenate(([False], flags, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[::2]).max()) if edges.size else 0


def measure_speech(
    wav_path: Path, word_count: int, *, delivered_path: Path | None = None
) -> SpeechMetrics:
    """Measure a narration WAV that speaks ``word_count`` words.

    Pace is words over the whole duration. The silence ratio is the share of 50 ms windows
    whose RMS is below -45 dBFS, and the longest silence the longest run of such windows (at
    most the duration); the noise floor is the 10th-percentile window level. Peak and
    RMS are over all samples of all channels; clipping is the share of samples at full scale.
    Integrated loudness and true peak are measured on ``delivered_path`` (the final mix, when
    music was mixed under the voice in ``wav_path``), else on ``wav_path`` itself.
    An empty file measures as zero length, silent at ``DBFS_FLOOR``. The WAV is read in
    blocks (:func:`scan_levels`) and loudness by FFmpeg, so memory does not grow with length.
    """
    scan = scan_levels(wav_path)
    duration = scan.duration_s
    if scan.samples == 0:
        return SpeechMetrics(
            duration_s=0.0,
            words_per_minute=0.0,
            silence_ratio=1.0,
            longest_silence_s=0.0,
            peak_dbfs=DBFS_FLOOR,
            rms_dbfs=DBFS_FLOOR,
            noise_floor_dbfs=DBFS_FLOOR,
            clipping_ratio=0.0,
        )
    loudness = measure_loudness(delivered_path or wav_path)
    silent = scan.levels < SILENCE_DBFS
    return SpeechMetrics(
        duration_s=duration,
        words_per_minute=word_count / duration * 60,
        silence_ratio=float(np.mean(silent)),
        longest_silence_s=round(min(duration, _longest_run(silent) * WINDOW_S), 3),
        peak_dbfs=float(to_dbfs(scan.peak)),
        rms_dbfs=float(to_dbfs(np.sqrt(scan.mean_square))),
        noise_floor_dbfs=float(np.percentile(scan.levels, NOISE_PERCENTILE)),
        clipping_ratio=scan.clipped / scan.samples,
        integrated_loudness_lufs=loudness.integrated_lufs,
        true_peak_dbtp=loudness.true_peak_dbtp,
    )


def loudness_meter(
    graph: Graph, stream: Stream, log_path: Path, *, dual_mono: bool = False
) -> Stream:
    """``stream`` (audio of ``graph``) through FFmpeg's EBU R128 meter, logging its readings
    to ``log_path`` for :func:`read_loudness_log`. The audio passes unchanged; the returned
    stream still has to reach an output (:func:`discard` will do). ``dual_mono`` measures a
    mono stream as the stereo file that has it in both channels (3 dB louder).

    ``log_path`` goes into a filtergraph: keep it free of ``,:;[]'\\`` (a temporary folder).
    """
    options = {"dualmono": "true"} if dual_mono else {}
    metered = graph.filter(stream, "ebur128", metadata=1, peak="true", **options)
    return graph.filter(metered, "ametadata", mode="print", file=str(log_path))


def discard(stream: Stream) -> Output:
    """An output that decodes ``stream`` and keeps nothing (``-f null -``)."""
    return Output(stream, "-", {"f": "null"})


def read_loudness_log(log_path: Path, *, momentary: bool = False) -> Loudness:
    """The meter's final readings from a log written by :func:`loudness_meter`.

    Integrated loudness, range and true peak are running values, so the last frame's are
    the whole stream's. An empty log (no audio) reads as silence.
    """
    integrated, true_peak, lra = LUFS_FLOOR, 0.0, 0.0
    series: list[tuple[float, float]] = []
    at = 0.0
    with log_path.open(encoding="utf-8") as log:
        for line in log:
            if line.startswith("frame:"):
                at = float(line.rsplit("pts_time:", 1)[1])
                continue
            key, _, value = line.strip().partition("=")
            if key == "lavfi.r128.I":
                integrated = float(value)
            elif key == "lavfi.r128.true_peak":
                true_peak = float(value)
            elif key == "lavfi.r128.LRA":
                lra = float(value)
            elif key == "lavfi.r128.M" and momentary:
                series.append((at, max(float(value), LUFS_FLOOR - 50)))
    return Loudness(
        integrated_lufs=max(integrated, LUFS_FLOOR),
        true_peak_dbtp=float(to_dbfs(true_peak)),
        range_lu=max(lra, 0.0),
        momentary=series,
    )


def measure_loudness(
    path: Path, *, momentary: bool = False, input_options: dict[str, Any] | None = None
) -> Loudness:
    """Integrated loudness, true peak and loudness range of the audio in ``path``.

    Any format FFmpeg reads; ``input_options`` describe a headerless one (e.g.
    ``{"f": "f32le", "ar": 48000, "ac": 2}``). Mono counts as one channel, as BS.1770 says.
    Raises ``FFmpegError`` when the file cannot be decoded.
    """
    with tempfile.TemporaryDirectory(prefix="ytempire-loudness-") as tmp:
        log = Path(tmp) / "ebur128.log"
        graph = Graph()
        metered = loudness_meter(graph, graph.file(path, "a", **(input_options or {})), log)
        command = graph.command(discard(metered), overwrite=False)
        run([ffmpeg_exe(), *command], timeout=60 + _seconds_hint(path))
        return read_loudness_log(log, momentary=momentary)


def _seconds_hint(path: Path) -> float:
    """A generous FFmpeg timeout share from the file size: metering runs ~100x real time."""
    try:
        return path.stat().st_size / 1e6
    except OSError:
        return 0.0
