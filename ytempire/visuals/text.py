"""Setting text in a box: the largest size at which it wraps and fits, never overflowing.

Slides and thumbnails both ask the same question ("how big can this be and still fit?"), and
both must never let a long title run off the frame, so the answer lives here once. Sizes are
measured with FreeType ink boxes (``getbbox``), not character counts.

Text is set for its language (:class:`Layout`): shaped by raqm (HarfBuzz and FriBiDi, so
Arabic letters join and run right to left, right-aligned), wrapped at spaces where the
language spaces its words and otherwise between BudouX phrases (Japanese, Chinese) or
characters, never starting a line with closing punctuation (``。、」）``: kinsoku). The font
is the one asked for where it covers every character, else a shipped face that does
(``ytempire.fonts.covering``), and what none covers is recorded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PIL import ImageDraw, ImageFont, features

from ytempire.fonts import covering, load_font, uncovered
from ytempire.language import language as language_of

ELLIPSIS = "…"
# Kinsoku shori: characters that never start a line (closing brackets, stops, small kana,
# the prolonged sound mark) and ones that never end one (opening brackets).
NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!)]}）］｝〕〉》」』】〙〗〟’”»ー々ゝゞヽヾぁぃぅぇぉっゃゅょゎゕゖ"
    "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ…‥%％"
)
NO_LINE_END = frozenset("([{（［｛〔〈《「『【〘〖〝‘“«")


class TextLayoutError(RuntimeError):
    """Text that this machine's Pillow cannot set correctly (right to left without raqm)."""


@dataclass(frozen=True)
class Layout:
    """How a language's text is set: the language raqm shapes for, its script, whether its
    words are separated by spaces and whether it runs right to left."""

    code: str = "en"
    script: str = "Latn"
    spaced: bool = True
    rtl: bool = False

    @classmethod
    def of(cls, tag: str) -> Layout:
        """The layout of a BCP-47 tag (``ytempire.language``; LanguageError when unknown)."""
        return _layout_of(tag)

    def shaping(self) -> dict[str, Any]:
        """Pillow's keyword arguments that shape text this way. Raises TextLayoutError (one
        line) for right-to-left text when Pillow has no raqm: its basic layout would draw
        the letters unjoined and in the wrong order."""
        if features.check("raqm"):
            return {"direction": "rtl" if self.rtl else "ltr", "language": self.code}
        if self.rtl:
            raise TextLayoutError(
                f"{self.code} text runs right to left and needs Pillow built with raqm "
                "(libraqm, FriBiDi, HarfBuzz); install Pillow's wheel, which has it"
            )
        return {}


@functools.lru_cache(maxsize=64)
def _layout_of(tag: str) -> Layout:
    lang = language_of(tag)
    return Layout(lang.code, lang.script, lang.spaced, lang.rtl)


LATIN = Layout()


@dataclass(frozen=True)
class SetText:
    """One paragraph set at one size: its lines and the box they occupy."""

    lines: tuple[str, ...]
    font: ImageFont.FreeTypeFont
    line_height: int  # baseline to baseline
    width: int  # widest line's ink extent from the left edge
    height: int  # top of the first line's ascender to the bottom of the last's descender
    truncated: bool = False
    layout: Layout = LATIN


def ink_width(text: str, font: ImageFont.FreeTypeFont, layout: Layout = LATIN) -> int:
    """Pixels from the drawing origin to the right edge of the ink (anchor "la")."""
    if not text:
        return 0
    left, _, right, _ = font.getbbox(text, anchor="la", **layout.shaping())
    # A glyph may overhang its origin to the left; count it so centring stays honest.
    return int(right - min(0, left))


