"""The server check against real HTTP servers that answer the way Prefect's does: open, or
behind its auth middleware (401 without the right basic-auth header, /health always open).

tests/deployments/test_server.py runs the same check against a real ``prefect server``.
"""

from __future__ import annotations

import base64
import hmac
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Thread

import pytest
from prefect.settings import PREFECT_API_AUTH_STRING, PREFECT_API_URL, temporary_settings

from deployments import server_check, setup
from deployments.server_check import Credentials, ServerRefused, check_server
from ytempire import cli

AUTH = "admin:correct-horse-battery"
OWN = server_check._own_addresses()
needs_network_address = pytest.mark.skipif(
    not any(":" not in a for a in OWN), reason="this machine has no IPv4 address but loopback"
)


def _handler(auth: str | None) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if not self.path.startswith("/api/"):
                return self._answer(404, b'{"detail": "Not Found"}')
            if auth is not None and self.path != "/api/health":
                header = self.headers.get("Authorization", "")
                expected = "Basic " + base64.b64encode(auth.encode()).decode()
                if not hmac.compare_digest(header, expected):
                    return self._answer(401, b'{"exception_message": "Unauthorized"}')
            self._answer(200, b'"3.8.8"')

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def api(bind: str, *, auth: str | None = None) -> Iterator[int]:
    """A Prefect-like API on ``bind`` (any free port); yields the port."""
    server = ThreadingHTTPServer((bind, 0), _handler(auth))
    thread = Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def _ipv4() -> str:
    return next(a for a in OWN if ":" not in a)


def test_an_open_server_on_loopback_only_is_used() -> None:
    with api("127.0.0.1") as port:
        found = check_server(f"http://127.0.0.1:{port}/api", Credentials())
    assert (found.authenticated, found.notes) == (False, [])


@needs_network_address
def test_an_open_server_on_the_network_is_refused_in_one_line() -> None:
    with api("0.0.0.0") as port, pytest.raises(ServerRefused) as refused:
        check_server(f"http://{_ipv4()}:{port}/api", Credentials())
    message = str(refused.value)
    assert "\n" not in message
    assert "without credentials" in message and "PREFECT_SERVER_API_AUTH_STRING" in message
    assert "--allow-open-server" in message


@needs_network_address
def test_a_loopback_address_does_not_hide_a_server_bound_to_every_interface() -> None:
    with api("0.0.0.0") as port, pytest.raises(ServerRefused) as refused:
        check_server(f"http://127.0.0.1:{port}/api", Credentials())
    assert f"{_ipv4()}:{port}" in str(refused.value)


@needs_network_address
def test_the_override_lets_an_open_server_through_and_says_so() -> None:
    with api("0.0.0.0") as port:
        found = check_server(f"http://{_ipv4()}:{port}/api", Credentials(), allow_open=True)
    (note,) = found.notes
    assert note.startswith("warning:") and "--allow-open-server" in note


def test_missing_credentials_name_the_setting() -> None:
    with api("127.0.0.1", auth=AUTH) as port, pytest.raises(ServerRefused) as refused:
        check_server(f"http://127.0.0.1:{port}/api", Credentials())
    assert "requires credentials" in str(refused.value)
    assert "PREFECT_API_AUTH_STRING" in str(refused.value)


def test_wrong_credentials_are_named_never_shown() -> None:
    wrong = "admin:wrong-password-4711"
    with api("127.0.0.1", auth=AUTH) as port, pytest.raises(ServerRefused) as refused:
        check_server(f"http://127.0.0.1:{port}/api", Credentials(auth_string=wrong))
    message = str(refused.value)
    assert "refused the credentials in PREFECT_API_AUTH_STRING (401)" in message
    assert "wrong-password-4711" not in message and "\n" not in message


def test_right_credentials_pass_on_loopback_without_notes() -> None:
    with api("127.0.0.1", auth=AUTH) as port:
        found = check_server(f"http://127.0.0.1:{port}/api/", Credentials(auth_string=AUTH))
    assert (found.authenticated, found.notes) == (True, [])


@needs_network_address
def test_credentials_over_plain_http_on_the_network_are_warned_about() -> None:
    with api("0.0.0.0", auth=AUTH) as port:
        found = check_server(f"http://{_ipv4()}:{port}/api", Credentials(auth_string=AUTH))
    (note,) = found.notes
    assert "unencrypted" in note and "TLS" in note


def test_nothing_listening_and_not_an_api_are_one_line_each() -> None:
    with api("127.0.0.1") as port:
        pass  # stopped: nothing listens on the port now
    with pytest.raises(ServerRefused, match="cannot reach the Prefect server"):
        check_server(f"http://127.0.0.1:{port}/api", Credentials())
    with api("127.0.0.1") as port, pytest.raises(ServerRefused, match="answered 404"):
        check_server(f"http://127.0.0.1:{port}/not-the-api", Credentials())


def test_credentials_never_show_in_their_repr() -> None:
    assert "secret" not in repr(Credentials(auth_string="user:secret"))


@needs_network_address
def test_setup_refuses_an_open_server_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with (
        api("0.0.0.0") as port,
        temporary_settings({PREFECT_API_URL: f"http://{_ipv4()}:{port}/api"}),
    ):
        assert setup.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("deployments.setup: error: ")
    assert "PREFECT_SERVER_API_AUTH_STRING" in err


def test_setup_without_credentials_fails_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with (
        api("127.0.0.1", auth=AUTH) as port,
        temporary_settings(
            {PREFECT_API_URL: f"http://127.0.0.1:{port}/api"},
            restore_defaults={PREFECT_API_AUTH_STRING},  # a session server's may be set
        ),
    ):
        assert setup.main([]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "requires credentials" in err


@needs_network_address
def test_ytempire_batch_refuses_an_open_server(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(server_check.ALLOW_OPEN_ENV, raising=False)
    with (
        api("0.0.0.0") as port,
        temporary_settings({PREFECT_API_URL: f"http://{_ipv4()}:{port}/api"}),
    ):
        assert cli.main(["batch", "--videos-per-channel", "0"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ytempire: error: the Prefect server at")


def test_ytempire_video_refuses_wrong_credentials(capsys: pytest.CaptureFixture[str]) -> None:
    with (
        api("127.0.0.1", auth=AUTH) as port,
        temporary_settings(
            {PREFECT_API_URL: f"http://127.0.0.1:{port}/api", PREFECT_API_AUTH_STRING: "x:y"}
        ),
    ):
        assert cli.main(["video", "--topic", "How black holes evaporate"]) == cli.EXIT_FAILED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "refused the credentials" in err and "x:y" not in err


@needs_network_address
def test_the_environment_can_allow_an_open_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(server_check.ALLOW_OPEN_ENV, "1")
    with (
        api("0.0.0.0") as port,
        temporary_settings({PREFECT_API_URL: f"http://{_ipv4()}:{port}/api"}),
    ):
        found = server_check.check_configured()
    assert found is not None and found.notes[0].startswith("warning:")


def test_prefect_cloud_is_not_probed() -> None:
    cloud = "https://api.prefect.cloud/api/accounts/a/workspaces/w"
    with temporary_settings({PREFECT_API_URL: cloud}):
        assert server_check.check_configured() is None
