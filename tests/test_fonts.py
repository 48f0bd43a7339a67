from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ytempire import fonts
from ytempire.fonts import FontNotFoundError, find_font, load_font


def test_roles_resolve_to_the_bundled_roboto_faces() -> None:
    assert find_font("display").name == "Roboto-Black.ttf"
    assert find_font("body").name == "Roboto-Regular.ttf"


def test_an_empty_fonts_dir_falls_back_to_the_wheel(tmp_path: Path) -> None:
    assert find_font("display", tmp_path) == find_font("display")


def test_a_missing_fonts_dir_falls_back_to_the_wheel(tmp_path: Path) -> None:
    assert find_font("body", tmp_path / "nowhere") == find_font("body")


def test_the_fonts_dir_is_searched_first(tmp_path: Path) -> None:
    shutil.copy(find_font("display"), tmp_path / "Roboto-Black.ttf")
    assert find_font("display", tmp_path) == tmp_path / "Roboto-Black.ttf"


def test_any_font_in_the_fonts_dir_beats_the_wheel_and_bold_suits_display(tmp_path: Path) -> None:
    bundled = find_font("body").parent
    shutil.copy(bundled / "Roboto-Light.ttf", tmp_path / "Brand-Light.ttf")
    shutil.copy(bundled / "Roboto-Bold.ttf", tmp_path / "Brand-Bold.ttf")
    shutil.copy(bundled / "Roboto-BoldItalic.ttf", tmp_path / "Brand-BoldItalic.ttf")
    assert find_font("display", tmp_path) == tmp_path / "Brand-Bold.ttf"
    assert find_font("body", tmp_path).parent == tmp_path


def test_without_the_wheel_a_one_line_error_says_how_to_fix_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "bundled_fonts_dir", lambda: tmp_path / "missing")
    with pytest.raises(FontNotFoundError) as caught:
        find_font("display", tmp_path)
    message = str(caught.value)
    assert "\n" not in message
    assert "display" in message
    assert "font-roboto" in message
    assert "YTEMPIRE_FONTS_DIR" in message
    assert isinstance(caught.value, FileNotFoundError)


def test_an_unknown_role_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="unknown font role"):
        find_font("script")


def test_loaded_fonts_are_cached_per_path_and_size() -> None:
    path = find_font("display")
    assert load_font(path, 40) is load_font(path, 40)
    assert load_font(path, 40) is not load_font(path, 41)
    assert load_font(path, 40).size == 40


# A line of each script the project ships a face for, as a video's title or caption has it.
SAMPLES = {
    "en": "How black holes evaporate — 10^67 years, “quietly”…",
    "es": "¿Cómo se evaporan los agujeros negros? Año 1974: ¡la radiación de Hawking!",
    "ru": "Как испаряются чёрные дыры? Излучение Хокинга.",
    "vi": "Lỗ đen bốc hơi như thế nào? Bức xạ Hawking.",
    "ja": "ブラックホールはどのように蒸発するのか？「ホーキング放射」と呼ばれる現象です。",
    "zh": "黑洞是如何蒸发的？这是一个叫做霍金辐射的现象。",
    "ko": "블랙홀은 어떻게 증발할까? 호킹 복사라고 불리는 현상입니다.",
    "ar": "كيف تتبخر الثقوب السوداء؟ يُسمّى هذا التوهج إشعاع هوكينغ.",
    "he": "איך חורים שחורים מתאדים? קרינת הוקינג.",
    "hi": "ब्लैक होल कैसे वाष्पित होते हैं? हॉकिंग विकिरण।",
}


@pytest.mark.parametrize("tag", sorted(SAMPLES))
def test_each_languages_own_faces_cover_its_text(tag: str) -> None:
    display, body = fonts.default_faces(None, tag)
    assert fonts.uncovered(SAMPLES[tag], display) == ""
    assert fonts.uncovered(SAMPLES[tag], body) == ""


def test_variable_faces_are_used_as_their_named_static_instances() -> None:
    from fontTools.ttLib import TTFont

    for tag in ("ar", "he", "hi"):
        display, body = fonts.default_faces(None, tag)
        for path, weight, style in ((display, 700, "Bold"), (body, 400, "Regular")):
            face = TTFont(str(path))
            assert "fvar" not in face, path.name  # a static font: libass and Pillow agree
            assert face["OS/2"].usWeightClass == weight
            assert face["name"].getDebugName(2) == style


def test_a_face_gives_way_only_where_it_lacks_characters() -> None:
    roboto = find_font("display")
    assert fonts.covering("Cómo se evaporan", roboto) == (roboto, "")
    japanese, missing = fonts.covering("ブラックホール", roboto)
    # The same weight: a bold face falls back to a bold one.
    assert japanese == fonts.default_faces(None, "ja")[0] and missing == ""
    arabic, _ = fonts.covering("الثقوب السوداء", find_font("body"))
    assert arabic == fonts.default_faces(None, "ar")[1]


def test_characters_no_shipped_face_covers_are_recorded_by_name() -> None:
    # Tamil and Linear B: no wheel the project depends on has them.
    with fonts.recording_missing() as missing:
        face, lacks = fonts.covering("Tamil: தமிழ், Linear B: 𐀀", find_font("body"))
    assert face == find_font("body")  # the face covering the most: the Latin letters
    assert set(lacks) == set(missing) == {"த", "ம", "ி", "்", "ழ", "𐀀"}
    # Outside a recording nothing is kept, and spaces, joiners and marks need no glyph.
    assert fonts.covering("a\u200db\u200f c", find_font("body"))[1] == ""


def test_caption_fonts_link_the_scripts_faces_for_libass(tmp_path: Path) -> None:
    folder = fonts.caption_fonts(tmp_path / "fonts", None, "Arab")
    names = {p.name for p in folder.iterdir()}
    assert "Roboto-Medium.ttf" in names  # the stock caption face
    assert {p.name for p in fonts.default_faces(None, "ar")} <= names
