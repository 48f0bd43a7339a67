"""The video's lease for a flow run: one run per video id (``ytempire.analytics.leases``).

The owner names the flow run and where it runs, so the run that is refused can say which
run holds the video.
"""

from __future__ import annotations

import os
import socket

from prefect.runtime import flow_run

from ytempire.analytics.leases import VideoLease
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import VideoJob
from ytempire.settings import Settings


def run_owner() -> str:
    """``flow run <name> (<id>) on <host> pid <pid>``: who holds a lease."""
    run = f"flow run {flow_run.name} ({flow_run.id})" if flow_run.id else "a run"
    return f"{run} on {socket.gethostname()} pid {os.getpid()}"[:200]


def video_lease(job: VideoJob, settings: Settings) -> VideoLease:
    """The lease this run holds on ``job``'s video while it makes it (enter it to take it)."""
    return VideoLease(
        AnalyticsStore(settings.analytics_url),
        job.video_id,
        run_owner(),
        ttl_s=settings.lease_ttl_s,
        wait_s=settings.lease_wait_s,
    )
