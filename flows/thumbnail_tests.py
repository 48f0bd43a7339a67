"""The thumbnail-tests flow: for every video on YouTube, one day of its thumbnail test
(variants take turns as the live thumbnail; the higher measured CTR stays) → the CTR
heuristic's weights refitted from every finished test, kept as a new version when they
change (in the workspace, and in MLflow's model registry as ``ytempire-ctr-weights``) → a
table artifact. Deployed daily as ``thumbnail-tests`` (prefect.yaml); the
channels' identities are found as ``track-performance`` finds them."""

from __future__ import annotations

from datetime import UTC, date, datetime

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel, Field

from blocks.credentials import settings_from_blocks
from flows.tracking import channel_identities
from tasks.thumbnail_tests import thumbnail_test_day
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.learning import thumbnail_tests
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

ARTIFACT_KEY = "thumbnail-tests"


class ThumbnailTestsRun(BaseModel):
    tests: list[thumbnail_tests.ThumbnailTest] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list)
    weights_version: int | None = None
    registered_version: int | None = Field(default=None, description="in MLflow's registry")


@flow(name="thumbnail-tests", flow_run_name="thumbnail-tests-{today}")
def run_thumbnail_tests(
    today: date | None = None, workspace: str | None = None
) -> ThumbnailTestsRun:
    """Advance every published video's thumbnail test by ``today`` (UTC today)."""
    base = Settings() if workspace is None else Settings(workspace=workspace)
    settings = settings_from_blocks(base)
    day = today or datetime.now(UTC).date()
    uploads = AnalyticsStore(settings.analytics_url).youtube_videos()
    ready, skipped, broken = channel_identities(settings, sorted({v.channel for v in uploads}))
    for line in skipped:
        get_run_logger().warning("%s: its videos are not tested", line)
    run = ThumbnailTestsRun(
        failed=[
            f"{v.youtube_video_id}: {broken[v.channel]}" for v in uploads if v.channel in broken
        ]
    )
    futures = [
        (v, thumbnail_test_day.submit(v.video_id.hex, v.channel, ready[v.channel], day, settings))
        for v in uploads
        if v.channel in ready
    ]
    samples = []
    for video, future in futures:
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            run.failed.append(f"{video.youtube_video_id}: {one_line(outcome)}")
        elif outcome is not None:
            run.tests.append(outcome)
            samples += thumbnail_tests.measured(
                VideoFolder(settings.workspace, video.video_id.hex), outcome
            )
    folder = settings.workspace / thumbnail_tests.WEIGHTS_DIR
    weights = thumbnail_tests.refit_weights(samples)
    latest = thumbnail_tests.latest_weights(folder)
    if samples and (latest is None or latest.weights != weights):
        fitted = thumbnail_tests.save_weights(folder, weights, len(samples))
        run.weights_version = fitted.version
        if settings.mlflow_record != "off":
            try:
                run.registered_version = thumbnail_tests.register_weights(settings, fitted)
            except Exception as exc:  # MLflow down: the workspace's file is the version kept
                get_run_logger().warning(
                    "CTR weights v%d not registered: %s", fitted.version, one_line(exc)
                )
    create_table_artifact(
        [
            {
                "video": t.youtube_video_id,
                "live today": t.set_on.get(day, "(unchanged)"),
                "winner": t.winner or "",
                **{f"CTR {r.variant}": r.ctr for r in t.reach},
            }
            for t in run.tests
        ],
        key=ARTIFACT_KEY,
        description=f"Thumbnail tests on {day}: {len(run.tests)} videos",
    )
    if run.failed:
        raise RuntimeError(f"{len(run.failed)} videos failed; first: {run.failed[0]}")
    return run
