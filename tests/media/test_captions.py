"""Word-by-word captions: karaoke tags on the word timings, inside the safe area, apart
from the overlays."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.media.conftest import TimelineFactory
from ytempire.fonts import bundled_fonts_dir
from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.plan import plan
from ytempire.media.render import RenderOptions, burned_cues, caption_script
from ytempire.media.subtitles import (
    CAPTION_STYLE_NAMES,
    CAPTION_STYLES,
    ass_script,
    caption_lines,
    karaoke_text,
    safe_margins,
)
from ytempire.models import TIMED_TEXTS, TimedText
from ytempire.visuals.overlays import lower_third, text_overlay
from ytempire.workspace import write_text

SIZES = [(1920, 1080), (1080, 1920)]
TEXT = "Black holes are not quite black. They glow, faintly, at the edge of everything."


def _words(text: str = TEXT, start: float = 0.1, step: float = 0.19) -> list[TimedText]:
    return [
        TimedText(text=w, start=start + i * step, end=start + i * step + step * 0.8, block=1)
        for i, w in enumerate(text.split())
    ]


_DIALOGUE = re.compile(r"^Dialogue: 0,(\d+):(\d\d):(\d\d)\.(\d\d),[^,]*,Default,,0,0,0,,(.*)$")


def _karaoke(script: str) -> list[tuple[float, list[tuple[float, str]]]]:
    """Each event's start (seconds) and its words with the time each is highlighted."""
    events = []
    for line in script.splitlines():
        match = _DIALOGUE.match(line)
        if not match:
            continue
        h, m, s, cs, text = match.groups()
        start = int(h) * 3600 + int(m) * 60 + int(s) + int(cs) / 100
        at, words = start, []
        for duration, word in re.findall(r"\{\\k(\d+)\}([^{]*)", text):
            if word.strip():
                words.append((at, word.strip()))
            at += int(duration) / 100
        events.append((start, words))
    return events


@pytest.mark.parametrize("style", CAPTION_STYLE_NAMES)
def test_karaoke_tags_turn_each_word_on_the_frame_it_is_spoken(
    make_timeline: TimelineFactory, style: str, tmp_path: Path
) -> None:
    words = _words()
    words_path = write_text(tmp_path / "words.json", TIMED_TEXTS.dump_json(words).decode())
    timeline = make_timeline().model_copy(update={"words_path": words_path, "caption_style": style})
    options = RenderOptions()
    cues = burned_cues(timeline, options)
    laid = plan(timeline, cues)
    lit: dict[str, int] = {}  # each word (all differ): the first frame it is lit on
    for pieces in laid.chunks(2):
        # Libass draws picture k at second k: map the tag times back to frames. A word
        # lit at the part's end is not lit in this part; one that started before the part
        # is lit from its first picture (the earlier part lit it first).
        starts = [s for p in pieces for s in p.states]
        for _, timed in _karaoke(caption_script(laid, pieces, timeline, options)):
            for at, word in timed:
                if round(at) < len(starts):
                    lit[word] = min(lit.get(word, starts[round(at)]), starts[round(at)])
    expected = {
        w.text.upper() if style == "bold-pop" else w.text: round(w.start * timeline.fps)
        for w in words
    }
    assert lit == expected
    script = caption_script(laid, laid.pieces, timeline, options)
    names = next(x for x in script.splitlines() if x.startswith("Format: Name"))[8:].split(", ")
    values = next(x for x in script.splitlines() if x.startswith("Style: "))[7:].split(",")
    fields = dict(zip(names, values, strict=True))
    # One box per line, never a box per word (overlapping translucent boxes show seams).
    assert fields["BorderStyle"] in ("1", "4")
    per_line = CAPTION_STYLES[style].words_per_line
    assert all(len(c.words) <= per_line for c in cues)
    assert all(a.end <= b.first for a, b in itertools.pairwise(cues))


