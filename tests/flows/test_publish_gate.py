"""The gate before publishing and the video's lease, end to end under a real Prefect API,
uploading to the local YouTube-like server: held videos are not uploaded until released,
an operator answers a paused run's form, and a second run of a video is refused."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path

import pytest
from prefect import flow, task
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
from prefect.flow_runs import resume_flow_run
from prefect.runtime import flow_run
from sqlalchemy import select

from flows.video import make_video
from tasks.gate import ask_operator
from tests.flows.test_upload_stage import workspace, youtube  # noqa: F401  (fixtures)
from tests.servers.youtube_upload import INSERT_PATH, YouTubeUploadServer
from ytempire import batch_report, cli, summary
from ytempire.analytics import leases
from ytempire.analytics.store import AnalyticsStore, labels_key
from ytempire.analytics.tables import PipelineEvent
from ytempire.batch_plan import PlannedVideo
from ytempire.batch_report import BatchVideo
from ytempire.models import VideoJob, VideoResult
from ytempire.publish import gate
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

TOPIC = "How black holes evaporate"


def inserts(server: YouTubeUploadServer) -> int:
    return len(server.calls("POST", INSERT_PATH))


def batch_row(root: Path, store: AnalyticsStore, result: VideoResult) -> BatchVideo:
    """The video's row in a batch table, as the daily batch describes it."""
    planned = PlannedVideo(
        job=result.job, slot=0, topic_reason="test", estimate_usd={}, quota_units=0
    )
    folder = VideoFolder(root, result.job.video_id)
    return batch_report.describe(planned, folder, store, result.run_id, None)


def manifest(root: Path, job: VideoJob) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / job.video_id / "metadata.json").read_text())
    return data


def test_a_template_video_is_held_rejected_and_published_only_after_release(
    youtube: YouTubeUploadServer,  # noqa: F811
    workspace: Path,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    # The default channel's settings: template scripts wait, and the suites' critical marks.
    job = VideoJob(topic=TOPIC, minutes=0.1)
    result = make_video(job)

    assert result.upload is not None and result.upload.destination == "held"
    assert "offline template writer" in (result.upload.held or "")
    assert inserts(youtube) == 0
    held = gate.read_hold(VideoFolder(workspace, job.video_id))
    # The job as asked (a release asks again; its arms are a hash of it).
    assert held is not None and held.status == "held" and held.job == job
    assert result.job.experiments  # experiments.yaml's arm was applied to the video made
    assert manifest(workspace, job)["upload"]["destination"] == "held"  # type: ignore[index]
    store = AnalyticsStore(Settings().analytics_url)
    assert {e.stage: e.status for e in store.events(result.run_id)}["upload"] == "completed"
    alerts = [s.labels for s in store.samples("alert_raised") if "video_held" in s.labels]
    assert alerts == [
        labels_key({"rule": "video_held", "severity": "warning", "subject": job.video_id})
    ]
    # The batch table and the run summary say so, and how to release it.
    assert batch_row(workspace, store, result).status == "held"
    assert batch_row(workspace, store, result).held == held.reason
    assert f"`ytempire release {job.video_id}`" in summary.markdown(result)

    assert cli.main(["release", job.video_id, "--reject", "--note", "not on brand"]) == 0
    assert "rejected" in capsys.readouterr().out
    assert manifest(workspace, job)["upload"]["destination"] == "rejected"  # type: ignore[index]
    again = make_video(job)  # a re-run (a batch retry, say) keeps it rejected
    assert again.upload is not None and again.upload.destination == "rejected"
    assert inserts(youtube) == 0
    assert batch_row(workspace, store, again).status == "rejected"

    assert cli.main(["release", job.video_id]) == 0
    out = capsys.readouterr().out
    assert "published to youtube" in out, out
    assert inserts(youtube) == 1 and len(youtube.videos) == 1
    # Nothing paid was redone: the script was written once, then served from its checkpoint.
    with store.session() as session:
        scripts = session.scalars(
            select(PipelineEvent.status)
            .where(PipelineEvent.stage == "script")
            .order_by(PipelineEvent.started_at)
        ).all()
    assert scripts == ["completed", "resumed", "resumed"]
    [tracked] = store.youtube_videos()  # tracking follows the upload
    assert tracked.video_id.hex == job.video_id and tracked.destination == "youtube"
    released = gate.read_hold(VideoFolder(workspace, job.video_id))
    assert released is not None and released.decision is not None
    assert (released.status, released.decision.by) == ("approved", "ytempire release")
    assert batch_row(workspace, store, result).status == "completed"

    assert cli.main(["release", job.video_id]) == 0  # twice: still one upload
    assert inserts(youtube) == 1


def test_a_failed_critical_check_holds_a_video_the_channel_would_publish(
    youtube: YouTubeUploadServer,  # noqa: F811
    workspace: Path,  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A suite whose critical loudness window no voice meets: the check fails, and holds.
    suites = tmp_path / "suites"
    suites.mkdir()
    for source in Settings().quality_suites_dir.glob("*.json"):
        (suites / source.name).write_text(source.read_text())
    voice = json.loads((suites / "voice.json").read_text())
    for expectation in voice["expectations"]:
        if expectation["meta"]["check"] == "integrated_loudness_lufs":
            expectation["kwargs"] = {**expectation["kwargs"], "min_value": 5, "max_value": 6}
            expectation["meta"]["critical"] = True
    (suites / "voice.json").write_text(json.dumps(voice))
    monkeypatch.setenv("YTEMPIRE_QUALITY_SUITES_DIR", str(suites))

    job = VideoJob(topic=TOPIC, minutes=0.1, publish_template_scripts=True)
    result = make_video(job)
    assert result.upload is not None and result.upload.destination == "held"
    assert (result.upload.held or "").startswith("critical check failed: voice integrated_loud")
    assert inserts(youtube) == 0
    held = json.loads((workspace / job.video_id / "hold.json").read_text())
    [check] = held["failing_checks"]
    assert (check["item"], check["check"]) == ("voice", "integrated_loudness_lufs")
    assert "LUFS" in check["recommendation"]


def test_a_channel_that_publishes_template_scripts_uploads_at_once(
    youtube: YouTubeUploadServer,  # noqa: F811
    workspace: Path,  # noqa: F811
) -> None:
    job = VideoJob(topic=TOPIC, minutes=0.1, publish_template_scripts=True)
    result = make_video(job)
    assert result.upload is not None and result.upload.destination == "youtube", result.upload
    assert inserts(youtube) == 1
    assert not (workspace / job.video_id / "hold.json").exists()


def paused_run_id(name: str, timeout_s: float = 120) -> str:
    """The id of flow run ``name`` once it is paused."""
    deadline = time.monotonic() + timeout_s
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[name]))
            )
            if runs and runs[0].state is not None and runs[0].state.is_paused():
                return str(runs[0].id)
            time.sleep(0.5)
    raise AssertionError(f"flow run {name} did not pause within {timeout_s} s")


