"""The performance tracking flow: which videos are on YouTube → their daily numbers from
YouTube Analytics → the analytics store → a table artifact. Deployed as
``track-performance`` (prefect.yaml); docs/publishing.md says what is fetched and what not.

Without the channel's OAuth client (YTEMPIRE_YOUTUBE_CLIENT_ID, _CLIENT_SECRET,
_REFRESH_TOKEN) nothing can be fetched: the flow says so and stops, successfully.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel, Field

from tasks.tracking import fetch_performance
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import one_line
from ytempire.publish import youtube
from ytempire.settings import Settings


class TrackingRun(BaseModel):
    """What one tracking run fetched."""

    configured: bool = Field(description="False: no YouTube OAuth client, nothing fetched")
    start: date
    end: date
    videos: int = 0
    days_stored: int = 0
    failed: list[str] = Field(default_factory=list, description="one line per video")
    artifact_key: str | None = None


@flow(name="track-performance", flow_run_name="track-performance-{days}d")
def track_performance(days: int = 7, workspace: str | None = None) -> TrackingRun:
    """Fetch the last ``days`` days (today included) for every video uploaded to YouTube.

    Fails after storing what it could when any video could not be fetched.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    settings = Settings() if workspace is None else Settings(workspace=workspace)
    logger = get_run_logger()
    end = datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    if youtube.oauth_from(settings) is None:
        logger.warning(
            "No YouTube OAuth client configured (YTEMPIRE_YOUTUBE_CLIENT_ID, "
            "YTEMPIRE_YOUTUBE_CLIENT_SECRET, YTEMPIRE_YOUTUBE_REFRESH_TOKEN): "
            "videos go to the outbox and there is no performance to fetch. Nothing done."
        )
        return TrackingRun(configured=False, start=start, end=end)

    uploads = AnalyticsStore(settings.analytics_url).youtube_videos()
    futures = [
        (v, fetch_performance.submit(v.video_id.hex, str(v.youtube_video_id), start, end, settings))
        for v in uploads
    ]
    rows: list[dict[str, object]] = []
    failed: list[str] = []
    for video, future in futures:
        outcome = future.result(raise_on_failure=False)
        if isinstance(outcome, BaseException):
            failed.append(f"{video.youtube_video_id}: {one_line(outcome)}")
            continue
        rows += [
            {
                "video": video.video_id.hex,
                "title": video.title,
                "youtube_video_id": d.youtube_video_id,
                "date": d.day.isoformat(),
                "views": d.views,
                "average_view_duration_s": d.average_view_duration_s,
                "impressions_ctr": "n/a (not in the Analytics API)",
            }
            for d in outcome
        ]
    key = f"performance-{end.isoformat()}"
    create_table_artifact(
        rows,
        key=key,
        description=f"Daily YouTube performance {start} to {end}: {len(uploads)} videos",
    )
    logger.info("%d videos, %d days stored, %d failed", len(uploads), len(rows), len(failed))
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {len(uploads)} videos could not be fetched; first: {failed[0]}"
        )
    return TrackingRun(
        configured=True,
        start=start,
        end=end,
        videos=len(uploads),
        days_stored=len(rows),
        artifact_key=key,
    )
