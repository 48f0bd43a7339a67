"""How published videos perform: daily views and average view duration from the YouTube
Analytics API v2 (``reports.query``), acting for the channel with its OAuth client.

One query per video: ``ids=channel==MINE``, ``dimensions=day``, ``filters=video==<id>``,
``metrics=views,averageViewDuration``. Rows are read by their column headers, not their
positions. Days without data have no row (the API leaves them out); the Analytics API
reports with a lag of about two days.

Impressions click-through rate is not offered by the Analytics API (its metric list has
no thumbnail impressions; ``cardClickRate`` is about info cards, not thumbnails). The
YouTube Reporting API's bulk reach reports (``channel_reach_basic_a1``:
``video_thumbnail_impressions``, ``video_thumbnail_impressions_ctr``) carry it, a day or
two late, as CSV files from a reporting job: ``ytempire.learning.reach`` reads them for the
thumbnail-tests flow, which adds impressions and CTR to the stored days
(``AnalyticsStore.record_reach``). Until it has, ``impressions_ctr`` is NULL: unknown, not
zero.

Failures come out in the project's error vocabulary (``ytempire.providers.google_api``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from ytempire.providers import google_api
from ytempire.resilience.errors import InvalidOutput

PROVIDER = "youtube-analytics"
ENGINE = "youtube-analytics-api"
METRICS = ("views", "averageViewDuration")


class DailyPerformance(BaseModel):
    """One video's numbers for one day."""

    youtube_video_id: str
    day: date
    views: int = Field(ge=0)
    average_view_duration_s: float = Field(ge=0)
    impressions_ctr: float | None = Field(
        default=None, ge=0, le=1, description="not in the Analytics API (module docstring)"
    )


class YouTubeAnalytics(google_api.ChannelApi):
    """Reads the channel's YouTube Analytics reports."""

    name = ENGINE
    api, version, provider = "youtubeAnalytics", "v2", PROVIDER

    def daily(self, youtube_video_id: str, start: date, end: date) -> list[DailyPerformance]:
        """The video's days from ``start`` to ``end`` (inclusive) that have data, oldest first."""
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        service = self.service()
        request = service.reports().query(
            ids="channel==MINE",
            startDate=start.isoformat(),
            endDate=end.isoformat(),
            metrics=",".join(METRICS),
            dimensions="day",
            filters=f"video=={youtube_video_id}",
            sort="day",
        )
        with self.calling("reports.query"):
            answer = request.execute(num_retries=0)
        try:
            return [
                DailyPerformance(
                    youtube_video_id=youtube_video_id,
                    day=date.fromisoformat(str(row["day"])),
                    views=int(row["views"]),
                    average_view_duration_s=float(row["averageViewDuration"]),
                )
                for row in _rows(answer)
            ]
        except (TypeError, ValueError) as exc:  # pydantic's ValidationError is a ValueError
            what = type(exc).__name__
            raise InvalidOutput(PROVIDER, f"reports.query: unexpected values ({what})") from None


def _rows(answer: Any) -> list[dict[str, Any]]:
    """The result table's rows as dicts keyed by column name."""
    try:
        names = [str(h["name"]) for h in answer["columnHeaders"]]
        rows = [dict(zip(names, row, strict=True)) for row in answer.get("rows", [])]
    except (TypeError, KeyError, ValueError):
        raise InvalidOutput(PROVIDER, "reports.query: not a result table") from None
    missing = {"day", *METRICS} - set(names)
    if missing:
        raise InvalidOutput(PROVIDER, f"reports.query: no column {sorted(missing)[0]}")
    return rows
