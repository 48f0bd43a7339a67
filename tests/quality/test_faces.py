from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.pictures import draw_face, vivid_picture
from ytempire.quality import faces
from ytempire.quality.faces import detect_faces, overlap_share


def _iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    inter_w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    inter_h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = inter_w * inter_h
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / area


@pytest.mark.parametrize("side", [80, 160, 400])
def test_a_face_is_found_where_it_is_at_any_size(side: int) -> None:
    box = (700, 150, 700 + side, 150 + side)
    found = detect_faces(draw_face(vivid_picture(1280, 720, 1), box))
    assert len(found) == 1
    assert _iou(found[0], box) > 0.6, found


def test_boxes_are_in_the_pictures_own_pixels_largest_first(tmp_path: Path) -> None:
    picture = draw_face(vivid_picture(1920, 1080, 2), (100, 200, 300, 400))
    picture = draw_face(picture, (1100, 300, 1600, 800))
    path = tmp_path / "two.png"
    picture.save(path)
    found = detect_faces(path)
    assert len(found) == 2
    assert _iou(found[0], (1100, 300, 1600, 800)) > 0.6
    assert _iou(found[1], (100, 200, 300, 400)) > 0.6
    # A grey array gives the same answer as the picture.
    assert detect_faces(np.asarray(picture.convert("L"))) == found


def test_no_faces_in_pictures_without_any() -> None:
    for seed in range(4):
        assert detect_faces(vivid_picture(1280, 720, seed)) == []
    assert detect_faces(Image.new("RGB", (1280, 720), (20, 30, 60))) == []


def test_faces_too_small_to_matter_are_ignored() -> None:
    # 40 px in a 1280x720 frame: under 8% of the height, a speck on a thumbnail.
    assert detect_faces(draw_face(vivid_picture(1280, 720, 1), (600, 300, 640, 340))) == []


def test_the_cascade_is_loaded_once() -> None:
    faces._cascade.cache_clear()
    detect_faces(vivid_picture(320, 180))
    detect_faces(vivid_picture(320, 180, 1))
    assert faces._cascade.cache_info().misses == 1


def test_overlap_share() -> None:
    box = (0, 0, 100, 100)
    assert overlap_share(box, []) == 0
    assert overlap_share(box, [(50, 0, 200, 200)]) == pytest.approx(0.5)
    # Overlapping covers are counted once.
    assert overlap_share(box, [(0, 0, 50, 100), (25, 0, 75, 100)]) == pytest.approx(0.75)
    assert overlap_share(box, [(200, 200, 300, 300)]) == 0
    assert overlap_share((10, 10, 10, 20), [(0, 0, 50, 50)]) == 0
