"""The offline Piper voice on every core: chunks synthesised side by side in worker processes.

One Piper synthesis keeps about one core busy: eSpeak (which phonemises) allows one
synthesis at a time per process, and ONNX Runtime spreads only part of the model's work over
more cores. So :class:`PiperWorkers` sends each chunk to a pool of processes, one per core
(at most ``MAX_WORKERS``), each of which loads the voice once, when it starts. A chunk is
spoken in one worker exactly as :class:`~ytempire.voice.piper_engine.PiperEngine` speaks it
in process, timings included, and comes back whole; :func:`ytempire.voice.synthesis.synthesize`
keeps the chunks in order and on disk, and holds at most its ``concurrency`` chunks in
flight, so memory stays bounded. The pool starts on first use and lives until
:func:`release` (the voice task calls it when the stage ends: each worker holds its own copy
of the voice, about 0.5 GB with word alignments); with one core the engine speaks in process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ytempire.models import VoiceProfile
from ytempire.voice.assemble import ChunkAudio
from ytempire.voice.chunks import Chunk
from ytempire.voice.errors import NarrationError
from ytempire.voice.piper_engine import PiperEngine, load_voice

# Each worker holds the voice (about 0.5 GB resident): a cap on what the pool may take.
MAX_WORKERS = 4

_pool_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def workers() -> int:
    """How many worker processes speak at once: one per core this process may use, at most
    ``MAX_WORKERS``."""
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def _shared_pool() -> ProcessPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            # Spawned, not forked: the parent may run threads (Prefect, ONNX Runtime) that a
            # fork would copy in the middle of their work.
            _pool = ProcessPoolExecutor(
                max_workers=workers(),
                mp_context=multiprocessing.get_context("spawn"),
                initializer=load_voice,
            )
        return _pool


def _speak(profile: VoiceProfile, chunk: Chunk) -> ChunkAudio:
    """In a worker: the chunk as the in-process engine speaks it."""
    return PiperEngine(profile).synthesize_chunk(chunk)


class PiperWorkers(PiperEngine):
    """The Piper voice (same name, price, cache key and audio as :class:`PiperEngine`),
    synthesising chunks concurrently in worker processes when there is more than one core."""

    @property
    def concurrent(self) -> bool:  # type: ignore[override]
        return workers() > 1

    def synthesize_chunk(self, chunk: Chunk) -> ChunkAudio:
        if workers() == 1:
            return super().synthesize_chunk(chunk)
        try:
            return _shared_pool().submit(_speak, self.profile, chunk).result()
        except BrokenProcessPool:
            release()
            raise NarrationError(
                f"a Piper worker process died while speaking chunk {chunk.index}"
            ) from None


def release() -> None:
    """Stop the worker processes, giving their memory back (a broken pool too); the next
    chunk starts fresh ones."""
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
