"""Where the faces that slides, thumbnails and captions use come from, script by script.

Fonts are located explicitly: a configured folder first, then the font wheels that the
project depends on (:data:`SCRIPT_FACES`: Roboto for Latin, Cyrillic and Greek, Noto Sans
CJK JP for Japanese, Chinese and Korean, Noto Sans Arabic, Hebrew and Devanagari). System
fonts are never consulted, so a machine that renders today renders the same pixels tomorrow,
and a missing font is a clear error instead of a silent fallback to a bitmap face.

A variable font (Noto Sans Arabic ships as one file with weight and width axes) is used as
static instances made from it once (:func:`instance`, Regular for body text, Bold for
display), so Pillow and libass both see an ordinary font file with its own family name.

Before text is drawn, :func:`covering` checks every character against the chosen font's
character map and falls back to the shipped face of the same role that covers it; what no
face covers is noted (:func:`recording_missing`), and the quality check ``missing_glyphs``
fails the video naming it: a missing glyph is never drawn as a box unnoticed.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import os
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTFont
from PIL import ImageFont

from ytempire.language import language as language_of

FONT_SUFFIXES = (".ttf", ".otf")
# Scripts that Roboto (the font-roboto wheel and ROLE_FACES) covers.
ROBOTO_SCRIPTS = frozenset({"Latn", "Cyrl", "Grek"})

# Wanted faces per role, best first. "display" is the bold face of titles and thumbnails;
# "body" sets the key lines under a heading.
ROLE_FACES: dict[str, tuple[str, ...]] = {
    "display": ("Roboto-Black", "Roboto-Bold"),
    "body": ("Roboto-Regular", "Roboto-Medium"),
}

# When a fonts folder holds none of the wanted faces, any font there is better than none,
# but one whose name says "bold" suits a title better than a light face.
_ROLE_HINTS: dict[str, tuple[str, ...]] = {
    "display": ("black", "heavy", "extrabold", "bold", "semibold"),
    "body": ("regular", "book", "text", "medium"),
}


class FontNotFoundError(FileNotFoundError):
    """No font for a role was found in the fonts folder or the bundled wheel."""


@dataclass(frozen=True)
class Shipped:
    """A face that a font wheel ships: the file inside the package, and for a variable font
    the named instance to use."""

    package: str  # the wheel's import name, located without importing it
    file: str  # path inside the package folder
    instance: str | None = None  # e.g. "Bold"; None for a static font

    @property
    def source(self) -> Path | None:
        """The font file as installed, or None when the wheel is not."""
        folder = _package_dir(self.package)
        path = folder / self.file if folder else None
        return path if path is not None and path.is_file() else None


_CJK = {
    "display": Shipped("noto_cjk_sans_jp_bold", "NotoSansCJKjp-Bold.otf"),
    "body": Shipped("noto_cjk_sans_jp_regular", "NotoSansCJKjp-Regular.otf"),
}


def _variable(package: str, file: str) -> dict[str, Shipped]:
    return {"display": Shipped(package, file, "Bold"), "body": Shipped(package, file, "Regular")}


# The face per script (ISO 15924, as ``ytempire.language`` gives it) and role, besides
# Roboto's. Noto Sans CJK JP is the full OpenType font: it has the kana, the simplified and
# traditional hanzi and the hangul too.
SCRIPT_FACES: dict[str, dict[str, Shipped]] = {
    "Jpan": _CJK,
    "Hans": _CJK,
    "Hant": _CJK,
    "Hang": _CJK,
    "Arab": _variable("fontpkg_noto_sans_arabic", "files/NotoSansArabic[wdth,wght].ttf"),
    "Deva": _variable("fontpkg_noto_sans_devanagari", "files/NotoSansDevanagari[wdth,wght].ttf"),
    "Hebr": _variable("pylopdf_fonts_he", "NotoSansHebrew-Variable.ttf"),
}
# The wheel of each script, for the error that says what to install.
_WHEELS = {
    "noto_cjk_sans_jp_bold": "noto-cjk-sans-jp-bold",
    "noto_cjk_sans_jp_regular": "noto-cjk-sans-jp-regular",
    "fontpkg_noto_sans_arabic": "fontpkg-noto-sans-arabic",
    "fontpkg_noto_sans_devanagari": "fontpkg-noto-sans-devanagari",
    "pylopdf_fonts_he": "pylopdf-fonts-he",
}


def _package_dir(package: str) -> Path | None:
    # Located without importing: font_roboto's ``__init__`` globs its folder on import.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def bundled_fonts_dir() -> Path | None:
    """The ``files/`` folder of the installed ``font-roboto`` wheel, or None without it."""
    package = _package_dir("font_roboto")
    folder = package / "files" if package else None
    return folder if folder is not None and folder.is_dir() else None


def _font_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in FONT_SUFFIXES and p.is_file())


def _named_face(files: list[Path], faces: tuple[str, ...]) -> Path | None:
    by_stem = {p.stem.lower(): p for p in files}
    for face in faces:
        if face.lower() in by_stem:
            return by_stem[face.lower()]
    return None


def _any_face(files: list[Path], role: str) -> Path | None:
    if not files:
        return None
    hints = _ROLE_HINTS[role]

    def rank(path: Path) -> tuple[int, str]:
        stem = path.stem.lower()
        # Italic faces read badly as titles and body text alike.
        italic = "italic" in stem or "oblique" in stem
        hit = next((i for i, hint in enumerate(hints) if hint in stem), len(hints))
        return (hit + (100 if italic else 0), stem)

    return min(files, key=rank)


def find_font(role: str, fonts_dir: Path | None = None, script: str = "Latn") -> Path:
    """Return the path of the font file to use for ``role`` ("display" or "body") in text
    of ``script`` (ISO 15924).

    Latin, Cyrillic and Greek (and a script without a shipped face): the wanted faces in
    ``fonts_dir``, then any ``.ttf``/``.otf`` in ``fonts_dir``, then the wanted faces in the
    ``font-roboto`` wheel. Other scripts: the face of :data:`SCRIPT_FACES` (a channel's own
    faces win only where they cover the text: :func:`covering`). Raises
    ``FontNotFoundError`` (one line) when none is found and ``ValueError`` for an unknown role.
    """
    if role not in ROLE_FACES:
        raise ValueError(f"unknown font role {role!r}; expected one of {sorted(ROLE_FACES)}")
    shipped = SCRIPT_FACES.get(script, {}).get(role)
    if shipped is not None:
        return _materialise(shipped)
    faces = ROLE_FACES[role]
    if fonts_dir is not None and Path(fonts_dir).is_dir():
        files = _font_files(Path(fonts_dir))
        found = _named_face(files, faces) or _any_face(files, role)
        if found is not None:
            return found
    bundled = bundled_fonts_dir()
    if bundled is not None and bundled.is_dir():
        found = _named_face(_font_files(bundled), faces)
        if found is not None:
            return found
    searched = f"{fonts_dir} or the font-roboto wheel" if fonts_dir else "the font-roboto wheel"
    raise FontNotFoundError(
        f"no {role} font ({' or '.join(faces)}) found in {searched}; "
        "install it with `pip install font-roboto` or set YTEMPIRE_FONTS_DIR to a folder of "
        ".ttf/.otf files"
    )


def default_faces(fonts_dir: Path | None = None, language: str = "en") -> tuple[Path, Path]:
    """The (display, body) faces for text in ``language`` (a BCP-47 tag): its script's."""
    script = language_of(language).script
    return find_font("display", fonts_dir, script), find_font("body", fonts_dir, script)


