"""The voice stage end to end: a Script becomes narration.wav, subtitles.srt and .vtt."""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

import pytest
from piper import PiperVoice

from ytempire.models import Narration, Script, Section, VoiceProfile
from ytempire.quality.audio import read_wav
from ytempire.voice.narrate import narrate
from ytempire.voice.piper_engine import ENGINE
from ytempire.voice.subtitles import MAX_LINE_CHARS, MAX_LINES
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

SRT_TIME = r"(\d\d):(\d\d):(\d\d),(\d\d\d)"


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
    assert narration.cost_usd == 0.0
    assert narration.audio_path == folder / "narration.wav"
    assert narration.subtitles_path == folder / "subtitles.srt"
    assert narration.sample_rate == 22050
    samples, rate = read_wav(narration.audio_path)
    assert narration.duration_s == len(samples) / rate
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


def test_no_temporary_files_are_left(narrated: tuple[Script, Narration, VideoFolder]) -> None:
    _, _, folder = narrated
    assert not [p.name for p in Path(folder.path).iterdir() if p.name.startswith(".")]
