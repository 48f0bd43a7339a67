"""Three 1280x720 thumbnail variants for A/B tests, from the seed's templates (§2.4).

Each template has a layout, a text area (percent of the frame) and two effects:

- ``hero_image_with_text`` (drop shadow, gradient overlay): one picture fills the frame, the
  text sits lower right on a darkened corner;
- ``split_screen`` (blur background, vignette): the picture sharp in the left half, the same
  or the video's frame blurred behind everything, the text on the right;
- ``minimal_center`` (high contrast, colour pop): the picture punched up, the text on a solid
  accent band across the middle.

What a variant is drawn on, best first: a generated picture for its layout (DALL·E 3, for
hero and split only, when the caller has one; graded towards the brand's colours), else the
video's key frames (see ``visuals.keyframes``). A key frame that is a *picture* (footage, a
photo) fills the frame; one that is a *graphic* (our own slide cards and charts: flat colour
and text) would fight the overlay, so it is shown framed, as a preview of the video, on the
brand art instead; the minimal layout then uses the brand art alone. Where a picture has a
face under the text area, it is mirrored if that frees the face.

Text is set as large as its area allows and is always readable: its colour is chosen
against the pixels actually behind it, and where those are too busy a backing panel is faded
in until the WCAG contrast reaches 4.5. The box the text occupies is recorded in the PNG
itself (a ``ytempire:text_box`` text chunk) so quality checks can measure it later.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps
from PIL.PngImagePlugin import PngInfo

from ytempire.fonts import default_faces
from ytempire.learning.prompts import file_prompt
from ytempire.models import Thumbnail
from ytempire.quality.faces import detect_faces, overlap_share
from ytempire.visuals.keyframes import GRAPHIC_FLAT_SHARE, flat_share
from ytempire.visuals.palette import (
    BLACK,
    DEFAULT_PALETTE,
    MIN_TEXT_CONTRAST,
    RGB,
    WHITE,
    Palette,
    contrast_ratio,
    luminance_array,
    relative_luminance,
)
from ytempire.visuals.slides import CARD_KEY
from ytempire.visuals.slides import background as card_background
from ytempire.visuals.text import Layout, SetText, draw_set_text, fit_text
from ytempire.workspace import write_bytes

ENGINE = "pillow-templates"
# What fills a variant's frame (``Thumbnail.background``).
GENERATED, KEY_FRAME, BRAND_ART = "generated", "key-frame", "brand-art"
# The layouts a generated picture serves (seed §2.4: DALL·E for these, Pillow for the rest).
GENERATED_LAYOUTS = ("hero_image_with_text", "split_screen")
# How far a generated picture is graded towards the brand's colours (``Palette.tint``):
# measured, 0.75 lifts DALL·E-like pictures' brand consistency from 0.2-0.5 to over 0.8.
GENERATED_TINT = 0.75
# The layouts that can show a graphic key frame (framed, as a preview of the video).
_SHOWS_GRAPHICS = frozenset({"hero_image_with_text", "split_screen"})
_CHOOSING_ORDER = ("hero_image_with_text", "minimal_center", "split_screen")
SIZE = (1280, 720)
# YouTube's limit for custom thumbnails is 2 MB; the quality suite reads that as decimal.
MAX_BYTES = 2_000_000
TEXT_BOX_KEY = "ytempire:text_box"
TEMPLATE_KEY = "ytempire:template"
# Aim above 4.5 so anti-aliased edges and palette quantisation cannot pull a measurement under.
_TARGET_CONTRAST = MIN_TEXT_CONTRAST + 0.5
MAX_OVERLAY_WORDS = 6

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class ThumbnailTemplate:
    """A seed §2.4 template: a layout, the text area in percent (x, y, w, h), its effects."""

    name: str
    layout: str
    text_area: tuple[float, float, float, float]
    effects: tuple[str, ...]

    def text_box(self, size: tuple[int, int] = SIZE) -> Box:
        """The text area in pixels as (left, top, right, bottom)."""
        x, y, w, h = self.text_area
        width, height = size
        return (
            round(width * x / 100),
            round(height * y / 100),
            round(width * (x + w) / 100),
            round(height * (y + h) / 100),
        )


TEMPLATES: tuple[ThumbnailTemplate, ...] = (
    ThumbnailTemplate(
        "style_1", "hero_image_with_text", (50, 50, 40, 30), ("drop_shadow", "gradient_overlay")
    ),
    ThumbnailTemplate("style_2", "split_screen", (55, 20, 40, 60), ("blur_background", "vignette")),
    ThumbnailTemplate(
        "style_3", "minimal_center", (10, 40, 80, 20), ("high_contrast", "color_pop")
    ),
)


# --- overlay text ---------------------------------------------------------------------------

_STOPWORDS = {
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "by",
    "from", "as", "into", "about", "is", "are", "was", "were", "be", "been", "it", "its",
    "this", "that", "these", "those", "your", "you", "our", "we", "their", "they", "his",
    "her", "my", "how", "why", "what", "when", "where", "who", "which", "do", "does", "did",
    "can", "will", "should", "really", "actually", "very", "just", "so", "than", "then",
}  # fmt: skip
_WH_WORDS = {"how", "why", "what", "when", "where", "who", "which"}
_AUXILIARIES = {
    "can", "could", "does", "do", "did", "is", "are", "was", "were", "should", "will",
    "would", "has", "have",
}  # fmt: skip
# The subject of "The history of the printing press" follows its last preposition.
_SUBJECT_AFTER = {"of", "about", "behind", "inside", "on", "to"}


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’&+.-]*", text)


def _trim_weak_end(words: list[str]) -> list[str]:
    while len(words) > 1 and words[-1].lower() in _STOPWORDS:
        words = words[:-1]
    return words


def _headline(words: list[str]) -> list[str]:
    """The title in at most six words: articles dropped first, then cut where a phrase ends
    (before "of", "and"...) rather than mid-phrase."""
    if len(words) <= MAX_OVERLAY_WORDS:
        return words
    if words[0].lower() in {"the", "a", "an"}:
        words = words[1:]
    if len(words) <= MAX_OVERLAY_WORDS:
        return words
    ends = [
        k
        for k in range(1, MAX_OVERLAY_WORDS + 1)
        if words[k - 1].lower() not in _STOPWORDS and words[k].lower() in _STOPWORDS
    ]
    return words[: ends[-1]] if ends else _trim_weak_end(words[:MAX_OVERLAY_WORDS])


def _subject(words: list[str]) -> list[str]:
    """The topic's content words: after the last "of/about", else after a question word."""
    lowered = [w.lower() for w in words]
    start = 0
    for i, w in enumerate(lowered[:-1]):
        if w in _SUBJECT_AFTER and i > 0:
            start = i + 1
    tail = words[start:]
    # Numbers ("10 tips") are emphasis, not the subject.
    content = [w for w in tail if w.lower() not in _STOPWORDS and not w.isdigit()] or [
        w for w in words if w.lower() not in _STOPWORDS
    ]
    return (content or words)[:3]


