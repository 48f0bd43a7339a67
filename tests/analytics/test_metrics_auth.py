"""The metrics endpoint locked: loopback by default, basic auth when asked (docs/security.md)."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ytempire import basic_auth
from ytempire.analytics import metrics
from ytempire.analytics.store import AnalyticsStore
from ytempire.basic_auth import BasicAuthError, Users

PASSWORD = "a-long-random-scrape-password"
ENTRY = f"prometheus:sha256:{hashlib.sha256(PASSWORD.encode()).hexdigest()}"
YTEMPIRE = str(Path(sys.executable).with_name("ytempire"))


def _get(url: str, user: str | None = None, password: str | None = None) -> int:
    request = urllib.request.Request(url)
    if user is not None:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            assert b"# TYPE script_generation_time_seconds histogram" in response.read()
            return int(response.status)
    except urllib.error.HTTPError as exc:
        assert exc.headers["WWW-Authenticate"].startswith('Basic realm="ytempire metrics"')
        return int(exc.code)


@pytest.fixture
def collector(tmp_path: Path) -> metrics.StoreCollector:
    return metrics.StoreCollector(AnalyticsStore(f"sqlite:///{tmp_path / 'a.db'}"))


@pytest.fixture
def served(collector: metrics.StoreCollector) -> Iterator[str]:
    server, _thread = metrics.serve(collector, 0, users=Users.parse(ENTRY))
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/metrics"
    finally:
        server.shutdown()


def test_only_the_user_with_the_password_reads_the_metrics(served: str) -> None:
    assert _get(served) == 401
    assert _get(served, "prometheus", "wrong") == 401
    assert _get(served, "someone", PASSWORD) == 401
    assert _get(served, "prometheus", PASSWORD) == 200


def test_without_users_anyone_on_loopback_reads_them(collector: metrics.StoreCollector) -> None:
    server, _thread = metrics.serve(collector, 0)
    try:
        assert server.server_address[0] == "127.0.0.1"  # the default: loopback only
        assert _get(f"http://127.0.0.1:{server.server_address[1]}/metrics") == 200
    finally:
        server.shutdown()


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("", "no user:hash entry"),
        ("prometheus", "line 1: expected user:hash"),
        ("# scrapers\nprometheus:plain-password", "line 2 (prometheus): the hash must start"),
        ("prometheus:sha256:abc", "sha256: needs 64 hex digits"),
    ],
)
def test_unusable_entries_are_named_without_their_secret(text: str, complaint: str) -> None:
    with pytest.raises(BasicAuthError) as raised:
        Users.parse(text, "users.txt")
    assert complaint in str(raised.value)
    assert "plain-password" not in str(raised.value)


def test_bcrypt_hashes_are_checked_where_bcrypt_is_installed() -> None:
    bcrypt = pytest.importorskip("bcrypt")
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    users = Users.parse(f"prometheus:{hashed}")
    assert users.check("prometheus", PASSWORD) and not users.check("prometheus", "wrong")


def test_malformed_authorization_headers_are_no_credentials() -> None:
    assert basic_auth.credentials_of(None) is None
    assert basic_auth.credentials_of("Bearer abc") is None
    assert basic_auth.credentials_of("Basic !!!") is None
    assert basic_auth.credentials_of("Basic " + base64.b64encode(b"no-colon").decode()) is None
    token = base64.b64encode(b"user:pa:ss").decode()
    assert basic_auth.credentials_of(f"Basic {token}") == ("user", "pa:ss")


def _serve(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [YTEMPIRE, "metrics", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("YTEMPIRE_")}
    db = tmp_path / "a.db"
    AnalyticsStore(f"sqlite:///{db}")
    return {**env, "YTEMPIRE_DATABASE_URL": f"sqlite:///{db}", **extra}


def test_the_command_requires_the_users_of_the_setting(tmp_path: Path) -> None:
    proc = _serve([], _env(tmp_path, YTEMPIRE_METRICS_BASIC_AUTH=ENTRY), tmp_path)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "(basic auth, 1 user(s); Ctrl-C stops)" in line, proc.stderr and proc.stderr.read()
        url = line.split(" ")[3]
        assert url.startswith("http://127.0.0.1:")
        assert _get(url) == 401
        assert _get(url, "prometheus", PASSWORD) == 200
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_the_command_takes_a_users_file_and_refuses_a_bad_one(tmp_path: Path) -> None:
    bad = tmp_path / "users.txt"
    bad.write_text("prometheus:hunter2\n")
    done = subprocess.run(
        [YTEMPIRE, "metrics", "serve", "--basic-auth-file", str(bad)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("ytempire: error: metrics: ")
    assert "hunter2" not in done.stderr


def test_the_command_warns_when_it_listens_beyond_loopback_without_auth(tmp_path: Path) -> None:
    proc = _serve(["--host", "0.0.0.0"], _env(tmp_path), tmp_path)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        assert "serving metrics on http://0.0.0.0:" in proc.stdout.readline()
        assert "without auth" in proc.stderr.readline()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
