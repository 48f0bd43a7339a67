"""Setting text in a box: the largest size at which it wraps and fits, never overflowing.

Slides and thumbnails both ask the same question ("how big can this be and still fit?"), and
both must never let a long title run off the frame, so the answer lives here once. Sizes are
measured with FreeType ink boxes (``getbbox``), not character counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import ImageDraw, ImageFont

from ytempire.fonts import load_font

ELLIPSIS = "…"


@dataclass(frozen=True)
class SetText:
    """One paragraph set at one size: its lines and the box they occupy."""

    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    line_height: int  # baseline to baseline
    width: int  # widest line's ink extent from the left edge
    height: int  # top of the first line's ascender to the bottom of the last's descender
    truncated: bool = False


def ink_width(text: str, font: ImageFont.FreeTypeFont) -> int:
    """Pixels from the drawing origin to the right edge of the ink (anchor "la")."""
    if not text:
        return 0
    left, _, right, _ = font.getbbox(text, anchor="la")
    # A glyph may overhang its origin to the left; count it so centring stays honest.
    return int(right - min(0, left))


def _break_word(word: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Split a word too wide for the box into pieces that fit (URLs, long compounds)."""
    pieces: list[str] = []
    current = ""
    for ch in word:
        if current and ink_width(current + ch, font) > max_width:
            pieces.append(current)
            current = ch
        else:
            current += ch
    if current:
        pieces.append(current)
    return pieces


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap so that every line's ink fits in ``max_width`` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if ink_width(candidate, font) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        if ink_width(word, font) <= max_width:
            current = word
        else:
            *full, current = _break_word(word, font, max_width)
            lines.extend(full)
    if current:
        lines.append(current)
    return lines


def _metrics(font: ImageFont.FreeTypeFont, spacing: float) -> tuple[int, int]:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * spacing), ascent + descent


def _set(
    text: str, font: ImageFont.FreeTypeFont, max_width: int, spacing: float
) -> tuple[list[str], int, int]:
    lines = wrap(text, font, max_width)
    line_height, glyph_height = _metrics(font, spacing)
    height = (len(lines) - 1) * line_height + glyph_height if lines else 0
    return lines, line_height, height


def _truncate(line: str, font: ImageFont.FreeTypeFont, max_width: int) -> str:
    """``line`` shortened at a word (or character) boundary so that it plus "…" fits."""
    words = line.split()
    while words:
        candidate = " ".join(words).rstrip(",;:.-–—") + ELLIPSIS
        if ink_width(candidate, font) <= max_width:
            return candidate
        if len(words) == 1:
            break
        words.pop()
    word = words[0] if words else line
    while word and ink_width(word + ELLIPSIS, font) > max_width:
        word = word[:-1]
    return word + ELLIPSIS if word else ""


def fit_paragraphs(
    texts: list[str],
    font_path: Path,
    box: tuple[int, int],
    *,
    max_size: int,
    min_size: int,
    max_lines: int,
    gap: float = 0.0,
    spacing: float = 1.12,
) -> list[SetText]:
    """Set every paragraph at one shared size, the largest that fits ``box`` (width, height).

    Each paragraph gets at most ``max_lines`` lines; ``gap`` (a fraction of the font size)
    separates paragraphs. When even ``min_size`` is too big, the paragraphs are set at
    ``min_size`` and cut with an ellipsis (at ``max_lines``, and dropping whole paragraphs
    that do not fit the height), so the result never overflows the box.
    """
    box_w, box_h = max(1, box[0]), max(1, box[1])
    texts = [t for t in (" ".join(t.split()) for t in texts) if t]
    if not texts:
        return []
    min_size = max(1, min(min_size, max_size))

    def attempt(size: int) -> list[SetText] | None:
        font = load_font(font_path, size)
        out: list[SetText] = []
        total = 0
        for text in texts:
            lines, line_height, height = _set(text, font, box_w, spacing)
            if len(lines) > max_lines:
                return None
            width = max(ink_width(line, font) for line in lines)
            out.append(SetText(tuple(lines), font, line_height, width, height))
            total += height
        total += round(gap * size) * (len(out) - 1)
        return out if total <= box_h else None

    # Fitting is monotone in size in practice, so a binary search finds the largest fit in
    # a handful of layouts instead of one per pixel size.
    lo, hi, best = min_size, max_size, None
    while lo <= hi:
        mid = (lo + hi) // 2
        result = attempt(mid)
        if result is not None:
            best, lo = result, mid + 1
        else:
            hi = mid - 1
    if best is not None:
        return best
    return _forced(texts, font_path, box_w, box_h, min_size, max_lines, gap, spacing)


def _forced(
    texts: list[str],
    font_path: Path,
    box_w: int,
    box_h: int,
    size: int,
    max_lines: int,
    gap: float,
    spacing: float,
) -> list[SetText]:
    """Set at ``size`` regardless, cutting lines and paragraphs until the box holds them."""
    font = load_font(font_path, size)
    line_height, glyph_height = _metrics(font, spacing)
    gap_px = round(gap * size)
    out: list[SetText] = []
    used = 0
    for text in texts:
        lines = wrap(text, font, box_w)
        room = box_h - used - (gap_px if out else 0)
        fit_lines = 0 if room < glyph_height else 1 + (room - glyph_height) // line_height
        keep = min(len(lines), max_lines, fit_lines)
        if keep <= 0:
            break
        truncated = keep < len(lines)
        kept = lines[:keep]
        if truncated:
            kept[-1] = _truncate(f"{kept[-1]} {lines[keep]}", font, box_w)
        height = (keep - 1) * line_height + glyph_height
        width = max(ink_width(line, font) for line in kept)
        out.append(SetText(tuple(kept), font, line_height, width, height, truncated))
        used += height + (gap_px if len(out) > 1 else 0)
    return out


def fit_text(
    text: str,
    font_path: Path,
    box: tuple[int, int],
    *,
    max_size: int,
    min_size: int,
    max_lines: int,
    spacing: float = 1.12,
) -> SetText | None:
    """One paragraph at the largest size that fits ``box``; None for empty text."""
    result = fit_paragraphs(
        [text],
        font_path,
        box,
        max_size=max_size,
        min_size=min_size,
        max_lines=max_lines,
        spacing=spacing,
    )
    return result[0] if result else None


def draw_set_text(
    draw: ImageDraw.ImageDraw,
    block: SetText,
    origin: tuple[int, int],
    fill: tuple[int, ...],
    *,
    align: str = "left",
    box_width: int | None = None,
) -> None:
    """Draw ``block`` with its top-left at ``origin``; "center"/"right" align each line
    within ``box_width`` (defaults to the block's own width)."""
    x0, y = origin
    width = block.width if box_width is None else box_width
    for line in block.lines:
        line_w = ink_width(line, block.font)
        left, _, _, _ = block.font.getbbox(line, anchor="la")
        # Shift by a negative left bearing so no ink lands left of the box.
        x = x0 - min(0, int(left))
        if align == "center":
            x += (width - line_w) // 2
        elif align == "right":
            x += width - line_w
        draw.text((x, y), line, font=block.font, fill=fill, anchor="la")
        y += block.line_height