def _materialise(shipped: Shipped) -> Path:
    source = shipped.source
    if source is None:
        wheel = _WHEELS.get(shipped.package, shipped.package)
        raise FontNotFoundError(
            f"font {shipped.file} not found: install it with `pip install {wheel}`"
        )
    return instance(source, shipped.instance) if shipped.instance else source


def font_cache_dir() -> Path:
    """Where static instances of variable fonts are kept: ``$XDG_CACHE_HOME/ytempire/fonts``
    (``~/.cache/ytempire/fonts``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ytempire" / "fonts"


def instance(source: Path, name: str) -> Path:
    """A static font file of the variable font ``source`` at its named instance ``name``
    ("Regular", "Bold"), made once (about a second) and kept in :func:`font_cache_dir`.

    The file's names say the instance (family "Noto Sans Arabic", style "Bold"), so libass
    finds it by name. Raises ``ValueError`` when ``source`` has no such instance.
    """
    from fontTools.varLib import instancer  # heavy; only a variable face needs it, once

    stat = source.stat()
    stem = source.stem.split("[")[0].removesuffix("-Variable")
    target = font_cache_dir() / f"{stem}-{name}-{stat.st_size}-{int(stat.st_mtime)}.ttf"
    if target.is_file():
        return target
    font = TTFont(str(source))
    names = font["name"]
    coordinates = next(
        (
            inst.coordinates
            for inst in font["fvar"].instances
            if names.getDebugName(inst.subfamilyNameID) == name
        ),
        None,
    )
    if coordinates is None:
        raise ValueError(f"{source.name} has no instance named {name!r}")
    static = instancer.instantiateVariableFont(font, coordinates, updateFontNames=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Cards are drawn on two threads: each writes its own file, and the last rename wins.
    partial = target.with_suffix(f".{os.getpid()}.{threading.get_ident()}.part")
    static.save(str(partial))
    os.replace(partial, target)
    return target


def caption_fonts(folder: Path, fonts_dir: Path | None, script: str) -> Path:
    """Fill ``folder`` with links to the faces libass may need for captions in ``script``:
    the fonts folder's, Roboto's, and the script's own (:data:`SCRIPT_FACES`); return it.
    Only these are linked: libass reads every file of its fonts folder into memory."""
    folder.mkdir(parents=True, exist_ok=True)
    sources: list[Path] = []
    for base in (fonts_dir, bundled_fonts_dir()):
        if base is not None and base.is_dir():
            sources += _font_files(base)
    sources += [_materialise(s) for s in SCRIPT_FACES.get(script, {}).values() if s.source]
    for source in sources:
        link = folder / source.name
        if not link.exists():
            try:
                os.symlink(source.absolute(), link)
            except OSError:
                link.write_bytes(source.read_bytes())
    return folder


@functools.lru_cache(maxsize=64)
def _cmap(path: Path) -> frozenset[int]:
    return frozenset(TTFont(str(path), lazy=True).getBestCmap())


@functools.lru_cache(maxsize=64)
def _bold(path: Path) -> bool:
    font = TTFont(str(path), lazy=True)
    return "OS/2" in font and font["OS/2"].usWeightClass >= 600


def _drawn(ch: str) -> bool:
    """Whether a character needs a glyph: not a space, a control or format character (bidi
    marks, joiners) or a variation selector, which shape the text without ink of their own."""
    if ch.isspace():
        return False
    category = unicodedata.category(ch)
    return category not in ("Cc", "Cf", "Zs", "Zl", "Zp") and not (
        0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF
    )


def uncovered(text: str, font: Path) -> str:
    """The characters of ``text`` (each once, in order) that ``font`` has no glyph for."""
    cmap = _cmap(font)
    return "".join(dict.fromkeys(ch for ch in text if _drawn(ch) and ord(ch) not in cmap))


def _fallbacks(role: str) -> Iterator[tuple[Path, Shipped | None]]:
    """The shipped faces of ``role`` that are installed, Roboto first: (the file whose
    character map counts, the face to make of it; None when the file is the face)."""
    bundled = bundled_fonts_dir()
    found = _named_face(_font_files(bundled), ROLE_FACES[role]) if bundled else None
    if found is not None:
        yield found, None
    for shipped in dict.fromkeys(faces[role] for faces in SCRIPT_FACES.values()):
        if shipped.source is not None:
            yield shipped.source, shipped


def covering(text: str, preferred: Path) -> tuple[Path, str]:
    """The font to set ``text`` in, and the characters it still lacks ("" when none).

    ``preferred`` (the channel's face, or the script's) wins when it covers every character;
    else the first shipped face of the same weight (bold from 600) that does; else the face
    that covers the most, with what it lacks. What it lacks is also noted for
    :func:`recording_missing`. A variable face is only made into its instance when chosen.
    """
    missing = uncovered(text, preferred)
    if not missing:
        return preferred, ""
    best: tuple[Path, Shipped | None] = (preferred, None)
    for source, shipped in _fallbacks("display" if _bold(preferred) else "body"):
        lacks = uncovered(text, source)
        if len(lacks) < len(missing):
            best, missing = (source, shipped), lacks
        if not lacks:
            break
    note_missing(missing)
    source, shipped = best
    return (_materialise(shipped) if shipped else source), missing


_MISSING: ContextVar[set[str] | None] = ContextVar("ytempire_missing_glyphs", default=None)


@contextlib.contextmanager
def recording_missing() -> Iterator[set[str]]:
    """Collect, in the set it yields, every character that :func:`covering` found no face
    for while the block runs (in this context: threads run their work in a copy of it,
    ``contextvars.copy_context().run``)."""
    found: set[str] = set()
    token = _MISSING.set(found)
    try:
        yield found
    finally:
        _MISSING.reset(token)


def note_missing(chars: Iterable[str]) -> None:
    """Add ``chars`` to the set of the innermost :func:`recording_missing`, if any."""
    found = _MISSING.get()
    if found is not None:
        found.update(chars)


@functools.lru_cache(maxsize=512)
def _load(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """The FreeType font at ``path`` in ``size`` pixels, loaded once per (path, size).

    Fitting text tries many sizes and every slide reuses them, so parsing the file each time
    would dominate. Sharing a font between threads is safe on GIL builds of Python: Pillow
    holds the GIL while it calls FreeType.
    """
    return _load(str(path), max(1, int(size)))
