"""Thumbnail tests on YouTube: variants rotated on the live video (``thumbnails.set``),
reach read from the Reporting API's daily CSV reports, the higher measured CTR kept; the
CTR weights refitted and versioned. Against the local YouTube and Reporting servers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.servers.youtube_reporting import (  # noqa: F401  (a pytest fixture)
    YouTubeReportingServer,
    youtube_reporting_server,
)
from tests.servers.youtube_upload import YouTubeUploadServer
from ytempire.learning import thumbnail_tests as tt
from ytempire.learning.reach import YouTubeReporting, parse
from ytempire.publish.youtube import YouTubeUploader
from ytempire.quality import ctr
from ytempire.resilience.errors import InvalidOutput
from ytempire.workspace import VideoFolder

VIDEO = "0123456789abcdef0123456789abcdef"
YT = "vid00000001"
D0 = date(2026, 11, 2)
CTR = {"thumbnail_a.png": 0.04, "thumbnail_b.png": 0.07}


def variants(folder: VideoFolder) -> list[Path]:
    paths = []
    for name, colour in (("thumbnail_a.png", "red"), ("thumbnail_b.png", "blue")):
        path = folder / name
        Image.new("RGB", (64, 36), colour).save(path)
        paths.append(path)
    return paths


def test_rotation_keeps_the_variant_with_the_higher_measured_ctr(
    tmp_path: Path,
    youtube_upload_server: YouTubeUploadServer,
    youtube_reporting_server: YouTubeReportingServer,  # noqa: F811
) -> None:
    youtube, reporting_server = youtube_upload_server, youtube_reporting_server
    youtube.videos[YT] = {}
    youtube.owners[YT] = youtube.channel_id
    uploader = YouTubeUploader(
        youtube.oauth(),
        expected_channel_id=youtube.channel_id,
        api_endpoint=youtube.url,
        ca_certs=youtube.ca_certs,
    )
    reporting = YouTubeReporting(
        youtube.oauth(), api_endpoint=reporting_server.url, ca_certs=youtube.ca_certs
    )
    job = reporting.ensure_job()
    assert reporting.ensure_job() == job  # made once, found after
    folder = VideoFolder(tmp_path, VIDEO).create()
    paths = variants(folder)
    by_bytes = {p.read_bytes(): p.name for p in paths}
    test = tt.start(folder, VIDEO, YT, paths, D0, days_per_turn=2, rounds=1)
    assert tt.start(folder, VIDEO, YT, paths[::-1], D0) == test  # a second start: the same

    day = D0
    while True:
        days = reporting.reach(job, [YT])
        variant, test = tt.next_step(test, day, days)
        if variant is not None:
            uploader.set_thumbnail(YT, folder / variant)
            test = tt.mark_set(test, day, variant)
        tt.save(folder, test)
        if test.winner is not None:
            break
        live = by_bytes[youtube.thumbnails[YT][1]]  # what viewers saw that day
        reporting_server.add_day(youtube.channel_id, day, YT, 1500, CTR[live])
        day += timedelta(days=1)
        assert day <= D0 + timedelta(days=10), "the test never ended"

    assert test.winner == "thumbnail_b.png"
    assert by_bytes[youtube.thumbnails[YT][1]] == "thumbnail_b.png"  # the winner stays live
    reach = {r.variant: r for r in tt.load(folder).reach}  # type: ignore[union-attr]
    # the change-over days count for no variant: one whole day each
    assert (reach["thumbnail_a.png"].days, reach["thumbnail_b.png"].days) == (1, 1)
    assert reach["thumbnail_a.png"].impressions == 1500
    assert reach["thumbnail_b.png"].ctr == pytest.approx(0.07)
    assert test.set_on == {
        D0: "thumbnail_a.png",
        D0 + timedelta(days=2): "thumbnail_b.png",
        D0 + timedelta(days=4): "thumbnail_b.png",
    }


def test_a_report_without_the_reach_columns_is_invalid_output() -> None:
    with pytest.raises(InvalidOutput, match="reach report: no column"):
        parse("date,video_id\n20261102,vid00000001\n")


def test_too_few_impressions_adds_a_round() -> None:
    test = tt.ThumbnailTest(
        video_id=VIDEO,
        youtube_video_id=YT,
        variants=["a.png", "b.png"],
        start=D0,
        rounds=1,
        set_on={D0: "a.png", D0 + timedelta(days=1): "b.png"},
    )
    variant, later = tt.next_step(test, D0 + timedelta(days=2), [])
    assert later.winner is None and later.rounds == 2
    assert variant == "a.png"  # the next round starts with the first variant


def test_refit_recovers_the_weights_that_made_the_ctrs(tmp_path: Path) -> None:
    truth = {"faces": 0.6, "text_contrast": 0.4}
    rng = np.random.default_rng(3)
    samples = []
    for _ in range(12):
        factors = {name: float(rng.uniform()) for name in ctr.WEIGHTS}
        score = sum(truth.get(n, 0.0) * v for n, v in factors.items())
        samples.append((factors, ctr.BASE_CTR + ctr.CTR_SPAN * score))
    weights = tt.refit_weights(samples)
    assert weights["faces"] == pytest.approx(0.6, abs=0.01)
    assert weights["text_contrast"] == pytest.approx(0.4, abs=0.01)
    assert sum(weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert tt.refit_weights(samples[:3]) == ctr.WEIGHTS  # too few to learn from

    first = tt.save_weights(tmp_path / "ctr_weights", weights, len(samples))
    second = tt.save_weights(tmp_path / "ctr_weights", ctr.WEIGHTS, 0)
    assert (first.version, second.version) == (1, 2)
    assert tt.latest_weights(tmp_path / "ctr_weights") == second