def _asks(words: list[str]) -> bool:
    """Whether a title without a question mark still reads as a question: "Do cats dream",
    "Why do cats purr" (but not "How black holes evaporate", a noun phrase)."""
    lowered = [w.lower() for w in words[:2]]
    if lowered[0] in _AUXILIARIES:
        return True
    return len(lowered) > 1 and lowered[0] in _WH_WORDS and lowered[1] in _AUXILIARIES


def title_variations(title: str, language: str = "en") -> list[str]:
    """Three different short overlay texts (at most six words, upper case) for ``title``.

    Variant 1 is the title itself, shortened to its main clause; variant 2 names the subject
    and promises an explanation; variant 3 teases it. Those phrases are English: in another
    ``language`` the variants are the main clause, it with an exclamation, and the whole
    title, in the title's own words. Pure and deterministic; raises ValueError for a title
    without words.
    """
    # The main clause: before a colon, a dash or after a closing question mark.
    main = re.split(r"(?<=[?？؟])\s*|[:：]|\s[-–—|]\s", title.strip(), maxsplit=1)[0]
    if Layout.of(language).code != "en":
        return _own_words(main.strip(), title.strip(), Layout.of(language))
    words = _words(main) or _words(title)
    if not words:
        raise ValueError(f"title {title!r} has no words to put on a thumbnail")
    headline = _headline(words)
    subject = _subject(words)
    subject_text = " ".join(subject)
    question = main.rstrip().endswith("?") or _asks(words)
    candidates = [
        " ".join(headline) + ("?" if question and len(headline) == len(words) else ""),
        f"{' '.join(subject[:2])} explained",
        f"the truth about {' '.join(subject[:2])}",
        f"{subject_text}?!",
        f"watch this: {subject_text}",
        f"{subject_text} in minutes",
    ]
    out: list[str] = []
    for candidate in candidates:
        text = " ".join(candidate.split()[:MAX_OVERLAY_WORDS]).upper()
        if text and text not in out:
            out.append(text)
        if len(out) == 3:
            break
    return out


