"""Audio a TTS provider returned, as int16 mono samples: WAV, raw PCM, or compressed.

Compressed audio (MP3, Opus) is decoded in memory with PyAV, FFmpeg's libraries: no file,
no process. Stereo is averaged to mono (TTS voices are mono; our own stereo comes later,
in mastering).
"""

from __future__ import annotations

import io
import wave

import av
import numpy as np


class AudioDecodeError(ValueError):
    """The bytes are not audio in the format they claim to be."""


def pcm16(data: bytes, rate: int) -> tuple[np.ndarray, int]:
    """Headerless 16-bit little-endian mono PCM."""
    if len(data) % 2:
        raise AudioDecodeError(f"{len(data)} bytes is not a whole number of 16-bit samples")
    return np.frombuffer(data, dtype="<i2").astype(np.int16), rate


def wav(data: bytes) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file's samples (channels averaged) and rate."""
    try:
        with wave.open(io.BytesIO(data), "rb") as file:
            channels, width, rate = file.getnchannels(), file.getsampwidth(), file.getframerate()
            frames = file.readframes(file.getnframes())
    except (wave.Error, EOFError) as exc:
        raise AudioDecodeError(f"not a WAV file: {exc}") from None
    if width != 2:
        raise AudioDecodeError(f"WAV with {8 * width}-bit samples; expected 16-bit")
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels)
    return _mono(samples.astype(np.float64) / 32768), rate


def compressed(data: bytes) -> tuple[np.ndarray, int]:
    """Any compressed audio FFmpeg knows (MP3, Opus, ...) decoded to samples at its own rate."""
    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise AudioDecodeError("no audio stream")
            stream = container.streams.audio[0]
            rate = stream.codec_context.sample_rate
            resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
            pieces = [
                out.to_ndarray().reshape(-1)
                for frame in container.decode(stream)
                for out in resampler.resample(frame)
            ]
            pieces += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    except av.FFmpegError as exc:
        raise AudioDecodeError(f"cannot decode: {exc}") from None
    if not pieces:
        raise AudioDecodeError("no audio decoded")
    return _mono(np.concatenate(pieces).astype(np.float64)), int(rate)


def _mono(samples: np.ndarray) -> np.ndarray:
    """Float samples in [-1, 1], (frames,) or (frames, channels), as int16 mono."""
    if samples.ndim == 2:
        samples = samples.mean(axis=1)
    return np.clip(np.round(samples * 32768), -32768, 32767).astype(np.int16)


def decode(data: bytes, output_format: str) -> tuple[np.ndarray, int]:
    """Decode audio in an ElevenLabs-style ``output_format`` (``codec_rate[_bitrate]``):
    ``pcm_*`` raw 16-bit PCM, ``wav_*`` WAV, ``mp3_*`` / ``opus_*`` compressed. Raises
    ``AudioDecodeError`` for anything else or bytes that do not decode."""
    codec, _, rest = output_format.partition("_")
    if codec == "pcm":
        return pcm16(data, int(rest.split("_")[0]))
    if codec == "wav":
        return wav(data)
    if codec in ("mp3", "opus"):
        return compressed(data)
    raise AudioDecodeError(f"unsupported output format {output_format!r}")
