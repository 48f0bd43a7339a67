"""Secrets out of every message: the one place that knows what a credential looks like.

Two ways a secret is recognised:

- by its **shape**: OpenAI keys (``sk-…``, ``sk-proj-…``), ElevenLabs keys (``sk_…``),
  ``Bearer`` tokens, Google API keys (``AIza…``), Google OAuth access tokens (``ya29.…``)
  and refresh tokens (``1//…``), JSON web tokens, PEM private keys, passwords in URLs
  (``scheme://user:password@host``) and values given to credential names
  (``key=…``, ``api_key=…``, ``"client_secret": "…"``, ``password=…``);
- by its **value**: the secrets this process was configured with (every ``SecretStr`` of
  the settings, the endpoints' keys included, remembered when the settings are made:
  :func:`remember_settings`), and the ones a caller names (a provider's own key).

Shapes are anchored on what real credentials start with, so ordinary words that merely
contain ``key`` or ``token`` (``keyword_density``, ``max_tokens``) are left alone.

Every provider module builds its messages with :func:`line` (one line, redacted, bounded);
``ytempire.errors.one_line`` does the same for any exception; :class:`RedactingFilter` does
it for log records of libraries that print request URLs.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, SecretStr

MASK = "***"
MESSAGE_LIMIT = 300
# Shorter configured values are not masked by value: "abc" would mask ordinary words.
MIN_SECRET_CHARS = 8

# Names whose value is a credential: ``name=value`` (query strings, forms, env dumps) and
# ``"name": "value"`` (JSON). Only a value of 6+ characters is taken for one.
_NAMES = (
    r"api[_-]?key|apikey|x-api-key|xi-api-key|key|access[_-]?token|refresh[_-]?token"
    r"|id[_-]?token|auth[_-]?token|token|client[_-]?secret|secret|password|passwd|private[_-]?key"
)

# (pattern, replacement), applied in order.
_SHAPES: list[tuple[re.Pattern[str], str]] = [
    # PEM blocks (a service account's private key quoted in a message).
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)", re.S
        ),
        MASK,
    ),
    # user:password@ in a URL: the user stays, the password goes.
    (re.compile(r"(://[^:/@\s]+:)[^@\s/]+@"), rf"\1{MASK}@"),
    # Authorization: Bearer <token> (any token shape).
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"), rf"\1{MASK}"),
    # OpenAI (sk-, sk-proj-, sk-svcacct-) and ElevenLabs (sk_) keys.
    (re.compile(r"\bsk[-_][A-Za-z0-9_-]{16,}"), MASK),
    # Google API keys, OAuth access tokens and refresh tokens.
    (re.compile(r"\bAIza[0-9A-Za-z_-]{20,}"), MASK),
    (re.compile(r"\bya29\.[0-9A-Za-z_.-]{10,}"), MASK),
    (re.compile(r"(?<![\w/])1//[0-9A-Za-z_-]{10,}"), MASK),
    # JSON web tokens (ID tokens, service account assertions).
    (re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"), MASK),
    # name=value and "name": "value" for credential names.
    (
        re.compile(
            rf"(?i)(?<![\w-])((?:{_NAMES})[\"']?\s*[=:]\s*[\"']?)(?!{re.escape(MASK)})[^\s&\"',;}}]{{6,}}"
        ),
        rf"\1{MASK}",
    ),
]

_lock = threading.Lock()
_remembered: frozenset[str] = frozenset()


def remember(values: Iterable[str | None]) -> None:
    """Mask these values wherever :func:`redact` runs in this process from now on."""
    global _remembered
    fresh = {v for v in values if v and len(v) >= MIN_SECRET_CHARS}
    if fresh - _remembered:
        with _lock:
            _remembered = _remembered | fresh


def remember_settings(settings: BaseModel) -> None:
    """Remember the value of every ``SecretStr`` field of ``settings`` (a pydantic model)."""
    remember(_secret_values(settings))


def _secret_values(model: BaseModel) -> Iterable[str]:
    for name in type(model).model_fields:
        yield from _secrets_in(getattr(model, name, None))


def _secrets_in(value: Any) -> Iterable[str]:
    """Every ``SecretStr`` in ``value``: itself, or inside a model or list (endpoints' keys)."""
    if isinstance(value, SecretStr):
        yield value.get_secret_value()
    elif isinstance(value, BaseModel):
        yield from _secret_values(value)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _secrets_in(item)


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """``text`` with every credential in it (see the module) replaced by ``***``."""
    values = {v for v in secrets if v and len(v) >= 4} | _remembered
    # Longest first, so a secret that contains another is masked whole.
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    for pattern, replacement in _SHAPES:
        text = pattern.sub(replacement, text)
    return text


def line(text: object, secrets: Iterable[str | None] = (), limit: int = MESSAGE_LIMIT) -> str:
    """``text`` on one line, redacted, at most ``limit`` characters (ending in ``…`` if cut)."""
    flat = redact(" ".join(str(text).split()), secrets)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's message (attach it to chatty loggers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
