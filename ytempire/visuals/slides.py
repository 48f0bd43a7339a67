"""The stills a video is made of: one card per spoken block of the script.

A hook becomes a title card, each section a heading with two or three key lines taken from
its narration, the summary a recap card and the call to action a "Subscribe" card. Every
size is a fraction of the frame, so the same layouts work at 16:9 and 9:16, and all text is
fitted to its box (see ``visuals.text``) so nothing ever runs off the frame.
"""

from __future__ import annotations

import contextvars
import functools
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from ytempire.fonts import default_faces
from ytempire.models import ScriptBlock
from ytempire.visuals.palette import (
    DEFAULT_PALETTE,
    MIN_TEXT_CONTRAST,
    RGB,
    Palette,
    contrast_ratio,
)
from ytempire.visuals.text import (
    ELLIPSIS,
    Layout,
    SetText,
    draw_set_text,
    fit_paragraphs,
    fit_text,
)
from ytempire.workspace import atomic_path

# Flat cards compress well even at level 1; higher levels cost seconds per video for a few
# percent of bytes that the encoder throws away anyway.
PNG_COMPRESS_LEVEL = 1
# PNG text chunk naming the block kind a card was drawn for.
CARD_KEY = "ytempire:card"
# Two workers overlap one slide's PNG encode (zlib releases the GIL) with the next one's
# drawing; more buy nothing on the 2-core machines the demo runs on.
DEFAULT_WORKERS = 2

_GLOW_STRENGTH = 0.35
_BULLET_GAP = 0.75

# A sentence ends at a stop and a space, or (in Japanese and Chinese, unspaced) right
# after a full-width stop and any closing bracket; "؟" is Arabic's question mark, "।"
# Devanagari's full stop.
_SENTENCE_END = re.compile(r"(?<=[.!?…؟।])[\"'”’)]*\s+|(?<=[。！？])[」』）”]*\s*")
# The kicker over a section's heading and over the recap, per language; languages without an
# entry get the section's number alone and no recap kicker.
_KICKERS: dict[str, tuple[str, str]] = {
    "ar": ("الجزء {n}", "ملخص"),
    "de": ("TEIL {n}", "ZUSAMMENFASSUNG"),
    "en": ("PART {n}", "RECAP"),
    "es": ("PARTE {n}", "RESUMEN"),
    "fr": ("PARTIE {n}", "RÉCAP"),
    "he": ("חלק {n}", "סיכום"),
    "hi": ("भाग {n}", "सारांश"),
    "it": ("PARTE {n}", "RIEPILOGO"),
    "ja": ("パート{n}", "まとめ"),
    "ko": ("파트 {n}", "요약"),
    "pt": ("PARTE {n}", "RESUMO"),
    "ru": ("ЧАСТЬ {n}", "ИТОГИ"),
    "zh": ("第{n}部分", "总结"),
}
_FILLER = re.compile(
    r"^(?:so|and|but|now|well|okay|ok|basically|actually|also|then|in fact|of course|"
    r"here'?s the thing|you see|remember)\b[,:]?\s+",
    re.IGNORECASE,
)
_CLAUSE_BREAK = re.compile(r"[,;:]$|^[—–-]$")
_INTRODUCERS = {
    "for", "if", "when", "whenever", "while", "although", "though", "because", "since",
    "after", "before", "once", "in", "at", "on", "with", "as", "over", "by", "during",
    "unless", "until", "despite", "without", "to",
}  # fmt: skip
_TRAILING_WEAK = {
    "a", "an", "the", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with",
    "by", "from", "as", "that", "which", "is", "are", "was", "were", "its", "their", "your",
}  # fmt: skip


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, whitespace-normalised, empty ones dropped."""
    flat = " ".join(text.split())
    return [s.strip() for s in _SENTENCE_END.split(flat) if s.strip()]


def _shorten(sentence: str, max_words: int) -> str:
    sentence = _FILLER.sub("", sentence).strip()
    words = sentence.split()
    if len(words) > max_words and words[0].lower() in _INTRODUCERS:
        # "For a star like the Sun, evaporation takes 10^67 years": the point is after the
        # comma, so drop the introductory clause rather than keep it and cut the point.
        comma = next((i for i, w in enumerate(words[:-4]) if w.endswith(",")), None)
        if comma is not None:
            words = words[comma + 1 :]
    if len(words) > max_words:
        # Prefer ending at a clause boundary that keeps most of the line; else cut and mark.
        floor = max(3, (2 * max_words) // 3)
        cut = next(
            (i + 1 for i in range(max_words - 1, floor - 1, -1) if _CLAUSE_BREAK.search(words[i])),
            None,
        )
        if cut is not None:
            words = words[:cut]
            words[-1] = words[-1].rstrip(",;:—–-")
            if not words[-1]:
                words.pop()
        else:
            words = words[:max_words]
            while len(words) > 3 and words[-1].lower().strip(",;:") in _TRAILING_WEAK:
                words.pop()
            words[-1] = words[-1].rstrip(",;:—–-") + ELLIPSIS
    line = " ".join(words).rstrip()
    # Key lines read as bullets: no full stop, but keep "?" and "!" which carry meaning.
    if line.endswith(".") and not line.endswith("..."):
        line = line[:-1]
    return line[:1].upper() + line[1:]


def _spread(items: list[str], count: int) -> list[str]:
    """``count`` items sampled evenly from first to last, in order."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / max(1, count - 1)
    return [items[i] for i in sorted({round(i * step) for i in range(count)})]