def test_a_paused_run_is_approved_in_its_form_and_a_second_run_is_refused(
    youtube: YouTubeUploadServer,  # noqa: F811
    workspace: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YTEMPIRE_GATE_PAUSE", "always")
    monkeypatch.setenv("YTEMPIRE_GATE_POLL_S", "1")
    job = VideoJob(topic=TOPIC, minutes=0.1)
    outcome: dict[str, object] = {}
    first = threading.Thread(target=lambda: outcome.update(result=make_video(job)))
    first.start()
    run_id = paused_run_id(f"video-{job.video_id}")

    # Meanwhile a second run of the same video: refused, naming the paused run.
    store = AnalyticsStore(Settings().analytics_url)
    holder = leases.holder(store, job.video_id)
    assert holder is not None and run_id in holder.owner
    with pytest.raises(leases.LeaseHeld, match=f"already being made by flow run .*{run_id}"):
        make_video(job)

    resume_flow_run(uuid.UUID(run_id), run_input={"approve": True, "note": "looks fine"})
    first.join(timeout=300)
    result = outcome["result"]
    assert result.upload.destination == "youtube"  # type: ignore[attr-defined]
    assert inserts(youtube) == 1 and len(youtube.videos) == 1
    decided = gate.read_hold(VideoFolder(workspace, job.video_id))
    assert decided is not None and decided.decision is not None
    assert (decided.status, decided.decision.note) == ("approved", "looks fine")
    assert leases.holder(store, job.video_id) is None


@task
def afterwards() -> str:
    return "ran"


@flow
def held_and_unanswered(job: VideoJob) -> tuple[gate.Verdict, str, str]:
    verdict = gate.Verdict(publish=False, status="held", reasons=["a reason"])
    answered = ask_operator(job, verdict, Settings())
    with get_client(sync_client=True) as client:
        state = client.read_flow_run(uuid.UUID(flow_run.id)).state
    return answered, state.type.value if state else "", afterwards()


def test_an_unanswered_pause_ends_held_and_the_run_goes_on(
    workspace: Path,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YTEMPIRE_GATE_PAUSE", "always")
    monkeypatch.setenv("YTEMPIRE_GATE_PAUSE_TIMEOUT_S", "2")
    monkeypatch.setenv("YTEMPIRE_GATE_POLL_S", "1")
    started = time.monotonic()
    verdict, state, after = held_and_unanswered(VideoJob(topic=TOPIC))
    # Held, and the run shows as running again (not paused) while it finishes.
    assert (verdict.status, verdict.publish, state, after) == ("held", False, "RUNNING", "ran")
    assert 2 <= time.monotonic() - started < 60
