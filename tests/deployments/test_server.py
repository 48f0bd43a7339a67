"""A real Prefect server on PostgreSQL with the pools, limits and deployments of this project,
one worker per pool: make-video runs on the cpu worker and its render on the gpu worker.

Everything is a subprocess started the way docs/operations.md tells an operator to: the
server, `python -m deployments.setup`, `prefect deploy --all`, `prefect worker start`.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
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
)
from prefect.client.schemas.objects import Artifact, FlowRun, StateType
from prefect.deployments import run_deployment
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from deployments import setup
from tests.conftest import POSTGRES_URL
from ytempire.models import VideoJob

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

REPO = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]
# Generous: ~15 s on an idle 2-core machine, several times that under load.
SERVER_START_S = 90
RUN_TIMEOUT_S = 360


@dataclass
class Processes:
    """Subprocesses of this test, each in its own session, with their output in log files.

    Stopping sends SIGTERM to each process group (workers before the server), then SIGKILL;
    flow runs that workers started in sessions of their own are found by this test's
    ``PREFECT_HOME`` in their environment and killed too.
    """

    logs: Path
    marker: str
    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((name, process))

    def tails(self, lines: int = 25) -> str:
        parts = []
        for name, _ in self.started:
            text_lines = (self.logs / f"{name}.log").read_text(errors="replace").splitlines()
            parts.append(f"--- {name} ---\n" + "\n".join(text_lines[-lines:]))
        return "\n".join(parts)

    def stop(self) -> None:
        for _, process in reversed(self.started):
            _stop_group(process)
        for pid in _pids_with_env(self.marker):
            _signal(pid, signal.SIGKILL, group=False)


def _stop_group(process: subprocess.Popen[bytes], grace_s: float = 10) -> None:
    if process.poll() is not None:
        return
    _signal(process.pid, signal.SIGTERM, group=True)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        _signal(process.pid, signal.SIGKILL, group=True)
        process.wait(grace_s)


def _signal(pid: int, sig: signal.Signals, *, group: bool) -> None:
    try:
        if group:
            os.killpg(pid, sig)
        else:
            os.kill(pid, sig)
    except ProcessLookupError:
        pass


def _pids_with_env(marker: str) -> list[int]:
    """Processes whose environment holds ``marker`` (a ``NAME=value\\0`` entry)."""
    found = []
    needle = marker.encode() + b"\0"
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            if needle in (proc / "environ").read_bytes() and int(proc.name) != os.getpid():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def prefect_database() -> Iterator[str]:
    """A fresh database on the local PostgreSQL server for Prefect, dropped afterwards.

    Where the server is unreachable the tests skip, except in CI, where that is a failure.
    """
    name = f"prefect_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL at {POSTGRES_URL} is unreachable in CI: {exc}")
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} is unreachable")
    url = make_url(POSTGRES_URL).set(drivername="postgresql+asyncpg", database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class Fleet:
    """A running server, its pools and deployments, and one worker per pool."""

    api_url: str
    workspace: Path
    processes: Processes
    timings: dict[str, float]

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


def _base_env(home: Path) -> dict[str, str]:
    """This machine's environment without any Prefect or ytempire setting of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "YTEMPIRE_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def _run(args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> float:
    """Run a command to completion; return its seconds; fail with its output if it fails."""
    started = time.monotonic()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args[2:])} failed:\n{done.stdout}\n{done.stderr}"
    return time.monotonic() - started


