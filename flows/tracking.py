"""The performance tracking flow: which videos are on YouTube → their daily numbers from
YouTube Analytics, each read with the identity of the channel that published it → the
analytics store → a table artifact. Deployed as ``track-performance`` (prefect.yaml);
docs/publishing.md says what is fetched and what not.

It reads the credential blocks and the channel profiles as ``make_video`` does: a channel's
identity is its profile's ``YouTubeCredentials`` block, else its ``YTEMPIRE_YOUTUBE_<SLUG>_*``
variables (the ``default`` channel: the global ``YTEMPIRE_YOUTUBE_*``). Videos of a channel
without an identity are skipped, named; with none at all nothing can be fetched: the flow
says so and stops, successfully.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from prefect import flow, get_run_logger
from prefect.artifacts import create_table_artifact
from pydantic import BaseModel, Field

from blocks.channel import channel_profiles
from blocks.credentials import settings_from_blocks, youtube_identity
from tasks.tracking import fetch_performance
from ytempire.analytics.store import AnalyticsStore
from ytempire.channels import ChannelsError
from ytempire.errors import one_line
from ytempire.publish.identity import IdentityError
from ytempire.settings import Settings


class TrackingRun(BaseModel):
    """What one tracking run fetched."""

    configured: bool = Field(
        description="False: no channel with videos on YouTube has an identity, nothing fetched"
    )
    start: date
    end: date
    videos: int = 0
    days_stored: int = 0
    failed: list[str] = Field(default_factory=list, description="one line per video")
    skipped: list[str] = Field(
        default_factory=list, description="one line per channel without a YouTube identity"
    )
    artifact_key: str | None = None


@flow(name="track-performance", flow_run_name="track-performance-{days}d")
def track_performance(days: int = 7, workspace: str | None = None) -> TrackingRun:
    """Fetch the last ``days`` days (today included) for every video uploaded to YouTube.

    Fails after storing what it could when any video could not be fetched.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    base = Settings() if workspace is None else Settings(workspace=workspace)
    settings = settings_from_blocks(base)  # credential blocks on the server win
    logger = get_run_logger()
    end = datetime.now(UTC).date()
    start = end - timedelta(days=days - 1)
    uploads = AnalyticsStore(settings.analytics_url).youtube_videos()
    ready, skipped, broken = channel_identities(settings, sorted({v.channel for v in uploads}))
    for line in skipped:
        logger.warning("%s: its videos are skipped", line)
    if not ready and not broken:
        logger.warning(
            "No YouTube identity for any channel with videos on YouTube "
            "(docs/publishing.md): there is no performance to fetch. Nothing done."
        )
        return TrackingRun(configured=False, start=start, end=end, skipped=skipped)

    failed = [f"{v.youtube_video_id}: {broken[v.channel]}" for v in uploads if v.channel in broken]
    fetched = [v for v in uploads if v.channel in ready]
    futures = [
        (
            v,
            fetch_performance.submit(
                v.video_id.hex,
                str(v.youtube_video_id),
                start,
                end,
                settings,
                v.channel,
                ready[v.channel],
            ),
        )
        for v in fetched
    ]
    rows: list[dict[str, object]] = []
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
    logger.info("%d videos, %d days stored, %d failed", len(fetched), len(rows), len(failed))
    if failed:
        raise RuntimeError(
            f"{len(failed)} of {len(uploads)} videos could not be fetched; first: {failed[0]}"
        )
    return TrackingRun(
        configured=True,
        start=start,
        end=end,
        videos=len(fetched),
        days_stored=len(rows),
        artifact_key=key,
        skipped=skipped,
    )


def channel_identities(
    settings: Settings, channels: list[str]
) -> tuple[dict[str, str | None], list[str], dict[str, str]]:
    """Which ``channels`` can be read: those with an identity (→ their profile's credentials
    block name, if any), a line for each without one, and why each misconfigured one fails."""
    try:
        profiles, _source = channel_profiles(settings)
    except ChannelsError as exc:  # the default channel and the variables need no profile
        get_run_logger().warning("channel profiles not read: %s", one_line(exc))
        profiles = []
    blocks = {p.name: p.youtube_credentials for p in profiles}
    ready: dict[str, str | None] = {}
    skipped: list[str] = []
    failed: dict[str, str] = {}
    for channel in channels:
        try:
            identity = youtube_identity(settings, channel, blocks.get(channel), None)
        except IdentityError as exc:
            failed[channel] = one_line(exc)
            continue
        if identity.missing is not None:
            skipped.append(identity.missing)
        else:
            ready[channel] = blocks.get(channel)
    return ready, skipped, failed
