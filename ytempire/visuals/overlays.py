"""Text laid over footage: lower thirds and text overlays, as transparent full-frame PNGs.

They are drawn once with Pillow; the renderer crops them to what they cover and blends
them only onto the pictures that show them. Sizes are fractions of the short side, so 16:9
and 9:16 match, and both keep clear of the burned-in subtitles at the bottom.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from ytempire.fonts import default_faces
from ytempire.media.subtitles import safe_margins
from ytempire.visuals.palette import DEFAULT_PALETTE, RGB, Palette, readable_on
from ytempire.visuals.text import draw_set_text, fit_text
from ytempire.workspace import atomic_path

# Panels under overlay text: opaque enough that their text passes WCAG AA on any footage.
_PANEL_ALPHA = 200


def _panel(palette: Palette) -> tuple[RGB, RGB]:
    """The brand's panel colour and the text colour that reads on it over any footage: the
    panel is 78% opaque, so its colour over black and over white must both carry the text."""
    panel = palette.panel_for(palette.text)
    share = _PANEL_ALPHA / 255
    over = [tuple(round(c * share + under * (1 - share)) for c in panel) for under in (0, 255)]
    return panel, readable_on(over, palette.text)  # type: ignore[arg-type]


def _save(image: Image.Image, destination: Path) -> Path:
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", compress_level=1)
    return destination


def lower_third(
    text: str,
    size: tuple[int, int],
    destination: Path,
    *,
    label: str = "",
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    faces: tuple[Path, Path] | None = None,
    language: str = "en",
) -> Path:
    """A lower third: an accent stripe and a panel in the brand's dark holding ``text`` (and a
    small ``label`` above it), at the left, above the subtitle area. Returns ``destination``."""
    heading, body = faces or default_faces(fonts_dir, language)
    panel, ink = _panel(palette)
    width, height = size
    unit = min(size)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    margin = round(unit * 0.06)
    # 9:16: as wide as the safe area lets it (the Shorts buttons are at the right).
    box_w = round(width * 0.62) if width > height else width - margin - safe_margins(size)[1]
    main = fit_text(
        text,
        heading,
        (box_w - 2 * margin, round(unit * 0.11)),
        max_size=round(unit * 0.05),
        min_size=round(unit * 0.03),
        max_lines=2,
        language=language,
    )
    small = (
        fit_text(
            label.upper(),
            body,
            (box_w - 2 * margin, round(unit * 0.04)),
            max_size=round(unit * 0.026),
            min_size=round(unit * 0.018),
            max_lines=1,
            language=language,
        )
        if label
        else None
    )
    pad = round(unit * 0.022)
    gap = round(unit * 0.012) if small else 0
    inner = (small.height + gap if small else 0) + (main.height if main else 0)
    panel_h = inner + 2 * pad
    # Above the captions: their safe margin (12% / 26% of the height) and a line or two.
    bottom = round(height * (0.76 if width > height else 0.64))
    top = bottom - panel_h
    stripe = max(4, round(unit * 0.008))
    draw.rectangle((margin, top, margin + box_w, bottom), fill=(*panel, _PANEL_ALPHA))
    draw.rectangle((margin, top, margin + stripe, bottom), fill=(*palette.accent, 255))
    x, y = margin + stripe + pad, top + pad
    # Right-to-left text aligns to the panel's right edge.
    inner_w = box_w - stripe - 2 * pad
    if small:
        draw_set_text(draw, small, (x, y), (*palette.accent, 255), box_width=inner_w)
        y += small.height + gap
    if main:
        draw_set_text(draw, main, (x, y), (*ink, 255), box_width=inner_w)
    return _save(image, destination)


def text_overlay(
    text: str,
    size: tuple[int, int],
    destination: Path,
    *,
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    faces: tuple[Path, Path] | None = None,
    language: str = "en",
) -> Path:
    """A short phrase in large type on the brand's panel in the top right corner of the safe
    area, far above the captions and clear of a card's kicker and heading, which start at
    the left below the card's top margin (16:9: the panel's top at 3% of the height; 9:16:
    at 10%, below the player's own title); fully transparent for no text. Raises ValueError
    (one line) when the phrase does not fit two lines at the smallest size."""
    heading = faces[0] if faces else default_faces(fonts_dir, language)[0]
    panel, ink = _panel(palette)
    width, height = size
    unit = min(size)
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    safe_left, safe_right, _ = safe_margins(size)
    box_w = min(round(width * 0.46), width - safe_left - safe_right)
    set_text = fit_text(
        text,
        heading,
        (box_w, round(unit * 0.14)),
        max_size=round(unit * 0.055),
        min_size=round(unit * 0.035),
        max_lines=2,
        language=language,
    )
    if set_text is None:
        return _save(image, destination)
    if set_text.truncated:
        raise ValueError(f"{len(text)} characters do not fit two lines at the smallest size")
    pad = round(unit * 0.02)
    panel_w = set_text.width + 2 * pad
    panel_h = set_text.height + 2 * pad
    left = width - safe_right - panel_w
    top = round(height * (0.03 if width >= height else 0.10))
    draw.rounded_rectangle(
        (left, top, left + panel_w, top + panel_h),
        radius=round(unit * 0.015),
        fill=(*panel, _PANEL_ALPHA),
    )
    draw_set_text(draw, set_text, (left + pad, top + pad), (*ink, 255))
    return _save(image, destination)
