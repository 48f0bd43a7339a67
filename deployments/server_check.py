"""Is the Prefect server we are about to use locked, and do we hold its key?

Every command that talks to a server (``python -m deployments.setup``, ``ytempire video`` and
``ytempire batch`` with ``PREFECT_API_URL`` set) asks first, with two plain HTTP requests:

1. an API call **without** credentials (``GET /admin/version``; ``/health`` is always open).
   A server that answers it answers ``GET /block_documents/<id>?include_secrets=true`` too:
   every provider key it keeps. That is refused unless the only way to it is loopback (the
   address given is loopback, and none of this machine's other addresses reaches the same
   port), or the operator passed ``--allow-open-server`` / ``YTEMPIRE_ALLOW_OPEN_SERVER=1``
   for a private network, which is then said in the output.
2. the same call **with** the client's credentials (``PREFECT_API_AUTH_STRING``, sent as
   HTTP basic auth the way Prefect's client sends it, or ``PREFECT_API_KEY`` as a bearer
   token): a server that refuses them stops the command with one line naming the setting.

Every failure is one line (:class:`ServerRefused`); nothing here prints a traceback or a
credential. ``docs/security.md`` says how to turn authentication on.
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import httpx

ALLOW_OPEN_ENV = "YTEMPIRE_ALLOW_OPEN_SERVER"
ALLOW_OPEN_FLAG = "--allow-open-server"
PROBE_PATH = "/admin/version"
HOW_TO_LOCK = (
    "start it with PREFECT_SERVER_API_AUTH_STRING=USER:PASSWORD and give every client "
    "PREFECT_API_AUTH_STRING=USER:PASSWORD (docs/security.md)"
)
# A documentation address (RFC 5737): connecting a UDP socket to it sends nothing, but
# tells which of this machine's addresses faces the network.
_ROUTE_PROBE = ("192.0.2.1", 9)


class ServerRefused(Exception):
    """The server cannot be used as configured; the message is the one line to show."""


@dataclass(frozen=True)
class Credentials:
    """What a client sends: Prefect's auth string (basic auth) or an API key (bearer)."""

    auth_string: str | None = None
    api_key: str | None = None

    @property
    def setting(self) -> str:
        return "PREFECT_API_AUTH_STRING" if self.auth_string else "PREFECT_API_KEY"

    def headers(self) -> dict[str, str]:
        # The same header Prefect's own client builds (auth string first, then the key).
        if self.auth_string:
            token = base64.b64encode(self.auth_string.encode()).decode()
            return {"Authorization": f"Basic {token}"}
        if self.api_key:
            return {"Authorization": f"Bearer {self.api_key}"}
        return {}

    def __bool__(self) -> bool:
        return bool(self.auth_string or self.api_key)

    def __repr__(self) -> str:
        return f"Credentials(setting={self.setting if self else None})"


@dataclass(frozen=True)
class ServerCheck:
    """What the check found: whether the server wants credentials, and the lines to show."""

    api_url: str
    authenticated: bool
    notes: list[str] = field(default_factory=list)


def check_server(
    api_url: str,
    credentials: Credentials,
    *,
    allow_open: bool = False,
    timeout_s: float = 10,
) -> ServerCheck:
    """Check the server at ``api_url`` (``http://HOST:4200/api``); raise
    :class:`ServerRefused` when it must not be used, else return what was found."""
    url = api_url.rstrip("/")
    status = _probe(url, {}, timeout_s)
    if 200 <= status < 300:
        return _open_server(url, allow_open=allow_open, timeout_s=timeout_s)
    if status not in (401, 403):
        raise ServerRefused(
            f"{url} answered {status} to {PROBE_PATH}: is PREFECT_API_URL a Prefect server's "
            "API (http://HOST:4200/api)?"
        )
    if not credentials:
        raise ServerRefused(
            f"the Prefect server at {url} requires credentials: set PREFECT_API_AUTH_STRING "
            "to its USER:PASSWORD (prefect config set PREFECT_API_AUTH_STRING=...)"
        )
    status = _probe(url, credentials.headers(), timeout_s)
    if status in (401, 403):
        raise ServerRefused(
            f"the Prefect server at {url} refused the credentials in {credentials.setting} "
            f"({status}): set it to the server's USER:PASSWORD"
        )
    if not 200 <= status < 300:
        raise ServerRefused(f"{url} answered {status} to {PROBE_PATH} with credentials")
    notes = []
    if urlsplit(url).scheme == "http" and not _is_loopback_host(_host(url)):
        notes.append(
            f"warning: {url} is plain http: the credentials cross the network unencrypted; "
            "put TLS in front of the server (docs/security.md)"
        )
    return ServerCheck(url, authenticated=True, notes=notes)


