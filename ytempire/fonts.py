"""Where the faces that slides and thumbnails use come from.

Fonts are located explicitly: a configured folder first, then the ``font-roboto`` wheel that
the project depends on. System fonts are never consulted, so a machine that renders today
renders the same pixels tomorrow, and a missing font is a clear error instead of a silent
fallback to a bitmap face.
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

from PIL import ImageFont

FONT_SUFFIXES = (".ttf", ".otf")

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


def bundled_fonts_dir() -> Path | None:
    """The ``files/`` folder of the installed ``font-roboto`` wheel, or None without it.

    The package is located without importing it: its ``__init__`` globs the folder on import,
    which we do not need.
    """
    spec = importlib.util.find_spec("font_roboto")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "files"
    return folder if folder.is_dir() else None


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


def find_font(role: str, fonts_dir: Path | None = None) -> Path:
    """Return the path of the font file to use for ``role`` ("display" or "body").

    Search order: the wanted faces in ``fonts_dir``, then any ``.ttf``/``.otf`` in
    ``fonts_dir``, then the wanted faces in the ``font-roboto`` wheel. Raises
    ``FontNotFoundError`` (one line) when none is found and ``ValueError`` for an unknown role.
    """
    if role not in ROLE_FACES:
        raise ValueError(f"unknown font role {role!r}; expected one of {sorted(ROLE_FACES)}")
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
