from __future__ import annotations

import json
from pathlib import Path

from ytempire.models import (
    Narration,
    Script,
    Section,
    StageOutput,
    TimedText,
    VideoJob,
)
from ytempire.publish import metadata, outbox
from ytempire.workspace import VideoFolder


def make_script(tmp_path: Path, n_sections: int = 3) -> Script:
    return Script(
        engine="template",
        title="How Black Holes Evaporate",
        hook="Hook.",
        sections=[Section(heading=f"Part {i}", narration="Text.") for i in range(n_sections)],
        summary="Sum.",
        cta="Sub.",
        tags=["hawking radiation", "black holes"],
        markdown_path=tmp_path / "script.md",
    )


def make_narration(tmp_path: Path, block_seconds: float, blocks: int) -> Narration:
    sentences = [
        TimedText(text="x", start=i * block_seconds, end=(i + 1) * block_seconds - 0.3, block=i)
        for i in range(blocks)
    ]
    return Narration(
        engine="piper",
        audio_path=tmp_path / "n.wav",
        subtitles_path=tmp_path / "s.srt",
        duration_s=blocks * block_seconds,
        sample_rate=22050,
        sentences=sentences,
    )


def test_chapters_come_from_real_timings_and_show_when_valid(tmp_path: Path) -> None:
    script = make_script(tmp_path)
    job = VideoJob(topic="How black holes evaporate")
    long = metadata.build(job, script, make_narration(tmp_path, 12.5, 6), {})
    assert [c["timestamp"] for c in long["chapters"]] == [
        "0:00",
        "0:12",
        "0:25",
        "0:37",
        "0:50",
        "1:02",
    ]
    assert "0:12 Part 0" in long["description"]
    short = metadata.build(job, script, make_narration(tmp_path, 3, 6), {})
    assert "0:03" not in short["description"]  # chapters under 10 s: YouTube would not show them


def test_publish_once_then_report_already_published(tmp_path: Path) -> None:
    job = VideoJob(topic="How black holes evaporate")
    folder = VideoFolder(tmp_path, job.video_id).create()
    script = make_script(tmp_path)
    manifest = metadata.build(
        job,
        script,
        make_narration(tmp_path, 12, 6),
        {"script": StageOutput(engine="template", cost_usd=0.01)},
    )
    first = outbox.publish(folder, manifest)
    stamp = (folder / "metadata.json").stat().st_mtime_ns
    second = outbox.publish(folder, manifest)
    assert not first.already_published and second.already_published
    assert second.published_at == first.published_at
    assert (folder / "metadata.json").stat().st_mtime_ns == stamp
    data = json.loads((folder / "metadata.json").read_text())
    assert data["model_used"] == "template"
    assert data["engines"] == {"script": "template"}
    assert data["total_cost_usd"] == 0.01
