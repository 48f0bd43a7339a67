"""Real Piper narration: the WAV is what the timings say it is."""

from __future__ import annotations

import threading
import wave
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from piper import PiperVoice

from ytempire.models import ScriptBlock, TimedText, VoiceProfile
from ytempire.quality.audio import read_wav, to_dbfs
from ytempire.voice import piper_engine
from ytempire.voice.piper_engine import NarrationError, synthesize_blocks
from ytempire.voice.profiles import settings_for

pytestmark = pytest.mark.slow

BLOCKS = [
    ScriptBlock(kind="hook", heading="Hook", text="Black holes are not quite black. Why not?"),
    ScriptBlock(
        kind="section",
        heading="How",
        text="Dr. Hawking showed, in 1974, that they glow faintly. The glow is 3.5 times "
        "dimmer than you might guess. It comes from the edge.",
    ),
    ScriptBlock(kind="cta", heading="Subscribe", text="Subscribe for more!"),
]
PROFILE = VoiceProfile.professional_male
# 50 ms either side of a sentence boundary: speech inside, silence outside.
EDGE_S = 0.05


class Narrated:
    def __init__(self, path: Path, sentences: list[TimedText], duration: float) -> None:
        self.path, self.sentences, self.duration = path, sentences, duration
        samples, self.rate = read_wav(path)
        self.samples = samples[:, 0]

    def level(self, start: float, end: float) -> float:
        """RMS level in dBFS of the audio between two times."""
        span = self.samples[round(start * self.rate) : round(end * self.rate)]
        return float(to_dbfs(np.sqrt(np.mean(span**2)))) if span.size else -120.0

    def loudest(self, start: float, end: float, frame: float = 0.005) -> float:
        """Level in dBFS of the loudest ``frame``-long stretch between two times."""
        return max(self.level(t, t + frame) for t in np.arange(start, end - frame / 2, frame))


@pytest.fixture(scope="module")
def narrated(piper_voice: PiperVoice, tmp_path_factory: pytest.TempPathFactory) -> Narrated:
    path = tmp_path_factory.mktemp("piper") / "narration.wav"
    sentences, duration = synthesize_blocks(BLOCKS, PROFILE, path)
    return Narrated(path, sentences, duration)


