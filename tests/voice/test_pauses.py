"""No dead air: long pauses are cut from the raw speech and every timing follows."""

from __future__ import annotations

import re
import wave
from pathlib import Path

import numpy as np
import pytest

from ytempire.models import Synthesis, TimedText
from ytempire.quality.audio import read_wav
from ytempire.voice.narrate import finish
from ytempire.voice.pauses import shorten_pauses
from ytempire.workspace import VideoFolder

RATE = 22_050
# Sound, silence, sound...: pauses of 0.3 s (kept), 1.2 s and 2.0 s (cut to 0.5 s).
PLAN = [("s", 1.0), ("p", 0.3), ("s", 0.8), ("p", 1.2), ("s", 1.0), ("p", 2.0), ("s", 0.6)]
MAX_PAUSE_S = 0.5


def _raw(path: Path) -> Synthesis:
    pieces: list[np.ndarray] = []
    sentences: list[TimedText] = []
    words: list[TimedText] = []
    at = 0.0
    for kind, seconds in PLAN:
        n = round(seconds * RATE)
        if kind == "s":
            t = np.arange(n) / RATE
            pieces.append((0.3 * 32767 * np.sin(2 * np.pi * 220 * t)).astype("<i2"))
            block = len(sentences) // 2
            sentences.append(TimedText(text="one two", start=at, end=at + seconds, block=block))
            half = at + seconds / 2
            words += [
                TimedText(text="one", start=at, end=half, block=block),
                TimedText(text="two", start=half, end=at + seconds, block=block),
            ]
        else:
            pieces.append(np.zeros(n, dtype="<i2"))
        at += seconds
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(np.concatenate(pieces).tobytes())
    return Synthesis(
        engine="test",
        audio_path=path,
        sample_rate=RATE,
        duration_s=at,
        sentences=sentences,
        words=words,
    )


def test_long_pauses_are_cut_and_every_timing_moves_with_its_sound(tmp_path: Path) -> None:
    raw = _raw(tmp_path / "raw.wav")
    paced = shorten_pauses(raw, MAX_PAUSE_S, tmp_path / "paced.wav")
    cut = (1.2 - MAX_PAUSE_S) + (2.0 - MAX_PAUSE_S)
    assert paced.duration_s == pytest.approx(raw.duration_s - cut, abs=0.011)
    shifts = [0.0, 0.0, 1.2 - MAX_PAUSE_S, cut]  # each sentence moves by the cuts before it
    for before, after, shift in zip(raw.sentences, paced.sentences, shifts, strict=True):
        assert after.start == pytest.approx(before.start - shift, abs=0.011)
        assert after.end == pytest.approx(before.end - shift, abs=0.011)
    for before, after in zip(raw.words, paced.words, strict=True):
        k = next(i for i, s in enumerate(raw.sentences) if s.start <= before.start < s.end)
        assert after.start == pytest.approx(before.start - shifts[k], abs=0.011)
    samples, rate = read_wav(paced.audio_path)
    for sentence in paced.sentences:  # sound where the timings say, silence between
        inside = samples[
            round((sentence.start + 0.02) * rate) : round((sentence.end - 0.02) * rate)
        ]
        assert np.sqrt(np.mean(inside**2)) > 0.1
    assert raw.audio_path.stat().st_size > paced.audio_path.stat().st_size  # raw left as is
    assert shorten_pauses(paced, MAX_PAUSE_S, tmp_path / "again.wav") is paced


def test_the_delivered_narration_and_its_subtitles_follow_the_cut(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path / "runs", "b" * 32).create()
    raw = _raw(folder.work / "voice_raw.wav")
    narration = finish(raw, folder, max_pause_s=MAX_PAUSE_S)
    paced = shorten_pauses(raw, MAX_PAUSE_S, tmp_path / "paced.wav")
    assert narration.duration_s < raw.duration_s - 1.5
    gaps = [
        b.start - a.end for a, b in zip(narration.sentences, narration.sentences[1:], strict=False)
    ]
    assert max(gaps) <= MAX_PAUSE_S + 0.011
    # Mastering trims the lead-in silence only: every timing is the paced one less that.
    offset = paced.sentences[0].start - narration.sentences[0].start
    for a, b in zip(paced.sentences, narration.sentences, strict=True):
        assert b.start == pytest.approx(a.start - offset, abs=0.002)
    for a, b in zip(paced.words, narration.words, strict=True):
        assert b.start == pytest.approx(a.start - offset, abs=0.002)
    srt = narration.subtitles_path.read_text()
    starts = [
        int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000
        for h, m, s, ms in re.findall(r"(\d\d):(\d\d):(\d\d),(\d\d\d) -->", srt)
    ]
    assert starts == pytest.approx([s.start for s in narration.sentences], abs=0.002)
    spans = narration.block_spans()  # chapters and slides follow blocks
    assert spans[1][0] == pytest.approx(narration.sentences[2].start, abs=0.002)
