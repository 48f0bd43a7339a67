"""Speak a whole script with one engine: plan chunks, synthesise them, join them.

Every engine (ElevenLabs, Google, Piper) is a small object behind :class:`SpeechEngine`; this
module does what they share. Chunks go out concurrently (bounded) when the engine allows it,
and each finished chunk is kept in the work folder, so a retry after one chunk failed pays
only for the chunks that are missing. Every chunk goes to disk as it arrives (the cache
folder, else a scratch folder beside the WAV) and the join streams them into the WAV, written
atomically as 16-bit mono at the engine's rate: memory holds one chunk, never the narration.
A delivery (calm, excited...) the engine cannot say is spoken plainly and noted in the
synthesis' ``fallbacks``: only :class:`Expressive` engines say any.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import wave
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Protocol, overload, runtime_checkable

import numpy as np

from ytempire.models import Delivery, ScriptBlock, Stage, Synthesis
from ytempire.progress import Steps
from ytempire.resilience.errors import CostExceeded
from ytempire.voice.assemble import ChunkAudio, join_into
from ytempire.voice.chunks import Chunk, plan_chunks
from ytempire.voice.errors import NarrationError
from ytempire.workspace import atomic_path

OnChunk = Callable[[Chunk, ChunkAudio], None]


class SpeechEngine(Protocol):
    """One TTS engine, set up for one voice. Methods raise ``ytempire.resilience.errors``."""

    @property
    def name(self) -> str:
        """What the recorded engine is called, e.g. ``google:en-US-Neural2-D``."""
        ...

    @property
    def price_per_1k_chars(self) -> float: ...

    @property
    def concurrent(self) -> bool:
        """Whether chunks may be synthesised at the same time."""
        ...

    @property
    def pause_scale(self) -> float:
        """How much longer than at speed 1.0 the pauses between chunks are."""
        ...

    def fits(self, sentences: Sequence[str]) -> bool:
        """Whether these sentences fit one request."""
        ...

    def billed_characters(self, chunk: Chunk) -> int: ...

    def check_quota(self, characters: int) -> None:
        """Raise ``CostExceeded`` if the account cannot pay for ``characters`` more."""
        ...

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio: ...

    def cache_key(self) -> str:
        """Everything besides the text that decides the audio (voice, model, speed...)."""
        ...


@runtime_checkable
class Expressive(Protocol):
    """An engine that can say some deliveries (the cloud engines); others say none."""

    @property
    def deliveries(self) -> frozenset[Delivery]: ...


def unhonoured(engine: SpeechEngine, chunks: Sequence[Chunk]) -> list[str]:
    """One line for each delivery the chunks ask for that ``engine`` cannot say."""
    can = engine.deliveries if isinstance(engine, Expressive) else frozenset()
    asked = {c.delivery for c in chunks if c.delivery is not None}
    return [
        f"delivery '{d.value}' not honoured by {engine.name}"
        for d in sorted(asked - can, key=list(Delivery).index)
    ]


def cost_usd(characters: int, price_per_1k_chars: float) -> float:
    return characters * price_per_1k_chars / 1000


def synthesize(
    engine: SpeechEngine,
    blocks: Sequence[ScriptBlock],
    wav_path: Path,
    *,
    concurrency: int = 3,
    cache_dir: Path | None = None,
    on_chunk: OnChunk | None = None,
    daily_left: int | None = None,
) -> Synthesis:
    """Speak ``blocks`` with ``engine`` into a 16-bit mono WAV at ``wav_path``.

    Before any request, the characters still to be sent (chunks kept in ``cache_dir`` from an
    earlier attempt are not sent again) are checked against ``daily_left`` (what today's
    quota for this provider still allows) and then against the engine's own quota; either
    shortfall raises ``CostExceeded`` before anything is spent. Each chunk done is reported
    as a voice step (``ytempire.progress.Steps``), in this thread. At most
    ``concurrency`` chunks are in flight; ``on_chunk`` is called, in this thread, for every
    chunk the provider answered. The first failure cancels the chunks not yet started and
    is raised once the running ones finish (those that succeeded are kept in the cache).

    Cost is every chunk's billed characters (those kept from an earlier attempt included:
    they were paid for this video) times the engine's price. Deliveries the engine cannot
    say are listed in ``fallbacks`` (:func:`unhonoured`). Raises ``NarrationError`` when a
    block has nothing to say or came back silent.
    """
    chunks = plan_chunks(blocks, engine.fits)
    key = engine.cache_key()
    with tempfile.TemporaryDirectory(prefix=".chunks-", dir=_parent(wav_path)) as spill_dir:
        # Every chunk goes to disk as it comes (the cache, else a scratch folder) and is read
        # back once, in order, by the join: memory holds a chunk, not the narration.
        store = cache_dir or Path(spill_dir)
        missing = [c for c in chunks if not (cache_dir and _load(cache_dir, key, c))]
        if missing:
            needed = sum(engine.billed_characters(c) for c in missing)
            if daily_left is not None and needed > daily_left:
                provider = engine.name.split(":")[0]
                raise CostExceeded(
                    provider,
                    f"daily quota: {needed:,} characters needed, {max(daily_left, 0):,} left today",
                )
            engine.check_quota(needed)

        steps = Steps(Stage.voice, len(chunks), "chunks", done=len(chunks) - len(missing))

        def finished(chunk: Chunk, audio: ChunkAudio) -> None:
            _save(store, key, chunk, audio)
            if on_chunk:
                on_chunk(chunk, audio)
            steps.advance()

        if engine.concurrent and len(missing) > 1 and concurrency > 1:
            _run_concurrently(engine, missing, concurrency, finished)
        else:
            for chunk in missing:
                finished(chunk, engine.synthesize_chunk(chunk))

        audios = _Stored(store, key, chunks)
        with atomic_path(wav_path) as tmp, wave.open(str(tmp), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(audios[0].rate)
            joined = join_into(
                chunks,
                audios,
                lambda piece: wav.writeframes(piece.astype("<i2").tobytes()),
                engine.pause_scale,
            )
            spoken = {s.block for s in joined.sentences}
            for number, block in enumerate(blocks):
                if number not in spoken:
                    raise NarrationError(f"block {number} ({block.kind}) came back without speech")
    characters = sum(engine.billed_characters(c) for c in chunks)
    return Synthesis(
        engine=engine.name,
        cost_usd=cost_usd(characters, engine.price_per_1k_chars),
        audio_path=wav_path,
        sample_rate=joined.rate,
        duration_s=joined.samples / joined.rate,
        sentences=joined.sentences,
        words=joined.words,
        characters=characters,
        requests=len(missing),
        fallbacks=unhonoured(engine, chunks),
    )


def _parent(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.parent


class _Stored(Sequence[ChunkAudio]):
    """The chunks' audio as kept on disk, each read when asked for."""

    def __init__(self, store: Path, key: str, chunks: list[Chunk]) -> None:
        self.store, self.key, self.chunks = store, key, chunks

    def __len__(self) -> int:
        return len(self.chunks)

    @overload
    def __getitem__(self, index: int) -> ChunkAudio: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[ChunkAudio]: ...

    def __getitem__(self, index: int | slice) -> ChunkAudio | Sequence[ChunkAudio]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        audio = _load(self.store, self.key, self.chunks[index])
        if audio is None:
            raise NarrationError(f"chunk {self.chunks[index].index}'s audio is missing from disk")
        return audio