def test_wav_is_16_bit_mono_at_pipers_rate(narrated: Narrated) -> None:
    with wave.open(str(narrated.path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getframerate()) == (1, 2, 22050)
        assert narrated.duration == wav.getnframes() / wav.getframerate()
    assert not list(narrated.path.parent.glob(".narration.*")), "temporary file left behind"


def test_audio_is_speech_not_silence(narrated: Narrated) -> None:
    assert narrated.duration > 5
    assert narrated.level(0, narrated.duration) > -30
    assert np.abs(narrated.samples).max() == pytest.approx(
        10 ** (piper_engine.PEAK_DBFS / 20), abs=0.01
    )


def test_one_timing_per_sentence_in_block_order(narrated: Narrated) -> None:
    assert [(s.block, s.text) for s in narrated.sentences] == [
        (0, "Black holes are not quite black."),
        (0, "Why not?"),
        (1, "Dr. Hawking showed, in 1974, that they glow faintly."),
        (1, "The glow is 3.5 times dimmer than you might guess."),
        (1, "It comes from the edge."),
        (2, "Subscribe for more!"),
    ]


def test_timings_are_monotonic_and_within_the_audio(narrated: Narrated) -> None:
    sentences = narrated.sentences
    assert sentences[0].start == 0.0, "no leading silence"
    for s in sentences:
        assert 0 <= s.start < s.end <= narrated.duration
    for a, b in pairwise(sentences):
        assert a.end < b.start


def test_pauses_between_sentences_and_blocks(narrated: Narrated) -> None:
    scale = settings_for(PROFILE).length_scale
    sentences = narrated.sentences
    for a, b in pairwise(sentences):
        pause = piper_engine.BLOCK_PAUSE_S if b.block != a.block else piper_engine.SENTENCE_PAUSE_S
        assert b.start - a.end == pytest.approx(pause * scale, abs=1 / narrated.rate)
    tail = narrated.duration - sentences[-1].end
    assert tail == pytest.approx(piper_engine.END_PAUSE_S * scale, abs=1 / narrated.rate)


def test_each_sentence_is_sound_bounded_by_silence(narrated: Narrated) -> None:
    """Timings within 50 ms of the audio: sound starts within 50 ms after a sentence's start
    and ends within 50 ms before its end, and the 50 ms outside it are near-silent."""
    for s in narrated.sentences:
        assert narrated.level(s.start, s.end) > -30, s.text
        assert narrated.loudest(s.start, s.start + EDGE_S) > -60, f"no sound at start: {s.text}"
        assert narrated.loudest(s.end - EDGE_S, s.end) > -60, f"no sound at end: {s.text}"
        if s.start > 0:
            assert narrated.level(s.start - EDGE_S, s.start) < -80, f"sound before: {s.text}"
        assert narrated.level(s.end, s.end + EDGE_S) < -80, f"sound after: {s.text}"


def test_no_pause_inside_a_sentence_is_longer_than_the_cap(narrated: Narrated) -> None:
    cap = piper_engine.INNER_PAUSE_MAX_S * settings_for(PROFILE).length_scale
    frame = 0.005
    for s in narrated.sentences:
        quiet = [
            narrated.level(t, t + frame) < -60 for t in np.arange(s.start, s.end - frame, frame)
        ]
        longest = run = 0
        for q in quiet:
            run = run + 1 if q else 0
            longest = max(longest, run)
        assert longest * frame <= cap + 2 * frame, s.text


def test_slower_profile_speaks_longer(piper_voice: PiperVoice, tmp_path: Path) -> None:
    # Piper's voice varies from run to run by a few percent; three sentences average it out
    # (one sentence missed the 1.1 ratio about one run in twenty).
    text = (
        "A steady voice reads this line aloud. Then it reads a second, longer line, slowly "
        "and clearly. A third line ends it."
    )
    blocks = [ScriptBlock(kind="hook", heading="h", text=text)]
    durations = {
        profile: synthesize_blocks(blocks, profile, tmp_path / f"{profile}.wav")[1]
        for profile in (VoiceProfile.energetic_male, VoiceProfile.calm_female)
    }
    assert durations[VoiceProfile.calm_female] > 1.1 * durations[VoiceProfile.energetic_male]


@pytest.mark.parametrize("text", ["", "   ", "..."])
def test_a_block_without_speech_is_an_error(
    piper_voice: PiperVoice, tmp_path: Path, text: str
) -> None:
    blocks = [
        ScriptBlock(kind="hook", heading="h", text="Hello."),
        ScriptBlock(kind="cta", heading="c", text=text),
    ]
    with pytest.raises(NarrationError, match="block 1"):
        synthesize_blocks(blocks, PROFILE, tmp_path / "n.wav")
    assert not (tmp_path / "n.wav").exists()


def test_no_blocks_is_an_error(piper_voice: PiperVoice, tmp_path: Path) -> None:
    with pytest.raises(NarrationError):
        synthesize_blocks([], PROFILE, tmp_path / "n.wav")


def test_voice_loads_once_across_threads(piper_voice: PiperVoice) -> None:
    seen: list[PiperVoice] = []
    threads = [
        threading.Thread(target=lambda: seen.append(piper_engine.load_voice())) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(v is piper_voice for v in seen) and len(seen) == 8


def test_concurrent_synthesis_is_safe(piper_voice: PiperVoice) -> None:
    texts = ["The first thread speaks.", "A second thread speaks too.", "And a third one."]
    results: dict[str, np.ndarray] = {}

    def speak(text: str) -> None:
        results[text] = piper_engine.synthesize_sentence(text)

    threads = [threading.Thread(target=speak, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[t].size > 0.5 * 22050 for t in texts)
