"""A channel's brand as the visuals use it: a readable palette, its two faces, its logo.

``brand_of(job, fonts_dir)`` turns a job's brand fields into a :class:`Brand`. The palette
is the one thumbnails use (``Palette.from_brand``), corrected where its text would fall
below WCAG AA on its own background: each correction is a line in ``Brand.notes`` that the
visuals stage records, so a brand is never rendered unreadable and never changed silently.
The caption style (``caption_style``) dresses the burned subtitles in the same colours and
body face, in the shape the style preset asks for.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from PIL import ImageFont

from ytempire.fonts import (
    FONT_SUFFIXES,
    ROBOTO_SCRIPTS,
    FontNotFoundError,
    bundled_fonts_dir,
    covering,
    default_faces,
    find_font,
)
from ytempire.language import language as language_of
from ytempire.models import VideoJob
from ytempire.visuals.footage import picture_problem
from ytempire.visuals.palette import (
    BLACK,
    DEFAULT_PALETTE,
    MIN_TEXT_CONTRAST,
    RGB,
    WHITE,
    Palette,
    contrast_ratio,
    readable_on,
)
from ytempire.visuals.presets import StylePreset

# How much of the way a failing colour moves per correction step (towards text, or away).
_STEP = 0.1
# The caption box and outline: the brand's dark, a quarter transparent (ASS alpha 0x40).
_CAPTION_ALPHA = 0x40


class Faces(NamedTuple):
    """The font files for headings (titles, kickers, labels) and body text."""

    heading: Path
    body: Path

    @classmethod
    def of(cls, fonts_dir: Path | None = None, language: str = "en") -> Faces:
        """The default faces for ``language``: the display and body faces of its script
        (``ytempire.fonts.default_faces``)."""
        return cls(*default_faces(fonts_dir, language))


def find_face(name: str, fonts_dir: Path | None = None) -> Path:
    """The font file called ``name`` (a file name, with or without ``.ttf``/``.otf``, any
    case) in ``fonts_dir``, else in the bundled Roboto wheel. Raises FontNotFoundError (one
    line) naming where it looked."""
    wanted = name.strip().lower()
    for suffix in FONT_SUFFIXES:
        wanted = wanted.removesuffix(suffix)
    folders = [f for f in (fonts_dir, bundled_fonts_dir()) if f is not None and f.is_dir()]
    for folder in folders:
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() in FONT_SUFFIXES and path.stem.lower() == wanted:
                return path
    where = " or ".join(str(f) for f in folders) or "no fonts folder"
    raise FontNotFoundError(f"font {name!r} not found in {where}")


@functools.lru_cache(maxsize=16)
def face_name(path: Path) -> str:
    """The name libass knows a font file by: its family, plus its style unless Regular."""
    family, style = ImageFont.truetype(str(path), 12).getname()
    family = family or path.stem
    return family if (style or "regular").lower() == "regular" else f"{family} {style}"


@dataclass(frozen=True)
class Brand:
    """What a channel's videos are drawn with (see the module)."""

    palette: Palette = DEFAULT_PALETTE
    faces: Faces | None = None  # None: the default faces of the fonts folder
    name: str = ""
    logo: Path | None = None
    logo_opacity: float = 0.6
    notes: tuple[str, ...] = field(default=())

    def fonts(self, fonts_dir: Path | None = None, language: str = "en") -> Faces:
        """The brand's own faces, else the default ones for ``language``. Text a brand face
        lacks characters for is set in a shipped face that has them (``fonts.covering``)."""
        return self.faces or Faces.of(fonts_dir, language)


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def _worst(colour: RGB, backgrounds: list[RGB]) -> float:
    return min(contrast_ratio(colour, bg) for bg in backgrounds)