def _glued(pieces: list[str]) -> list[str]:
    """``pieces`` with kinsoku applied: one starting with a character that may not start a
    line joins the piece before it, and one ending with an opening bracket the piece after."""
    out: list[str] = []
    carry = ""
    for piece in pieces:
        piece = carry + piece
        carry = ""
        if out and piece[:1] in NO_LINE_START:
            out[-1] += piece
        elif piece.rstrip()[-1:] in NO_LINE_END:
            carry = piece
        else:
            out.append(piece)
    if carry:
        if out:
            out[-1] += carry
        else:
            out.append(carry)
    return out


@functools.lru_cache(maxsize=4)
def _phrase_parser(script: str) -> Callable[[str], list[str]] | None:
    import budoux  # imported on first use: only unspaced languages need it

    parsers = {
        "Jpan": budoux.load_default_japanese_parser,
        "Hans": budoux.load_default_simplified_chinese_parser,
        "Hant": budoux.load_default_traditional_chinese_parser,
        "Thai": budoux.load_default_thai_parser,
    }
    make = parsers.get(script)
    return make().parse if make else None


def _phrases(text: str, layout: Layout) -> list[str]:
    """Where an unspaced language's text may break: BudouX phrases (never inside a run of
    Latin letters or digits, which BudouX sometimes splits), else characters."""
    parse = _phrase_parser(layout.script)
    pieces = parse(text) if parse else list(text)
    out: list[str] = []
    for piece in pieces:
        if out and out[-1][-1:].isascii() and out[-1][-1:].isalnum() and piece[:1].isalnum():
            out[-1] += piece
        else:
            out.append(piece)
    return _glued(out)


def _break_word(
    word: str, font: ImageFont.FreeTypeFont, max_width: int, layout: Layout = LATIN
) -> list[str]:
    """Split a word too wide for the box into pieces that fit (URLs, long compounds, a long
    phrase of an unspaced language), never starting a piece with closing punctuation."""
    pieces: list[str] = []
    current = ""
    for unit in _glued(list(word)):
        if current and ink_width(current + unit, font, layout) > max_width:
            pieces.append(current)
            current = unit
        else:
            current += unit
    if current:
        pieces.append(current)
    return pieces


def wrap(
    text: str, font: ImageFont.FreeTypeFont, max_width: int, layout: Layout = LATIN
) -> list[str]:
    """Greedy wrap so that every line's ink fits in ``max_width`` pixels: at spaces for a
    spaced language, else between phrases (:func:`_phrases`); a unit wider than the box is
    broken between characters. No line starts with a character of ``NO_LINE_START``."""
    units = text.split() if layout.spaced else _phrases(text, layout)
    sep = " " if layout.spaced else ""
    lines: list[str] = []
    current = ""
    for unit in units:
        candidate = f"{current}{sep}{unit}" if current else unit.lstrip()
        if ink_width(candidate.rstrip(), font, layout) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current.rstrip())
        unit = unit.strip()
        if ink_width(unit, font, layout) <= max_width:
            current = unit
        else:
            *full, current = _break_word(unit, font, max_width, layout)
            lines.extend(full)
    if current.strip():
        lines.append(current.rstrip())
    return lines


def _metrics(font: ImageFont.FreeTypeFont, spacing: float) -> tuple[int, int]:
    ascent, descent = font.getmetrics()
    return round((ascent + descent) * spacing), ascent + descent


def _set(
    text: str, font: ImageFont.FreeTypeFont, max_width: int, spacing: float, layout: Layout
) -> tuple[list[str], int, int]:
    lines = wrap(text, font, max_width, layout)
    line_height, glyph_height = _metrics(font, spacing)
    height = (len(lines) - 1) * line_height + glyph_height if lines else 0
    return lines, line_height, height


