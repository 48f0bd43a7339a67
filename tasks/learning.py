"""The video's MLflow record (``ytempire.learning.record``), kept and recorded without ever
failing or slowing the video.

The record is always kept in the video's folder first (``mlflow-pending.json``). Then, by
``YTEMPIRE_MLFLOW_RECORD``: ``background`` (default) records it in a separate process that
outlives the run (importing MLflow and opening its store take seconds the video need not
wait for); ``inline`` records it before the flow ends (always, with a bucket workspace,
whose local folder is a scratch copy removed when the flow ends); ``off`` keeps nothing. Either way
the pending records of earlier videos are recorded too, and a store that is unreachable
leaves them pending: the returned line says so and names ``ytempire mlflow flush``.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Mapping

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.runtime import flow_run
from prefect.settings import PREFECT_UI_URL

from ytempire import redact
from ytempire.analytics.ledger import Ledger
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import mlflow_store, record
from ytempire.models import StageOutput, VideoResult
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

LOG = "mlflow-record.log"
# The background recorder runs at low priority (see _flush_in_background).
RECORDER_NICENESS = 10


@task(name="mlflow-record", cache_policy=NO_CACHE)
def record_video(
    result: VideoResult, outputs: Mapping[str, StageOutput], settings: Settings
) -> str:
    """Keep ``result``'s MLflow record and record it; returns one line for the summary."""
    if settings.mlflow_record == "off":
        return "MLflow: not recorded (YTEMPIRE_MLFLOW_RECORD=off)"
    video_id = result.job.video_id
    try:
        lines = Ledger(AnalyticsStore(settings.analytics_url)).lines(video_id)
        kept = record.build(
            result,
            outputs,
            lines,
            settings,
            flow_run_id=flow_run.id,
            flow_run_url=flow_run.ui_url if PREFECT_UI_URL.value() else None,
        )
        record.keep(kept, settings)
    except Exception as exc:  # the record is a by-product: it never fails the video
        return _said(f"MLflow: no record kept for this video: {redact.line(exc)}", video_id)
    # A bucket workspace's folder is a scratch copy, gone when the flow ends: record now.
    if settings.mlflow_record == "inline" or settings.workspace_url:
        mine = [o for o in record.flush(settings) if o.video_id == video_id]
        if mine and mine[0].recorded:
            return _said(
                f"MLflow: recorded as run {mine[0].recorded.run_id} in "
                f"{mine[0].recorded.tracking_uri}",
                video_id,
            )
        reason = mine[0].error if mine else "claimed by another flush"
        return _said(_not_recorded(reason, settings), video_id)
    reason = mlflow_store.unreachable(settings)
    if reason is not None:
        return _said(_not_recorded(reason, settings), video_id)
    _flush_in_background(settings, VideoFolder(settings.workspace, video_id))
    return _said(
        f"MLflow: recording in the background to {mlflow_store.shown(settings)} "
        f"({record.PENDING} until recorded, then {record.RECORDED}; log: {LOG})",
        video_id,
    )


def _not_recorded(reason: str | None, settings: Settings) -> str:
    if settings.workspace_url:  # the folder goes to the bucket; flush reads local folders
        later = "in the bucket's video folder: flush it from a local copy of that folder"
    else:
        later = "`ytempire mlflow flush` records it later"
    return f"MLflow: not recorded ({reason}); kept in {record.PENDING}, {later}"


def _said(line: str, video_id: str) -> str:
    """``line`` in the run's log and as the video's ``mlflow-<id>`` artifact."""
    get_run_logger().info(line)
    create_markdown_artifact(
        line + "\n", key=f"mlflow-{video_id}", description="This video's MLflow record"
    )
    return line


def _flush_in_background(settings: Settings, folder: VideoFolder) -> None:
    """Start ``ytempire mlflow flush`` for the workspace in its own session, so it finishes
    after this run ends; its output goes to the video folder's ``mlflow-record.log``."""
    env = dict(os.environ, YTEMPIRE_WORKSPACE=str(settings.workspace))
    if settings.mlflow_tracking_uri:
        env["MLFLOW_TRACKING_URI"] = settings.mlflow_tracking_uri
    with (folder / LOG).open("ab") as log:
        recorder = subprocess.Popen(
            [sys.executable, "-m", "ytempire.cli", "mlflow", "flush"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    # Behind the run's own last steps and the next video: on two cores, the recorder's
    # start (MLflow's import, the store) made the demo over a second slower at normal priority.
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, recorder.pid, RECORDER_NICENESS)
