"""Footage for stock-footage cues: the local asset library and Pexels (over real HTTP)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.servers.pexels import KEY, PexelsServer, sample_jpeg, sample_mp4
from ytempire.models import VisualCue
from ytempire.providers.pexels import PexelsClient
from ytempire.visuals.footage import LocalLibrary, PexelsSource, find_all, words


def _cue(*keywords: str, text: str = "") -> VisualCue:
    return VisualCue(kind="stock_footage", keywords=list(keywords), text=text)


def _library(folder: Path) -> Path:
    folder.mkdir()
    (folder / "ocean-waves_sunset.mp4").write_bytes(sample_mp4())
    (folder / "clip0042.mp4").write_bytes(sample_mp4())
    (folder / "clip0042.mp4.txt").write_text("black hole, galaxy\nspace telescope")
    Image.new("RGB", (64, 36), (10, 10, 40)).save(folder / "night_sky_stars.jpg")
    (folder / "broken-galaxy-black-hole.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"x" * 99)
    (folder / "notes.md").write_text("black hole")  # not media: never offered
    return folder


def test_words_split_names_and_drop_stop_words() -> None:
    assert words("The_Ocean-waves.at sunset") == {"ocean", "waves", "sunset"}


def test_library_matches_names_and_sidecar_tags_best_first_and_once(tmp_path: Path) -> None:
    library = LocalLibrary(_library(tmp_path / "assets"))
    cues = [
        _cue("black hole", "galaxy"),
        _cue("sunset", "waves"),
        _cue(text="stars at night"),
        _cue("galaxy"),
        _cue("volcano"),
    ]
    found, notes = find_all(cues, library, tmp_path / "work")
    # The broken clip matches best by name, and is passed over with the reason recorded.
    assert [f.path.name if f else None for f in found] == [
        "clip0042.mp4",
        "ocean-waves_sunset.mp4",
        "night_sky_stars.jpg",
        None,  # the only other galaxy file is used already or unreadable
        None,
    ]
    assert [f.kind for f in found if f] == ["clip", "clip", "photo"]
    assert found[0] is not None and found[0].source == "library"
    assert found[0].keywords == ["black", "galaxy", "hole"]
    assert len(notes) == 1 and notes[0].startswith("library clip broken-galaxy-black-hole.mp4")


def test_a_missing_library_folder_finds_nothing(tmp_path: Path) -> None:
    found, notes = find_all([_cue("anything")], LocalLibrary(tmp_path / "none"), tmp_path)
    assert (found, notes) == ([None], [])


def _source(server: PexelsServer, calls: list[tuple[str, int]]) -> PexelsSource:
    return PexelsSource(
        lambda: PexelsClient(KEY, endpoint=server.url, timeout_s=5),
        on_call=lambda op, ms: calls.append((op, ms)),
    )


def test_pexels_downloads_a_clip_and_skips_one_that_cannot_be_read(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    pexels_server.add_video(1, sample_mp4()[:3000], (1920, 1080), "Cut Short")
    pexels_server.add_video(2, sample_mp4(), (1920, 1080), "Ada Maker")
    calls: list[tuple[str, int]] = []
    found, notes = find_all([_cue("black hole")], _source(pexels_server, calls), tmp_path)
    (clip,) = found
    assert clip is not None and (clip.kind, clip.source) == ("clip", "pexels")
    assert clip.credit == "Ada Maker on Pexels"
    assert clip.path == tmp_path / "footage_00.mp4" and clip.path.read_bytes() == sample_mp4()
    assert len(notes) == 1 and notes[0].startswith("pexels video 1 skipped: ")
    assert [op for op, _ in calls] == ["pexels_video_search"]
    assert pexels_server.requests[0].query["orientation"] == "landscape"


def test_pexels_falls_back_to_a_photo_and_uses_each_result_once(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    pexels_server.add_photo(9, sample_jpeg(), "Bo Lens")
    calls: list[tuple[str, int]] = []
    source = _source(pexels_server, calls)
    found, notes = find_all([_cue("galaxy"), _cue("galaxy again")], source, tmp_path)
    assert found[0] is not None and found[0].kind == "photo"
    assert found[0].path.name == "footage_00.jpeg" and found[0].credit == "Bo Lens on Pexels"
    assert found[1] is None and notes == []
    assert [op for op, _ in calls] == ["pexels_video_search", "pexels_photo_search"] * 2
    assert all(ms >= 0 for _, ms in calls)
