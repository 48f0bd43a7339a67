"""A real Prefect server on PostgreSQL with the pools, limits and deployments of this project,
one worker per pool: make-video runs on the cpu worker and its render on the gpu worker.
The workers share no folder: the workspace is a bucket of the session's SeaweedFS (each
worker works in scratch of its own) and Prefect's results are kept there too.

Everything is a subprocess started the way docs/operations.md tells an operator to: the
server (with an auth string: tests/deployments/prefect_server.py), `python -m
deployments.setup`, `prefect deploy --all`, `prefect worker start`, each client with
``PREFECT_API_AUTH_STRING``. The run's OpenAI credential block holds a canary key, used
against the local OpenAI-compatible server; afterwards it is found nowhere else
(docs/security.md).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowRunFilter,
    FlowRunFilterDeploymentId,
    FlowRunFilterParentFlowRunId,
    FlowRunFilterState,
    FlowRunFilterStateType,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact, FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_AUTH_STRING, temporary_settings
from sqlalchemy import create_engine, make_url, text

from blocks.credentials import OpenAICredentials
from deployments import setup
from tests.deployments.prefect_server import (
    PREFECT,
    REPO,
    PrefectServer,
    Processes,
    processes_for,
    run_command,
)
from tests.servers.openai_compatible import OpenAICompatibleServer
from tests.servers.seaweedfs import SeaweedFS
from ytempire.models import VideoJob

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

RUN_TIMEOUT_S = 360
# A provider key that must reach the provider and nothing else (docs/security.md).
CANARY = f"sk-canary-{uuid.uuid4().hex}"


@dataclass
class Fleet:
    """A running server, its pools and deployments, and one worker per pool."""

    api_url: str
    bucket: str  # the workspace: s3://<bucket>/runs
    store: SeaweedFS
    scratch: dict[str, Path]  # each worker's own scratch root, by pool
    processes: Processes
    timings: dict[str, float]
    server: PrefectServer
    root: Path

    def client(self) -> SyncPrefectClient:
        return get_client(sync_client=True)

    def artifacts(self, flow_run_id: uuid.UUID) -> dict[str, Artifact]:
        """The artifacts of one flow run, by key."""
        with self.client() as client:
            found = client.read_artifacts(
                artifact_filter=ArtifactFilter(
                    flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id])
                )
            )
        return {a.key: a for a in found if a.key}

    def object(self, video_id: str, relative: str) -> bytes:
        """An object of the video's folder in the bucket."""
        key = f"{self.bucket.removeprefix('s3://')}/{video_id}/{relative}"
        return bytes(self.store.fs().cat_file(key))


