from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.pictures import draw_face
from ytempire.fonts import find_font, load_font
from ytempire.models import Thumbnail
from ytempire.quality import ctr
from ytempire.quality.images import ThumbnailMetrics, measure_thumbnail

TEXT_BOX = (660, 380, 1160, 560)


def make(
    path: Path,
    text: str,
    *,
    ink: tuple[int, int, int],
    background: tuple[int, int, int],
    face: bool = False,
) -> Thumbnail:
    """A 1280x720 image: a flat background, ``text`` large in TEXT_BOX, a face on the left."""
    image = Image.new("RGB", (1280, 720), background)
    draw = ImageDraw.Draw(image)
    draw.text(
        (TEXT_BOX[0] + 10, TEXT_BOX[1] + 30),
        text,
        fill=ink,
        font=load_font(find_font("display"), 80),
    )
    if face:
        image = draw_face(image, (80, 120, 500, 540))
    image.save(path)
    return Thumbnail(path=path, variant=path.stem, template="t", title_text=text, text_box=TEXT_BOX)


def metrics(**changes: object) -> ThumbnailMetrics:
    base = ThumbnailMetrics(
        width=1280,
        height=720,
        size_bytes=1,
        mean_luminance=0.3,
        rms_contrast=0.25,
        saturation=0.5,
        text_box=TEXT_BOX,
        text_contrast_ratio=7.0,
        text_area_share=0.15,
        text_visibility=1.0,
        faces=1,
        face_share=0.08,
    )
    return base.model_copy(update=changes)


def test_the_documented_curves() -> None:
    assert [ctr.word_count_score(n) for n in (0, 1, 2, 5, 6, 7, 9)] == [
        0, 0.6, 1, 1, 0.8, 0.6, 0.4,
    ]  # fmt: skip
    assert ctr.text_area_score(None) == 0
    assert ctr.text_area_score(0.04) == pytest.approx(0.5)
    assert ctr.text_area_score(0.08) == ctr.text_area_score(0.30) == 1
    assert ctr.text_area_score(0.45) == pytest.approx(0.5)
    assert ctr.text_area_score(0.7) == 0
    assert ctr.faces_score(0, 0.0) == 0
    assert ctr.faces_score(1, 0.0) == 0.5
    assert ctr.faces_score(2, 0.025) == pytest.approx(0.75)
    assert ctr.faces_score(1, 0.2) == 1
    assert sum(ctr.WEIGHTS.values()) == pytest.approx(1.0)


def test_factors_and_the_predicted_range() -> None:
    best = ctr.estimate(metrics(), "BLACK HOLES EXPLAINED")
    assert best.factors == {
        "text_contrast": 1.0,
        "faces": 1.0,
        "text_area": 1.0,
        "saturation": 1.0,
        "word_count": 1.0,
        "image_contrast": 1.0,
    }
    assert best.score == pytest.approx(1.0) and best.predicted_ctr == pytest.approx(0.10)
    worst = ctr.estimate(
        metrics(
            text_contrast_ratio=None,
            faces=0,
            face_share=0,
            text_area_share=None,
            saturation=0.0,
            rms_contrast=0.0,
        ),
        "",
    )
    assert worst.score == 0 and worst.predicted_ctr == pytest.approx(0.02)
    # Each factor moves the estimate the documented way.
    base = ctr.estimate(metrics(), "BLACK HOLES EXPLAINED").predicted_ctr
    assert ctr.estimate(metrics(faces=0, face_share=0), "BLACK HOLES EXPLAINED").predicted_ctr == (
        pytest.approx(base - 0.08 * 0.20)
    )
    assert ctr.estimate(metrics(text_contrast_ratio=4.5), "A B").predicted_ctr < base
    assert ctr.estimate(metrics(saturation=1.0), "A B").factors["saturation"] == 0.6
    assert ctr.estimate(metrics(), "ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT").predicted_ctr < base


def test_rank_orders_real_images_best_first(tmp_path: Path) -> None:
    dull = make(tmp_path / "dull.png", "A LOOK", ink=(120, 120, 120), background=(140, 140, 140))
    white, blue = (255, 255, 255), (20, 40, 160)
    plain = make(tmp_path / "plain.png", "BLACK HOLES", ink=white, background=blue)
    face = make(tmp_path / "face.png", "BLACK HOLES", ink=white, background=blue, face=True)
    ranked = ctr.rank([dull, plain, face])
    assert [t.variant for t in ranked] == ["face", "plain", "dull"]
    predicted = [t.predicted_ctr for t in ranked]
    assert predicted == sorted(predicted, reverse=True)  # type: ignore[type-var]
    assert all(p is not None and 0.02 <= p <= 0.10 for p in predicted)
    assert [t.faces for t in ranked] == [1, 0, 0]
    top = ranked[0]
    assert top.text_contrast_ratio == measure_thumbnail(face.path, TEXT_BOX).text_contrast_ratio
    assert set(top.ctr_factors) == set(ctr.WEIGHTS)

    ctr.write_ranking(tmp_path / "ranking.json", ranked)
    saved = json.loads((tmp_path / "ranking.json").read_text())
    assert saved["primary"] == "face.png"
    assert [v["variant"] for v in saved["variants"]] == ["face", "plain", "dull"]
    assert saved["variants"][0]["predicted_ctr"] == top.predicted_ctr


def test_ties_keep_their_order(tmp_path: Path) -> None:
    a = make(tmp_path / "a.png", "SAME TEXT", ink=(255, 255, 255), background=(20, 40, 160))
    b = make(tmp_path / "b.png", "SAME TEXT", ink=(255, 255, 255), background=(20, 40, 160))
    assert [t.variant for t in ctr.rank([a, b])] == ["a", "b"]
    assert [t.variant for t in ctr.rank([b, a])] == ["b", "a"]


def test_an_experiments_template_is_uploaded_whatever_its_rank(tmp_path: Path) -> None:
    white, blue = (255, 255, 255), (20, 40, 160)
    ranked = ctr.rank(
        [
            make(tmp_path / "dull.png", "A LOOK", ink=(120, 120, 120), background=(140, 140, 140)),
            make(tmp_path / "face.png", "BLACK HOLES", ink=white, background=blue, face=True),
        ]
    )
    ranked = [t.model_copy(update={"template": t.variant}) for t in ranked]
    assert [t.variant for t in ranked] == ["face", "dull"]
    assert ctr.put_first(ranked, None) == ranked
    chosen = ctr.put_first(ranked, "dull")
    assert [t.variant for t in chosen] == ["dull", "face"]
    ctr.write_ranking(tmp_path / "ranking.json", chosen, template="dull")
    saved = json.loads((tmp_path / "ranking.json").read_text())
    assert saved["primary"] == "dull.png"
    assert saved["primary_chosen_by"] == "thumbnail_template arm (dull)"
    with pytest.raises(ValueError, match="'style_9' is not one of dull, face"):
        ctr.put_first(ranked, "style_9")


def test_overlay_words_count_phrases_where_there_are_no_spaces() -> None:
    assert ctr.overlay_words("BLACK HOLES: EXPLAINED!") == 3
    # BudouX phrases: ブラックホールの | 蒸発, ブラックホールは | なぜ | 消える？
    assert ctr.overlay_words("ブラックホールの蒸発") == 2
    assert ctr.overlay_words("ブラックホールはなぜ消える？") == 3
    assert ctr.overlay_words("NASA ブラックホールの蒸発") == 3
