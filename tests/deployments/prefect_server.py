"""One real ``prefect server start`` per test session, on a fresh PostgreSQL database, shared
by every test that needs a server (tests/deployments/conftest.py makes the fixtures visible).

Everything is a subprocess started the way docs/operations.md tells an operator to. Tests
that start workers or other processes of their own use :class:`Processes` with a marker of
their own, so stopping them leaves the session's server running.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError

from tests.conftest import POSTGRES_URL

REPO = Path(__file__).resolve().parents[2]
PREFECT = [sys.executable, "-m", "prefect"]
# Generous: ~15 s on an idle 2-core machine, several times that under load.
SERVER_START_S = 90
# Set in the environment of the processes a test starts (and so of the flow runs its workers
# start), to find and stop them all afterwards.
MARKER_VARIABLE = "PYTEST_PROCESS_GROUP"


@dataclass
class Processes:
    """Subprocesses of a test, each in its own session, with their output in log files.

    Stopping sends SIGTERM to each process group (the last started first), then SIGKILL;
    processes they started in sessions of their own (a worker's flow runs) are found by
    ``marker`` (``NAME=value``) in their environment and killed too.
    """

    logs: Path
    marker: str
    started: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)

    def start(self, name: str, args: list[str], env: dict[str, str], cwd: Path) -> None:
        log = (self.logs / f"{name}.log").open("wb")
        name_, _, value = self.marker.partition("=")
        process = subprocess.Popen(
            args,
            env={**env, name_: value},
            cwd=cwd,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
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


def processes_for(logs: Path) -> Processes:
    """A new group of processes, logging to ``logs``, with a marker of its own."""
    return Processes(logs=logs, marker=f"{MARKER_VARIABLE}={uuid.uuid4().hex}")


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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(home: Path) -> dict[str, str]:
    """This machine's environment without any Prefect or ytempire setting of the developer's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "YTEMPIRE_"))}
    env.update(PREFECT_HOME=str(home), PREFECT_SERVER_ANALYTICS_ENABLED="false")
    return env


def run_command(args: list[str], env: dict[str, str], cwd: Path, timeout: float) -> float:
    """Run a command to completion; return its seconds; fail with its output if it fails."""
    started = time.monotonic()
    done = subprocess.run(args, env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(args[2:])} failed:\n{done.stdout}\n{done.stderr}"
    return time.monotonic() - started


@pytest.fixture(scope="session")
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
class PrefectServer:
    """The session's running server: its API, a folder of the session's, and the environment
    a client (a CLI, setup, a worker) of it needs."""

    api_url: str
    root: Path
    home: Path
    processes: Processes
    start_s: float
    # The server wants it on every API call but /health (docs/security.md): as_client() gives
    # it to this process for a while, client_env to subprocesses.
    auth_string: str
    database_url: str

    @property
    def client_env(self) -> dict[str, str]:
        return {
            **base_env(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_API_AUTH_STRING": self.auth_string,
        }

    @contextmanager
    def as_client(self) -> Iterator[PrefectServer]:
        """This process as the server's client while the block runs: its API URL and auth
        string in the settings and, since Prefect's background threads (the events worker)
        read theirs from it, in the environment. Scoped, never for the session: the other
        tests' Prefect API (the test harness) must not inherit them."""
        with (
            pytest.MonkeyPatch.context() as environment,
            temporary_settings(
                {PREFECT_API_URL: self.api_url, PREFECT_API_AUTH_STRING: self.auth_string}
            ),
        ):
            environment.setenv("PREFECT_API_URL", self.api_url)
            environment.setenv("PREFECT_API_AUTH_STRING", self.auth_string)
            yield self

    def auth(self) -> httpx.BasicAuth:
        """The credentials for a raw HTTP request to the API."""
        user, _, password = self.auth_string.partition(":")
        return httpx.BasicAuth(user, password)


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


@pytest.fixture(scope="session")
def prefect_server(
    prefect_database: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[PrefectServer]:
    """``prefect server start`` (with its services: scheduler, triggers, actions) on a fresh
    database, once per session, locked the way docs/operations.md starts it: an auth string
    (``PREFECT_SERVER_API_AUTH_STRING``; the session's Prefect settings hold the client's
    ``PREFECT_API_AUTH_STRING`` while it runs) and its own block encryption key."""
    root = tmp_path_factory.mktemp("prefect-server")
    home = root / "prefect-home"
    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    auth_string = f"ytempire:{uuid.uuid4().hex}"
    processes = processes_for(root)
    try:
        started = time.monotonic()
        processes.start(
            "server",
            [*PREFECT, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            {
                **base_env(home),
                "PREFECT_API_DATABASE_CONNECTION_URL": prefect_database,
                "PREFECT_UI_ENABLED": "false",
                "PREFECT_SERVER_API_AUTH_STRING": auth_string,
                "PREFECT_SERVER_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            },
            root,
        )
        _wait_healthy(api_url, processes)
        yield PrefectServer(
            api_url,
            root,
            home,
            processes,
            time.monotonic() - started,
            auth_string,
            prefect_database,
        )
    finally:
        processes.stop()
