"""Three 1280x720 thumbnail variants for A/B tests, from the seed's Pillow templates (§2.4).

Each template has a layout, a text area (percent of the frame) and two effects. Text is set
as large as its area allows and is always readable: its colour is chosen against the pixels
actually behind it, and where those are too busy a backing panel is faded in until the WCAG
contrast reaches 4.5. The box the text occupies is recorded in the PNG itself (a
``ytempire:text_box`` text chunk) so quality checks can measure it later.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageEnhance, ImageFilter, ImageOps
from PIL.PngImagePlugin import PngInfo

from ytempire.fonts import find_font
from ytempire.models import Thumbnail
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
from ytempire.visuals.text import SetText, draw_set_text, fit_text
from ytempire.workspace import write_bytes

ENGINE = "pillow-templates"
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
_QUESTION_WORDS = {
    "how", "why", "what", "when", "where", "who", "which", "can", "does", "do", "is", "are",
    "should", "will",
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


def title_variations(title: str) -> list[str]:
    """Three different short overlay texts (at most six words, upper case) for ``title``.

    Variant 1 is the title itself, shortened to its main clause; variant 2 names the subject
    and promises an explanation; variant 3 teases it. Pure and deterministic; raises
    ValueError for a title without words.
    """
    # The main clause: before a colon, a dash or after a closing question mark.
    main = re.split(r"(?<=\?)\s|:|\s[-–—|]\s", title.strip(), maxsplit=1)[0]
    words = _words(main) or _words(title)
    if not words:
        raise ValueError(f"title {title!r} has no words to put on a thumbnail")
    headline = _headline(words)
    subject = _subject(words)
    subject_text = " ".join(subject)
    question = words[0].lower() in _QUESTION_WORDS or main.rstrip().endswith("?")
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


@dataclass(frozen=True)
class _Source:
    """What a variant is drawn from: a full-frame picture, and the text card if one was given.

    Our own slide cards are not used as full-bleed pictures (their text would fight the
    overlay): the picture is then brand art and the card appears framed, as a preview.
    """

    picture: Image.Image
    card: Image.Image | None
    is_art: bool


def _load_source(path: Path | None, palette: Palette, seed: str) -> _Source:
    if path is None:
        return _Source(brand_art(palette, seed), None, True)
    with Image.open(path) as image:
        if CARD_KEY in getattr(image, "text", {}):
            return _Source(brand_art(palette, seed), image.convert("RGB"), True)
        return _Source(cover(image, SIZE), None, False)


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


def _set_overlay(
    text: str, font: Path, box: tuple[int, int], max_lines: int, max_size: int
) -> SetText:
    """Upper-case overlay at the largest size that fits; original case if capitals must be
    cut (upper case is wider)."""
    fit = fit_text(
        text.upper(), font, box, max_size=max_size, min_size=34, max_lines=max_lines, spacing=1.0
    )
    if fit is not None and fit.truncated:
        lower = fit_text(
            text, font, box, max_size=max_size, min_size=34, max_lines=max_lines, spacing=1.0
        )
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
        one = SetText((line,), st.font, st.line_height, overlay.width, st.line_height)
        draw_set_text(draw, one, (x, y), colours[min(i, len(colours) - 1)])
        y += st.line_height


def _dark_panel(palette: Palette) -> Callable[[RGB], RGB]:
    def choose(text: RGB) -> RGB:
        # Light text sits on the brand's darkest colour, dark text on near-white.
        if relative_luminance(text) > 0.18:
            return tuple(round(c * 0.55) for c in palette.background_top)  # type: ignore[return-value]
        return (248, 248, 248)

    return choose


# --- the three templates --------------------------------------------------------------------


def _hero(
    src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, font: Path
) -> tuple[Image.Image, Box]:
    image = _gradient_overlay(src.picture, palette)
    area = tpl.text_box()
    pad = 18
    set_text = _set_overlay(
        text,
        font,
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
    return image, overlay.box


def _framed(image: Image.Image, card: Image.Image, box: Box, palette: Palette) -> Image.Image:
    """``card`` scaled to fit ``box`` (keeping its shape), with a shadow and an accent frame."""
    left, top, right, bottom = box
    fitted = ImageOps.contain(card, (right - left, bottom - top), Image.Resampling.LANCZOS)
    x = left + (right - left - fitted.width) // 2
    y = top + (bottom - top - fitted.height) // 2
    shadow = Image.new("L", image.size, 0)
    ImageDraw.Draw(shadow).rectangle(
        (x + 10, y + 14, x + fitted.width + 10, y + fitted.height + 14), fill=170
    )
    image = Image.composite(
        Image.new("RGB", image.size, BLACK), image, shadow.filter(ImageFilter.GaussianBlur(12))
    )
    frame = 5
    ImageDraw.Draw(image).rectangle(
        (x - frame, y - frame, x + fitted.width + frame - 1, y + fitted.height + frame - 1),
        fill=palette.accent,
    )
    image.paste(fitted, (x, y))
    return image


def _split(
    src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, font: Path
) -> tuple[Image.Image, Box]:
    bg = src.picture
    width, height = bg.size
    split_x = width // 2
    # Blurring a quarter-size copy is as soft as blurring the full frame, at 1/16 the cost.
    blurred = bg.resize((width // 4, height // 4)).filter(ImageFilter.GaussianBlur(6))
    image = blurred.resize(bg.size, Image.Resampling.BILINEAR)
    image = Image.blend(image, Image.new("RGB", image.size, palette.background_top), 0.45)
    if src.card is not None:
        image = _framed(image, src.card, (48, 60, split_x - 40, height - 60), palette)
        image = _vignette(image, 0.45)
    else:
        image.paste(cover(bg, (split_x, height)), (0, 0))
        image = _vignette(image)
        ImageDraw.Draw(image).rectangle((split_x - 5, 0, split_x + 5, height), fill=palette.accent)
    area = tpl.text_box()
    pad = 20
    set_text = _set_overlay(
        text,
        font,
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
    return image, overlay.box


def _minimal(
    src: _Source, text: str, tpl: ThumbnailTemplate, palette: Palette, font: Path
) -> tuple[Image.Image, Box]:
    # Brand art is saturated already; a photo or frame gets the full pop.
    pop = 1.2 if src.is_art else 1.6
    image = ImageEnhance.Contrast(src.picture).enhance(1.35)
    image = ImageEnhance.Color(image).enhance(pop)
    area = tpl.text_box()
    # The whole text area becomes a solid accent band: minimal, and high contrast by design.
    ImageDraw.Draw(image).rounded_rectangle(area, radius=14, fill=palette.accent)
    pad = 22
    set_text = _set_overlay(
        text,
        font,
        (area[2] - area[0] - 2 * pad, area[3] - area[1] - 2 * pad),
        max_lines=1,
        max_size=110,
    )
    overlay = _layout(set_text, area, "center", pad)
    colour = max((palette.text, BLACK, WHITE), key=lambda c: contrast_ratio(c, palette.accent))
    _draw_overlay(image, overlay, [colour])
    return image, overlay.box


_RENDERERS = {"hero_image_with_text": _hero, "split_screen": _split, "minimal_center": _minimal}


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


def make_thumbnails(
    title: str,
    backgrounds: list[Path],
    out_dir: Path,
    *,
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
) -> list[Thumbnail]:
    """Write ``variant_1.png`` .. ``variant_3.png`` (1280x720, each under 2 MB) into
    ``out_dir``, one per seed template, each with its own overlay text from
    ``title_variations(title)``.

    Variant i uses ``backgrounds[i % len(backgrounds)]`` (any size; cover-cropped), or the
    brand art when none are given. Overlay text reaches WCAG contrast 4.5 against the
    pixels behind it; its box is returned as ``Thumbnail.text_box`` and also stored in the
    PNG (see ``read_text_box``).
    """
    texts = title_variations(title)
    font = find_font("display", fonts_dir)
    made: list[Thumbnail] = []
    # Sequential on purpose: threads measured no faster (text layout holds the GIL), and the
    # flow makes thumbnails while the video renders, which wants the other core.
    for i, tpl in enumerate(TEMPLATES):
        path = backgrounds[i % len(backgrounds)] if backgrounds else None
        source = _load_source(path, palette, f"{title}/{i}")
        text = texts[i % len(texts)]
        image, box = _RENDERERS[tpl.layout](source, text, tpl, palette, font)
        destination = out_dir / f"variant_{i + 1}.png"
        write_bytes(destination, _encode(image, tpl.name, box))
        made.append(
            Thumbnail(
                path=destination,
                variant=f"variant_{i + 1}",
                template=tpl.name,
                title_text=text,
                text_box=box,
            )
        )
    return made
