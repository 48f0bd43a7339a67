"""A local stand-in for the YouTube Reporting API v1: reporting jobs, their daily reports and
the reports' CSV files, for the reach report (``channel_reach_basic_a1``).

A real HTTP server on 127.0.0.1 that the real ``googleapiclient`` talks to (give it
``api_endpoint=server.url``). Requests need a bearer token that the ``YouTubeUploadServer``
beside it issued (that server is Google's token endpoint in tests), and each channel sees
only its own jobs. Paths, as the client sends them (static discovery document):

* ``GET /v1/jobs``: the caller's jobs; ``POST /v1/jobs`` (``reportTypeId``, ``name``):
  a new job, 409 ``ALREADY_EXISTS`` for a second job of the same report type, 400 for an
  unknown report type;
* ``GET /v1/jobs/{jobId}/reports`` (``createdAfter``, ``pageToken``; two reports a page,
  so clients must follow ``nextPageToken``): the job's reports, each with a ``downloadUrl``;
* ``GET /v1/media/{resourceName}?alt=media``: the report's CSV.

Tests add a day of reach with :meth:`YouTubeReportingServer.add_day` (rows split by
country, as real reports are) and read what the client did from ``requests``.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.servers.base import ProviderServer, QuietHandler
from tests.servers.youtube_upload import YouTubeUploadServer

REPORT_TYPES = frozenset({"channel_reach_basic_a1", "channel_basic_a2"})
HEADER = (
    "date,channel_id,video_id,live_or_on_demand,subscribed_status,country_code,"
    "video_thumbnail_impressions,video_thumbnail_impressions_ctr"
)
PAGE_SIZE = 2


@dataclass
class Report:
    id: str
    job_id: str
    day: date
    created: datetime
    csv: str


@dataclass
class Job:
    id: str
    channel: str
    report_type: str
    name: str
    created: datetime
    reports: list[Report] = field(default_factory=list)


class YouTubeReportingServer(ProviderServer):
    """The stand-in; tokens are checked against ``tokens`` (a ``YouTubeUploadServer``)."""

    behaviours = frozenset({"ok"})

    def __init__(self, tokens: YouTubeUploadServer) -> None:
        super().__init__(_handler_for(self))
        self.tokens = tokens
        self.jobs: dict[str, Job] = {}
        self.requests: list[tuple[str, str]] = []
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"{self.address}/"

    def add_day(self, channel: str, day: date, video: str, impressions: int, ctr: float) -> None:
        """A report of ``day`` for the channel's reach job (which must exist): ``video``'s
        impressions split over two countries, at ``ctr``."""
        job = next(
            j
            for j in self.jobs.values()
            if j.channel == channel and j.report_type == "channel_reach_basic_a1"
        )
        first = impressions * 2 // 3
        rows = [
            f"{day:%Y%m%d},{channel},{video},on_demand,not_subscribed,US,{first},{ctr:.6f}",
            f"{day:%Y%m%d},{channel},{video},on_demand,subscribed,GB,{impressions - first},"
            f"{ctr:.6f}",
        ]
        created = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        report = Report(f"r{next(self._ids)}", job.id, day, created, "\n".join([HEADER, *rows]))
        job.reports.append(report)


def _handler_for(server: YouTubeReportingServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        def _channel(self) -> str | None:
            channel = server.tokens.channel_of(self.headers.get("Authorization"))
            if channel is None:
                self._error(401, "UNAUTHENTICATED", "Request had invalid credentials.")
            return channel

        def _error(self, status: int, name: str, message: str) -> None:
            self.send_json(status, {"error": {"code": status, "message": message, "status": name}})

        def _route(self) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            server.requests.append((self.command, parts.path))
            return parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}

        def do_POST(self) -> None:
            path, _params = self._route()
            channel = self._channel()
            if channel is None:
                return
            body = json.loads(self.read_body() or b"{}")
            if path != "/v1/jobs":
                self._error(404, "NOT_FOUND", f"Not found: {path}")
                return
            kind = body.get("reportTypeId")
            if kind not in REPORT_TYPES:
                self._error(400, "INVALID_ARGUMENT", f"Unknown report type: {kind}")
                return
            if any(j.channel == channel and j.report_type == kind for j in server.jobs.values()):
                self._error(409, "ALREADY_EXISTS", "A job for this report type exists.")
                return
            job = Job(
                f"job{next(server._ids)}", channel, kind, body.get("name", ""), datetime.now(UTC)
            )
            server.jobs[job.id] = job
            self.send_json(200, _job(job))

        def do_GET(self) -> None:
            path, params = self._route()
            channel = self._channel()
            if channel is None:
                return
            parts = path.strip("/").split("/")
            if parts == ["v1", "jobs"]:
                mine = [_job(j) for j in server.jobs.values() if j.channel == channel]
                self.send_json(200, {"jobs": mine} if mine else {})
            elif len(parts) == 4 and parts[:2] == ["v1", "jobs"] and parts[3] == "reports":
                self._reports(channel, parts[2], params)
            elif parts[:2] == ["v1", "media"] and params.get("alt") == "media":
                report = next(
                    (
                        r
                        for j in server.jobs.values()
                        if j.channel == channel
                        for r in j.reports
                        if r.id == parts[-1]
                    ),
                    None,
                )
                if report is None:
                    self._error(404, "NOT_FOUND", "No such report.")
                    return
                self.send_body(200, report.csv.encode(), content_type="text/csv")
            else:
                self._error(404, "NOT_FOUND", f"Not found: {path}")

        def _reports(self, channel: str, job_id: str, params: dict[str, str]) -> None:
            job = server.jobs.get(job_id)
            if job is None or job.channel != channel:
                self._error(404, "NOT_FOUND", f"No job {job_id}.")
                return
            after = params.get("createdAfter")
            reports = [
                r
                for r in job.reports
                if after is None or r.created > datetime.fromisoformat(after.replace("Z", "+00:00"))
            ]
            start = int(params.get("pageToken") or 0)
            page = reports[start : start + PAGE_SIZE]
            answer: dict[str, Any] = {
                "reports": [
                    {
                        "id": r.id,
                        "jobId": job.id,
                        "startTime": f"{r.day:%Y-%m-%d}T07:00:00Z",
                        "endTime": f"{r.day + timedelta(days=1):%Y-%m-%d}T07:00:00Z",
                        "createTime": r.created.isoformat().replace("+00:00", "Z"),
                        "downloadUrl": f"{server.url}v1/media/CHANNEL/{job.id}/{r.id}?alt=media",
                    }
                    for r in page
                ]
            }
            if start + PAGE_SIZE < len(reports):
                answer["nextPageToken"] = str(start + PAGE_SIZE)
            self.send_json(200, answer)

    return Handler


def _job(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "reportTypeId": job.report_type,
        "name": job.name,
        "createTime": job.created.isoformat().replace("+00:00", "Z"),
    }


@pytest.fixture
def youtube_reporting_server(
    youtube_upload_server: YouTubeUploadServer,
) -> Iterator[YouTubeReportingServer]:
    """A running ``YouTubeReportingServer`` taking the upload server's tokens."""
    with YouTubeReportingServer(youtube_upload_server) as server:
        yield server
