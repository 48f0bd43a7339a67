"""HTTP basic auth for the small HTTP services ytempire runs itself (``ytempire metrics
serve``): users with password hashes, checked by a WSGI wrapper.

Users come as ``user:hash`` entries, one a line (the ``htpasswd`` file format, so
``htpasswd -nB user`` writes one), from a file or from one setting. A hash is one of

- ``sha256:<hex>``: SHA-256 of the password (stdlib only; give it a long random password:
  ``python -c "import hashlib,getpass; print('sha256:' +
  hashlib.sha256(getpass.getpass().encode()).hexdigest())"``);
- ``$2b$…`` (``$2a$``, ``$2y$``): bcrypt, as ``htpasswd -B`` and Prometheus' own web config
  write it; needs the ``bcrypt`` package where the service runs.

Passwords are compared in constant time and never kept; a refused request gets 401 with a
``WWW-Authenticate`` challenge and no detail.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
SHA256_PREFIX = "sha256:"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class BasicAuthError(ValueError):
    """An unusable users entry; the message is one line naming it (never the hash)."""


@dataclass(frozen=True)
class Users:
    """Who may call: user name → password hash."""

    hashes: Mapping[str, str]

    @classmethod
    def parse(cls, text: str, source: str = "basic auth") -> Users:
        """Users from ``user:hash`` lines (blank lines and ``#`` comments skipped)."""
        hashes: dict[str, str] = {}
        for number, line in enumerate(text.splitlines(), start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            user, sep, hashed = line.partition(":")
            if not (sep and user and hashed):
                raise BasicAuthError(f"{source} line {number}: expected user:hash")
            _check_hash(hashed, f"{source} line {number} ({user})")
            hashes[user] = hashed
        if not hashes:
            raise BasicAuthError(f"{source}: no user:hash entry")
        return cls(hashes)

    @classmethod
    def from_file(cls, path: Path) -> Users:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise BasicAuthError(f"{path}: {exc.strerror or exc}") from None
        return cls.parse(text, str(path))

    def check(self, user: str, password: str) -> bool:
        hashed = self.hashes.get(user)
        if hashed is None:
            # Spend the same time as for a known user, so names cannot be told apart.
            _matches(SHA256_PREFIX + "0" * 64, password)
            return False
        return _matches(hashed, password)

    def __repr__(self) -> str:
        return f"Users({sorted(self.hashes)})"


def _check_hash(hashed: str, where: str) -> None:
    if hashed.startswith(SHA256_PREFIX):
        digest = hashed.removeprefix(SHA256_PREFIX)
        if len(digest) != 64 or any(c not in "0123456789abcdefABCDEF" for c in digest):
            raise BasicAuthError(f"{where}: sha256: needs 64 hex digits")
        return
    if hashed.startswith(BCRYPT_PREFIXES):
        try:
            import bcrypt  # noqa: F401
        except ImportError:
            raise BasicAuthError(
                f"{where}: a bcrypt hash needs the bcrypt package (pip install bcrypt), "
                "or use a sha256: hash"
            ) from None
        return
    raise BasicAuthError(f"{where}: the hash must start with sha256: or $2b$ (bcrypt)")


def _matches(hashed: str, password: str) -> bool:
    if hashed.startswith(SHA256_PREFIX):
        digest = hashlib.sha256(password.encode()).hexdigest()
        return hmac.compare_digest(digest, hashed.removeprefix(SHA256_PREFIX).lower())
    import bcrypt

    try:
        return bool(bcrypt.checkpw(password.encode(), hashed.encode()))
    except ValueError:
        return False


def credentials_of(header: str | None) -> tuple[str, str] | None:
    """(user, password) from an ``Authorization: Basic …`` header, or None."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def require(app: WSGIApp, users: Users, realm: str) -> WSGIApp:
    """``app`` behind basic auth: a request without a known user and password gets 401."""

    def guarded(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        given = credentials_of(environ.get("HTTP_AUTHORIZATION"))
        if given is not None and users.check(*given):
            return app(environ, start_response)
        return _unauthorized(start_response, realm)

    return guarded


def _unauthorized(start_response: StartResponse, realm: str) -> Iterator[bytes]:
    body = b"401 Unauthorized\n"
    start_response(
        "401 Unauthorized",
        [
            ("WWW-Authenticate", f'Basic realm="{realm}", charset="UTF-8"'),
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ],
    )
    yield body
