"""The voice stage end to end: a Script becomes narration.wav, subtitles.srt and .vtt."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest
from piper import PiperVoice

from ytempire.models import Narration, Script, Section, VoiceProfile
from ytempire.quality.audio import measure_speech, read_wav, to_dbfs
from ytempire.quality.report import run_suite, voice_row
from ytempire.quality.suites import load_suite, suite_path
from ytempire.settings import Settings
from ytempire.voice.narrate import narrate
from ytempire.voice.piper_engine import ENGINE
from ytempire.voice.subtitles import MAX_LINE_CHARS, MAX_LINES
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

SRT_TIME = r"(\d\d):(\d\d):(\d\d),(\d\d\d)"
EDGE_S = 0.05


def make_script(folder: VideoFolder) -> Script:
    return Script(
        engine="test",
        title="Why the sky is blue",
        hook="Why is the sky blue and not violet?",
        sections=[
            Section(
                heading="Scattering",
                narration="Sunlight scatters off air molecules. Blue light scatters about "
                "five times more than red light, because its wavelength is shorter, and so "
                "the whole sky glows with it wherever you look during the day.",
            )
        ],
        summary="Short waves scatter most.",
        cta="Subscribe.",
        markdown_path=folder / "script.md",
    )


@pytest.fixture(scope="module")
def narrated(
    piper_voice: PiperVoice, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Script, Narration, VideoFolder]:
    folder = VideoFolder(tmp_path_factory.mktemp("runs"), "a" * 32).create()
    script = make_script(folder)
    return script, narrate(script, VoiceProfile.calm_female, folder), folder


def seconds(match: tuple[str, ...]) -> float:
    h, m, s, ms = map(int, match)
    return h * 3600 + m * 60 + s + ms / 1000


def test_narration_model(narrated: tuple[Script, Narration, VideoFolder]) -> None:
    script, narration, folder = narrated
    assert narration.engine == ENGINE == "piper:en_US-joe-medium"
    assert narration.cost_usd == 0.0 and narration.characters == 0
    assert narration.audio_path == folder / "narration.wav"
    assert narration.raw_audio_path == folder.work / "voice_raw.wav"
    assert narration.voice_path is None and narration.music_path is None
    assert narration.subtitles_path == folder / "subtitles.srt"
    # The delivered narration is the master: 48 kHz stereo at -14 LUFS.
    assert narration.sample_rate == 48000
    samples, rate = read_wav(narration.audio_path)
    assert (rate, samples.shape[1]) == (48000, 2)
    assert narration.duration_s == pytest.approx(len(samples) / rate, abs=1e-6)
    assert narration.loudness_lufs == pytest.approx(-14.0, abs=0.2)
    assert narration.true_peak_dbtp is not None and narration.true_peak_dbtp <= -1.0
    raw, raw_rate = read_wav(folder.work / "voice_raw.wav")
    assert (raw_rate, raw.shape[1]) == (22050, 1)
    # Every block is narrated, in order, so slides can follow the blocks.
    assert sorted({s.block for s in narration.sentences}) == list(range(len(script.blocks())))
    spans = narration.block_spans()
    assert all(a[1] < b[0] for a, b in pairwise(spans))
    assert spans[-1][1] < narration.duration_s


def test_subtitle_files(narrated: tuple[Script, Narration, VideoFolder]) -> None:
    script, narration, folder = narrated
    srt = (folder / "subtitles.srt").read_text(encoding="utf-8")
    vtt = (folder / "subtitles.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\n")

    cues = [c.split("\n") for c in srt.strip().split("\n\n")]
    assert [c[0] for c in cues] == [str(n) for n in range(1, len(cues) + 1)]
    times = []
    for cue in cues:
        match = re.fullmatch(f"{SRT_TIME} --> {SRT_TIME}", cue[1])
        assert match, cue[1]
        start, end = seconds(match.groups()[:4]), seconds(match.groups()[4:])
        times.append((start, end))
        lines = cue[2:]
        assert 1 <= len(lines) <= MAX_LINES
        assert all(len(line) <= MAX_LINE_CHARS for line in lines)
    assert all(a[1] <= b[0] for a, b in pairwise(times))
    assert times[-1][1] <= narration.duration_s + 0.0005
    assert all(end - start >= 1.0 - 0.0005 for start, end in times)
    # The subtitles say every word of the script, as written.
    said = " ".join(" ".join(c[2:]) for c in cues)
    assert said == " ".join(script.spoken_text().split())
    # The VTT has the same cues with a dot before the milliseconds.
    assert vtt.count(" --> ") == len(cues)
    assert vtt.split("\n\n")[1].split("\n")[0] == cues[0][1].replace(",", ".")


def test_timings_are_within_50_ms_of_the_final_audio(
    narrated: tuple[Script, Narration, VideoFolder],
) -> None:
    """Each sentence's sound starts within 50 ms after its start and ends within 50 ms
    before its end in narration.wav, and the 50 ms outside it are quiet."""
    _, narration, _ = narrated
    samples, rate = read_wav(narration.audio_path)
    mono = samples.mean(axis=1)

    def level(start: float, end: float) -> float:
        span = mono[max(0, round(start * rate)) : round(end * rate)]
        return float(to_dbfs(np.sqrt(np.mean(span**2)))) if span.size else -120.0

    def loudest(start: float, end: float, frame: float = 0.005) -> float:
        return max(level(t, t + frame) for t in np.arange(start, end - frame / 2, frame))

    for s in narration.sentences:
        assert level(s.start, s.end) > -30, s.text
        assert loudest(s.start, s.start + EDGE_S) > -60, f"no sound at start: {s.text}"
        assert loudest(s.end - EDGE_S, s.end) > -60, f"no sound at end: {s.text}"
        if s.start > EDGE_S:
            assert level(s.start - EDGE_S, s.start) < -55, f"sound before: {s.text}"
        assert level(s.end, s.end + EDGE_S) < -55, f"sound after: {s.text}"
    # Leading silence is gone: the first sentence starts at once.
    assert narration.sentences[0].start < 0.02


def test_no_temporary_files_are_left(narrated: tuple[Script, Narration, VideoFolder]) -> None:
    _, _, folder = narrated
    assert not [p.name for p in Path(folder.path).iterdir() if p.name.startswith(".")]
    assert [p.name for p in folder.work.iterdir()] == ["voice_raw.wav"]


def test_the_master_passes_the_quality_stages_level_rules(
    narrated: tuple[Script, Narration, VideoFolder],
) -> None:
    script, narration, _ = narrated
    metrics = measure_speech(narration.audio_path, script.word_count()).model_dump()
    suite = load_suite(suite_path(Settings().quality_suites_dir, "voice"))
    checks = run_suite(
        suite, ["voice"], [voice_row(narration, script.word_count(), script.language)]
    )
    levels = [
        c
        for c in checks
        if c.name in ("integrated_loudness_lufs", "true_peak_dbtp", "clipping_ratio")
    ]
    assert len(levels) == 3
    for check in levels:
        assert check.passed, check.line()
    assert metrics["integrated_loudness_lufs"] == pytest.approx(narration.loudness_lufs, abs=0.1)
