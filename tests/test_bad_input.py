"""Bad input beyond the command line: corrupt audio, corrupt clips and pictures in the asset
library, missing fonts, an unwritable workspace, providers answering garbage.

Each ends in a clear one-line error or a recorded fallback, and leaves no partial output:
no temporary file (our atomic writes name them ``.<stem>.<random><suffix>``) and no
half-written deliverable in the folder it was writing to.
"""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.pictures import encode_stills, vivid_picture
from tests.servers.elevenlabs import KEY as ELEVENLABS_KEY
from tests.servers.elevenlabs import ElevenLabsServer
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.models import Footage, ScriptBlock, VideoJob, VisualCue
from ytempire.providers import dalle
from ytempire.providers.openai_chat import make_client
from ytempire.quality.audio import measure_speech
from ytempire.resilience.errors import ErrorKind, InvalidOutput, kind_of
from ytempire.visuals import footage
from ytempire.voice import elevenlabs_tts
from ytempire.voice.master import master
from ytempire.voice.synthesis import synthesize
from ytempire.workspace import VideoFolder, WorkspaceError, write_text

REPO = Path(__file__).resolve().parents[1]


def leftovers(folder: Path) -> list[str]:
    """Temporary or partial files under ``folder``: what a clean failure must not leave."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and (p.name.startswith(".") or p.suffix in (".tmp", ".part"))
    )


def one_line(exc: BaseException) -> str:
    message = str(exc)
    assert message and "\n" not in message and "Traceback" not in message, message
    return message


def tone_wav(path: Path, seconds: float = 1.0, rate: int = 24_000) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    samples = (0.3 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())
    return path


# --- corrupt audio ---------------------------------------------------------------------------


def corrupt_wavs(folder: Path) -> dict[str, Path]:
    good = tone_wav(folder / "good.wav").read_bytes()
    files = {
        "garbage": b"<html>502 Bad Gateway</html>" * 40,
        "truncated": good[: len(good) // 2 + 1],  # cut mid-data, on an odd byte
        "header only": good[:44],
        "empty": b"",
    }
    paths = {}
    for name, data in files.items():
        path = folder / f"voice_{name.replace(' ', '_')}.wav"
        path.write_bytes(data)
        paths[name] = path
    return paths


@pytest.mark.parametrize("case", ["garbage", "truncated", "header only", "empty"])
def test_mastering_corrupt_audio_is_a_one_line_error_and_writes_nothing(
    tmp_path: Path, case: str
) -> None:
    raw = corrupt_wavs(tmp_path)[case]
    out = tmp_path / "video"
    out.mkdir()
    with pytest.raises(Exception) as caught:
        master(raw, out / "narration.wav", work_dir=out / "work")
    message = one_line(caught.value)
    assert raw.name in message
    assert not (out / "narration.wav").exists()
    assert leftovers(out) == []


@pytest.mark.parametrize("case", ["garbage", "truncated"])
def test_measuring_corrupt_audio_is_a_one_line_error(tmp_path: Path, case: str) -> None:
    raw = corrupt_wavs(tmp_path)[case]
    with pytest.raises(ValueError) as caught:
        measure_speech(raw, word_count=10)
    assert raw.name in one_line(caught.value)


# --- corrupt clips and pictures in the asset library -------------------------------------------


def test_corrupt_clips_and_pictures_in_the_library_are_skipped_and_recorded(
    tmp_path: Path,
) -> None:
    library = tmp_path / "library"
    library.mkdir()
    good = encode_stills([(vivid_picture(320, 180, 3), 1.0)], library / "volcano-good.mp4")
    for leftover in library.glob("*_still_*.png"):
        leftover.unlink()
    data = good.read_bytes()
    (library / "volcano-broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 500)
    (library / "volcano-cut.mp4").write_bytes(data[: len(data) // 3])
    (library / "glacier-broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    vivid_picture(96, 64, 5).save(library / "glacier-truncated.png")
    picture = (library / "glacier-truncated.png").read_bytes()
    (library / "glacier-truncated.png").write_bytes(picture[: len(picture) // 2])

    cues = [
        VisualCue(kind="stock_footage", keywords=["volcano"]),
        VisualCue(kind="stock_footage", keywords=["glacier"]),
    ]
    found, notes = footage.find_all(cues, footage.LocalLibrary(library), tmp_path / "footage")
    volcano, glacier = found
    assert isinstance(volcano, Footage) and volcano.path == good
    assert glacier is None  # every glacier picture is broken: the cards carry the video
    skipped = sorted(note.split(" skipped: ")[0] for note in notes)
    assert skipped == [
        "library clip volcano-broken.mp4",
        "library clip volcano-cut.mp4",
        "library photo glacier-broken.jpg",
        "library photo glacier-truncated.png",
    ], notes
    assert all("\n" not in note for note in notes)


# --- missing fonts ---------------------------------------------------------------------------

# Renders one card in a child process whose font-roboto wheel is broken: a package of that
# name shadows it on PYTHONPATH but carries no fonts, as a half-installed wheel would.
RENDER_CARD = """
import sys
from pathlib import Path
from ytempire.models import ScriptBlock
from ytempire.visuals.slides import render_slides
from ytempire.fonts import FontNotFoundError
block = ScriptBlock(kind="hook", heading="Black holes", text="They glow.")
try:
    render_slides([block], (640, 360), Path(sys.argv[1]), fonts_dir=Path(sys.argv[2]))