def key_lines(text: str, count: int = 3, max_words: int = 14) -> list[str]:
    """Up to ``count`` short lines (at most ``max_words`` words each) summarising ``text``.

    Sentences are sampled evenly across the text, because the slide stays on screen for the
    whole block; sentences that fit whole are preferred over ones that must be cut. Leading
    fillers ("So,", "And") and introductory clauses of long sentences are dropped; a line
    still too long is cut at a clause boundary, or cut and marked with an ellipsis.
    """
    if count <= 0:
        return []
    lines = [line for line in (_shorten(s, max_words) for s in split_sentences(text)) if line]
    whole = [line for line in lines if not line.endswith(ELLIPSIS)]
    if len(whole) >= min(count, len(lines)):
        return _spread(whole, count)
    return _spread(lines, count)


@dataclass(frozen=True)
class _Frame:
    """Geometry shared by all cards of one output size."""

    width: int
    height: int

    @property
    def unit(self) -> int:
        # Sizes scale with the short side, so a 9:16 card has the same type sizes as 16:9
        # and simply wraps into more lines in its narrower column.
        return min(self.width, self.height)

    def px(self, fraction: float) -> int:
        return max(1, round(self.unit * fraction))

    @property
    def content(self) -> tuple[int, int, int, int]:
        """(left, top, right, bottom) inside which everything but the background is drawn."""
        margin = self.px(0.075)
        top = bottom = margin
        if self.height > self.width:
            # Vertical players lay their title and buttons over the top and bottom of the
            # frame; keep text clear of them.
            top, bottom = round(self.height * 0.10), round(self.height * 0.17)
        return (margin, top, self.width - margin, self.height - bottom)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _glow_colour(palette: Palette) -> RGB:
    # A brighter shade of the gradient's own hue: an accent glow on a complementary
    # background (amber on navy) mixes to a muddy grey.
    return tuple(min(255, round(c * 1.9 + 12)) for c in palette.background_bottom)  # type: ignore[return-value]


