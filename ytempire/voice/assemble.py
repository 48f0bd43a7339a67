"""Chunks of speech joined into one narration, with known pauses and exact timings.

Each chunk's audio is cut to its sound (engines pad requests with silence of their own),
faded in and out over a few milliseconds so no join clicks, and separated from the next by
digital silence of a chosen length: a short pause inside a block, a conversational gap
between two speakers' turns, a longer one between blocks. Timings move with the audio, so
every sentence's span stays true, and each carries its chunk's speaker.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ytempire.models import TimedText
from ytempire.voice.chunks import Chunk
from ytempire.voice.words import split_words

# Pauses at a speed-1.0 voice's pace; a slower voice pauses proportionally longer.
SENTENCE_PAUSE_S = 0.25
BLOCK_PAUSE_S = 0.6
# Between two speakers' turns in a dialogue: the gap listeners hear as a natural hand-over
# (conversation keeps most gaps between turns within 200-400 ms; longer reads as hesitation).
TURN_PAUSE_S = 0.3
# Silence after the last word, so the last syllable and the last subtitle are not cut short.
END_PAUSE_S = 0.4

# Edge trimming: 5 ms frames quieter than -60 dBFS (or 50 dB under the chunk's peak, if that
# is louder) are silence. A little of it is kept either side so onsets and decays survive.
FRAME_S = 0.005
SILENCE_DBFS = -60.0
SILENCE_BELOW_PEAK_DB = 50.0
KEEP_BEFORE_S = 0.01
KEEP_AFTER_S = 0.03
# A join never clicks: each chunk fades in and out over this long (inside the kept silence).
FADE_S = 0.005

Span = tuple[float, float]


@dataclass(frozen=True)
class ChunkAudio:
    """What an engine returned for one chunk: int16 mono samples and where things are.

    ``sentences`` has one span per sentence of the chunk (None for one with no sound);
    ``words``, where the engine gives word timings, one list of spans per sentence with one
    span per word (``ytempire.voice.words.split_words``). Spans are seconds from the start
    of ``samples``.
    ``edited`` says the engine already cut the edges to the sound.
    """

    samples: np.ndarray
    rate: int
    sentences: list[Span | None]
    words: list[list[Span]] | None = None
    characters: int = 0
    latency_ms: int = 0
    edited: bool = False

    @property
    def duration_s(self) -> float:
        return len(self.samples) / self.rate


def sound_bounds(samples: np.ndarray, rate: int) -> tuple[int, int] | None:
    """(first, last + 1) sample of the sound in int16 ``samples``, with ``KEEP_BEFORE_S`` and
    ``KEEP_AFTER_S`` of the surrounding silence; None when it is all silence."""
    if not len(samples):
        return None
    peak = float(np.abs(samples).max())
    return bounds_from_frames(frame_rms(samples, rate), peak, len(samples), rate)


def frame_rms(samples: np.ndarray, rate: int) -> np.ndarray:
    """RMS of each ``FRAME_S`` frame of ``samples`` (a short last frame padded with zeros).
    Blocks of a long track cut at whole frames give, concatenated, the track's."""
    frame = max(1, round(FRAME_S * rate))
    count = -(-len(samples) // frame)
    padded = np.zeros(count * frame, dtype=np.float64)
    padded[: len(samples)] = samples
    return np.sqrt(np.mean(padded.reshape(count, frame) ** 2, axis=1))


def bounds_from_frames(
    rms: np.ndarray, peak: float, length: int, rate: int
) -> tuple[int, int] | None:
    """:func:`sound_bounds` of a track of ``length`` samples from its :func:`frame_rms` and
    its peak (int16 scale): what a streaming reader keeps of it."""
    frame = max(1, round(FRAME_S * rate))
    threshold = max(32768 * 10 ** (SILENCE_DBFS / 20), peak * 10 ** (-SILENCE_BELOW_PEAK_DB / 20))
    loud = np.flatnonzero(rms > threshold)
    if loud.size == 0:
        return None
    start = max(0, loud[0] * frame - round(KEEP_BEFORE_S * rate))
    end = min(length, (loud[-1] + 1) * frame + round(KEEP_AFTER_S * rate))
    return int(start), int(end)


def trim(audio: ChunkAudio) -> ChunkAudio:
    """``audio`` cut to its sound (see :func:`sound_bounds`), timings moved and kept inside.

    Already-edited audio is returned as is; silent audio becomes empty.
    """
    if audio.edited:
        return audio
    bounds = sound_bounds(audio.samples, audio.rate)
    if bounds is None:
        return replace(audio, samples=audio.samples[:0], edited=True)
    start, end = bounds
    offset, length = start / audio.rate, (end - start) / audio.rate

    def move(span: Span) -> Span:
        a = min(max(span[0] - offset, 0.0), length)
        b = min(max(span[1] - offset, a), length)
        return a, b

    return replace(
        audio,
        samples=audio.samples[start:end],
        sentences=[None if s is None else move(s) for s in audio.sentences],
        words=None if audio.words is None else [[move(w) for w in ws] for ws in audio.words],
        edited=True,
    )


def resampled(audio: ChunkAudio, rate: int) -> ChunkAudio:
    """``audio`` at ``rate`` (linear interpolation; its timings, in seconds, stay): two
    speakers of a dialogue may come from engines with different rates."""
    if audio.rate == rate:
        return audio
    count = round(len(audio.samples) * rate / audio.rate)
    at = np.arange(count) * (audio.rate / rate)
    samples = np.interp(at, np.arange(len(audio.samples)), audio.samples.astype(np.float64))
    return replace(audio, samples=np.round(samples).astype(np.int16), rate=rate)


def fade(samples: np.ndarray, rate: int, seconds: float = FADE_S) -> np.ndarray:
    """int16 ``samples`` with a raised-cosine fade in and out of ``seconds`` each."""
    n = min(round(seconds * rate), len(samples) // 2)
    if n == 0:
        return samples
    ramp = 0.5 - 0.5 * np.cos(np.pi * (np.arange(n) + 0.5) / n)
    out = samples.astype(np.float64)
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return np.round(out).astype(np.int16)


def join(
    chunks: list[Chunk], audios: Sequence[ChunkAudio], pause_scale: float = 1.0
) -> tuple[np.ndarray, list[TimedText], list[TimedText]]:
    """One int16 track from every chunk's audio, in order, and its sentence and word timings.

    Chunks follow each other after ``SENTENCE_PAUSE_S`` inside a block, ``TURN_PAUSE_S``
    where the speaker changes inside one and ``BLOCK_PAUSE_S`` between blocks, and the track
    ends ``END_PAUSE_S`` after the last sound, every pause times ``pause_scale``. Sentences
    with no sound get no timing. The track is at the first audio's rate; audios at another
    rate are resampled to it.
    """
    pieces: list[np.ndarray] = []
    joined = join_into(chunks, audios, pieces.append, pause_scale)
    track = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return track, joined.sentences, joined.words


@dataclass(frozen=True)
class Joined:
    """What :func:`join_into` wrote: how many samples at what rate, and the timings."""

    samples: int
    rate: int
    sentences: list[TimedText]
    words: list[TimedText]


def join_into(
    chunks: list[Chunk],
    audios: Sequence[ChunkAudio],
    write: Callable[[np.ndarray], None],
    pause_scale: float = 1.0,
) -> Joined:
    """:func:`join`, with the track handed to ``write`` piece by piece (int16 arrays, in
    order) instead of held whole: a long narration is joined into a file in the memory of
    one chunk, each of ``audios`` read once, in order (it may load them lazily)."""
    if not audios:
        return Joined(0, 0, [], [])
    rate = audios[0].rate

    def silence(seconds: float) -> np.ndarray:
        return np.zeros(round(seconds * pause_scale * rate), dtype=np.int16)

    sentences: list[TimedText] = []
    words: list[TimedText] = []
    position = 0
    previous_block: int | None = None
    previous_speaker: str | None = None
    for chunk, raw in zip(chunks, audios, strict=True):
        audio = trim(resampled(raw, rate))
        if not audio.samples.size:
            continue
        if previous_block is not None:
            if chunk.block != previous_block:
                pause = silence(BLOCK_PAUSE_S)
            elif chunk.speaker != previous_speaker:
                pause = silence(TURN_PAUSE_S)
            else:
                pause = silence(SENTENCE_PAUSE_S)
            write(pause)
            position += pause.size
        at = position / rate
        for i, (text, span) in enumerate(zip(chunk.sentences, audio.sentences, strict=True)):
            if span is None or span[1] <= span[0]:
                continue
            sentences.append(
                TimedText(
                    text=text,
                    start=at + span[0],
                    end=at + span[1],
                    block=chunk.block,
                    speaker=chunk.speaker,
                )
            )
            if audio.words is not None:
                for word, (start, end) in zip(split_words(text), audio.words[i], strict=True):
                    words.append(
                        TimedText(
                            text=word,
                            start=at + start,
                            end=at + end,
                            block=chunk.block,
                            speaker=chunk.speaker,
                        )
                    )
        write(fade(audio.samples, rate))
        position += audio.samples.size
        previous_block, previous_speaker = chunk.block, chunk.speaker
    if previous_block is not None:
        tail = silence(END_PAUSE_S)
        write(tail)
        position += tail.size
    return Joined(position, rate, sentences, words)