def _wait_healthy(api_url: str, processes: Processes) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        assert processes.started[0][1].poll() is None, f"server exited\n{processes.tails()}"
        try:
            if httpx.get(f"{api_url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"server not healthy after {SERVER_START_S} s\n{processes.tails()}")


@pytest.fixture(scope="module")
def fleet(prefect_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    root = tmp_path_factory.mktemp("fleet")
    home, workspace = root / "prefect-home", root / "runs"
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    processes = Processes(logs=root, marker=f"PREFECT_HOME={home}")
    timings: dict[str, float] = {}
    env = _base_env(home)
    try:
        started = time.monotonic()
        processes.start(
            "server",
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            {
                **env,
                "PREFECT_API_DATABASE_CONNECTION_URL": prefect_database,
                "PREFECT_UI_ENABLED": "false",
            },
            root,
        )
        _wait_healthy(api_url, processes)
        timings["server_start_s"] = time.monotonic() - started

        client_env = {**env, "PREFECT_API_URL": api_url}
        setup_command = [
            sys.executable,
            "-m",
            "deployments.setup",
            "--gpu-renders",
            "--render-slots",
            "2",
        ]
        timings["setup_s"] = _run(setup_command, client_env, REPO, 120)

        worker_env = {
            **client_env,
            "PREFECT_WORKER_QUERY_SECONDS": "2",
            "YTEMPIRE_HOME": str(REPO),
            "YTEMPIRE_WORKSPACE": str(workspace),
            "YTEMPIRE_DATABASE_URL": f"sqlite:///{root / 'analytics.db'}",
        }
        # Workers start while the deployments are created: they only need their pools.
        for pool in ("cpu", "gpu"):
            processes.start(
                f"worker-{pool}",
                [*PREFECT, "worker", "start", "--pool", pool, "--name", f"{pool}-test"],
                worker_env,
                root,  # not the checkout: the deployments' pull step must take them there
            )
        # YTEMPIRE_HOME is unset here, so each worker resolves its own checkout's path.
        timings["deploy_s"] = _run(
            [*PREFECT, "--no-prompt", "deploy", "--all"], client_env, REPO, 300
        )
        with temporary_settings({PREFECT_API_URL: api_url}):
            yield Fleet(api_url, workspace, processes, timings)
    finally:
        processes.stop()


@dataclass
class Made:
    fleet: Fleet
    job: VideoJob
    parent: FlowRun
    children: list[FlowRun]


def _wait_final(client: SyncPrefectClient, run_id: uuid.UUID, fleet: Fleet) -> FlowRun:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while time.monotonic() < deadline:
        run = client.read_flow_run(run_id)
        if run.state is not None and run.state.is_final():
            return run
        time.sleep(1)
    pytest.fail(f"make-video run not final after {RUN_TIMEOUT_S} s\n{fleet.processes.tails()}")


@pytest.fixture(scope="module")
def made(fleet: Fleet) -> Made:
    job = VideoJob(topic="How black holes evaporate", minutes=0.1)
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
    return Made(fleet, job, parent, children)


def test_make_video_completes_on_the_cpu_pool(made: Made) -> None:
    assert made.parent.work_pool_name == "cpu"
    assert made.parent.name == f"video-{made.job.video_id}"
    assert (made.fleet.workspace / made.job.video_id / "video.mp4").stat().st_size > 0


def test_render_ran_as_a_flow_run_on_the_gpu_pool(made: Made) -> None:
    (render,) = made.children
    with made.fleet.client() as client:
        deployment = client.read_deployment_by_name("render-video/render-video")
    assert render.work_pool_name == "gpu"
    assert render.deployment_id == deployment.id
    assert render.name == f"render-{made.job.video_id}"
    assert render.state is not None and render.state.is_completed()
    checkpoint = json.loads(
        (made.fleet.workspace / made.job.video_id / "stages" / "render.json").read_text()
    )
    assert checkpoint["encoder"] == "libx264"  # the trial encode found no NVENC here
    _report_timings(made, render)


def test_summary_and_stage_table_artifacts_are_readable(made: Made) -> None:
    by_key = made.fleet.artifacts(made.parent.id)
    summary = by_key[f"video-{made.job.video_id}"]
    table = by_key[f"stages-{made.job.video_id}"]
    assert summary.type == "markdown" and table.type == "table"
    assert isinstance(summary.data, str) and "How Black Holes Evaporate" in summary.data
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