def _truncate(line: str, font: ImageFont.FreeTypeFont, max_width: int, layout: Layout) -> str:
    """``line`` shortened at a word (or character) boundary so that it plus "…" fits ("..."
    in a face without the ellipsis)."""
    mark = "..." if uncovered(ELLIPSIS, Path(str(font.path))) else ELLIPSIS
    words = line.split() if layout.spaced else [line]
    while words:
        candidate = " ".join(words).rstrip(",;:.-–—、。，") + mark
        if ink_width(candidate, font, layout) <= max_width:
            return candidate
        if len(words) == 1:
            break
        words.pop()
    word = words[0] if words else line
    while word and ink_width(word + mark, font, layout) > max_width:
        word = word[:-1]
    return word + mark if word else ""


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
    language: str = "en",
) -> list[SetText]:
    """Set every paragraph at one shared size, the largest that fits ``box`` (width, height).

    Each paragraph gets at most ``max_lines`` lines; ``gap`` (a fraction of the font size)
    separates paragraphs. When even ``min_size`` is too big, the paragraphs are set at
    ``min_size`` and cut with an ellipsis (at ``max_lines``, and dropping whole paragraphs
    that do not fit the height), so the result never overflows the box. The text is set for
    ``language`` (:class:`Layout`) in ``font_path`` where it covers every character, else in
    a shipped face that does (``ytempire.fonts.covering``, which records what none covers).
    """
    box_w, box_h = max(1, box[0]), max(1, box[1])
    texts = [t for t in (" ".join(t.split()) for t in texts) if t]
    if not texts:
        return []
    min_size = max(1, min(min_size, max_size))
    layout = Layout.of(language)
    font_path, _ = covering("".join(texts), font_path)

    def attempt(size: int) -> list[SetText] | None:
        font = load_font(font_path, size)
        out: list[SetText] = []
        total = 0
        for text in texts:
            lines, line_height, height = _set(text, font, box_w, spacing, layout)
            if len(lines) > max_lines:
                return None
            width = max(ink_width(line, font, layout) for line in lines)
            out.append(SetText(tuple(lines), font, line_height, width, height, layout=layout))
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
    return _forced(texts, font_path, box_w, box_h, min_size, max_lines, gap, spacing, layout)


def _forced(
    texts: list[str],
    font_path: Path,
    box_w: int,
    box_h: int,
    size: int,
    max_lines: int,
    gap: float,
    spacing: float,
    layout: Layout,
) -> list[SetText]:
    """Set at ``size`` regardless, cutting lines and paragraphs until the box holds them."""
    font = load_font(font_path, size)
    line_height, glyph_height = _metrics(font, spacing)
    gap_px = round(gap * size)
    out: list[SetText] = []
    used = 0
    for text in texts:
        lines = wrap(text, font, box_w, layout)
        room = box_h - used - (gap_px if out else 0)
        fit_lines = 0 if room < glyph_height else 1 + (room - glyph_height) // line_height
        keep = min(len(lines), max_lines, fit_lines)
        if keep <= 0:
            break
        truncated = keep < len(lines)
        kept = lines[:keep]
        if truncated:
            sep = " " if layout.spaced else ""
            kept[-1] = _truncate(f"{kept[-1]}{sep}{lines[keep]}", font, box_w, layout)
        height = (keep - 1) * line_height + glyph_height
        width = max(ink_width(line, font, layout) for line in kept)
        out.append(SetText(tuple(kept), font, line_height, width, height, truncated, layout))
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
    language: str = "en",
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
        language=language,
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
    within ``box_width`` (defaults to the block's own width). Right-to-left text asked to
    align "left" aligns to the right: its start."""
    x0, y = origin
    width = block.width if box_width is None else box_width
    if block.layout.rtl and align == "left":
        align = "right"
    shaping = block.layout.shaping()
    for line in block.lines:
        line_w = ink_width(line, block.font, block.layout)
        left, _, _, _ = block.font.getbbox(line, anchor="la", **shaping)
        # Shift by a negative left bearing so no ink lands left of the box.
        x = x0 - min(0, int(left))
        if align == "center":
            x += (width - line_w) // 2
        elif align == "right":
            x += width - line_w
        draw.text((x, y), line, font=block.font, fill=fill, anchor="la", **shaping)
        y += block.line_height