@functools.lru_cache(maxsize=8)
def _background_cached(size: tuple[int, int], palette: Palette) -> Image.Image:
    width, height = size
    # Computed at 1/8 scale and upsampled: both layers are smooth, and this is 60x cheaper.
    small_w, small_h = max(2, width // 8), max(2, height // 8)
    ys, xs = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    xs /= small_w - 1
    ys /= small_h - 1
    t = np.clip(0.35 * xs + 0.65 * ys, 0, 1)[..., None]
    top = np.array(palette.background_top, np.float32)
    bottom = np.array(palette.background_bottom, np.float32)
    rgb = top * (1 - t) + bottom * t
    # A soft glow from the lower right gives the flat gradient some depth.
    dx, dy = (
        (xs - 1.0) * (small_w / max(small_w, small_h)),
        (ys - 1.0) * (small_h / max(small_w, small_h)),
    )
    glow = np.exp(-(dx * dx + dy * dy) / 0.18)[..., None] * _GLOW_STRENGTH
    rgb = rgb * (1 - glow) + np.array(_glow_colour(palette), np.float32) * glow
    small = Image.fromarray(np.clip(rgb + 0.5, 0, 255).astype(np.uint8), "RGB")
    return small.resize((width, height), Image.Resampling.BILINEAR)


def background(size: tuple[int, int], palette: Palette = DEFAULT_PALETTE) -> Image.Image:
    """The bare card background for ``size`` (a new image each call; cached underneath)."""
    return _background_cached(tuple(size), palette).copy()  # type: ignore[arg-type]


@dataclass
class _Card:
    """One card being drawn: the image, its pen, the geometry and the brand."""

    image: Image.Image
    frame: _Frame
    palette: Palette
    display: Path
    body: Path
    language: str = "en"

    @property
    def rtl(self) -> bool:
        return Layout.of(self.language).rtl

    def fit(self, text: str, font: Path, box: tuple[int, int], **sizes: Any) -> SetText | None:
        """``text`` set in the card's language (``visuals.text.fit_text``)."""
        return fit_text(text, font, box, language=self.language, **sizes)

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.image)

    def rule(self, y: int, length: int, height: int) -> None:
        """An accent rule at the start of the line: the left, or the right for RTL text."""
        left, _, right, _ = self.frame.content
        x = right - length if self.rtl else left
        self.draw.rectangle((x, y, x + length - 1, y + height - 1), fill=self.palette.accent)

    def text_colour(self, muted: bool = False) -> RGB:
        p = self.palette
        # The glow's brightest spot is part of what text may sit on.
        glow = _mix(p.background_bottom, _glow_colour(p), _GLOW_STRENGTH)
        return p.text_on(p.background_top, p.background_bottom, glow, muted=muted)

    def accent_text(self) -> RGB:
        """The accent colour for small labels, unless the brand's accent is unreadable on its
        own background; then the text colour."""
        p = self.palette
        glow = _mix(p.background_bottom, _glow_colour(p), _GLOW_STRENGTH)
        backgrounds = (p.background_top, p.background_bottom, glow)
        if min(contrast_ratio(p.accent, bg) for bg in backgrounds) >= MIN_TEXT_CONTRAST:
            return p.accent
        return self.text_colour()


def _footer(card: _Card, index: int, total: int, title: str) -> int:
    """Draw the progress bar and footer line; return the y above which content must stay."""
    left, _, right, bottom = card.frame.content
    f = card.frame
    draw = card.draw
    bar_h = f.px(0.006)
    track = _mix(card.palette.background_bottom, card.palette.text, 0.18)
    draw.rectangle((left, bottom - bar_h, right - 1, bottom - 1), fill=track)
    done = left + round((right - left) * (index + 1) / total)
    draw.rectangle((left, bottom - bar_h, done - 1, bottom - 1), fill=card.palette.accent)
    label_h = f.px(0.045)
    label_top = bottom - bar_h - f.px(0.018) - label_h
    counter = card.fit(
        f"{index + 1} / {total}",
        card.display,
        (f.px(0.2), label_h),
        max_size=f.px(0.03),
        min_size=f.px(0.02),
        max_lines=1,
    )
    counter_w = counter.width if counter else 0
    if counter:
        draw_set_text(
            draw,
            counter,
            (right - counter_w, label_top + label_h - counter.height),
            card.accent_text(),
        )
    if title:
        name = card.fit(
            title,
            card.body,
            # Twice the label height: scripts with tall marks (Arabic) still fit one line.
            (round((right - left) * 0.7) - counter_w, 2 * label_h),
            max_size=f.px(0.028),
            min_size=f.px(0.028),
            max_lines=1,
        )
        if name:
            draw_set_text(
                draw,
                name,
                (left, label_top + label_h - name.height),
                card.text_colour(muted=True),
            )
    return label_top - f.px(0.03)