def check_configured(*, allow_open: bool = False, timeout_s: float = 10) -> ServerCheck | None:
    """Check the server Prefect's settings point at (environment or profile); None when
    there is none (runs use a temporary in-process API, which nothing else can reach) or it
    is Prefect Cloud (always behind API keys, and without the self-hosted API's paths).

    ``allow_open`` is also turned on by ``YTEMPIRE_ALLOW_OPEN_SERVER=1``.
    """
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    api = settings.api
    if not api.url or api.url.startswith(settings.cloud.api_url.rstrip("/")):
        return None
    credentials = Credentials(
        auth_string=api.auth_string.get_secret_value() if api.auth_string else None,
        api_key=api.key.get_secret_value() if api.key else None,
    )
    return check_server(
        api.url,
        credentials,
        allow_open=allow_open or allow_open_from_env(os.environ),
        timeout_s=timeout_s,
    )


def allow_open_from_env(env: Mapping[str, str]) -> bool:
    return env.get(ALLOW_OPEN_ENV, "").strip().lower() in ("1", "true", "yes")


def _open_server(url: str, *, allow_open: bool, timeout_s: float) -> ServerCheck:
    exposed = _exposed_at(url, timeout_s)
    if not exposed:
        return ServerCheck(url, authenticated=False)
    where = url if exposed == url else f"{exposed} (and {url})"
    if not allow_open:
        raise ServerRefused(
            f"the Prefect server at {where} answers API calls without credentials, provider "
            f"keys included: {HOW_TO_LOCK}; or pass {ALLOW_OPEN_FLAG} "
            f"({ALLOW_OPEN_ENV}=1) on a private network"
        )
    return ServerCheck(
        url,
        authenticated=False,
        notes=[
            f"warning: the Prefect server at {where} answers API calls without credentials; "
            f"used anyway, as {ALLOW_OPEN_FLAG} ({ALLOW_OPEN_ENV}) allows"
        ],
    )


def _exposed_at(url: str, timeout_s: float) -> str | None:
    """The first URL other than loopback where this open server answers, or None.

    A loopback URL can hide a server bound to every interface (``--host 0.0.0.0``): the
    same port is tried on this machine's own network addresses.
    """
    host = _host(url)
    if not _is_loopback_host(host):
        return url
    parts = urlsplit(url)
    for address in _own_addresses():
        netloc = f"[{address}]" if ":" in address else address
        if parts.port:
            netloc += f":{parts.port}"
        candidate = urlunsplit(parts._replace(netloc=netloc))
        try:
            if 200 <= _probe(candidate, {}, min(timeout_s, 2)) < 300:
                return candidate
        except ServerRefused:
            continue  # not listening there: loopback only
    return None


def _probe(url: str, headers: dict[str, str], timeout_s: float) -> int:
    try:
        response = httpx.get(
            f"{url}{PROBE_PATH}", headers=headers, timeout=timeout_s, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise ServerRefused(
            f"cannot reach the Prefect server at {url}: {type(exc).__name__}"
            f"{': ' + str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
    return response.status_code


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


def _is_loopback_host(host: str) -> bool:
    """Whether every address ``host`` names is loopback (an unknown name is not)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    addresses = {str(info[4][0]).split("%")[0] for info in infos}
    return bool(addresses) and all(ipaddress.ip_address(a).is_loopback for a in addresses)


def _own_addresses() -> list[str]:
    """This machine's addresses other than loopback (the one facing the network first)."""
    found: list[str] = []
    for family, target in ((socket.AF_INET, _ROUTE_PROBE), (socket.AF_INET6, ("2001:db8::1", 9))):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as s:
                s.connect(target)
                found.append(str(s.getsockname()[0]))
        except OSError:
            continue
    with contextlib.suppress(OSError):
        found += socket.gethostbyname_ex(socket.gethostname())[2]
    unique = dict.fromkeys(a for a in found if not ipaddress.ip_address(a).is_loopback)
    return list(unique)


def gate(prog: str, *, allow_open: bool = False) -> bool:
    """Check the configured server for the command ``prog``: print its notes, or why it
    must not be used, on stderr (one line each); True when the command may go on."""
    try:
        found = check_configured(allow_open=allow_open)
    except ServerRefused as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return False
    for note in found.notes if found else []:
        print(f"{prog}: {note}", file=sys.stderr)
    return True
