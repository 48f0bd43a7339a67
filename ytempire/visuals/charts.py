"""Charts drawn from a script's chart cues: bar, line or pie, on the channel's card background.

Only the cue's own numbers are drawn; a cue without data makes no chart (the caller records
why), because a chart that invents its data would mislead.
"""

from __future__ import annotations

import math
from pathlib import Path

from PIL import ImageDraw

from ytempire.fonts import default_faces
from ytempire.models import VisualCue
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette
from ytempire.visuals.slides import background
from ytempire.visuals.text import draw_set_text, fit_text
from ytempire.workspace import atomic_path

CHART_TYPES = ("bar", "line", "pie")
MAX_ITEMS = 8


class ChartError(ValueError):
    """The cue cannot be drawn as a chart (no data, an unknown type)."""


def _number(value: float) -> str:
    if abs(value) >= 1000 or value == int(value):
        return f"{value:,.0f}"
    return f"{value:.2g}" if abs(value) < 1 else f"{value:.1f}"


def render_chart(
    cue: VisualCue,
    size: tuple[int, int],
    destination: Path,
    *,
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    faces: tuple[Path, Path] | None = None,
    language: str = "en",
) -> Path:
    """Draw ``cue.data`` as a ``cue.chart_type`` chart titled ``cue.text``; a PNG of ``size``.

    Set in ``faces`` (heading, body font files) or the fonts folder's, for ``language``. At
    most 8 items (the first ones). Raises ChartError for no data, a non-finite value, or an
    unknown chart type.
    """
    kind = cue.chart_type or "bar"
    if kind not in CHART_TYPES:
        raise ChartError(f"unknown chart type {kind!r}; expected one of {CHART_TYPES}")
    items = list(cue.data.items())[:MAX_ITEMS]
    if not items:
        raise ChartError("chart cue has no data")
    if not all(math.isfinite(v) for _, v in items):
        raise ChartError("chart data holds a value that is not a finite number")
    if kind == "pie" and any(v < 0 for _, v in items):
        raise ChartError("a pie chart cannot show negative values")
    width, height = size
    unit = min(size)
    image = background(size, palette)
    draw = ImageDraw.Draw(image)
    text_colour = palette.text_on()
    margin = round(unit * 0.08)
    display, body = faces or default_faces(fonts_dir, language)
    title_bottom = margin
    if cue.text:
        title = fit_text(
            cue.text,
            display,
            (width - 2 * margin, round(unit * 0.14)),
            max_size=round(unit * 0.065),
            min_size=round(unit * 0.035),
            max_lines=2,
            language=language,
        )
        if title:
            draw_set_text(draw, title, (margin, margin), text_colour)
            title_bottom = margin + title.height + round(unit * 0.05)
    # Room for the subtitles at the bottom.
    area = (margin, title_bottom, width - margin, height - round(unit * 0.2))
    label_size = round(unit * 0.028)
    if kind == "pie":
        _pie(draw, items, area, palette, body, label_size, text_colour, language)
    else:
        _axes(draw, kind, items, area, palette, body, label_size, text_colour, language)
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", compress_level=1)
    return destination


def _label(
    draw: ImageDraw.ImageDraw,
    text: str,
    font: Path,
    box: tuple[int, int],
    size: int,
    origin: tuple[int, int],
    colour: tuple[int, int, int],
    language: str,
    centre: bool = True,
) -> None:
    set_text = fit_text(
        text,
        font,
        box,
        max_size=size,
        min_size=max(8, size // 2),
        max_lines=2,
        language=language,
    )
    if set_text:
        x = origin[0] + ((box[0] - set_text.width) // 2 if centre else 0)
        draw_set_text(draw, set_text, (x, origin[1]), colour)


def _axes(
    draw: ImageDraw.ImageDraw,
    kind: str,
    items: list[tuple[str, float]],
    area: tuple[int, int, int, int],
    palette: Palette,
    font: Path,
    size: int,
    colour: tuple[int, int, int],
    language: str,
) -> None:
    left, top, right, bottom = area
    label_h = round(size * 2.6)
    base = bottom - label_h
    values = [v for _, v in items]
    low, high = min(0.0, *values), max(0.0, *values)
    span = (high - low) or 1.0

    def y_of(value: float) -> int:
        return round(base - (value - low) / span * (base - top - size * 2))

    zero = y_of(0.0)
    draw.line((left, zero, right, zero), fill=palette.muted_text, width=max(2, size // 10))
    slot = (right - left) / len(items)
    points = []
    for i, (name, value) in enumerate(items):
        x0 = round(left + i * slot)
        centre = round(x0 + slot / 2)
        y = y_of(value)
        if kind == "bar":
            bar_w = round(slot * 0.6)
            draw.rectangle(
                (centre - bar_w // 2, min(y, zero), centre + bar_w // 2, max(y, zero)),
                fill=palette.accent,
            )
        points.append((centre, y))
        _label(
            draw,
            _number(value),
            font,
            (round(slot), size + 4),
            size,
            (x0, min(y, zero) - size - round(size * 0.6)),
            colour,
            language,
        )
        _label(
            draw,
            name,
            font,
            (round(slot * 0.95), label_h),
            size,
            (x0, base + size // 2),
            colour,
            language,
        )
    if kind == "line" and len(points) > 1:
        draw.line(points, fill=palette.accent, width=max(4, size // 5), joint="curve")
    if kind == "line":
        r = max(5, size // 3)
        for x, y in points:
            draw.ellipse((x - r, y - r, x + r, y + r), fill=palette.accent)


def _pie(
    draw: ImageDraw.ImageDraw,
    items: list[tuple[str, float]],
    area: tuple[int, int, int, int],
    palette: Palette,
    font: Path,
    size: int,
    colour: tuple[int, int, int],
    language: str,
) -> None:
    left, top, right, bottom = area
    total = sum(v for _, v in items) or 1.0
    diameter = min(bottom - top, (right - left) // 2)
    box = (left, top, left + diameter, top + diameter)
    shades = [palette.accent, palette.text, palette.muted_text, palette.background_top]
    angle = -90.0
    legend_x = left + diameter + round(size * 2)
    for i, (name, value) in enumerate(items):
        sweep = 360.0 * value / total
        fill = _shade(shades[i % len(shades)], i // len(shades))
        if sweep > 0:
            draw.pieslice(box, angle, angle + sweep, fill=fill, outline=palette.background_bottom)
        angle += sweep
        y = top + i * round(size * 1.8)
        draw.rectangle((legend_x, y, legend_x + size, y + size), fill=fill)
        _label(
            draw,
            f"{name}: {_number(value)}",
            font,
            (right - legend_x - size * 2, size + 6),
            size,
            (legend_x + round(size * 1.6), y - 2),
            colour,
            language,
            centre=False,
        )


def _shade(rgb: tuple[int, int, int], step: int) -> tuple[int, int, int]:
    factor = 0.7**step
    return (round(rgb[0] * factor), round(rgb[1] * factor), round(rgb[2] * factor))
