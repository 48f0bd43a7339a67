"""A rendered video starts every shot on a key frame, so its key frames are reached by
seeking: the thumbnails' picks by seeking equal those made by decoding every frame."""

from __future__ import annotations

from pathlib import Path

import av

from tests.media.conftest import NARRATION_S, TimelineFactory
from tests.pictures import vivid_picture
from ytempire.media.render import render_timeline
from ytempire.visuals import keyframes


def test_shots_start_on_key_frames_and_seeking_picks_what_decoding_picks(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    images = []
    for seed in range(4):
        path = tmp_path / f"picture-{seed}.png"
        vivid_picture(640, 360, seed=seed).save(path)
        images.append(path)
    timeline = make_timeline(640, 360, images=images)
    video = render_timeline(
        timeline, tmp_path / "video.mp4", work_dir=tmp_path / "work", encoder="libx264"
    ).path

    # Decoding every frame: the key frames are exactly the shots' first frames.
    with av.open(str(video)) as container:
        keys = [frame for frame in container.decode(video=0) if frame.key_frame]
    fps = timeline.fps
    assert [round(float(f.time or 0) * fps) for f in keys] == [
        round(slide.start * fps) for slide in timeline.slides
    ]
    decoded = keyframes._Best(keep=len(images) + 2)
    for frame in keys:
        decoded.offer(keyframes._candidate(frame, NARRATION_S))

    picked = keyframes.pick_key_frames(video, tmp_path / "frames", count=len(images))
    assert len(picked) == len(images)
    assert [(k.time_s, k.score) for k in picked] == [
        (round(c.time_s, 3), round(c.score, 4)) for c in decoded.items[: len(images)]
    ]
