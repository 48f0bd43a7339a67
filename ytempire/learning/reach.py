"""Thumbnail impressions and click-through from the YouTube Reporting API's reach reports,
acting for the channel with its OAuth client (docs/experiments.md, "Thumbnail tests").

The Analytics API has no thumbnail impressions; the Reporting API's ``channel_reach_basic_a1``
report does (``video_thumbnail_impressions``, ``video_thumbnail_impressions_ctr``). It is a
bulk API: a reporting job, created once in advance (``ensure_job``), makes one CSV report
per day, a day or two late; ``reach`` lists the job's reports (``jobs.reports.list``) and
downloads each (``media.download`` at the report's ``downloadUrl``), summing a video's rows
of one day (they are split by country, subscription status and so on) into impressions and
clicks (impressions × CTR).

Failures come out in the project's error vocabulary (``ytempire.providers.google_api``).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from googleapiclient.http import MediaIoBaseDownload
from pydantic import BaseModel, Field

from ytempire.providers import google_api
from ytempire.resilience.errors import InvalidOutput

PROVIDER = "youtube-reporting"
REPORT_TYPE = "channel_reach_basic_a1"
JOB_NAME = "ytempire-reach"
COLUMNS = ("date", "video_id", "video_thumbnail_impressions", "video_thumbnail_impressions_ctr")


class ReachDay(BaseModel):
    """One video's thumbnail impressions and clicks on one day."""

    youtube_video_id: str
    day: date
    impressions: int = Field(ge=0)
    clicks: float = Field(ge=0)

    @property
    def ctr(self) -> float | None:
        return self.clicks / self.impressions if self.impressions else None


class YouTubeReporting(google_api.ChannelApi):
    """Reads the channel's reach reports."""

    api, version, provider = "youtubereporting", "v1", PROVIDER

    def _execute(self, call: str, request: Any) -> Any:
        with self.calling(call):
            return request.execute(num_retries=0)

    def ensure_job(self) -> str:
        """The id of the channel's reach reporting job, created when there is none (reports
        start the day after: create it before the first test)."""
        service = self.service()
        token = None
        while True:
            answer = self._execute("jobs.list", service.jobs().list(pageToken=token))
            for job in answer.get("jobs", []):
                if job.get("reportTypeId") == REPORT_TYPE:
                    return str(job["id"])
            token = answer.get("nextPageToken")
            if not token:
                break
        body = {"reportTypeId": REPORT_TYPE, "name": JOB_NAME}
        return str(self._execute("jobs.create", service.jobs().create(body=body))["id"])

    def reach(
        self, job_id: str, videos: Iterable[str], created_after: datetime | None = None
    ) -> list[ReachDay]:
        """The days of ``videos`` in the job's reports (created after ``created_after``),
        oldest first; a day reported twice (a corrected report) keeps the later report."""
        wanted = set(videos)
        service = self.service()
        reports: list[dict[str, Any]] = []
        token = None
        while True:
            request = (
                service.jobs()
                .reports()
                .list(
                    jobId=job_id,
                    pageToken=token,
                    createdAfter=created_after.isoformat() if created_after else None,
                )
            )
            answer = self._execute("jobs.reports.list", request)
            reports += answer.get("reports", [])
            token = answer.get("nextPageToken")
            if not token:
                break
        found: dict[tuple[str, date], ReachDay] = {}
        for report in sorted(reports, key=lambda r: str(r.get("createTime", ""))):
            for day in parse(self._download(service, str(report["downloadUrl"]))):
                if day.youtube_video_id in wanted:
                    found[(day.youtube_video_id, day.day)] = day
        return sorted(found.values(), key=lambda d: (d.day, d.youtube_video_id))

    def _download(self, service: Any, url: str) -> str:
        request = service.media().download_media(resourceName="")
        request.uri = url  # the report's own URL, as Google's guide does
        buffer = io.BytesIO()
        with self.calling("media.download"):
            downloader = MediaIoBaseDownload(buffer, request)
            done = False
            while not done:
                _status, done = downloader.next_chunk(num_retries=0)
        return buffer.getvalue().decode("utf-8")


def parse(text: str) -> list[ReachDay]:
    """A reach report's rows summed per video and day."""
    rows = csv.DictReader(io.StringIO(text))
    missing = set(COLUMNS) - set(rows.fieldnames or ())
    if missing:
        raise InvalidOutput(PROVIDER, f"reach report: no column {sorted(missing)[0]}")
    sums: dict[tuple[str, date], list[float]] = defaultdict(lambda: [0.0, 0.0])
    try:
        for row in rows:
            shown = int(row["video_thumbnail_impressions"] or 0)
            ctr = float(row["video_thumbnail_impressions_ctr"] or 0)
            key = (row["video_id"], datetime.strptime(row["date"], "%Y%m%d").date())
            sums[key][0] += shown
            sums[key][1] += shown * ctr
    except ValueError:
        raise InvalidOutput(PROVIDER, "reach report: a value is not a number or date") from None
    return [
        ReachDay(youtube_video_id=video, day=day, impressions=int(n), clicks=round(clicks, 3))
        for (video, day), (n, clicks) in sums.items()
    ]
