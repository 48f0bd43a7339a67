"""Text in other scripts, checked by rendering: Japanese wraps between phrases without a
line starting with closing punctuation, Arabic is shaped and set right to left, and no
character is drawn as the font's .notdef box (or, where no shipped font has it, it is
recorded, and the box is really what would show)."""

from __future__ import annotations

import itertools
from pathlib import Path

import budoux
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ytempire import fonts
from ytempire.fonts import covering, default_faces, load_font
from ytempire.models import ScriptBlock
from ytempire.visuals.slides import render_slides
from ytempire.visuals.text import NO_LINE_START, Layout, fit_text, ink_width, wrap
from ytempire.visuals.thumbnails import make_thumbnails, title_variations

JA_TITLE = "ブラックホールはどのように蒸発するのか？"
JA_TEXT = (
    "1974年、スティーブン・ホーキングは量子力学と相対性理論を組み合わせました。"
    "ブラックホールはかすかに光るはずだと彼は考えました。"
    "この光は現在「ホーキング放射」と呼ばれています。"
)
AR_TITLE = "كيف تتبخر الثقوب السوداء؟"
AR_TEXT = "في عام 1974 جمع ستيفن هوكينغ بين ميكانيكا الكم والنسبية. يسمى هذا التوهج إشعاع هوكينغ."
# Not a letter of any shipped face: the font's .notdef glyph is what draws it.
UNCOVERED = "\U00010000"  # LINEAR B SYLLABLE B008 A