def _own_words(main: str, title: str, layout: Layout) -> list[str]:
    """Three overlay texts in the title's own language: the main clause, it exclaimed, and
    the whole title (or the clause asked and exclaimed when that is the title)."""
    if not any(ch.isalnum() for ch in title):
        raise ValueError(f"title {title!r} has no words to put on a thumbnail")
    main = main or title
    bang, ask = (
        ("！", "？") if not layout.spaced else ("!", "؟" if layout.script == "Arab" else "?")
    )
    stem = main.rstrip("!?！？؟。.").lstrip("¡¿")
    # Spanish opens what it exclaims or asks: ¡…! and ¿…?
    opens = ("¡", "¡¿") if layout.code == "es" else ("", "")
    out: list[str] = []
    for text in (main, opens[0] + stem + bang, title, opens[1] + stem + ask + bang):
        if text not in out:
            out.append(text)
    return out[:3]


# --- image helpers --------------------------------------------------------------------------


def cover(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``image`` scaled to fill ``size`` exactly and centre-cropped (CSS ``cover``)."""
    return ImageOps.fit(image.convert("RGB"), size, method=Image.Resampling.LANCZOS)


def brand_art(palette: Palette, seed: str, size: tuple[int, int] = SIZE) -> Image.Image:
    """An abstract hero picture in the brand's colours: the card gradient with large soft
    discs and one accent ring, laid out deterministically from ``seed`` (each video differs)."""
    rng = np.random.default_rng(zlib.crc32(seed.encode("utf-8")))
    width, height = size
    image = card_background(size, palette)
    light = tuple(min(255, round(c * 2.2 + 30)) for c in palette.background_bottom)
    discs = Image.new("L", size, 0)
    draw = ImageDraw.Draw(discs)
    for _ in range(5):
        r = int(rng.uniform(0.08, 0.22) * width)
        cx, cy = int(rng.uniform(0, width)), int(rng.uniform(0, height))
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=int(rng.uniform(14, 38)))
    image = Image.composite(Image.new("RGB", size, light), image, discs)
    # One bold accent ring, mostly in the left half where no template puts text. Each layer
    # is a flat colour under its own mask, so the soft edges fade into the picture, not black.
    r = int(height * rng.uniform(0.32, 0.42))
    cx, cy = int(width * rng.uniform(0.2, 0.32)), int(height * rng.uniform(0.4, 0.6))
    ring = Image.new("L", size, 0)
    ImageDraw.Draw(ring).ellipse(
        (cx - r, cy - r, cx + r, cy + r), outline=235, width=max(8, r // 7)
    )
    ring = ring.filter(ImageFilter.GaussianBlur(1))
    return Image.composite(Image.new("RGB", size, palette.accent), image, ring)


# --- what a variant is drawn on -------------------------------------------------------------


@dataclass(frozen=True)
class Background:
    """A key frame (or any picture file) as the templates see it."""

    image: Image.Image  # RGB, any size
    graphic: bool  # a designed card or chart: shown framed, never under the overlay text
    path: Path | None = None


def is_graphic(image: Image.Image) -> bool:
    """Whether ``image`` is a designed card or chart (mostly flat colour), not a picture."""
    height = max(2, round(320 * image.height / image.width))
    small = image.convert("L").resize((320, height), Image.Resampling.BOX)
    return flat_share(np.asarray(small)) >= GRAPHIC_FLAT_SHARE


def load_background(path: Path) -> Background:
    """The picture at ``path``, classed: our slide cards (marked in their PNG) and anything
    mostly flat are graphics."""
    with Image.open(path) as image:
        marked = CARD_KEY in getattr(image, "text", {})
        rgb = image.convert("RGB")
    return Background(rgb, marked or is_graphic(rgb), Path(path))


def assign_backgrounds(
    backgrounds: list[Background], layouts: list[str], generated: Collection[str] = ()
) -> list[Background | None]:
    """Which background each template (given by its layout) gets.

    Templates without a generated picture choose first; among them the hero first (the best
    picture is its hero image), then the minimal layout (it can use pictures only), then the
    split screen (it shows a graphic best). Each takes the best unused picture; failing
    that, an unused graphic if its layout can show one (framed: hero and split); failing
    that, it reuses the pictures (or, with no picture at all, the graphics) in turn.
    ``backgrounds`` are best first.
    """
    if not backgrounds:
        return [None] * len(layouts)
    pictures = [b for b in backgrounds if not b.graphic]
    graphics = [b for b in backgrounds if b.graphic]
    reusable = [*pictures] or [*graphics]

    def priority(i: int) -> tuple[bool, int, int]:
        layout = layouts[i]
        rank = _CHOOSING_ORDER.index(layout) if layout in _CHOOSING_ORDER else len(layouts)
        return (layout in generated, rank, i)

    turn = sorted(range(len(layouts)), key=priority)
    chosen: list[Background | None] = [None] * len(layouts)
    reused = 0
    for i in turn:
        if pictures:
            chosen[i] = pictures.pop(0)
        elif graphics and layouts[i] in _SHOWS_GRAPHICS:
            chosen[i] = graphics.pop(0)
        else:
            chosen[i] = reusable[reused % len(reusable)]
            reused += 1
    return chosen


@dataclass(frozen=True)
class _Source:
    """What one variant may use: its key frame, a generated picture, the seed for brand art."""

    frame: Background | None
    generated: Image.Image | None
    seed: str

    @property
    def picture_frame(self) -> Background | None:
        """The key frame if it is a picture (usable full-bleed)."""
        return self.frame if self.frame is not None and not self.frame.graphic else None


@dataclass
class _Drawn:
    image: Image.Image
    box: Box
    background: str  # GENERATED, KEY_FRAME or BRAND_ART
    used_frame: bool


def _cover_on_faces(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """``cover(image, size)``, but cropped around the largest face when there is one, so a
    narrow panel cut from a wide picture keeps the face in it."""
    faces = detect_faces(image)
    if not faces:
        return cover(image, size)
    left, top, right, bottom = faces[0]
    centre = ((left + right) / 2 / image.width, (top + bottom) / 2 / image.height)
    return ImageOps.fit(image.convert("RGB"), size, Image.Resampling.LANCZOS, centering=centre)


def _mirror_boxes(boxes: list[Box], width: int) -> list[Box]:
    return [(width - right, top, width - left, bottom) for left, top, right, bottom in boxes]


def _clear_faces(picture: Image.Image, area: Box) -> Image.Image:
    """``picture``, mirrored if a face sits under the text ``area`` and mirroring frees it."""
    faces = detect_faces(picture)
    covered = overlap_share(area, faces)
    if covered == 0:
        return picture
    if overlap_share(area, _mirror_boxes(faces, picture.width)) < covered:
        return ImageOps.mirror(picture)
    return picture


def _worst_contrast(colour: RGB, region: np.ndarray) -> float:
    """Contrast of ``colour`` against the least favourable pixels of ``region`` (ignoring the
    most extreme 1%, which are single specks a reader's eye skips)."""
    lum = luminance_array(region.reshape(-1, 3))
    own = relative_luminance(colour)
    other = np.percentile(lum, 99 if own > 0.18 else 1)
    hi, lo = max(own, float(other)), min(own, float(other))
    return (hi + 0.05) / (lo + 0.05)


def _gradient_overlay(image: Image.Image, palette: Palette) -> Image.Image:
    """Darken towards the lower right, where style_1 sets its text, with the brand's dark."""
    width, height = image.size
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    t = np.clip(0.55 * xs / width + 0.75 * ys / height - 0.25, 0, 1) ** 1.2 * 0.88
    mask = Image.fromarray((t * 255).astype(np.uint8), "L").resize(image.size)
    shade = Image.new("RGB", image.size, palette.background_top)
    return Image.composite(shade, image, mask)


def _vignette(image: Image.Image, strength: float = 0.55) -> Image.Image:
    width, height = image.size
    ys, xs = np.mgrid[0:height:8, 0:width:8].astype(np.float32)
    d = np.hypot((xs / width - 0.5) * 2, (ys / height - 0.5) * 2) / np.sqrt(2)
    mask = Image.fromarray((np.clip(d, 0, 1) ** 2 * strength * 255).astype(np.uint8), "L")
    return Image.composite(Image.new("RGB", image.size, BLACK), image, mask.resize(image.size))


# --- text placement -------------------------------------------------------------------------


class _Face(NamedTuple):
    """The overlay's font file and the language its text is set for."""

    path: Path
    language: str


def _set_overlay(
    text: str, face: _Face, box: tuple[int, int], max_lines: int, max_size: int
) -> SetText:
    """Upper-case overlay at the largest size that fits; original case if capitals must be
    cut (upper case is wider)."""

    def set_in(words: str) -> SetText | None:
        return fit_text(
            words,
            face.path,
            box,
            max_size=max_size,
            min_size=34,
            max_lines=max_lines,
            spacing=1.0,
            language=face.language,
        )

    fit = set_in(text.upper())
    if fit is not None and fit.truncated:
        lower = set_in(text)
        fit = lower if lower is not None and not lower.truncated else fit
    if fit is None:
        raise ValueError("thumbnail overlay text is empty")
    return fit


@dataclass
class _Overlay:
    """Where and how one overlay text is drawn, decided before any pixel is touched."""

    set_text: SetText
    origin: tuple[int, int]
    box: Box  # the text's ink bounds plus padding: what the backing panel covers
    width: int


def _layout(set_text: SetText, area: Box, align: str, pad: int) -> _Overlay:
    left, top, right, bottom = area
    inner_w = right - left - 2 * pad
    y = top + (bottom - top - set_text.height) // 2
    if align == "center":
        x = left + pad + (inner_w - set_text.width) // 2
    elif align == "right":
        x = right - pad - set_text.width
    else:
        x = left + pad
    box = (
        max(left, x - pad),
        max(top, y - pad),
        min(right, x + set_text.width + pad),
        min(bottom, y + set_text.height + pad),
    )
    return _Overlay(set_text, (x, y), box, set_text.width)


def _text_mask(size: tuple[int, int], overlay: _Overlay) -> Image.Image:
    mask = Image.new("L", size, 0)
    draw_set_text(
        ImageDraw.Draw(mask),
        overlay.set_text,
        overlay.origin,
        (255,),
        align="left",
        box_width=overlay.width,
    )
    return mask


def _readable(
    image: Image.Image,
    overlay: _Overlay,
    preferred: RGB,
    panel_colour: Callable[[RGB], RGB],
    radius: int,
) -> tuple[Image.Image, RGB]:
    """Keep the brand's text colour and, where the pixels behind ``overlay`` are too close to
    it, fade in a backing panel until the worst-case contrast reaches the target. Returns the
    (new) image and the text colour."""
    colour = preferred
    if contrast_ratio(colour, panel_colour(colour)) < _TARGET_CONTRAST:
        # A brand text colour that not even its own panel can carry: fall back to white/black.
        colour = max((WHITE, BLACK), key=lambda c: contrast_ratio(c, panel_colour(c)))
    if _worst_contrast(colour, np.asarray(image.crop(overlay.box))) >= _TARGET_CONTRAST:
        return image, colour
    panel = Image.new("RGB", image.size, panel_colour(colour))
    shape = Image.new("L", image.size, 0)
    ImageDraw.Draw(shape).rounded_rectangle(overlay.box, radius=radius, fill=255)
    candidate = image
    for opacity in (0.35, 0.5, 0.65, 0.8, 0.9, 1.0):
        # The lightest panel that works keeps as much of the picture visible as possible.
        mask = shape.point(lambda v, o=opacity: round(v * o))
        candidate = Image.composite(panel, image, mask)
        if _worst_contrast(colour, np.asarray(candidate.crop(overlay.box))) >= _TARGET_CONTRAST:
            break
    return candidate, colour


def _drop_shadow(image: Image.Image, mask: Image.Image, offset: int, blur: int) -> Image.Image:
    shadow = ImageChops.offset(mask, offset, offset).filter(ImageFilter.GaussianBlur(blur))
    shadow = shadow.point(lambda v: round(v * 0.75))
    return Image.composite(Image.new("RGB", image.size, BLACK), image, shadow)


def _draw_overlay(image: Image.Image, overlay: _Overlay, colours: list[RGB]) -> None:
    """Draw each line in its colour (the last colour repeats for the remaining lines)."""
    draw = ImageDraw.Draw(image)
    x, y = overlay.origin
    st = overlay.set_text
    for i, line in enumerate(st.lines):
        one = replace(st, lines=(line,), width=overlay.width, height=st.line_height)
        draw_set_text(draw, one, (x, y), colours[min(i, len(colours) - 1)])
        y += st.line_height


def _dark_panel(palette: Palette) -> Callable[[RGB], RGB]:
    return palette.panel_for


# --- the three templates --------------------------------------------------------------------

# Where hero shows a graphic key frame (a preview of the video), left of its text area.
_HERO_INSET: Box = (56, 120, 596, 600)
_HERO_INSET_TILT = 4  # degrees, counter-clockwise: a "snapshot" laid on the picture


def _hero(src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, face: _Face) -> _Drawn:
    area = tpl.text_box()
    inset: Image.Image | None = None
    if src.generated is not None:
        picture, label = _clear_faces(cover(src.generated, SIZE), area), GENERATED
    elif (frame := src.picture_frame) is not None:
        picture, label = _clear_faces(cover(frame.image, SIZE), area), KEY_FRAME
    else:
        picture, label = brand_art(palette, src.seed), BRAND_ART
        inset = src.frame.image if src.frame is not None else None
    image = _gradient_overlay(picture, palette)
    if inset is not None:
        image = _framed(image, inset, _HERO_INSET, palette, tilt=_HERO_INSET_TILT)
    pad = 18
    set_text = _set_overlay(
        text,
        face,
        (area[2] - area[0] - 2 * pad, area[3] - area[1] - 2 * pad),
        max_lines=3,
        max_size=110,
    )
    overlay = _layout(set_text, area, "left", pad)
    image, colour = _readable(image, overlay, palette.text, _dark_panel(palette), 16)
    mask = _text_mask(image.size, overlay)
    image = _drop_shadow(image, mask, offset=5, blur=6)
    # An accent bar just above the text ties the variant to the channel's brand.
    bar_y = max(0, overlay.box[1] - 14)
    ImageDraw.Draw(image).rectangle(
        (overlay.box[0] + pad, bar_y, overlay.box[0] + pad + 96, bar_y + 9), fill=palette.accent
    )
    _draw_overlay(image, overlay, [colour])
    used = label == KEY_FRAME or inset is not None
    return _Drawn(image, overlay.box, label, used)


def _framed(
    image: Image.Image, card: Image.Image, box: Box, palette: Palette, tilt: float = 0
) -> Image.Image:
    """``card`` scaled to fit ``box`` (keeping its shape), with an accent frame and a soft
    shadow, turned ``tilt`` degrees about its centre."""
    left, top, right, bottom = box
    frame = 5
    fitted = ImageOps.contain(
        card, (right - left - 2 * frame, bottom - top - 2 * frame), Image.Resampling.LANCZOS
    )
    framed = Image.new("RGB", (fitted.width + 2 * frame, fitted.height + 2 * frame), palette.accent)
    framed.paste(fitted, (frame, frame))
    alpha = Image.new("L", framed.size, 255)
    if tilt:
        framed = framed.rotate(tilt, Image.Resampling.BICUBIC, expand=True)
        alpha = alpha.rotate(tilt, Image.Resampling.BICUBIC, expand=True)
    x = left + (right - left - framed.width) // 2
    y = top + (bottom - top - framed.height) // 2
    shadow = Image.new("L", image.size, 0)
    shadow.paste(alpha.point(lambda v: round(v * 0.67)), (x + 10, y + 14))
    image = Image.composite(
        Image.new("RGB", image.size, BLACK), image, shadow.filter(ImageFilter.GaussianBlur(12))
    )
    image.paste(framed, (x, y), alpha)
    return image


def _blurred(picture: Image.Image, palette: Palette) -> Image.Image:
    """``picture`` covering the frame, soft and dimmed towards the brand's dark colour."""
    width, height = SIZE
    # Blurring a quarter-size copy is as soft as blurring the full frame, at 1/16 the cost.
    small = cover(picture, (width // 4, height // 4)).filter(ImageFilter.GaussianBlur(6))
    image = small.resize(SIZE, Image.Resampling.BILINEAR)
    return Image.blend(image, Image.new("RGB", SIZE, palette.background_top), 0.45)


def _split(
    src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, face: _Face
) -> _Drawn:
    width, height = SIZE
    split_x = width // 2
    frame = src.picture_frame
    # The backdrop is the video's frame, blurred, when it is a picture. A blurred graphic is a
    # smudge of its text, so otherwise the generated picture or the brand art is blurred.
    art: Image.Image | None = None
    if frame is not None:
        backdrop = frame.image
    elif src.generated is not None:
        backdrop = src.generated
    else:
        backdrop = art = brand_art(palette, src.seed)
    image = _blurred(backdrop, palette)
    sharp: Image.Image | None
    used_frame = frame is not None
    if src.generated is not None:
        sharp, label = src.generated, GENERATED
    elif frame is not None:
        sharp, label = frame.image, KEY_FRAME
    elif src.frame is not None:
        # A graphic is shown whole, framed, as a preview of the video.
        sharp, label, used_frame = None, KEY_FRAME, True
        image = _framed(image, src.frame.image, (48, 60, split_x - 40, height - 60), palette)
        image = _vignette(image, 0.45)
    else:
        sharp, label = art, BRAND_ART
    if sharp is not None:
        # Faces in the left half are never under the text, which sits in the right half.
        image.paste(_cover_on_faces(sharp, (split_x, height)), (0, 0))
        image = _vignette(image)
        ImageDraw.Draw(image).rectangle((split_x - 5, 0, split_x + 5, height), fill=palette.accent)
    area = tpl.text_box()
    pad = 20
    set_text = _set_overlay(
        text,
        face,
        (area[2] - area[0] - 2 * pad, area[3] - area[1] - 2 * pad),
        max_lines=4,
        max_size=120,
    )
    overlay = _layout(set_text, area, "left", pad)
    image, colour = _readable(image, overlay, palette.text, _dark_panel(palette), 18)
    colours = [colour]
    region = np.asarray(image.crop(overlay.box))
    if len(set_text.lines) > 1 and _worst_contrast(palette.accent, region) >= _TARGET_CONTRAST:
        # The last line in the accent colour: the "pop" word viewers' eyes land on.
        colours = [colour] * (len(set_text.lines) - 1) + [palette.accent]
    _draw_overlay(image, overlay, colours)
    return _Drawn(image, overlay.box, label, used_frame)


def _minimal(
    src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, face: _Face
) -> _Drawn:
    area = tpl.text_box()
    if (frame := src.picture_frame) is not None:
        # A photo or frame gets the full pop; brand art is saturated already.
        picture, label, pop = _clear_faces(cover(frame.image, SIZE), area), KEY_FRAME, 1.6
    else:
        picture, label, pop = brand_art(palette, src.seed), BRAND_ART, 1.2
    image = ImageEnhance.Contrast(picture).enhance(1.35)
    image = ImageEnhance.Color(image).enhance(pop)
    # The whole text area becomes a solid accent band: minimal, and high contrast by design.
    ImageDraw.Draw(image).rounded_rectangle(area, radius=14, fill=palette.accent)
    pad = 22
    set_text = _set_overlay(
        text,
        face,
        (area[2] - area[0] - 2 * pad, area[3] - area[1] - 2 * pad),
        max_lines=1,
        max_size=110,
    )
    overlay = _layout(set_text, area, "center", pad)
    colour = max((palette.text, BLACK, WHITE), key=lambda c: contrast_ratio(c, palette.accent))
    _draw_overlay(image, overlay, [colour])
    return _Drawn(image, overlay.box, label, label == KEY_FRAME)


_RENDERERS: dict[str, Callable[[_Source, str, ThumbnailTemplate, Palette, _Face], _Drawn]] = {
    "hero_image_with_text": _hero,
    "split_screen": _split,
    "minimal_center": _minimal,
}


def _encode(image: Image.Image, template: str, box: Box) -> bytes:
    """PNG bytes under YouTube's 2 MB limit, with the text box recorded in a text chunk."""
    info = PngInfo()
    info.add_text(TEXT_BOX_KEY, ",".join(str(v) for v in box))
    info.add_text(TEMPLATE_KEY, template)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=6, pnginfo=info)
    if buffer.tell() < MAX_BYTES:
        return buffer.getvalue()
    # Photo-like backgrounds can exceed the limit as truecolour; a 256-colour palette with
    # dithering keeps them well under it and looks the same at thumbnail size.
    buffer = io.BytesIO()
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
        buffer, format="PNG", compress_level=9, pnginfo=info
    )
    return buffer.getvalue()


def read_text_box(path: Path) -> Box | None:
    """The text box recorded in a thumbnail made here, or None for any other image."""
    with Image.open(path) as image:
        raw = getattr(image, "text", {}).get(TEXT_BOX_KEY)
    if not raw:
        return None
    try:
        left, top, right, bottom = (int(v) for v in raw.split(","))
    except ValueError:
        return None
    return (left, top, right, bottom)


def image_prompt(
    layout: str, title: str, palette: Palette = DEFAULT_PALETTE, template: str | None = None
) -> str:
    """The prompt asking an image model for ``layout``'s picture for a video titled ``title``:
    ``template`` (the ``thumbnail-image`` prompt loaded from the registry; None: its file)
    with the title, the layout's composition and the brand colours filled in.

    The seed's prompt (§2.4) asks for vibrant, high-contrast colours, an excited facial
    expression and the brand colours; here the picture carries no text at all (image models
    misspell it, and the overlay is set by us, where its contrast is guaranteed), and the
    composition leaves the template's text area calm. Raises ValueError for a layout that
    takes no generated picture.
    """
    if layout not in GENERATED_LAYOUTS:
        raise ValueError(f"layout {layout!r} takes no generated picture ({GENERATED_LAYOUTS})")
    colours = ", ".join(
        "#{:02x}{:02x}{:02x}".format(*c)
        for c in (palette.background_top, palette.background_bottom, palette.accent)
    )
    composition = (
        "Wide 16:9 composition: the main subject and a person with an excited, amazed facial "
        "expression in the left half; the lower right quarter is calm, dark and empty."
        if layout == "hero_image_with_text"
        else "The main subject large and centred, filling the frame, with an excited, amazed "
        "human face close to it; it will be cropped to a tall panel."
    )
    text = template or file_prompt("thumbnail-image").text
    return text.format(title=title.strip(), composition=composition, colours=colours)


def make_thumbnails(
    title: str,
    backgrounds: list[Path],
    out_dir: Path,
    *,
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    generated: Mapping[str, Path] | None = None,
    language: str = "en",
) -> list[Thumbnail]:
    """Write ``variant_1.png`` .. ``variant_3.png`` (1280x720, each under 2 MB) into
    ``out_dir``, one per seed template, each with its own overlay text from
    ``title_variations(title, language)``, set for ``language``.

    ``backgrounds`` are the video's key frames, best first (any size; see
    ``assign_backgrounds`` for which variant gets which); with none, the brand art is used.
    ``generated`` maps a layout in ``GENERATED_LAYOUTS`` to a generated picture that fills
    that layout instead, graded towards ``palette`` (``GENERATED_TINT``). Overlay text
    reaches WCAG contrast 4.5 against the pixels behind it; its box is returned as
    ``Thumbnail.text_box`` and also stored in the PNG (see ``read_text_box``). Raises
    ValueError for a ``generated`` layout outside ``GENERATED_LAYOUTS``.
    """
    pictures: dict[str, Image.Image] = {}
    for layout, path in (generated or {}).items():
        if layout not in GENERATED_LAYOUTS:
            raise ValueError(f"layout {layout!r} takes no generated picture")
        with Image.open(path) as image:
            # Graded towards the brand: a generated picture's own colours would drown the
            # channel's (the quality suite's brand_consistency check, docs/quality.md).
            pictures[layout] = Image.fromarray(
                palette.tint(np.asarray(image.convert("RGB")), GENERATED_TINT)
            )
    texts = title_variations(title, language)
    face = _Face(default_faces(fonts_dir, language)[0], language)
    loaded: dict[Path, Background] = {}
    for path in backgrounds:
        if Path(path) not in loaded:
            loaded[Path(path)] = load_background(Path(path))
    chosen = assign_backgrounds(
        [loaded[Path(p)] for p in backgrounds], [tpl.layout for tpl in TEMPLATES], pictures
    )
    made: list[Thumbnail] = []
    # Sequential on purpose: threads measured no faster (text layout holds the GIL).
    for i, tpl in enumerate(TEMPLATES):
        frame = chosen[i]
        source = _Source(frame, pictures.get(tpl.layout), f"{title}/{i}")
        text = texts[i % len(texts)]
        drawn = _RENDERERS[tpl.layout](source, text, tpl, palette, face)
        destination = out_dir / f"variant_{i + 1}.png"
        write_bytes(destination, _encode(drawn.image, tpl.name, drawn.box))
        made.append(
            Thumbnail(
                path=destination,
                variant=f"variant_{i + 1}",
                template=tpl.name,
                title_text=text,
                text_box=drawn.box,
                background=drawn.background,
                key_frame=frame.path if frame is not None and drawn.used_frame else None,
            )
        )
    return made
