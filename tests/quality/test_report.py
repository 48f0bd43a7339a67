"""Every suite on real outputs: what passes, what fails, and what the report says to do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from tests.pictures import draw_face, vivid_picture
from tests.quality.outputs import Outputs, make_outputs, mastered_wav, narration_for
from tests.servers.openai_compatible import LOW_QUALITY
from ytempire.media.probe import probe
from ytempire.models import QualityCheck, Script, Section, Thumbnail, ThumbnailSet
from ytempire.quality import report
from ytempire.quality.suites import Suite, SuiteError, load_suites
from ytempire.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def suites() -> dict[str, Suite]:
    return load_suites(Settings().quality_suites_dir)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    return make_outputs(tmp_path_factory.mktemp("outputs"))


def failed(checks: list[QualityCheck]) -> dict[str, QualityCheck]:
    return {c.name: c for c in checks if not c.passed and not c.skipped}


def test_good_outputs_pass_every_gated_check(outputs: Outputs, tmp_path: Path) -> None:
    o = outputs
    destination = tmp_path / "quality.json"
    result = report.assess(
        o.script,
        o.job.target_words,
        o.narration,
        o.timeline,
        o.video,
        o.thumbnails,
        destination,
        Settings().quality_suites_dir,
    )
    assert result.failures == [] and result.passed and result.quality_score == 1.0
    # 4 script + 8 voice + 8 video checks, and 7 per thumbnail variant.
    assert len(result.checks) == 4 + 8 + 8 + 7 * 3
    notes = [c for c in result.checks if not c.gated and not c.skipped]
    assert {c.name for c in notes} == {"faces"}  # faceless brand art: noted, not failed
    assert all(not c.passed and c.recommendation for c in notes)
    # English pace is in words: the pace in characters is skipped, with the reason.
    [skipped] = [c for c in result.checks if c.skipped]
    assert skipped.name == "characters_per_minute" and not skipped.passed
    assert skipped.skipped == "English is written with spaced words: its pace is words_per_minute"
    written = json.loads(destination.read_text())
    assert written["passed"] is True and len(written["checks"]) == len(result.checks)
    assert set(written["recorded"]) == {f"thumbnail:{t.variant}" for t in o.thumbnails.variants}
    rows = report.table_rows(result)
    # Failures first (none here), then what is noted, what is skipped, what passed.
    assert [r["result"] for r in rows[:4]] == ["noted"] * 3 + ["skipped"]
    assert rows[-1]["result"] == "passed"


def test_a_weak_script_fails_with_a_recommendation_per_check(
    suites: dict[str, Suite], tmp_path: Path
) -> None:
    weak = Script(
        engine="test",
        **{k: v for k, v in LOW_QUALITY.items() if k in ("title", "hook", "summary", "cta")},
        sections=[Section(**s) for s in LOW_QUALITY["sections"]],
        keywords=["hawking radiation"],
        markdown_path=tmp_path / "script.md",
    )
    checks = report.run_suite(suites["script"], ["script"], [report.script_row(weak, 150)])
    bad = failed(checks)
    assert set(bad) == {"readability", "engagement", "length_ratio", "keyword_density"}
    assert "Flesch reading ease" in (bad["readability"].recommendation or "")
    engagement = bad["engagement"].recommendation or ""
    assert "a direct question to the audience" in engagement and "subscribe" in engagement
    assert "write 135 to 165 (target 150)" in (bad["length_ratio"].recommendation or "")
    assert '"hawking radiation"' in (bad["keyword_density"].recommendation or "")
    assert bad["length_ratio"].expectation == "0.9 ≤ length / target_length ≤ 1.1"
    verdict = report.summarize(checks, tmp_path / "q.json")
    assert not verdict.passed and verdict.quality_score == 0.0 and len(verdict.failures) == 4
    assert verdict.failures[0].startswith("script readability = 0 (expected readability ≥ 0.6)")


def test_a_noisy_narration_fails_noise_and_clarity(
    outputs: Outputs, suites: dict[str, Suite], tmp_path: Path
) -> None:
    clean = report.run_suite(
        suites["voice"],
        ["voice"],
        [report.voice_row(outputs.narration, outputs.script.word_count(), "en")],
    )
    assert all(c.passed or c.skipped for c in clean), [c.line() for c in clean if not c.passed]
    noisy_wav = mastered_wav(tmp_path / "noisy.wav", 8.0, noise_dbfs=-30)
    noisy = narration_for(noisy_wav, tmp_path / "noisy.srt")
    # 8 s at 150 words per minute is 20 words; 40 is racing.
    checks = report.run_suite(suites["voice"], ["voice"], [report.voice_row(noisy, 40, "en")])
    bad = failed(checks)
    assert set(bad) == {"noise_floor_dbfs", "clarity", "words_per_minute"}
    assert bad["clarity"].value is not None and bad["clarity"].value < 0.9
    assert "dBFS, at most -40" in (bad["noise_floor_dbfs"].recommendation or "")
    assert "300 words per minute" in (bad["words_per_minute"].recommendation or "")


def test_a_video_without_sound_or_at_the_wrong_size_fails(
    outputs: Outputs, suites: dict[str, Suite], tmp_path: Path
) -> None:
    good = report.run_suite(
        suites["video"],
        ["video"],
        [report.video_row(outputs.video.info, outputs.narration, outputs.timeline)],
    )
    assert all(c.passed for c in good), [c.line() for c in good if not c.passed]
    # A Shorts timeline (9:16) rendered as 16:9, silent, and half as long as its narration.
    silent = tmp_path / "silent.mp4"
    Image.new("RGB", (1920, 1080), (28, 49, 94)).save(tmp_path / "slide.png")
    from ytempire.media.ffmpeg import ffmpeg_exe, run

    run(
        [
            ffmpeg_exe(),
            "-y",
            "-loop",
            "1",
            "-framerate",
            "30",
            "-t",
            "2",
            "-i",
            str(tmp_path / "slide.png"),
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv444p",
            "-r",
            "30",
            str(silent),
        ],
        timeout=60,
    )
    shorts = outputs.timeline.model_copy(update={"width": 1080, "height": 1920})
    narration = outputs.narration.model_copy(update={"duration_s": 4.0})
    row = report.video_row(probe(silent), narration, shorts)
    bad = failed(report.run_suite(suites["video"], ["video"], [row]))
    # A still without sound is a near-empty file: under the bitrate floor too.
    assert set(bad) == {
        "resolution",
        "pixel_format",
        "bitrate_mbps",
        "duration_error_s",
        "av_offset_ms",
    }
    assert bad["resolution"].expectation == "resolution = 1080x1920"
    assert bad["av_offset_ms"].value is None  # no audio stream: not in sync
    assert "audio starts at n/a" in (bad["av_offset_ms"].recommendation or "")
    assert bad["duration_error_s"].value == pytest.approx(2.0, abs=0.05)


def test_off_brand_and_textless_thumbnails_fail_a_face_is_noted(
    outputs: Outputs, suites: dict[str, Suite], tmp_path: Path
) -> None:
    good_items, good_rows, _ = report.thumbnail_rows(outputs.thumbnails, report.DEFAULT_PALETTE)
    good = report.run_suite(suites["thumbnail"], good_items, good_rows)
    assert all(c.passed for c in good if c.gated)
    # A vivid photo with a face and grey-on-grey text, and an oversized, textless frame.
    photo = draw_face(vivid_picture(1280, 720, seed=3), (80, 120, 400, 440))
    ImageDraw.Draw(photo).rectangle((600, 500, 1200, 640), fill=(140, 140, 140))
    ImageDraw.Draw(photo).text((620, 520), "BLACK HOLES", fill=(160, 160, 160))
    photo.save(tmp_path / "photo.png")
    vivid_picture(1920, 1080, seed=4).save(tmp_path / "big.png")
    variants = [
        Thumbnail(
            path=tmp_path / "photo.png",
            variant="photo",
            template="t",
            title_text="x",
            text_box=(600, 500, 1200, 640),
        ),
        Thumbnail(path=tmp_path / "big.png", variant="big", template="t", title_text="x"),
    ]
    items, rows, recorded = report.thumbnail_rows(
        ThumbnailSet(engine="test", variants=variants), report.DEFAULT_PALETTE
    )
    checks = report.run_suite(suites["thumbnail"], items, rows)
    photo_bad = {c.name for c in checks if c.item == "thumbnail:photo" and not c.passed}
    big_bad = {c.name for c in checks if c.item == "thumbnail:big" and not c.passed}
    assert {"text_contrast_ratio", "text_visibility", "brand_consistency"} <= photo_bad
    assert "faces" not in photo_bad and recorded["thumbnail:photo"]["faces"] == 1
    assert {"resolution", "text_contrast_ratio", "brand_consistency", "faces"} <= big_bad
    contrast = next(
        c for c in checks if c.item == "thumbnail:photo" and c.name == "text_contrast_ratio"
    )
    assert (contrast.recommendation or "").startswith("raise text contrast to WCAG AA")
    # The checks come item by item.
    assert [c.item for c in checks] == ["thumbnail:photo"] * 7 + ["thumbnail:big"] * 7


def test_a_recommendation_naming_an_unknown_measurement_is_a_suite_error(
    suites: dict[str, Suite], tmp_path: Path
) -> None:
    path = tmp_path / "voice.json"
    data = json.loads(suites["voice"].path.read_text())
    data["expectations"][0]["meta"]["recommendation"] = "fix {clarty}"
    path.write_text(json.dumps(data))
    from ytempire.quality.suites import load_suite

    broken = load_suite(path)
    row = {"clarity": 0.1, "language": "en"} | {c.kwargs["column"]: 0.0 for c in broken.checks[1:]}
    with pytest.raises(
        SuiteError, match=r"voice\.json: the recommendation of 'clarity' names \{clarty\}"
    ):
        report.run_suite(broken, ["voice"], [row])