@pytest.fixture(scope="module")
def fleet(
    prefect_server: PrefectServer, seaweedfs: SeaweedFS, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("fleet")
    bucket = f"s3://{seaweedfs.new_bucket()}/runs"
    scratch = {pool: root / f"{pool}-state" / "scratch" for pool in ("cpu", "gpu")}
    api_url = prefect_server.api_url
    processes = processes_for(root)
    timings: dict[str, float] = {"server_start_s": prefect_server.start_s}
    client_env = prefect_server.client_env
    try:
        setup_command = [
            sys.executable,
            "-m",
            "deployments.setup",
            "--gpu-renders",
            "--render-slots",
            "2",
            "--results",
            bucket,
        ]
        timings["setup_s"] = run_command(setup_command, {**client_env, **seaweedfs.env}, REPO, 120)

        # No YTEMPIRE_HOME, as README's production section allows: each worker's flow runs
        # start in the checkout its own Python runs ytempire from (deployments/checkout.py).
        worker_env = {
            **client_env,
            **seaweedfs.env,
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "YTEMPIRE_WORKSPACE": bucket,
            "YTEMPIRE_DATABASE_URL": f"sqlite:///{root / 'analytics.db'}",
        }
        # Workers start while the deployments are created: they only need their pools.
        for pool in ("cpu", "gpu"):
            processes.start(
                f"worker-{pool}",
                [*PREFECT, "worker", "start", "--pool", pool, "--name", f"{pool}-test"],
                {**worker_env, "YTEMPIRE_STATE_DIR": str(scratch[pool].parent)},
                root,  # not the checkout: the deployments' pull step must take them there
            )
        timings["deploy_s"] = run_command(
            [*PREFECT, "--no-prompt", "deploy", "--all"], client_env, REPO, 300
        )
        with prefect_server.as_client():
            yield Fleet(
                api_url, bucket, seaweedfs, scratch, processes, timings, prefect_server, root
            )
    finally:
        processes.stop()


@dataclass
class Made:
    fleet: Fleet
    job: VideoJob
    parent: FlowRun
    children: list[FlowRun]
    openai: OpenAICompatibleServer


@pytest.fixture(scope="module")
def openai_stand_in() -> Iterator[OpenAICompatibleServer]:
    with OpenAICompatibleServer() as server:
        yield server


@pytest.fixture(scope="module")
def canary_block(fleet: Fleet, openai_stand_in: OpenAICompatibleServer) -> uuid.UUID:
    """The OpenAI credential block the runs load (``default``), holding the canary key and
    pointing the script writer and thumbnails at the local OpenAI-compatible server."""
    block = OpenAICredentials(api_key=CANARY, base_url=openai_stand_in.url)  # type: ignore[arg-type]
    return block.save("default", overwrite=True)


def _wait_final(client: SyncPrefectClient, run_id: uuid.UUID, fleet: Fleet) -> FlowRun:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = client.read_flow_run(run_id)
        if run.state is not None and run.state.is_final():
            return run
        time.sleep(1)
    pytest.fail(f"make-video run not final after {RUN_TIMEOUT_S} s\n{fleet.processes.tails()}")


@pytest.fixture(scope="module")
def made(fleet: Fleet, openai_stand_in: OpenAICompatibleServer, canary_block: uuid.UUID) -> Made:
    # Published without an operator's release: a 0.1-minute script is the template writer's
    # (the local OpenAI server's script cannot be that short), which the gate holds by default.
    job = VideoJob(topic="How black holes evaporate", minutes=0.1, publish_template_scripts=True)
    started = time.monotonic()
    created = run_deployment(
        "make-video/make-video",
        parameters={"job": job.model_dump(mode="json")},
        timeout=0,
        as_subflow=False,
    )
    with fleet.client() as client:
        parent = _wait_final(client, created.id, fleet)
        fleet.timings["trigger_to_final_s"] = time.monotonic() - started
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent.id])
            )
        )
    assert parent.state is not None and parent.state.is_completed(), (
        f"make-video ended {parent.state}\n{fleet.processes.tails()}"
    )
    return Made(fleet, job, parent, children, openai_stand_in)


def test_make_video_completes_on_the_cpu_pool(made: Made) -> None:
    assert made.parent.work_pool_name == "cpu"
    assert made.parent.name == f"video-{made.job.video_id}"
    assert made.fleet.object(made.job.video_id, "video.mp4")[4:8] == b"ftyp"
    for name in ("metadata.json", "quality.json", "thumbnails/variant_1.png"):
        assert made.fleet.object(made.job.video_id, name)
    # Each worker's scratch copy went once the video (and the render) completed.
    for root in made.fleet.scratch.values():
        assert not (root / made.job.video_id).exists()


def test_render_ran_as_a_flow_run_on_the_gpu_pool(made: Made) -> None:
    (render,) = made.children
    with made.fleet.client() as client:
        deployment = client.read_deployment_by_name("render-video/render-video")
    assert render.work_pool_name == "gpu"
    assert render.deployment_id == deployment.id
    assert render.name == f"render-{made.job.video_id}"
    assert render.state is not None and render.state.is_completed()
    checkpoint = json.loads(made.fleet.object(made.job.video_id, "stages/render.json"))
    assert checkpoint["encoder"] == "libx264"  # the trial encode found no NVENC here
    # It returned through Prefect's result storage in the bucket, no folder shared.
    assert render.state.data is not None
    results = made.fleet.store.fs().find(made.fleet.bucket.removeprefix("s3://"))
    assert any("/prefect-results/" in key for key in results)
    _report_timings(made, render)