except FontNotFoundError as exc:
    print(exc, file=sys.stderr)
    sys.exit(3)
"""


def test_missing_fonts_are_one_line_naming_them_and_no_card_is_written(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow" / "font_roboto"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    empty_fonts = tmp_path / "fonts"
    empty_fonts.mkdir()
    cards = tmp_path / "cards"
    env = {**os.environ, "PYTHONPATH": f"{shadow.parent}{os.pathsep}{REPO}"}
    done = subprocess.run(
        [sys.executable, "-c", RENDER_CARD, str(cards), str(empty_fonts)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )
    assert done.returncode == 3, done.stderr
    (line,) = done.stderr.splitlines()
    assert "font" in line and "font-roboto" in line and "YTEMPIRE_FONTS_DIR" in line
    assert str(empty_fonts) in line
    assert not cards.exists() or list(cards.iterdir()) == []


# --- an unwritable workspace -----------------------------------------------------------------


def test_a_workspace_under_a_file_is_a_one_line_error(tmp_path: Path) -> None:
    # Root ignores permissions, but not this: the workspace path runs through a file.
    blocker = tmp_path / "runs"
    blocker.write_text("not a folder")
    with pytest.raises(WorkspaceError) as caught:
        VideoFolder(blocker / "nested", "0" * 32).create()
    message = one_line(caught.value)
    assert "cannot create video folder" in message and str(blocker) in message


@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0,
    reason="runs as root, which writes into a 0o500 folder anyway (see the test above)",
)
def test_a_read_only_workspace_is_a_one_line_error_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    root = tmp_path / "runs"
    root.mkdir()
    root.chmod(0o500)
    try:
        with pytest.raises(WorkspaceError) as caught:
            VideoFolder(root, "0" * 32).create()
        assert "Permission denied" in one_line(caught.value)
        existing = tmp_path / "existing"
        existing.mkdir(mode=0o500)
        with pytest.raises(PermissionError):
            write_text(existing / "script.md", "# title")
        assert list(existing.iterdir()) == []
    finally:
        root.chmod(0o700)
        (tmp_path / "existing").chmod(0o700)


# --- providers answering garbage -------------------------------------------------------------
# (A script that is no JSON: tests/flows/test_script_stage.py, repaired once, then the next
# model, recorded as its fallback.)


def test_a_picture_that_is_no_picture_is_invalid_output_and_nothing_is_saved(
    tmp_path: Path, openai_server: OpenAICompatibleServer
) -> None:
    openai_server.queue_images("not_image")
    client = make_client("sk-test-key-1234567890abcdef", openai_server.url, 10)
    with pytest.raises(InvalidOutput) as caught:
        dalle.generate_image(client, "a black hole", tmp_path / "picture.png")
    assert one_line(caught.value) == "dalle: dall-e-3: the image data is not a picture"
    assert list(tmp_path.iterdir()) == []


def test_speech_that_is_no_audio_is_invalid_output_and_no_track_is_written(
    tmp_path: Path, elevenlabs_server: ElevenLabsServer
) -> None:
    elevenlabs_server.default = "garbage"
    client = elevenlabs_tts.make_client(ELEVENLABS_KEY, elevenlabs_server.url, 10)
    engine = elevenlabs_tts.ElevenLabsEngine(
        client, VideoJob().voice, model="eleven_multilingual_v2", api_key=ELEVENLABS_KEY
    )
    blocks = [ScriptBlock(kind="hook", heading="Glow", text="Black holes glow.")]
    with pytest.raises(InvalidOutput) as caught:
        synthesize(engine, blocks, tmp_path / "voice_raw.wav", cache_dir=tmp_path / "chunks")
    assert one_line(caught.value).startswith("elevenlabs: chunk 0: the audio")
    assert kind_of(caught.value) is ErrorKind.invalid_output  # no retry: the next engine
    assert not (tmp_path / "voice_raw.wav").exists()
    assert leftovers(tmp_path) == []
