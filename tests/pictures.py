"""Real pictures for tests: a vivid photo-like scene, a face OpenCV's Haar cascade finds, and
short H.264 videos made of stills.

The face is drawn, not photographed (skin-toned oval, brows, dark eyes, nose, mouth, softened
by a blur); the frontal-face cascade finds it at any size from about 60 pixels up.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from ytempire.media.ffmpeg import ffmpeg_exe, run

Box = tuple[int, int, int, int]


def draw_face(image: Image.Image, box: Box) -> Image.Image:
    """``image`` with a face filling ``box`` (left, top, right, bottom), as a new image."""
    left, top, right, bottom = box
    w, h = right - left, bottom - top
    face = Image.new("RGB", (w, h), (90, 120, 160))
    d = ImageDraw.Draw(face)

    def at(x: float, y: float) -> tuple[int, int]:
        return round(x * w), round(y * h)

    d.ellipse((*at(0.17, 0.08), *at(0.83, 0.92)), fill=(225, 185, 160))
    d.rectangle((*at(0.29, 0.33), *at(0.45, 0.36)), fill=(60, 40, 30))
    d.rectangle((*at(0.55, 0.33), *at(0.71, 0.36)), fill=(60, 40, 30))
    d.ellipse((*at(0.30, 0.39), *at(0.43, 0.47)), fill=(40, 30, 30))
    d.ellipse((*at(0.57, 0.39), *at(0.70, 0.47)), fill=(40, 30, 30))
    d.polygon([at(0.5, 0.46), at(0.45, 0.62), at(0.55, 0.62)], fill=(205, 160, 140))
    d.ellipse((*at(0.37, 0.70), *at(0.63, 0.77)), fill=(150, 60, 60))
    face = face.filter(ImageFilter.GaussianBlur(max(1, w // 100)))
    out = image.convert("RGB").copy()
    out.paste(face, (left, top))
    return out


def vivid_picture(width: int, height: int, seed: int = 0) -> Image.Image:
    """A saturated, photo-like picture: colour fields with detail at every scale, as natural
    images have (each finer octave at half the amplitude), plus sensor grain."""
    rng = np.random.default_rng(seed)
    fields = rng.integers(0, 256, (6, 10, 3), dtype=np.uint8)
    fields[..., rng.integers(0, 3)] //= 4  # drop one channel: saturated, not grey
    base = np.asarray(
        Image.fromarray(fields).resize((width, height), Image.Resampling.BICUBIC), np.float32
    )
    amplitude, rows = 48.0, 12
    while rows <= height // 4:
        octave = rng.normal(0, 1, (rows, rows * 16 // 9)).astype(np.float32)
        detail = Image.fromarray(octave, "F").resize((width, height), Image.Resampling.BICUBIC)
        base += amplitude * np.asarray(detail)[..., None]
        amplitude, rows = amplitude * 0.7, rows * 2
    grain = rng.normal(0, 6, base.shape)
    return Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8))


def png_bytes(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def encode_stills(
    stills: list[tuple[Image.Image, float]],
    out: Path,
    *,
    size: tuple[int, int] = (640, 360),
    one_gop: bool = False,
) -> Path:
    """An H.264 MP4 (30 fps, libx264 veryfast, so a key frame at every cut) showing each
    still for its seconds. ``one_gop``: a single key frame for the whole video."""
    args = [ffmpeg_exe(), "-y"]
    for i, (image, seconds) in enumerate(stills):
        path = out.parent / f"{out.stem}_still_{i}.png"
        image.convert("RGB").resize(size).save(path)
        args += ["-loop", "1", "-framerate", "30", "-t", f"{seconds}", "-i", str(path)]
    chain = "".join(f"[{i}:v]" for i in range(len(stills)))
    args += ["-filter_complex", f"{chain}concat=n={len(stills)}:v=1:a=0,format=yuv420p[v]"]
    args += ["-map", "[v]", "-c:v", "libx264", "-preset", "veryfast", "-r", "30"]
    if one_gop:
        args += ["-g", "100000", "-sc_threshold", "0"]
    run([*args, str(out)], timeout=120)
    return out