def test_summary_and_stage_table_artifacts_are_readable(made: Made) -> None:
    by_key = made.fleet.artifacts(made.parent.id)
    summary = by_key[f"video-{made.job.video_id}"]
    table = by_key[f"stages-{made.job.video_id}"]
    assert summary.type == "markdown" and table.type == "table"
    assert isinstance(summary.data, str) and "How Black Holes Evaporate" in summary.data
    # An analyst's browser opens the thumbnail and the video by their pre-signed links.
    links = dict(re.findall(r"\[([^\]]+)\]\((http[^)]+)\)", summary.data))
    assert "X-Amz-Signature" in links["video"]
    assert httpx.get(links["thumbnail (upload)"], timeout=10).content[:4] == b"\x89PNG"
    assert httpx.get(links["video"], timeout=10).content[4:8] == b"ftyp"
    rows = _table_rows(table.data)
    render_row = next(r for r in rows if r["stage"] == "render")
    assert render_row["status"] == "completed" and render_row["engine"] == "ffmpeg-libx264"


def test_render_held_a_slot_of_the_render_limit(made: Made) -> None:
    # The concurrency events are written by the server's event persister, a moment later.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        acquired = _events(made.fleet.api_url, "prefect.concurrency-limit.acquired")
        if any(e["resource"].get("prefect.resource.name") == "render" for e in acquired):
            break
        time.sleep(1)
    else:
        pytest.fail("no slot of the 'render' limit was acquired")
    with made.fleet.client() as client:
        limit = client.read_global_concurrency_limit_by_name("render")
    assert (limit.limit, limit.active_slots) == (2, 0)


def test_every_deployment_of_prefect_yaml_is_deployed(made: Made) -> None:
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    with made.fleet.client() as client:
        pools = sorted(p.name for p in client.read_work_pools())
        deployments = {d.name: d for d in client.read_deployments()}
    assert pools == ["cpu", "gpu"]
    assert set(deployments) == {d["name"] for d in declared}
    for spec in declared:
        deployment = deployments[spec["name"]]
        assert deployment.work_pool_name == spec["work_pool"]["name"]
        crons = sorted((s.schedule.cron, s.schedule.timezone) for s in deployment.schedules)
        assert crons == sorted((s["cron"], s["timezone"]) for s in spec.get("schedules", []))


def test_schedules_create_runs(made: Made) -> None:
    """The server's scheduler turns each cron schedule into scheduled flow runs (it does not
    with SQLAlchemy 2.1, hence the pin in pyproject.toml)."""
    declared = yaml.safe_load((REPO / "prefect.yaml").read_text())["deployments"]
    scheduled = {d["name"] for d in declared if d.get("schedules")}
    deadline = time.monotonic() + 60
    with made.fleet.client() as client:
        ids = {client.read_deployment_by_name(f"{n}/{n}").id: n for n in scheduled}
        while True:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(
                    deployment_id=FlowRunFilterDeploymentId(any_=list(ids)),
                    state=FlowRunFilterState(
                        type=FlowRunFilterStateType(any_=[StateType.SCHEDULED])
                    ),
                )
            )
            if {ids[r.deployment_id] for r in runs if r.deployment_id} == scheduled:
                break
            assert time.monotonic() < deadline, (
                f"no scheduled runs for {scheduled - {ids[r.deployment_id] for r in runs}}\n"
                f"{made.fleet.processes.tails()}"
            )
            time.sleep(2)


def test_setup_reruns_update_without_duplicating(made: Made) -> None:
    with made.fleet.client() as client:
        block_types = sorted(b.slug for b in client.read_block_types())
        assert setup.main(["--no-gpu-renders", "--render-slots", "3"]) == 0
        cpu_env = _pool_env(client, "cpu")
        assert "YTEMPIRE_RENDER_DEPLOYMENT" not in cpu_env
        assert client.read_global_concurrency_limit_by_name("render").limit == 3
        assert setup.main(["--gpu-renders", "--render-slots", "2"]) == 0
        assert _pool_env(client, "cpu")["YTEMPIRE_RENDER_DEPLOYMENT"] == "render-video/render-video"
        assert client.read_global_concurrency_limit_by_name("render").limit == 2
        assert sorted(p.name for p in client.read_work_pools()) == ["cpu", "gpu"]
        assert sorted(b.slug for b in client.read_block_types()) == block_types
    assert "ytempire-channel-profile" in block_types


