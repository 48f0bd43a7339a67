"""Key frames from real MP4s that FFmpeg encodes from known stills."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from tests.pictures import draw_face, encode_stills, vivid_picture
from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.models import ScriptBlock
from ytempire.visuals.keyframes import KeyFrame, flat_share, laplacian_variance, pick_key_frames
from ytempire.visuals.slides import render_slide

SIZE = (640, 360)


def encode(stills: list[tuple[Image.Image, float]], out: Path, *, one_gop: bool = False) -> Path:
    return encode_stills(stills, out, size=SIZE, one_gop=one_gop)


def card() -> Image.Image:
    block = ScriptBlock(kind="hook", heading="How Black Holes Evaporate", text="A question.")
    return render_slide(block, SIZE)


def face_photo() -> Image.Image:
    return draw_face(vivid_picture(*SIZE, seed=4), (60, 60, 260, 260))


def checkerboard() -> Image.Image:
    tiles = (np.indices((SIZE[1], SIZE[0])).sum(axis=0) // 8 % 2 * 255).astype(np.uint8)
    return Image.fromarray(tiles).convert("RGB")


def blurry() -> Image.Image:
    return vivid_picture(*SIZE, seed=9).filter(ImageFilter.GaussianBlur(12))


def black() -> Image.Image:
    return Image.new("RGB", SIZE, (3, 3, 3))


def near(frame: KeyFrame, seconds: float) -> bool:
    return abs(frame.time_s - seconds) < 0.1


@pytest.fixture
def video(tmp_path: Path) -> Path:
    # 12 s; the last 1.8 s (15%) are the end-screen window, where the checkerboard sits.
    stills = [
        (card(), 2.0),  # 0.0
        (face_photo(), 2.0),  # 2.0
        (blurry(), 2.0),  # 4.0
        (black(), 1.5),  # 6.0
        (face_photo(), 3.0),  # 7.5: the same picture again
        (checkerboard(), 1.5),  # 10.5
    ]
    return encode(stills, tmp_path / "video.mp4")


def test_best_distinct_frames_by_sharpness_and_contrast(video: Path, tmp_path: Path) -> None:
    started = time.perf_counter()
    frames = pick_key_frames(video, tmp_path / "frames", count=3)
    elapsed = time.perf_counter() - started
    assert [f.path.name for f in frames] == [f"key_frame_{i}.png" for i in (1, 2, 3)]
    first, second, third = frames
    # The card and the photo are sharp and contrasty; the photo, shown twice, counts once.
    assert near(first, 0.0) and first.graphic and first.faces == 0
    assert (near(second, 2.0) or near(second, 7.5)) and not second.graphic
    assert second.faces == 1
    # The checkerboard is the sharpest of all, but in the end-screen window: it only beats
    # the blurred picture. The fade to black is never picked.
    assert near(third, 10.5)
    assert [f.score for f in frames] == sorted((f.score for f in frames), reverse=True)
    assert not any(near(f, 6.0) for f in frames)
    for frame in frames:
        with Image.open(frame.path) as image:
            assert image.size == SIZE  # smaller than 1280x720: kept as it is
    assert elapsed < 5


def test_more_frames_than_the_video_has_distinct_ones(video: Path, tmp_path: Path) -> None:
    frames = pick_key_frames(video, tmp_path / "frames", count=6)
    # card, photo, blurry, checkerboard: the black fade and the repeated photo are not.
    assert len(frames) == 4
    assert sum(1 for f in frames if not f.graphic and f.faces == 1) == 1
    assert any(near(f, 4.0) for f in frames)


def test_one_long_gop_is_sampled_in_one_pass(tmp_path: Path) -> None:
    stills = [(card(), 1.5), (face_photo(), 1.5), (checkerboard(), 1.5), (blurry(), 1.5)]
    video = encode(stills, tmp_path / "gop.mp4", one_gop=True)
    frames = pick_key_frames(video, tmp_path / "frames", count=3)
    assert len(frames) == 3
    # Only the first frame is a key frame; the others were sampled while decoding it all.
    assert sum(near(f, 0.0) for f in frames) <= 1
    assert any(f.faces == 1 for f in frames)


def test_large_frames_are_reduced_to_cover_a_thumbnail(tmp_path: Path) -> None:
    big = draw_face(vivid_picture(1920, 1080, 3), (200, 200, 600, 600))
    args = [ffmpeg_exe(), "-y", "-loop", "1", "-framerate", "30", "-t", "1"]
    big.save(tmp_path / "big.png")
    run([*args, "-i", str(tmp_path / "big.png"), "-c:v", "libx264", "-preset", "veryfast",
         "-pix_fmt", "yuv420p", str(tmp_path / "big.mp4")], timeout=120)  # fmt: skip
    (frame,) = pick_key_frames(tmp_path / "big.mp4", tmp_path / "frames", count=1)
    with Image.open(frame.path) as image:
        assert image.size == (1280, 720)
    assert frame.faces == 1


def test_not_a_video_is_a_value_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(ValueError, match=r"bad\.mp4"):
        pick_key_frames(bad, tmp_path / "frames")
    with pytest.raises(ValueError, match="count"):
        pick_key_frames(bad, tmp_path / "frames", count=0)


def test_measures() -> None:
    flat = np.full((90, 160), 128, np.uint8)
    assert laplacian_variance(flat) == 0
    assert flat_share(flat) == 1.0
    noisy = np.random.default_rng(0).integers(0, 256, (90, 160)).astype(np.uint8)
    assert laplacian_variance(noisy) > 1000
    assert flat_share(noisy) == 0.0
    graphic = np.asarray(card().convert("L"))
    photo = np.asarray(face_photo().convert("L"))
    assert flat_share(graphic) > 0.6 > flat_share(photo)
