"""A dialogue: named speakers, each with a voice, behind one ``SpeechEngine``.

A dialogue section's turns become chunks that carry their speaker
(``ytempire.voice.chunks``); :class:`Dialogue` sends each chunk to its speaker's engine, and
blocks that are not turns (hook, summary, call to action) to the first speaker, the host.
The join puts ``TURN_PAUSE_S`` of silence between turns and tags every sentence and word
with its speaker (``ytempire.voice.assemble``), so subtitles can say who speaks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ytempire.models import Delivery, VideoJob, VoiceProfile
from ytempire.voice.assemble import ChunkAudio
from ytempire.voice.chunks import Chunk
from ytempire.voice.errors import NarrationError
from ytempire.voice.synthesis import Expressive, SpeechEngine


class Dialogue:
    """Each speaker's engine behind one ``SpeechEngine``.

    Its name is the engines' names joined by ``+`` (one name when they share it); its price
    the dearest speaker's (a locale's voices share a tier, so in practice every speaker's);
    it says a delivery only if every speaker's engine can, and runs chunks concurrently only
    if every engine allows it. Pauses follow the host's pace.
    """

    def __init__(self, voices: Sequence[tuple[str, SpeechEngine]]) -> None:
        if not voices:
            raise ValueError("a dialogue needs at least one speaker")
        self.voices = dict(voices)
        self.host = voices[0][0]
        engines = list(self.voices.values())
        self.name = "+".join(dict.fromkeys(e.name for e in engines))
        self.price_per_1k_chars = max(e.price_per_1k_chars for e in engines)
        self.concurrent = all(e.concurrent for e in engines)
        self.pause_scale = engines[0].pause_scale
        self.deliveries = frozenset[Delivery].intersection(
            *(e.deliveries if isinstance(e, Expressive) else frozenset() for e in engines)
        )

    def engine_for(self, chunk: Chunk) -> SpeechEngine:
        """The engine of the chunk's speaker (the host's for narration without a speaker)."""
        speaker = chunk.speaker or self.host
        if speaker not in self.voices:
            raise NarrationError(
                f"a turn is given to {speaker!r}, who is not one of the speakers "
                f"({', '.join(self.voices)})"
            )
        return self.voices[speaker]

    def fits(self, sentences: Sequence[str]) -> bool:
        return all(e.fits(sentences) for e in self.voices.values())

    def billed_characters(self, chunk: Chunk) -> int:
        return self.engine_for(chunk).billed_characters(chunk)

    def check_quota(self, characters: int) -> None:
        """Each engine is asked for all the characters: speakers may share one account."""
        for engine in {id(e): e for e in self.voices.values()}.values():
            engine.check_quota(characters)

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        return self.engine_for(chunk).synthesize_chunk(chunk)

    def cache_key(self) -> str:
        return "|".join(f"{name}={e.cache_key()}" for name, e in self.voices.items())


def host_profile(job: VideoJob) -> VoiceProfile:
    """The voice profile of the job's narrator: its first speaker's in a dialogue."""
    return job.speakers[0][1] if job.speakers else job.voice


def speaking(
    job: VideoJob, engine_for: Callable[[VoiceProfile, bool], SpeechEngine]
) -> SpeechEngine:
    """The engine that speaks ``job``: ``engine_for(profile, host)`` of its narrator, or a
    :class:`Dialogue` of each of ``job.speakers`` with their profiles' engines (``host``
    True for the first speaker, whom a channel's cloned voice speaks for)."""
    if not job.speakers:
        return engine_for(job.voice, True)
    return Dialogue(
        [(name, engine_for(profile, i == 0)) for i, (name, profile) in enumerate(job.speakers)]
    )
