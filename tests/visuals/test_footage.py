"""Footage for stock-footage cues: the local asset library and Pexels (over real HTTP)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from tests.servers.pexels import KEY, PexelsServer, sample_jpeg, sample_mp4
from ytempire.analytics import footage_usage
from ytempire.analytics.store import AnalyticsStore
from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.models import VisualCue
from ytempire.providers.pexels import PexelsClient
from ytempire.visuals.footage import (
    LocalLibrary,
    PexelsSource,
    Want,
    find_all,
    liveliest_start,
    stem,
    terms,
    words,
)


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


def test_terms_are_stemmed_words() -> None:
    assert [stem(w) for w in ("holes", "galaxies", "orbiting", "glowed", "gas")] == [
        "hole", "galaxy", "orbit", "glow", "gas",
    ]  # fmt: skip
    assert terms("Glowing disks of the galaxies") == {"glow", "disk", "galaxy"}


# Search results in the order Pexels gives them: the first is about something else, the
# second is portrait, the third too short for the shot; the fourth fits cue and sentence.
LABELLED = [
    (11, (1920, 1080), "city-traffic-at-night", 20),
    (12, (1080, 1920), "black-hole-in-space", 20),
    (13, (1920, 1080), "black-hole-accretion-disk", 3),
    (14, (1920, 1080), "glowing-accretion-disk-around-black-hole", 20),
]
WANT = Want(_cue("black hole"), "Matter spirals into the glowing accretion disk.", 8.0)


def _labelled(server: PexelsServer) -> None:
    for video_id, size, slug, seconds in LABELLED:
        server.add_video(video_id, sample_mp4(), size, "Ann", slug=slug, duration=seconds)


def test_the_ranked_list_prefers_the_relevant_clip_and_never_repeats_one(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    _labelled(pexels_server)
    found, notes = find_all([WANT] * 5, _source(pexels_server, []), tmp_path)
    # Best first: cue and sentence words, landscape and long enough; then the short one,
    # the portrait one, the one about something else; then nothing is left (no photos).
    assert [f.clip_id if f else None for f in found] == [
        "pexels:video:14", "pexels:video:13", "pexels:video:12", "pexels:video:11", None,
    ]  # fmt: skip
    assert notes == []


def test_a_clip_the_channel_showed_in_its_last_videos_is_not_chosen(
    pexels_server: PexelsServer, tmp_path: Path
) -> None:
    _labelled(pexels_server)
    store = AnalyticsStore(f"sqlite:///{tmp_path / 'store.db'}")
    footage_usage.record(store, "science", "video-a", ["pexels:video:14"])
    footage_usage.record(store, "history", "video-h", ["pexels:video:13"])  # another channel
    source = _source(pexels_server, [])
    source.exclude = footage_usage.recent(store, "science", 5, but="video-b")
    found, _ = find_all([WANT], source, tmp_path)
    assert found[0] is not None and found[0].clip_id == "pexels:video:13"


def test_a_clip_plays_from_its_liveliest_stretch(tmp_path: Path) -> None:
    """3 s still, 2 s of moving test pattern, 3 s still: the 2 s window starts at the
    motion (to within a frame or two of 3 s)."""
    clip = tmp_path / "clip.mp4"
    still = "color=c=gray:s=64x36:r=25:d=3"
    run([
        ffmpeg_exe(), "-f", "lavfi", "-i", still, "-f", "lavfi", "-i",
        "testsrc2=s=64x36:r=25:d=2", "-f", "lavfi", "-i", still, "-filter_complex",
        "[0:v][1:v][2:v]concat=n=3:v=1[v]", "-map", "[v]", "-c:v", "libx264",
        "-pix_fmt", "yuv420p", "-y", str(clip),
    ])  # fmt: skip
    assert abs(liveliest_start(clip, 2.0) - 3.0) <= 0.12
    assert liveliest_start(clip, 10.0) == 0.0  # shorter than the shot: from the start


def test_library_ranks_by_the_sentence_too_and_skips_what_the_channel_showed(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "assets"
    folder.mkdir()
    for name in ("ocean-waves.mp4", "ocean-whales-diving.mp4", "ocean-coral-reef.mp4"):
        (folder / name).write_bytes(sample_mp4())
    want = Want(_cue("ocean"), "Whales dive deep to feed.", 1.0)
    found, _ = find_all([want], LocalLibrary(folder), tmp_path / "work")
    assert found[0] is not None and found[0].path.name == "ocean-whales-diving.mp4"
    shown = {"library:ocean-whales-diving.mp4"}
    found, _ = find_all([want], LocalLibrary(folder, exclude=shown), tmp_path / "work")
    assert found[0] is not None and found[0].clip_id == "library:ocean-coral-reef.mp4"
