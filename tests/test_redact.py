"""One redaction for every message: secrets by their real shapes and by their configured values,
ordinary words left alone."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr

from ytempire import redact
from ytempire.errors import one_line
from ytempire.settings import Settings

CANARY = "canary-7f3a9c1e5b2d8046"


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Incorrect API key provided: sk-abcdefghijklmnop1234", "sk-abcdefghijklmnop1234"),
        (
            "key sk-proj-Ab12Cd34Ef56Gh78Ij90-Kl_mn was refused",
            "sk-proj-Ab12Cd34Ef56Gh78Ij90-Kl_mn",
        ),
        ("xi-api-key sk_0123456789abcdef0123456789abcdef01234567", "sk_0123456789abcdef0123"),
        ("Authorization: Bearer abc.DEF-ghi_jkl~mno", "abc.DEF-ghi_jkl~mno"),
        ("GET /v3/videos?part=id&key=AIzaSyD-0123456789abcdefghijklmnopqrs&alt=json", "AIzaSy"),
        ("GET /v3/videos?key=short12&alt=json", "short12"),
        ("token ya29.a0AfH6SMBx-Yz_0123456789 expired", "ya29.a0AfH6SMBx"),
        ("refresh 1//0gLq-AbCdEfGhIjKlMnOp refused", "1//0gLq-AbCdEfGhIjKlMnOp"),
        ("connect postgresql://app:hunter2secret@db:5432/x failed", "hunter2secret"),
        ('{"client_secret": "GOCSPX-abcdef123456", "a": 1}', "GOCSPX-abcdef123456"),
        ("api_key=abc123456 next", "abc123456"),
        ("password=correct-horse", "correct-horse"),
        ("assertion eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJl", "eyJhbGciOiJSUzI1NiJ9"),
        (
            '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n'
            '-----END PRIVATE KEY-----"',
            "MIIEvQIBADANBg",
        ),
    ],
)
def test_secrets_are_recognised_by_their_shape(text: str, secret: str) -> None:
    out = redact.redact(text)
    assert secret not in out
    assert "***" in out


@pytest.mark.parametrize(
    "text",
    [
        "quality check keyword_density failed: 0.001 < 0.005",
        "keyword density, keywords, keynote, monkey business, turkey=dinner",
        "max_tokens=1920 exceeded; tokens used: 2000; tokenizer mismatch",
        "the secretary said the password field is empty",
        "desk-lamp-with-a-very-long-name-indeed and risk-free-investment-strategies",
        "video 0123456789abcdef0123456789abcdef rendered at https://example.com/a:b@c",
        "gpt-4-turbo failed: HTTP 500 (server_error): try later [api_error]",
    ],
)
def test_ordinary_words_are_left_alone(text: str) -> None:
    assert redact.redact(text) == text


def test_configured_secrets_are_masked_by_value_whatever_their_shape() -> None:
    settings = Settings(pexels_api_key=SecretStr(CANARY), elevenlabs_api_key=SecretStr("short"))
    redact.remember_settings(settings)
    out = one_line(RuntimeError(f"401: Invalid API key: {CANARY}; keyword_density low"))
    assert CANARY not in out and "keyword_density" in out
    # Values too short to be told from ordinary words are not masked by value.
    assert redact.redact("a short answer") == "a short answer"


def test_settings_remember_their_secrets_when_made() -> None:
    value = "plain-value-4c1d9e7a2b"
    Settings(pexels_api_key=SecretStr(value))
    assert value not in redact.redact(f"sent {value}")


def test_a_caller_names_its_own_secret_and_lines_are_bounded() -> None:
    out = redact.line("server said:\n  your key xyz-123-secret\n is wrong", ["xyz-123-secret"])
    assert out == "server said: your key *** is wrong"
    assert len(redact.line("word " * 200)) == redact.MESSAGE_LIMIT
    assert redact.line("word " * 200).endswith("…")


def test_log_records_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redact")
    logger.addFilter(redact.RedactingFilter())
    with caplog.at_level(logging.INFO, logger="tests.redact"):
        logger.info("GET %s", "https://x/v3?key=AIzaSyD-0123456789abcdefghijklmnopqrs")
    assert "AIzaSy" not in caplog.text and "key=***" in caplog.text
