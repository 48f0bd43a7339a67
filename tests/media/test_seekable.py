"""A rendered video starts every shot on a key frame, so its key frames are reached by
seeking: the thumbnails' picks by seeking equal those made by decoding every frame."""

from __future__ import annotations

from pathlib import Path

import av

from tests.media.conftest import NARRATION_S, TimelineFactory
from tests.pictures import vivid_picture
from ytempire.media.plan import Piece, key_pictures
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


def test_key_pictures_start_each_shot_and_come_at_least_every_interval() -> None:
    pieces = (
        Piece("still", 0, 0, 900, (0, 100, 250, 400, 700)),
        Piece("blend", 1, 900, 905, tuple(range(900, 905)), previous=0, transition="fade"),
        Piece("still", 1, 905, 2000, (905, 1500)),
    )
    # Frames 0, 400 (300 after 0) and 700; none inside the fade; the next shot's start.
    assert key_pictures(pieces, every=300) == [0, 3, 4, 10, 11]
    assert key_pictures(pieces, every=10_000) == [0, 10]
