"""Thumbnail tests on YouTube: variants rotated on the live video (``thumbnails.set``),
reach read from the Reporting API's daily CSV reports, the higher measured CTR kept; the
CTR weights refitted and versioned. Against the local YouTube and Reporting servers."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.quality.test_ctr import metrics
from tests.servers.youtube_reporting import (  # noqa: F401  (a pytest fixture)
    YouTubeReportingServer,
    youtube_reporting_server,
)
from tests.servers.youtube_upload import YouTubeUploadServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import mlflow_store
from ytempire.learning import thumbnail_tests as tt
from ytempire.learning.reach import ReachDay, YouTubeReporting, parse
from ytempire.publish.youtube import YouTubeUploader
from ytempire.quality import ctr
from ytempire.resilience.errors import InvalidOutput
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

VIDEO = "0123456789abcdef0123456789abcdef"
YT = "vid00000001"
D0 = date(2026, 11, 2)
CTR = {"thumbnail_a.png": 0.04, "thumbnail_b.png": 0.07}


def variants(folder: VideoFolder) -> list[Path]:
    """Two variants and the thumbnail stage's ranking of them (a before b)."""
    folder.thumbnails.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, colour in (("thumbnail_a.png", "red"), ("thumbnail_b.png", "blue")):
        path = folder.thumbnails / name
        Image.new("RGB", (64, 36), colour).save(path)
        paths.append(path)
    factors = [dict.fromkeys(ctr.WEIGHTS, 0.5), dict.fromkeys(ctr.WEIGHTS, 0.25)]
    ranking = {
        "primary": paths[0].name,
        "variants": [
            {"path": str(p), "ctr_factors": f} for p, f in zip(paths, factors, strict=True)
        ],
    }
    (folder.thumbnails / "ranking.json").write_text(json.dumps(ranking))
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

    def reach(youtube_video_id: str) -> list[ReachDay]:
        return reporting.reach(job, [youtube_video_id])

    def set_live(path: Path) -> None:
        uploader.set_thumbnail(YT, path)

    day = D0
    while True:
        test = tt.advance(folder, VIDEO, YT, reach, set_live, day)
        assert test is not None
        if test.winner is not None:
            break
        live = by_bytes[youtube.thumbnails[YT][1]]  # what viewers saw that day
        reporting_server.add_day(youtube.channel_id, day, YT, 1500, CTR[live])
        day += timedelta(days=1)
        assert day <= D0 + timedelta(days=20), "the test never ended"

    assert test.winner == "thumbnails/thumbnail_b.png"
    assert by_bytes[youtube.thumbnails[YT][1]] == "thumbnail_b.png"  # the winner stays live
    kept = tt.load(folder)
    assert kept == test
    measured = {r.variant.split("/")[1]: r for r in kept.reach}
    # two turns of three days each; the change-over days count for no variant
    assert (measured["thumbnail_a.png"].days, measured["thumbnail_b.png"].days) == (4, 4)
    assert measured["thumbnail_a.png"].impressions == 4 * 1500
    assert measured["thumbnail_b.png"].ctr == pytest.approx(0.07)
    assert [(d - D0).days for d in test.set_on] == [0, 3, 6, 9, 12]
    assert [factors["faces"] for factors, _ in tt.measured(folder, kept)] == [0.5, 0.25]


def test_a_report_without_the_reach_columns_is_invalid_output() -> None:
    with pytest.raises(InvalidOutput, match="reach report: no column"):
        parse("date,video_id\n20261102,vid00000001\n")


def test_too_few_impressions_adds_a_round() -> None:
    test = tt.ThumbnailTest(
        video_id=VIDEO,
        youtube_video_id=YT,
        variants=["a.png", "b.png"],
        start=D0,
        days_per_turn=2,
        rounds=1,
        set_on={D0: "a.png", D0 + timedelta(days=2): "b.png"},
    )
    variant, later = tt.next_step(test, D0 + timedelta(days=4), [])
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


def test_fitted_weights_change_the_predicted_ctr() -> None:
    facing, plain = metrics(), metrics(faces=0, face_share=0.0)
    hand = ctr.estimate(facing, "Two words").score - ctr.estimate(plain, "Two words").score
    fitted = {**dict.fromkeys(ctr.WEIGHTS, 0.0), "faces": 1.0}  # only faces matter
    only_faces = ctr.estimate(facing, "Two words", fitted).score
    assert hand == pytest.approx(ctr.WEIGHTS["faces"], abs=1e-3)
    assert only_faces == pytest.approx(1.0)
    assert ctr.estimate(plain, "Two words", fitted).score == 0.0


def test_reach_stays_when_the_days_views_are_fetched_again(tmp_path: Path) -> None:
    store = AnalyticsStore(f"sqlite:///{tmp_path / 'a.db'}")
    day = {"day": D0, "views": 10, "average_view_duration_s": 30.0}
    store.record_performance(VIDEO, YT, [day])
    assert store.record_reach(VIDEO, [{"day": D0, "impressions": 900, "impressions_ctr": 0.05}])
    assert (
        store.record_reach(
            VIDEO, [{"day": D0 + timedelta(days=1), "impressions": 1, "impressions_ctr": 0.0}]
        )
        == 0
    )  # no views yet: left out
    store.record_performance(VIDEO, YT, [{**day, "views": 12}])  # the Analytics API again
    (row,) = store.performance(VIDEO)
    assert (row.views, row.impressions, row.impressions_ctr) == (12, 900, 0.05)


def test_fitted_weights_are_versions_in_mlflows_registry(mlflow_settings: Settings) -> None:
    folder = mlflow_settings.workspace / tt.WEIGHTS_DIR
    first = tt.save_weights(folder, {**ctr.WEIGHTS}, 6)
    second = tt.save_weights(folder, {**dict.fromkeys(ctr.WEIGHTS, 0.0), "faces": 1.0}, 12)
    one, two = (
        tt.register_weights(mlflow_settings, first),
        tt.register_weights(mlflow_settings, second),
    )
    assert two == one + 1
    mlflow = mlflow_store.connect(mlflow_settings)
    client = mlflow.MlflowClient()
    production = client.get_model_version_by_alias(tt.REGISTERED_WEIGHTS, "production")
    assert int(production.version) == two
    assert production.tags["ytempire.weights_version"] == str(second.version)
    run = client.get_run(production.run_id)
    assert run.data.params["weight.faces"] == "1.0"
    assert run.data.metrics["samples"] == 12
