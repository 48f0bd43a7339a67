"""python -m blocks.rotate refuses what it cannot rotate in one line, before any server call
(tests/deployments/test_server.py rotates a key on a real server)."""

from __future__ import annotations

import io

import pytest

from blocks import rotate


@pytest.mark.parametrize(
    ("kind", "field", "value", "complaint"),
    [
        ("nope", "api_key", "x", "no credential block 'nope': one of elevenlabs, google, openai"),
        ("openai", "base_url", "x", "openai has no secret 'base_url': one of api_key"),
        ("youtube", "client_id", "x", "one of client_secret, refresh_token, api_key"),
        ("openai", "api_key", " \n", "the new value is empty"),
    ],
)
def test_what_cannot_be_rotated_is_named(kind: str, field: str, value: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        rotate.rotate(kind, field, value)


def test_the_command_says_it_in_one_line_without_the_value(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("sk-new-secret-value"))
    assert rotate.main(["openai", "base_url"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("python -m blocks.rotate: ")
    assert "sk-new-secret-value" not in captured.err