def test_a_line_ends_with_its_sentence_and_holds_briefly_after_its_last_word() -> None:
    lines = caption_lines(_words(), CAPTION_STYLES["karaoke"], (1920, 1080))
    texts = [" ".join(w for _, w in words) for _, _, words, _ in lines]
    assert texts[:2] == ["Black holes are not quite", "black."]
    assert lines[1][1] == pytest.approx(lines[2][0])  # until the next line starts
    last = _words()[-1]
    assert lines[-1][1] == pytest.approx(last.end + 0.6)


def test_a_word_spoken_before_the_part_starts_is_lit_from_its_first_picture() -> None:
    text = karaoke_text([(1.0, "one"), (3.0, "two"), (4.0, "three")], 2.0, 6.0)
    assert text == r"{\k100}one {\k100}two {\k200}three"  # "one" lit from 2.0 s
    assert karaoke_text([(2.5, "a{b}")], 2.0, 3.0) == r"{\k50}{\k50}a(b)"


def _bbox(png: Path, channel: int | None = None) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) of what is drawn: non-black pixels, or non-zero alpha."""
    pixels = np.asarray(Image.open(png).convert("RGBA"))
    mask = pixels[..., 3] > 0 if channel == 3 else pixels[..., :3].max(axis=2) > 16
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _caption_box(size: tuple[int, int], style: str, folder: Path) -> tuple[int, int, int, int]:
    """Where libass draws the widest line the style allows in a frame of ``size``."""
    words = _words(" ".join(["Wonderful"] * 8), start=0.0)
    lines = caption_lines(words, CAPTION_STYLES[style], size)
    events = [(0.0, 2.0, karaoke_text(lines[0][2], 0.0, 2.0))]
    script = ass_script(events, size, CAPTION_STYLES[style].fields)
    (folder / "cap.ass").write_text(script, encoding="utf-8")
    fonts = bundled_fonts_dir()
    run(
        [
            ffmpeg_exe(), "-f", "lavfi", "-i", f"color=c=black:s={size[0]}x{size[1]}:d=1",
            "-vf", f"subtitles=filename=cap.ass:fontsdir={fonts}", "-frames:v", "1",
            "-y", "cap.png",
        ],
        timeout=60,
        cwd=folder,
    )  # fmt: skip
    return _bbox(folder / "cap.png")


@pytest.mark.parametrize("size", SIZES)
def test_captions_and_overlays_stay_in_the_safe_area_and_never_overlap(
    size: tuple[int, int], tmp_path: Path
) -> None:
    width, height = size
    left, right, bottom = safe_margins(size)
    third = _bbox(lower_third("Hawking radiation, explained", size, tmp_path / "t.png",
                              label="What is it?"), 3)  # fmt: skip
    overlay = _bbox(text_overlay("Blue light scatters most of all", size, tmp_path / "o.png"), 3)
    for box in (third, overlay):
        assert box[0] >= left and box[2] <= width - right + 1 and box[3] <= height - bottom
    for style in CAPTION_STYLE_NAMES:
        cap = _caption_box(size, style, tmp_path)
        assert cap[0] >= left and cap[2] <= width - right, (style, cap)
        assert cap[3] <= height - bottom, (style, cap)
        for box in (third, overlay):
            assert cap[1] >= box[3], (style, cap, box)  # wholly below every overlay


def _gaps(mask: np.ndarray) -> int:
    """Breaks in the ink of a line, left to right: where one run of letters ends."""
    columns = np.asarray(mask.any(axis=0), dtype=bool)
    drawn = np.nonzero(columns)[0]
    return int((np.diff(columns[drawn[0] : drawn[-1] + 1].astype(int)) == -1).sum())


@pytest.mark.parametrize("tag", ["ar", "ja"])
def test_arabic_and_japanese_captions_are_drawn_shaped_in_reading_order(
    make_timeline: TimelineFactory, tag: str, tmp_path: Path
) -> None:
    from ytempire.fonts import caption_fonts, default_faces
    from ytempire.language import language
    from ytempire.visuals.brand import Brand, caption_face, caption_style
    from ytempire.voice.words import split_words

    text = {
        "ar": "الثقوب السوداء ليست سوداء تماما.",
        "ja": "ブラックホールはゆっくりと蒸発します。",
    }[tag]
    words = _words(" ".join(split_words(text)), start=0.0, step=0.5)
    words_path = write_text(tmp_path / "words.json", TIMED_TEXTS.dump_json(words).decode())
    face = caption_face(Brand(), text, None, tag)
    assert face == default_faces(None, tag)[1]
    timeline = make_timeline().model_copy(
        update={
            "words_path": words_path,
            "language": tag,
            "subtitle_style": caption_style(Brand(), None, face),
        }
    )
    laid = plan(timeline, burned_cues(timeline, RenderOptions()))
    script = caption_script(laid, laid.pieces, timeline, RenderOptions())
    names = next(x for x in script.splitlines() if x.startswith("Format: Name"))[8:].split(", ")
    values = next(x for x in script.splitlines() if x.startswith("Style: "))[7:].split(",")
    fields = dict(zip(names, values, strict=True))
    assert fields["Fontname"] == {"ar": "Noto Sans Arabic", "ja": "Noto Sans CJK JP"}[tag]
    assert fields["Encoding"] == ("-1" if tag == "ar" else "1")  # libass: bidi from the text
    # One line as libass draws it, the first word lit (spoken) and the rest still to come.
    size = (1920, 1080)
    spaced = language(tag).spaced
    start, end, line, _ = caption_lines(words, CAPTION_STYLES["clean"], size, spaced)[0]
    karaoke = karaoke_text(line, start, end, spaced)
    assert (" " in karaoke) == spaced  # Japanese phrases are joined as written
    style = ",".join(f"{k}={v}" for k, v in fields.items() if k not in ("Name",))
    (tmp_path / "cap.ass").write_text(ass_script([(0.0, 3.0, karaoke)], size, style), "utf-8")
    caption_fonts(tmp_path / "fonts", None, language(tag).script)
    run(
        [
            ffmpeg_exe(), "-f", "lavfi", "-i", f"color=c=black:s={size[0]}x{size[1]}:d=1",
            "-vf", "subtitles=filename=cap.ass:fontsdir=fonts", "-ss", "0.2", "-frames:v", "1",
            "-y", "cap.png",
        ],
        timeout=60,
        cwd=tmp_path,
    )  # fmt: skip
    rgb = np.asarray(Image.open(tmp_path / "cap.png").convert("RGB")).astype(int)
    lit = (rgb[..., 0] > 150) & (rgb[..., 2] < 0.6 * rgb[..., 0])  # the highlight: yellow
    rest = rgb.min(axis=2) > 150  # white
    assert lit.any() and rest.any()
    lit_x, rest_x = np.nonzero(lit)[1].mean(), np.nonzero(rest)[1].mean()
    # The first word read is rightmost in Arabic, leftmost in Japanese.
    assert (lit_x > rest_x) == (tag == "ar")
    if tag == "ar":
        # Shaped: the letters join, so the line breaks where Pillow's shaped (raqm) line
        # does, and far less often than the same letters set apart (basic layout).
        from PIL import ImageFont

        def pillow_gaps(engine: ImageFont.Layout) -> int:
            font = ImageFont.truetype(str(face), 40, layout_engine=engine)
            image = Image.new("L", (1400, 100))
            ImageDraw.Draw(image).text((10, 10), text, font=font, fill=255)
            return _gaps(np.asarray(image) > 100)

        drawn = _gaps(rgb.max(axis=2) > 80)
        assert abs(drawn - pillow_gaps(ImageFont.Layout.RAQM)) <= 2
        assert pillow_gaps(ImageFont.Layout.BASIC) > drawn + 6