def _glyph(ch: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    side = round(font.size * 3)
    image = Image.new("L", (side, side))
    ImageDraw.Draw(image).text((font.size, font.size), ch, font=font, fill=255)
    return np.asarray(image)


def boxes(text: str, path: Path) -> set[str]:
    """The characters of ``text`` that ``path`` draws exactly as its .notdef glyph."""
    font = load_font(path, 40)
    notdef = _glyph(UNCOVERED, font)
    return {ch for ch in set(text) if not ch.isspace() and np.array_equal(_glyph(ch, font), notdef)}


def test_the_box_check_sees_a_box_where_a_face_lacks_the_character() -> None:
    roboto = fonts.find_font("body")
    assert boxes("Hawking 1974", roboto) == set()
    assert boxes("ஹாக்கிங்", roboto) >= {"ஹ", "க"}  # Tamil in a Latin face: boxes


def test_japanese_wraps_between_phrases_and_never_starts_a_line_with_a_stop() -> None:
    layout = Layout.of("ja")
    font = load_font(default_faces(None, "ja")[1], 48)
    for width in (300, 420, 555, 700):
        lines = wrap(JA_TEXT, font, width, layout)
        assert "".join(lines) == JA_TEXT  # no spaces added, nothing lost
        assert all(ink_width(line, font, layout) <= width for line in lines), width
        assert not [line for line in lines[1:] if line[0] in NO_LINE_START], lines
    # Lines end between BudouX phrases (where every phrase fits a line), not mid-word.
    phrases = budoux.load_default_japanese_parser().parse(JA_TEXT)
    between = set(itertools.accumulate(len(p) for p in phrases))
    ends = itertools.accumulate(len(line) for line in wrap(JA_TEXT, font, 700, layout))
    assert set(ends) <= between


def test_arabic_is_shaped_and_set_right_to_left() -> None:
    body = default_faces(None, "ar")[1]
    font = load_font(body, 60)
    word = "السوداء"
    arabic = Layout.of("ar")
    shaped = ink_width(word, font, arabic)
    # Isolated letters side by side: what an unshaped layout would draw.
    isolated = sum(ink_width(ch, font, arabic) for ch in word)
    assert shaped < 0.9 * isolated
    # Right to left: the first word read is the rightmost one drawn.
    line = "الثقوب السوداء"
    image = Image.new("L", (900, 120))
    ImageDraw.Draw(image).text((10, 10), line, font=font, fill=255, **arabic.shaping())
    first = Image.new("L", (900, 120))
    ImageDraw.Draw(first).text((10, 10), "الثقوب", font=font, fill=255, **arabic.shaping())
    drawn, alone = np.asarray(image) > 0, np.asarray(first) > 0
    columns = np.nonzero(drawn.any(axis=0))[0]
    first_columns = np.nonzero(alone.any(axis=0))[0]
    width = first_columns[-1] - first_columns[0]
    right_part = drawn[:, columns[-1] - width : columns[-1] + 1]
    assert right_part.sum() == pytest.approx(alone.sum(), rel=0.05)


def _ink_columns(path: Path, rows: tuple[int, int]) -> tuple[int, int]:
    pixels = np.asarray(Image.open(path).convert("L")).astype(int)
    band = pixels[rows[0] : rows[1]]
    bright = np.nonzero((band > 200).any(axis=0))[0]
    return int(bright[0]), int(bright[-1])


def test_japanese_and_arabic_cards_draw_every_character_in_a_covering_face(
    tmp_path: Path,
) -> None:
    size = (1280, 720)
    cards = {
        "ja": [
            ScriptBlock(kind="hook", heading=JA_TITLE, text=JA_TEXT),
            ScriptBlock(kind="section", heading="ホーキング放射とは何か？", text=JA_TEXT),
        ],
        "ar": [
            ScriptBlock(kind="hook", heading=AR_TITLE, text=AR_TEXT),
            ScriptBlock(kind="section", heading="ما هو إشعاع هوكينغ؟", text=AR_TEXT),
        ],
    }
    for tag, blocks in cards.items():
        with fonts.recording_missing() as missing:
            paths = render_slides(blocks, size, tmp_path / tag, language=tag)
        assert missing == set()
        for face in default_faces(None, tag):
            for block in blocks:
                for text in (block.heading, block.text):
                    chosen, lacks = covering(text, face)
                    assert lacks == "" and boxes(text, chosen) == set()
        assert all(Image.open(p).size == size for p in paths)
    # The Arabic heading is set against the right margin, the Japanese against the left.
    margin = round(720 * 0.075)
    ja_left, _ = _ink_columns(tmp_path / "ja" / "slide_01.png", (120, 230))
    ar_left, ar_right = _ink_columns(tmp_path / "ar" / "slide_01.png", (120, 230))
    assert abs(ja_left - margin) <= 8
    assert abs(ar_right - (size[0] - margin)) <= 8 and ar_left > 3 * margin


def test_a_character_no_face_covers_is_recorded_and_would_be_a_box(tmp_path: Path) -> None:
    block = ScriptBlock(kind="section", heading=f"Linear B {UNCOVERED}", text="Tamil: தமிழ்.")
    with fonts.recording_missing() as missing:
        render_slides([block], (640, 360), tmp_path, language="en")
    assert {UNCOVERED, "த", "ழ"} <= missing
    assert UNCOVERED in boxes(UNCOVERED, default_faces(None, "en")[0])


def test_japanese_and_arabic_thumbnails_keep_the_titles_words_in_covering_faces(
    tmp_path: Path,
) -> None:
    assert title_variations(JA_TITLE, "ja") == [
        JA_TITLE,
        "ブラックホールはどのように蒸発するのか！",
        "ブラックホールはどのように蒸発するのか？！",
    ]
    with fonts.recording_missing() as missing:
        made = make_thumbnails(JA_TITLE, [], tmp_path / "ja", language="ja")
        made += make_thumbnails(AR_TITLE, [], tmp_path / "ar", language="ar")
    assert missing == set()
    assert made[3].title_text == AR_TITLE
    for thumb in made:
        assert Image.open(thumb.path).size == (1280, 720)
        assert thumb.text_box is not None
    # The Arabic hero's white lines end together at the right of its text box.
    hero = made[3]
    assert hero.text_box is not None
    pixels = np.asarray(Image.open(hero.path).convert("RGB").crop(hero.text_box))
    white = pixels.min(axis=2) > 200
    rows = white.any(axis=1)
    bands = np.split(np.arange(len(rows)), np.nonzero(np.diff(rows.astype(int)))[0] + 1)
    rights = [np.nonzero(white[b].any(axis=0))[0][-1] for b in bands if rows[b[0]]]
    assert len(rights) >= 2 and max(rights) - min(rights) <= 6, rights
    # Set one line at a time at thumbnail size: every line fits and none starts with "？".
    face = default_faces(None, "ja")[0]
    fitted = fit_text(JA_TITLE, face, (560, 400), max_size=110, min_size=34, max_lines=3,
                      language="ja")  # fmt: skip
    assert fitted is not None and not fitted.truncated
    assert all(line[0] not in NO_LINE_START for line in fitted.lines)


def test_without_raqm_right_to_left_text_fails_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    from ytempire.visuals import text

    monkeypatch.setattr(text.features, "check", lambda feature: False)
    with pytest.raises(text.TextLayoutError) as caught:
        Layout.of("ar").shaping()
    assert "\n" not in str(caught.value) and "raqm" in str(caught.value)
    assert Layout.of("ja").shaping() == {}  # the basic layout still sets other scripts