def test_a_wrong_ytempire_home_fails_the_run_in_one_line(fleet: Fleet) -> None:
    """The worker runs its flow runs in YTEMPIRE_HOME where it is set: one that is no
    checkout fails the run, with one line naming the variable in the run's logs."""
    wrong = fleet.root
    created = run_deployment(
        "make-video/make-video",
        parameters={"job": VideoJob(topic="Nowhere to run", minutes=0.1).model_dump(mode="json")},
        timeout=0,
        as_subflow=False,
        job_variables={"env": {"YTEMPIRE_HOME": str(wrong)}},
    )
    line = f"YTEMPIRE_HOME={wrong} is not a ytempire checkout"
    with fleet.client() as client:
        run = _wait_final(client, created.id, fleet)
        assert run.state is not None and run.state.is_failed(), run.state
        assert run.state.message is not None and run.state.message.startswith(line)
        assert "\n" not in run.state.message
        # The run's logs are shipped a moment after its state.
        deadline = time.monotonic() + 30
        while True:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run.id]))
            )
            if any(log.message.startswith(line) for log in logs):
                break
            assert time.monotonic() < deadline, [log.message for log in logs]
            time.sleep(1)


def _pool_env(client: SyncPrefectClient, name: str) -> dict[str, str]:
    template = client.read_work_pool(name).base_job_template
    return dict(template["variables"]["properties"]["env"]["default"])


def _table_rows(data: Any) -> list[dict[str, Any]]:
    return json.loads(data) if isinstance(data, str) else data


def _events(api_url: str, name: str) -> list[dict[str, Any]]:
    response = httpx.post(
        f"{api_url}/events/filter",
        json={"filter": {"event": {"name": [name]}}, "limit": 50},
        timeout=10,
        auth=_auth(),
    )
    response.raise_for_status()
    return list(response.json()["events"])


def _report_timings(made: Made, render: FlowRun) -> None:
    """Print where the time went (shown with -s, and in the report of a failing run)."""
    assert render.start_time and render.end_time and render.created
    rows = _table_rows(made.fleet.artifacts(made.parent.id)[f"stages-{made.job.video_id}"].data)
    render_s = next(r["seconds"] for r in rows if r["stage"] == "render")
    timings = {
        **made.fleet.timings,
        "render_dispatch_s": (render.start_time - render.created).total_seconds(),
        "render_run_s": (render.end_time - render.start_time).total_seconds(),
        "render_stage_s": render_s,
    }
    print("fleet timings: " + ", ".join(f"{k}={v:.1f}" for k, v in timings.items()))


def _auth() -> httpx.BasicAuth:
    """The session's client credentials (PREFECT_API_AUTH_STRING), for raw API requests."""
    auth_string = PREFECT_API_AUTH_STRING.value()  # the legacy accessor unwraps the secret
    assert auth_string, "the session server's auth string is not in the settings"
    user, _, password = str(auth_string).partition(":")
    return httpx.BasicAuth(user, password)


# -- who gets in (docs/security.md) ------------------------------------------------------------


def test_an_unauthenticated_request_for_secrets_is_refused(
    fleet: Fleet, canary_block: uuid.UUID
) -> None:
    """The request issue 19 opened with, against the server as the docs now start it."""
    url = f"{fleet.api_url}/block_documents/{canary_block}"
    secrets = {"include_secrets": "true"}
    for auth in (None, httpx.BasicAuth("ytempire", "not-the-password")):
        refused = httpx.get(url, params=secrets, auth=auth, timeout=10)
        assert refused.status_code == 401 and CANARY not in refused.text
    # The same request with the auth string answers the key: the refusal is the auth's doing.
    allowed = httpx.get(url, params=secrets, auth=fleet.server.auth(), timeout=10)
    assert allowed.status_code == 200 and allowed.json()["data"]["api_key"] == CANARY
    assert httpx.get(f"{fleet.api_url}/health", timeout=10).status_code == 200  # probes stay open


