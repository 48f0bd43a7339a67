"""Stage checkpoints: trusted only when they parse, their files exist and nothing upstream is
newer; the upload's is final."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from ytempire.checkpoints import (
    STAGE_OUTPUTS,
    file_paths,
    inputs_path,
    read_checkpoint,
    stale_inputs,
    write_checkpoint,
)
from ytempire.models import RenderedVideo, Stage, StageOutput, Topic, Upload
from ytempire.stage_inputs import fingerprint
from ytempire.workspace import VideoFolder


def topic() -> Topic:
    return Topic(engine="requested", title="Tides", keywords=["moon"], reason="test")


def video(folder: VideoFolder) -> RenderedVideo:
    path = folder / "video.mp4"
    path.write_bytes(b"mp4")
    info = {
        "path": path,
        "size_bytes": 3,
        "duration_s": 1.0,
        "video_codec": "h264",
        "video_profile": "High",
        "pixel_format": "yuv420p",
        "width": 1920,
        "height": 1080,
        "fps": 30.0,
        "video_duration_s": 1.0,
        "video_start_s": 0.0,
        "bitrate_bps": 24,
    }
    return RenderedVideo.model_validate(
        {
            "engine": "libx264",
            "cost_usd": 0.01,
            "path": path,
            "encoder": "libx264",
            "seconds_to_render": 0.5,
            "info": info,
        }
    )


def age(path: Path, seconds: int) -> None:
    """Make ``path`` look ``seconds`` older than now."""
    moment = datetime.now(UTC).timestamp() - seconds
    os.utime(path, (moment, moment))


def test_a_checkpoint_round_trips(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    rendered = video(folder)
    path = write_checkpoint(folder, Stage.render, rendered)
    assert path == tmp_path / ("a" * 32) / "stages" / "render.json"
    assert read_checkpoint(folder, Stage.render, RenderedVideo) == rendered


def test_a_missing_file_anywhere_in_the_model_voids_it(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    rendered = video(folder)
    assert set(file_paths(rendered)) == {folder / "video.mp4"}
    write_checkpoint(folder, Stage.render, rendered)
    (folder / "video.mp4").unlink()
    assert read_checkpoint(folder, Stage.render, RenderedVideo) is None


def test_unreadable_or_absent_checkpoints_are_ignored(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    assert read_checkpoint(folder, Stage.topic, Topic) is None
    folder.checkpoint("topic").parent.mkdir()
    folder.checkpoint("topic").write_text('{"engine": "x"')
    assert read_checkpoint(folder, Stage.topic, Topic) is None
    folder.checkpoint("topic").write_text('{"engine": "x"}')  # parses, but not a Topic
    assert read_checkpoint(folder, Stage.topic, Topic) is None


def test_a_redone_earlier_stage_voids_the_later_ones(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    later = write_checkpoint(folder, Stage.tracking, StageOutput(engine="analytics-db"))
    age(later, 60)
    write_checkpoint(folder, Stage.topic, topic())
    assert read_checkpoint(folder, Stage.topic, Topic) is not None
    assert read_checkpoint(folder, Stage.tracking, StageOutput) is None


def test_the_upload_checkpoint_is_final_whatever_happens_upstream(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    upload = Upload(
        engine="outbox", destination="outbox", location="/x", published_at=datetime.now(UTC)
    )
    age(write_checkpoint(folder, Stage.upload, upload), 60)
    write_checkpoint(folder, Stage.topic, topic())
    assert read_checkpoint(folder, Stage.upload, Upload) == upload


def test_every_stage_has_an_output_model() -> None:
    assert set(STAGE_OUTPUTS) == set(Stage)


def test_a_checkpoint_is_reused_only_with_the_inputs_that_made_it(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    inputs = {"job": {"topic": "Tides"}, "settings": {"render_crf": 20}, "engines": {"av": "1"}}
    write_checkpoint(folder, Stage.topic, topic(), inputs)
    kept = json.loads(inputs_path(folder, Stage.topic).read_text())
    assert kept == {"fingerprint": fingerprint(inputs), "inputs": inputs}
    assert read_checkpoint(folder, Stage.topic, Topic, inputs) == topic()
    # Readers that do not name inputs (the batch summary, the render's caller) still read it.
    assert read_checkpoint(folder, Stage.topic, Topic) == topic()

    other = {**inputs, "settings": {"render_crf": 28}}
    assert read_checkpoint(folder, Stage.topic, Topic, other) is None
    assert stale_inputs(folder, Stage.topic, other) == ["settings.render_crf"]
    newer = {**inputs, "engines": {"av": "2"}}
    assert stale_inputs(folder, Stage.topic, newer) == ["engines.av"]


def test_a_checkpoint_without_its_inputs_is_not_reused_when_inputs_are_asked(
    tmp_path: Path,
) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    write_checkpoint(folder, Stage.topic, topic(), {"job": 1})
    write_checkpoint(folder, Stage.topic, topic())  # rewritten without: the old ones go
    assert not inputs_path(folder, Stage.topic).exists()
    assert read_checkpoint(folder, Stage.topic, Topic, {"job": 1}) is None
    assert stale_inputs(folder, Stage.topic, {"job": 1}) == ["unrecorded"]


def test_the_upload_checkpoint_is_final_whatever_its_inputs(tmp_path: Path) -> None:
    folder = VideoFolder(tmp_path, "a" * 32).create()
    upload = Upload(
        engine="outbox", destination="outbox", location="/x", published_at=datetime.now(UTC)
    )
    write_checkpoint(folder, Stage.upload, upload, {"job": 1})
    assert read_checkpoint(folder, Stage.upload, Upload, {"job": 2}) == upload