def correct_contrast(palette: Palette) -> tuple[Palette, list[str]]:
    """``palette`` with its text and muted text readable (WCAG AA, 4.5:1) on both background
    colours, and one line per change saying what was wrong and what it became.

    The text becomes white or black when the brand's own fails; if neither reaches AA on a
    gradient that runs from dark to light, both backgrounds move away from the text until
    it does. The muted text moves towards the text until it reads.
    """
    notes: list[str] = []
    top, bottom = palette.background_top, palette.background_bottom
    text, muted = palette.text, palette.muted_text
    if _worst(text, [top, bottom]) < MIN_TEXT_CONTRAST:
        fixed = readable_on([top, bottom], text)
        notes.append(
            f"brand text {_hex(text)} on {_hex(top)}/{_hex(bottom)} is "
            f"{_worst(text, [top, bottom]):.1f}:1, below WCAG AA {MIN_TEXT_CONTRAST}:1: "
            f"text set to {_hex(fixed)}"
        )
        text = fixed
        if _worst(text, [top, bottom]) < MIN_TEXT_CONTRAST:
            away = BLACK if text == WHITE else WHITE
            share, old = 0.0, (top, bottom)
            while _worst(text, [top, bottom]) < MIN_TEXT_CONTRAST and share < 1:
                share = min(1.0, share + _STEP)
                top, bottom = _mix(old[0], away, share), _mix(old[1], away, share)
            notes.append(
                f"brand background {_hex(old[0])}/{_hex(old[1])} cannot carry {_hex(text)} "
                f"text: set to {_hex(top)}/{_hex(bottom)}"
            )
    if _worst(muted, [top, bottom]) < MIN_TEXT_CONTRAST:
        before, share = muted, 0.0
        while _worst(muted, [top, bottom]) < MIN_TEXT_CONTRAST and share < 1:
            share = min(1.0, share + _STEP)
            muted = _mix(before, text, share)
        notes.append(
            f"brand muted text {_hex(before)} is {_worst(before, [top, bottom]):.1f}:1 on "
            f"{_hex(top)}/{_hex(bottom)}, below WCAG AA {MIN_TEXT_CONTRAST}:1: "
            f"set to {_hex(muted)}"
        )
    if not notes:
        return palette, []
    fixed_palette = palette.model_copy(
        update={
            "text": text,
            "muted_text": muted,
            "background_top": top,
            "background_bottom": bottom,
        }
    )
    return fixed_palette, notes


def channel_title(slug: str) -> str:
    """A channel's name as a viewer reads it: ``future-gadgets`` -> ``Future Gadgets``."""
    return " ".join(part.capitalize() for part in slug.split("-"))


def brand_of(job: VideoJob, fonts_dir: Path | None = None) -> Brand:
    """The brand of ``job``: its palette corrected for contrast, its faces (named ones looked
    up in ``fonts_dir`` then the bundled wheel), its logo when it can be read. Raises
    FontNotFoundError (one line) for a named face that is nowhere; a logo that cannot be read
    is left out with a note."""
    palette, notes = correct_contrast(Palette.from_brand(job.brand_colours))
    faces = None
    if job.heading_font or job.body_font:
        faces = Faces(
            find_face(job.heading_font, fonts_dir)
            if job.heading_font
            else find_font("display", fonts_dir),
            find_face(job.body_font, fonts_dir) if job.body_font else find_font("body", fonts_dir),
        )
    logo = job.logo
    if logo is not None:
        problem = picture_problem(logo)
        if problem:
            notes.append(f"logo {logo} left out: {problem}")
            logo = None
    return Brand(
        palette=palette,
        faces=faces,
        name=channel_title(job.channel),
        logo=logo,
        logo_opacity=job.logo_opacity,
        notes=tuple(notes),
    )


def _ass_colour(rgb: RGB, alpha: int = 0) -> str:
    r, g, b = rgb
    return f"&H{alpha:02X}{b:02X}{g:02X}{r:02X}"


def caption_face(
    brand: Brand, text: str, fonts_dir: Path | None = None, language: str = "en"
) -> Path | None:
    """The face burned captions of ``text`` are set in: the brand's body face, else the
    body face of ``language``'s script; where it lacks a character of ``text``, a shipped
    face that has it (``fonts.covering``, which records what none covers). None where the
    stock caption face (Roboto, :data:`ytempire.media.subtitles.DEFAULT_STYLE`) serves."""
    face = brand.fonts(fonts_dir, language).body
    chosen, _ = covering(text, face)
    stock = brand.faces is None and language_of(language).script in ROBOTO_SCRIPTS
    return None if stock and chosen == face else chosen


def caption_style(brand: Brand, preset: StylePreset | None, face: Path | None = None) -> str:
    """The burned captions' ASS style fields (``Key=Value,...``): the preset's shape, then
    the brand's text colour on its dark (box or outline) and ``face`` (:func:`caption_face`;
    else the brand's body face). Empty for the default palette and faces without a preset:
    the stock white-on-black captions."""
    fields: list[str] = [preset.caption] if preset and preset.caption else []
    if brand.palette != DEFAULT_PALETTE:
        p = brand.palette
        dark = min((p.background_top, p.background_bottom), key=lambda c: sum(c))
        ink = readable_on([dark], p.text)
        fields += [
            # A spoken word (word-by-word captions) takes the accent, where it reads.
            f"PrimaryColour={_ass_colour(readable_on([dark], p.accent))}",
            f"SecondaryColour={_ass_colour(ink)}",
            f"OutlineColour={_ass_colour(dark, _CAPTION_ALPHA)}",
            f"BackColour={_ass_colour(dark, 0x80)}",
        ]
    face = face or (brand.faces.body if brand.faces else None)
    if face is not None:
        fields.append(f"Fontname={face_name(face)}")
    return ",".join(f for f in fields if f)