def test_setup_without_the_auth_string_fails_in_one_line(
    fleet: Fleet, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {k: v for k, v in fleet.server.client_env.items() if k != "PREFECT_API_AUTH_STRING"}
    done = subprocess.run(
        [sys.executable, "-m", "deployments.setup"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and done.stdout == "", done.stderr
    assert "requires credentials: set PREFECT_API_AUTH_STRING" in done.stderr
    # ytempire too, whenever it would talk to the server.
    batch = subprocess.run(
        [str(Path(sys.executable).with_name("ytempire")), "batch", "--videos-per-channel", "0"],
        env=env,
        cwd=fleet.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert batch.returncode == 1 and batch.stderr.count("\n") == 1, batch.stdout + batch.stderr
    assert batch.stderr.startswith("ytempire: error: the Prefect server at ")
    with temporary_settings({PREFECT_API_AUTH_STRING: "ytempire:not-the-password"}):
        assert setup.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused the credentials in PREFECT_API_AUTH_STRING" in err
    assert "not-the-password" not in err


def test_the_canary_key_was_used_and_is_found_nowhere_else(made: Made) -> None:
    """The run called the provider with the block's key; after it, no database row, API
    answer or file holds the key (the block document's data is encrypted at rest)."""
    used = [r for r in made.openai.requests if r.authorization == f"Bearer {CANARY}"]
    assert used, "the run never called the OpenAI-compatible server with the block's key"
    assert _places_holding(made, CANARY) == []
    # The search finds what is there: the video id is in each kind of place it searched.
    found = _places_holding(made, made.job.video_id)
    kinds = {place.split(" ")[0] for place in found}
    assert {"database", "api", "file"} <= kinds, found
    tables = {place.split(" ")[1] for place in found if place.startswith("database")}
    assert {"flow_run", "log", "artifact", "events"} <= tables, tables
    engine = _database(made.fleet)
    with engine.connect() as conn:
        stored = conn.execute(
            text("SELECT data FROM block_document WHERE name = 'default' AND data IS NOT NULL")
        ).all()
        # The server's key comes from PREFECT_SERVER_ENCRYPTION_KEY, not from its database.
        keys = conn.execute(text("SELECT key FROM configuration")).scalars().all()
    engine.dispose()
    assert stored and "ENCRYPTION_KEY" not in keys


def test_a_key_is_rotated_with_one_command(made: Made) -> None:
    rotated = f"sk-rotated-{uuid.uuid4().hex}"
    done = subprocess.run(
        [sys.executable, "-m", "blocks.rotate", "openai", "api_key"],
        input=rotated,
        env=made.fleet.server.client_env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert rotated not in done.stdout + done.stderr
    assert done.stdout == "ytempire-openai/default: api_key replaced; the next flow run uses it\n"
    block = OpenAICredentials.load("default")
    assert isinstance(block, OpenAICredentials) and block.api_key is not None
    assert block.api_key.get_secret_value() == rotated
    assert block.base_url == made.openai.url  # the other fields are kept


def _database(fleet: Fleet) -> Any:
    url = make_url(fleet.server.database_url).set(drivername="postgresql+psycopg")
    return create_engine(url)


def _places_holding(made: Made, needle: str) -> list[str]:
    """Every place the server, the workers and the run wrote to that holds ``needle``:
    rows of each table of Prefect's database (as text, bytea included), logs, artifacts,
    events and flow runs read through the API, and every file of the fleet's and the
    server's folders (analytics store, workspace, result storage, process output)."""
    places = []
    engine = _database(made.fleet)
    with engine.connect() as conn:
        tables = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        for table in list(tables):
            hits = conn.execute(
                text(
                    f'SELECT count(*) FROM "{table}" AS r '
                    "WHERE strpos(r::text, :plain) > 0 OR strpos(r::text, :hex) > 0"
                ),
                {"plain": needle, "hex": needle.encode().hex()},
            ).scalar_one()
            if hits:
                places.append(f"database {table} ({hits} rows)")
    engine.dispose()
    for what, answers in _api_answers(made.fleet.api_url):
        if any(needle in answer for answer in answers):
            places.append(f"api {what}")
    raw = needle.encode()
    for folder in (made.fleet.root, made.fleet.server.root):
        for path in folder.rglob("*"):
            if path.is_file() and raw in path.read_bytes():
                places.append(f"file {path}")
    return places


def _api_answers(api_url: str) -> Iterator[tuple[str, list[str]]]:
    """Every page of the logs, artifacts, flow runs (parameters included) and events."""
    with httpx.Client(base_url=api_url, auth=_auth(), timeout=30) as http:
        for what in ("logs", "artifacts", "flow_runs"):
            pages, offset = [], 0
            while True:
                page = http.post(f"/{what}/filter", json={"offset": offset, "limit": 200})
                page.raise_for_status()
                pages.append(page.text)
                if len(page.json()) < 200:
                    break
                offset += 200
            yield what, pages
        pages = []
        page = http.post("/events/filter", json={"limit": 50})
        while True:
            page.raise_for_status()
            pages.append(page.text)
            next_page = page.json().get("next_page")
            if not next_page:
                break
            page = http.get(next_page)
        yield "events", pages
