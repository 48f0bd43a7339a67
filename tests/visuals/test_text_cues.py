"""The script's text-overlay cues reach the screen at their time, or are recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ytempire.models import Narration, Script, Section, Segment, Slide, TimedText, Timeline
from ytempire.visuals import text_cues
from ytempire.visuals.overlays import text_overlay

SIZE = (1920, 1080)


def _script(tmp_path: Path) -> Script:
    def overlay(text: str) -> dict[str, str]:
        return {"kind": "text_overlay", "text": text}

    return Script.model_validate(
        {
            "engine": "test",
            "title": "Sky",
            "hook": "Why blue?",
            "sections": [
                Section.model_validate(
                    {
                        "heading": "Light",
                        "narration": "Blue light scatters most. Red passes through.",
                        "visual_cues": [overlay("Red passes"), overlay("Scattering wins")],
                    }
                ),
                Section.model_validate(
                    {
                        "heading": "Unspoken",
                        "narration": "x",
                        "visual_cues": [overlay("Never said")],
                    }
                ),
            ],
            "summary": "Blue.",
            "cta": "Subscribe.",
            "markdown_path": tmp_path / "script.md",
        }
    )


def _narration(tmp_path: Path) -> Narration:
    said = "Blue light scatters most. Red passes through.".split()
    words = [
        TimedText(text=w, start=2.0 + 0.5 * i, end=2.4 + 0.5 * i, block=1)
        for i, w in enumerate(said)
    ]
    sentences = [
        TimedText(text="Why blue?", start=0.0, end=1.5, block=0),
        TimedText(text=" ".join(said[:4]), start=2.0, end=3.9, block=1),
        TimedText(text=" ".join(said[4:]), start=4.0, end=10.0, block=1),
    ]
    return Narration(
        engine="test",
        audio_path=tmp_path / "n.wav",
        subtitles_path=tmp_path / "s.srt",
        duration_s=12.0,
        sample_rate=48_000,
        sentences=sentences,
        words=words,
    )


def _timeline(tmp_path: Path) -> Timeline:
    picture = tmp_path / "slide.png"
    Image.new("RGB", SIZE, (20, 20, 60)).save(picture)
    slides = [Slide(image_path=picture, start=0.0, end=12.0, kind="section")]
    segments = [
        Segment(kind="still", path=picture, start=0.0, end=3.0, label="intro"),
        Segment(kind="still", path=picture, start=3.0, end=6.0),
        Segment(kind="still", path=picture, start=6.0, end=12.0),
    ]
    return Timeline(
        engine="test",
        width=SIZE[0],
        height=SIZE[1],
        duration_s=12.0,
        slides=slides,
        audio_path=tmp_path / "n.wav",
        segments=segments,
    )


def test_a_cue_shows_when_it_is_said_else_in_its_share_of_the_section(tmp_path: Path) -> None:
    placed = text_cues.cue_times(_script(tmp_path), _narration(tmp_path))
    # "Red passes" is said at 4.0 s; "Scattering wins" is not: the second half of 2-10 s.
    assert placed[0] == ("Red passes", 4.0, 6.0)
    assert placed[1] == ("Scattering wins", 6.0, 10.0)
    assert placed[2] == "text overlay 'Never said' left out: its section was not spoken"


def test_overlays_go_over_the_segments_they_span_and_what_cannot_be_shown_is_noted(
    tmp_path: Path,
) -> None:
    drawn: list[str] = []

    def draw(text: str, path: Path) -> Path:
        drawn.append(text)
        if text == "Scattering wins":
            raise ValueError("does not fit")
        return text_overlay(text, SIZE, path)

    tl = text_cues.add(_timeline(tmp_path), _script(tmp_path), _narration(tmp_path), draw, tmp_path)
    shown = [(k, o.start, o.end) for k, s in enumerate(tl.segments) for o in s.overlays]
    assert shown == [(1, 4.0, 6.0)]  # not over the intro; 4-6 s lies in segment 1 only
    assert tl.segments[1].overlays[0].kind == "text"
    assert tl.notes == [
        "text overlay 'Scattering wins' left out: does not fit",
        "text overlay 'Never said' left out: its section was not spoken",
    ]


def test_a_cue_under_the_intro_only_is_recorded(tmp_path: Path) -> None:
    narration = _narration(tmp_path)
    early = [
        w.model_copy(update={"start": w.start - 2.0, "end": w.end - 2.0}) for w in narration.words
    ]
    narration = narration.model_copy(update={"words": early})
    timeline = _timeline(tmp_path)
    timeline = timeline.model_copy(
        update={"segments": [timeline.segments[0].model_copy(update={"end": 12.0})]}
    )
    tl = text_cues.add(timeline, _script(tmp_path), narration, lambda t, p: p, tmp_path)
    assert "text overlay 'Red passes' left out: only the intro or end screen then" in tl.notes
    assert not tl.segments[0].overlays


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_text_that_does_not_fit_is_an_error_not_an_empty_picture(
    size: tuple[int, int], tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="do not fit two lines"):
        text_overlay("word " * 60, size, tmp_path / "o.png")


def test_cues_in_other_scripts_are_timed_by_when_they_are_spoken() -> None:
    def said(*words: str) -> list[TimedText]:
        return [
            TimedText(text=w, start=float(i), end=i + 0.9, block=1) for i, w in enumerate(words)
        ]

    # Japanese words are BudouX phrases; the cue's first characters are found across them.
    japanese = said(
        "ブラックホールは", "やがて", "蒸発します。", "ホーキング放射と", "呼ばれます。"
    )
    assert text_cues._spoken_at("ホーキング放射", japanese) == 3.0
    assert text_cues._spoken_at("重力波", japanese) is None
    spanish = said("La", "radiación", "de", "Hawking", "evapora", "agujeros")
    assert text_cues._spoken_at("Radiación de Hawking", spanish) == 1.0