def _run_concurrently(
    engine: SpeechEngine,
    chunks: list[Chunk],
    concurrency: int,
    finished: Callable[[Chunk, ChunkAudio], None],
) -> None:
    failure: BaseException | None = None
    with ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="tts") as pool:
        pending: dict[Future[ChunkAudio], Chunk] = {
            pool.submit(engine.synthesize_chunk, chunk): chunk for chunk in chunks
        }
        while pending:
            done, _ = wait(pending, return_when=FIRST_EXCEPTION)
            for future in done:
                chunk = pending.pop(future)
                if future.cancelled():
                    continue
                error = future.exception()
                if error is None:
                    finished(chunk, future.result())
                elif failure is None:
                    failure = error
                    for other in pending:
                        other.cancel()
    if failure is not None:
        raise failure


def _cache_path(cache_dir: Path, key: str, chunk: Chunk) -> Path:
    said = [key, chunk.block, chunk.sentences]
    if chunk.delivery or chunk.speaker:  # plain narration keeps the keys it had before them
        said += [chunk.delivery, chunk.speaker]
    digest = hashlib.sha256(json.dumps(said, ensure_ascii=False).encode()).hexdigest()
    return cache_dir / f"{digest[:24]}.npz"


def _save(cache_dir: Path, key: str, chunk: Chunk, audio: ChunkAudio) -> None:
    meta = {
        "rate": audio.rate,
        "sentences": audio.sentences,
        "words": audio.words,
        "characters": audio.characters,
        "edited": audio.edited,
    }
    with atomic_path(_cache_path(cache_dir, key, chunk)) as tmp, tmp.open("wb") as file:
        np.savez(file, samples=audio.samples, meta=np.array(json.dumps(meta)))


def _load(cache_dir: Path, key: str, chunk: Chunk) -> ChunkAudio | None:
    path = _cache_path(cache_dir, key, chunk)
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            samples = data["samples"].astype(np.int16)
            meta = json.loads(str(data["meta"]))
    except (OSError, ValueError, KeyError):
        return None  # a damaged entry is synthesised again
    return ChunkAudio(
        samples=samples,
        rate=int(meta["rate"]),
        sentences=[None if s is None else (s[0], s[1]) for s in meta["sentences"]],
        words=None
        if meta["words"] is None
        else [[(w[0], w[1]) for w in ws] for ws in meta["words"]],
        characters=int(meta["characters"]),
        edited=bool(meta["edited"]),
    )