def _bullet_dot(card: _Card, x: int, y_mid: int, size: int) -> None:
    r = max(2, size // 2)
    card.draw.ellipse((x, y_mid - r, x + 2 * r, y_mid + r), fill=card.palette.accent)


def _bullet_check(card: _Card, x: int, y_mid: int, size: int) -> None:
    s = size * 1.3
    points = [(x, y_mid), (x + s * 0.38, y_mid + s * 0.36), (x + s, y_mid - s * 0.42)]
    card.draw.line(
        points, fill=card.palette.accent, width=max(3, round(size * 0.28)), joint="curve"
    )


def _content_card(
    card: _Card,
    kicker: str,
    heading: str,
    lines: list[str],
    area: tuple[int, int],
    marker: Callable[[_Card, int, int, int], None],
) -> None:
    """Kicker, heading, accent rule and bullets as one group, centred in ``area`` (top, bottom)."""
    f = card.frame
    left, _, right, _ = card.frame.content
    width = right - left
    top, bottom = area
    label = card.fit(
        kicker,
        card.display,
        (width, f.px(0.05)),
        max_size=f.px(0.032),
        min_size=f.px(0.022),
        max_lines=1,
    )
    label_h = (label.height + f.px(0.02)) if label else 0
    avail = bottom - top - label_h
    head = card.fit(
        heading,
        card.display,
        (width, round(avail * 0.42)),
        max_size=f.px(0.085),
        min_size=f.px(0.045),
        max_lines=2,
    )
    rule_gap, rule_h = f.px(0.03), f.px(0.011)
    head_h = (head.height if head else 0) + 2 * rule_gap + rule_h
    indent = f.px(0.055)
    bullets = fit_paragraphs(
        lines,
        card.body,
        (width - indent, max(1, avail - head_h)),
        max_size=f.px(0.05),
        min_size=f.px(0.03),
        max_lines=2,
        gap=_BULLET_GAP,
        language=card.language,
    )
    bullets_h = sum(b.height for b in bullets)
    if bullets:
        bullets_h += round(_BULLET_GAP * bullets[0].font.size) * (len(bullets) - 1)
    # Sit the group a little above the middle, where the eye rests on a slide.
    y = top + max(0, round((avail - head_h - bullets_h) * 0.42))
    if label:
        draw_set_text(card.draw, label, (left, y), card.accent_text(), box_width=width)
        y += label_h
    if head:
        draw_set_text(card.draw, head, (left, y), card.text_colour(), box_width=width)
        y += head.height
    y += rule_gap
    card.rule(y, f.px(0.12), rule_h)
    y += rule_h + rule_gap
    for bullet in bullets:
        ascent, _ = bullet.font.getmetrics()
        size = round(bullet.font.size * 0.36)
        # Right to left, the marker stands at the right and the text indents from it.
        mark_x = right - round(size * 1.3) if card.rtl else left
        text_x = left if card.rtl else left + indent
        # Centre the marker on the first line's lowercase letters, not its ascender box.
        marker(card, mark_x, y + round(ascent * 0.62), size)
        draw_set_text(
            card.draw,
            bullet,
            (text_x, y),
            card.text_colour(muted=True),
            box_width=width - indent,
        )
        y += bullet.height + round(_BULLET_GAP * bullet.font.size)


def _title_card(card: _Card, block: ScriptBlock, area: tuple[int, int]) -> None:
    f = card.frame
    left, _, right, _ = f.content
    width = right - left
    top, bottom = area
    avail = bottom - top
    title = card.fit(
        block.heading,
        card.display,
        (width, round(avail * 0.62)),
        max_size=f.px(0.12),
        min_size=f.px(0.05),
        max_lines=3,
        spacing=1.05,
    )
    subtitle_lines = key_lines(block.text, count=1, max_words=16)
    subtitle = (
        card.fit(
            subtitle_lines[0],
            card.body,
            (width, round(avail * 0.22)),
            max_size=f.px(0.045),
            min_size=f.px(0.03),
            max_lines=2,
        )
        if subtitle_lines
        else None
    )
    bar_h, gap = f.px(0.014), f.px(0.04)
    total = bar_h + gap + (title.height if title else 0)
    total += (gap + subtitle.height) if subtitle else 0
    y = top + max(0, round((avail - total) * 0.45))
    card.rule(y, f.px(0.09), bar_h)
    y += bar_h + gap
    if title:
        draw_set_text(card.draw, title, (left, y), card.text_colour(), box_width=width)
        y += title.height + gap
    if subtitle:
        draw_set_text(card.draw, subtitle, (left, y), card.text_colour(muted=True), box_width=width)


def _cta_card(card: _Card, block: ScriptBlock, area: tuple[int, int]) -> None:
    f = card.frame
    left, _, right, _ = f.content
    width = right - left
    top, bottom = area
    avail = bottom - top
    lines = key_lines(block.text, count=1, max_words=14)
    message = (
        card.fit(
            lines[0],
            card.display,
            (width, round(avail * 0.4)),
            max_size=f.px(0.07),
            min_size=f.px(0.04),
            max_lines=3,
        )
        if lines
        else None
    )
    label = block.heading.upper() or "SUBSCRIBE"
    label_set = card.fit(
        label,
        card.display,
        (round(width * 0.6), f.px(0.1)),
        max_size=f.px(0.065),
        min_size=f.px(0.035),
        max_lines=1,
    )
    pad_x, pad_y = f.px(0.06), f.px(0.035)
    icon = f.px(0.05)
    button_w = (label_set.width if label_set else 0) + icon + f.px(0.03) + 2 * pad_x
    button_h = (label_set.height if label_set else icon) + 2 * pad_y
    gap = f.px(0.06)
    total = button_h + ((message.height + gap) if message else 0)
    y = top + max(0, round((avail - total) * 0.45))
    if message:
        draw_set_text(
            card.draw, message, (left, y), card.text_colour(), align="center", box_width=width
        )
        y += message.height + gap
    bx = left + (width - button_w) // 2
    card.draw.rounded_rectangle(
        (bx, y, bx + button_w, y + button_h), radius=button_h // 2, fill=card.palette.accent
    )
    ink = card.palette.text_on(card.palette.accent)
    # A play triangle, the shape viewers associate with the subscribe button.
    tx, ty = bx + pad_x, y + button_h // 2
    card.draw.polygon(
        [(tx, ty - icon // 2), (tx, ty + icon // 2), (tx + round(icon * 0.87), ty)], fill=ink
    )
    if label_set:
        draw_set_text(card.draw, label_set, (tx + icon + f.px(0.03), y + pad_y), ink)


def render_slide(
    block: ScriptBlock,
    size: tuple[int, int],
    *,
    index: int = 0,
    total: int = 1,
    section_number: int = 1,
    video_title: str = "",
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    faces: tuple[Path, Path] | None = None,
    language: str = "en",
) -> Image.Image:
    """Draw one card for ``block`` as an RGB image of exactly ``size`` (width, height), set in
    ``faces`` (heading, body font files) or else the fonts folder's display and body faces,
    for ``language`` (its kickers, wrapping and direction; a face that lacks a character of
    the text gives way to a shipped one that has it)."""
    frame = _Frame(*size)
    heading, body = faces or default_faces(fonts_dir, language)
    card = _Card(background(size, palette), frame, palette, heading, body, language)
    content_top = frame.content[1]
    footer_top = _footer(card, index, total, video_title if block.kind != "hook" else "")
    area = (content_top, footer_top)
    if block.kind == "hook":
        _title_card(card, block, area)
    elif block.kind == "cta":
        _cta_card(card, block, area)
    else:
        part, recap = _KICKERS.get(Layout.of(language).code, ("{n}", ""))
        summary = block.kind == "summary"
        kicker = recap if summary else part.format(n=section_number)
        marker = _bullet_check if summary else _bullet_dot
        _content_card(card, kicker, block.heading, key_lines(block.text), area, marker)
    return card.image


def _save_png(image: Image.Image, destination: Path, kind: str) -> Path:
    info = PngInfo()
    # Marks the file as a text card, so thumbnails do not reuse it as a picture.
    info.add_text(CARD_KEY, kind)
    with atomic_path(destination) as tmp:
        image.save(tmp, format="PNG", compress_level=PNG_COMPRESS_LEVEL, pnginfo=info)
    return destination


def render_slides(
    blocks: list[ScriptBlock],
    size: tuple[int, int],
    out_dir: Path,
    *,
    palette: Palette = DEFAULT_PALETTE,
    fonts_dir: Path | None = None,
    workers: int = DEFAULT_WORKERS,
    faces: tuple[Path, Path] | None = None,
    language: str = "en",
) -> list[Path]:
    """Write one PNG card per block (``slide_00.png`` ...) into ``out_dir``, set for
    ``language``; return the paths in block order.

    Every file is exactly ``size`` pixels, written atomically. The first hook block's heading
    (the video title) is repeated small in the footer of later cards.
    """
    if not blocks:
        raise ValueError("render_slides needs at least one script block")
    width, height = int(size[0]), int(size[1])
    if width < 64 or height < 64:
        raise ValueError(f"slide size {width}x{height} is too small")
    # Resolve fonts once, up front: a missing font fails before any file is written.
    faces = faces or default_faces(fonts_dir, language)
    title = next((b.heading for b in blocks if b.kind == "hook"), "")
    numbers: list[int] = []
    count = 0
    for block in blocks:
        count += block.kind == "section"
        numbers.append(max(1, count))
    paths = [out_dir / f"slide_{i:02d}.png" for i in range(len(blocks))]

    def one(i: int) -> Path:
        image = render_slide(
            blocks[i],
            (width, height),
            index=i,
            total=len(blocks),
            section_number=numbers[i],
            video_title=title,
            palette=palette,
            fonts_dir=fonts_dir,
            faces=faces,
            language=language,
        )
        return _save_png(image, paths[i], blocks[i].kind)

    if workers <= 1 or len(blocks) == 1:
        return [one(i) for i in range(len(blocks))]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slides") as pool:
        # Each card runs in a copy of this context, so the glyphs it misses are recorded
        # where the caller records them (``fonts.recording_missing``).
        done = [pool.submit(contextvars.copy_context().run, one, i) for i in range(len(blocks))]
        return [future.result() for future in done]
