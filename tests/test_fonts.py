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
