"""What every offline voice shares: free, one sentence at a time, exact sentence spans.

An offline engine (Piper, Kokoro, eSpeak NG) only has to say one sentence: its samples,
edges already cut to the sound, and where each of its words (``ytempire.voice.words``) sits.
:class:`LocalEngine` turns that into a ``SpeechEngine``: a chunk's sentences are spoken one
by one and joined by ``SENTENCE_PAUSE_S`` of digital silence scaled like the speech, so
every sentence's start and end in the narration are exact.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence

import numpy as np

from ytempire.voice.assemble import SENTENCE_PAUSE_S, ChunkAudio, Span
from ytempire.voice.chunks import Chunk, under_limit


class LocalEngine(ABC):
    """A ``SpeechEngine`` that runs on this machine, one synthesis at a time.

    Subclasses set ``name`` (what the narration records: engine and voice), ``pause_scale``
    and ``rate``, and implement :meth:`speak`.
    """

    name: str
    pause_scale: float
    price_per_1k_chars = 0.0
    # The native libraries keep process-wide state and already use every core.
    concurrent = False

    def __init__(self) -> None:
        self._fits = under_limit()

    @property
    @abstractmethod
    def rate(self) -> int:
        """The sample rate of :meth:`speak`'s samples, in Hz."""

    @abstractmethod
    def speak(self, sentence: str) -> tuple[np.ndarray, list[Span]]:
        """One sentence as int16 mono samples with no silence at its edges, and the span
        (seconds into those samples) of each of its words; empty if it says nothing."""

    @abstractmethod
    def cache_key(self) -> str:
        """Everything besides the text that decides the audio (voice, model, speed...)."""

    def fits(self, sentences: Sequence[str]) -> bool:
        return self._fits(sentences)

    def billed_characters(self, chunk: Chunk) -> int:
        return 0

    def check_quota(self, characters: int) -> None:
        return None

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        rate = self.rate
        gap = np.zeros(round(SENTENCE_PAUSE_S * self.pause_scale * rate), dtype=np.int16)
        pieces: list[np.ndarray] = []
        spans: list[Span | None] = []
        words: list[list[Span]] = []
        position = 0
        for sentence in chunk.sentences:
            sound, timed = self.speak(sentence)
            if not sound.size:
                spans.append(None)
                words.append([])
                continue
            if pieces:
                pieces.append(gap)
                position += gap.size
            at = position / rate
            spans.append((at, (position + sound.size) / rate))
            words.append([(at + a, at + b) for a, b in timed])
            pieces.append(sound)
            position += sound.size
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)
        return ChunkAudio(samples=samples, rate=rate, sentences=spans, words=words, edited=True)
